"""Bar charts drawn on the server as SVG geometry: no chart library, nothing to fetch, and the
page shows them without JavaScript. ``dashboard.js`` redraws the same bars from a live
snapshot with the same arithmetic (the height of a bar is its share of the tallest)."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 480, 180
# Room under the bars for the labels, above them for the counts.
BOTTOM, TOP = 22, 16


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_height: int
    baseline: int
    bars: list[Bar]
    label_every: int

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def bar_chart(values: list[int], labels: list[str], *, width: int = WIDTH, height: int = HEIGHT,
              label_every: int = 1) -> BarChart:
    """Bars for ``values`` side by side; each label under its bar (or every ``label_every``-th
    one, when they would not fit)."""
    plot = height - BOTTOM - TOP
    baseline = height - BOTTOM
    slot = width / max(len(values), 1)
    gap = min(slot * 0.2, 6)
    top = max(values, default=0) or 1
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=False)):
        h = round(value / top * plot, 1)
        bars.append(Bar(round(i * slot + gap / 2, 1), round(baseline - h, 1),
                        round(slot - gap, 1), h, value, label))
    return BarChart(width, height, plot, baseline, bars, label_every)
