"""The daily report of a hall (日报): a PDF with tables and a chart, and a CSV for Excel.

Both are made from a ``hall.stats.Report`` and carry Chinese first, English beside it. The PDF
uses the CID font of ``hall.printing`` (no font file ships with the app) and a reportlab chart
of arrivals by hour; the CSV has one row per service and a totals row, then (after an empty
row) the waits of each channel and the day's appointment figures (``hall.booking_figures``),
and is served as UTF-8 with a byte-order mark so that Excel reads the Chinese.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import cast
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .booking_figures import APPOINTMENT, CHANNELS, ON_TIME_MINUTES, REMOTE, WALK_IN, DayFigures
from .channel_figures import DETAILS, ONLINE, ChannelRow
from .channel_figures import totals as channel_totals
from .glyphs import cjk_safe, printable
from .printing import CJK  # registers the CID font on import
from .stats import Report, TicketFigures

BOM = "\ufeff"
CSV_COLUMNS = (
    ("service", "事项代码"), ("name_zh", "事项"), ("name_en", "Service"),
    ("tickets", "取号"), ("served", "办结"), ("no_show", "过号"), ("unserved", "未办理"),
    ("transferred", "转办"), ("avg_wait_min", "平均等候(分钟)"),
    ("avg_service_min", "平均办理(分钟)"),
)
CHANNEL_NAMES = {APPOINTMENT: ("预约", "Appointments"), REMOTE: ("远程取号", "Remote tickets"),
                 WALK_IN: ("现场取号", "Walk-ins")}
CHANNEL_COLUMNS = (
    ("channel", "渠道"), ("name_zh", "渠道"), ("name_en", "Channel"), ("tickets", "取号"),
    ("called", "已叫号"), ("avg_wait_min", "平均等候(分钟)"),
    ("p90_wait_min", "90%等候不超过(分钟)"),
)
# The channels side by side (hall.channel_figures): at the windows and online.
CHANNEL_FIGURE_COLUMNS = (
    ("channel", "渠道"), ("name_zh", "渠道"), ("name_en", "Channel"),
    ("received", "收件"), ("responded_on_time", "按时响应(答复、受理或不予受理)"),
    ("responded_late", "超时响应"), ("concluded_on_time", "按时办结"),
    ("concluded_late", "超时办结"), ("extended", "延期"), ("open_yellow", "未结黄牌"),
    ("open_red", "未结红牌"), ("details", "其他"),
)

# The appointment figures' rows in the CSV (keys of ``appointment_totals``).
APPOINTMENT_ROWS = (
    ("bookings", "预约数", "Bookings for the day"),
    ("bookings_honoured", "已签到", "Checked in (honoured)"),
    ("bookings_missed", "爽约", "Missed"),
    ("bookings_cancelled", "已取消", "Cancelled"),
    ("bookings_expected", "待签到", "Still expected"),
    ("honour_rate", "履约率", "Honour rate"),
    ("remote_taken", "远程取号", "Remote tickets taken"),
    ("remote_arrived", "远程取号已到达", "Remote tickets arrived"),
    ("remote_not_arrived", "远程取号未到达", "Remote tickets never arrived"),
    ("appointments_called", "预约已叫号", "Appointments called"),
    ("appointments_called_early", "早于预约时段叫号", "Called before their slot"),
    ("appointments_called_on_time", f"时段开始{ON_TIME_MINUTES}分钟内叫号",
     f"Called within {ON_TIME_MINUTES} min of their slot"),
    ("appointments_called_late", f"时段开始{ON_TIME_MINUTES}分钟后叫号",
     f"Called over {ON_TIME_MINUTES} min after their slot"),
    ("appointment_delay_min", "叫号距时段开始平均(分钟)", "Called after slot start, avg min"),
    ("appointment_delay_p90_min", "叫号距时段开始90%不超过(分钟)",
     "Called after slot start, 90% within min"),
)


@dataclass
class DailyReportFiles:
    pdf: bytes
    csv: str          # without the BOM
    totals: dict


def _minutes(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def totals(summary: Report) -> dict:
    """The day's figures as plain JSON values (kept with the report)."""
    t, c, r = summary.tickets.total, summary.cases, summary.ratings.total
    return {
        "tickets": t.tickets, "called": t.called, "served": t.served, "no_show": t.no_show,
        "unserved": t.unserved, "never_arrived": t.never_arrived, "open": t.open,
        "transferred": t.transferred,
        "avg_wait_min": _minutes(t.avg_wait_minutes),
        "avg_service_min": _minutes(t.avg_service_minutes),
        "no_show_rate": _rate(t.no_show_rate), "transfer_rate": _rate(t.transfer_rate),
        "cases_accepted": c.accepted, "cases_decided": c.decided,
        "cases_on_time": c.decided_on_time, "cases_closed": c.closed, "cases_red": c.red,
        "ratings": r.count, "ratings_average": _minutes(r.average), "ratings_poor": r.poor,
        **appointment_totals(_appointments(summary)),
        **channel_totals(summary.channels or []),
    }


def channel_summary(kept: dict) -> dict | None:
    """A kept day's channels in three figures (the list of daily reports): cases accepted at
    the windows, questions, complaints and reports received online, and the moves made late
    in any channel. None for a report kept before the channels were counted."""
    if "hall_received" not in kept:
        return None
    late = sum(value or 0 for key, value in kept.items()
               if key.endswith(("_responded_late", "_concluded_late")))
    online = sum(kept.get(f"{channel}_received") or 0 for channel in ONLINE)
    return {"hall": kept["hall_received"], "online": online, "late": late}


def _appointments(summary: Report) -> DayFigures:
    """The period's appointment figures (none in a report put together without them)."""
    return summary.appointments.total if summary.appointments is not None else DayFigures()


def appointment_totals(day: DayFigures) -> dict:
    """Appointments, remote tickets and each channel's waits as plain JSON values."""
    b, p = day.bookings, day.punctuality
    figures = {
        "bookings": b.booked, "bookings_honoured": b.honoured, "bookings_missed": b.missed,
        "bookings_cancelled": b.cancelled, "bookings_expected": b.expected,
        "honour_rate": _rate(b.honour_rate),
        "remote_taken": day.remote.taken, "remote_arrived": day.remote.arrived,
        "remote_not_arrived": day.remote.not_arrived,
        "appointments_called": p.called, "appointments_called_early": p.early,
        "appointments_called_on_time": p.on_time, "appointments_called_late": p.late,
        "appointment_delay_min": _minutes(p.avg_delay_minutes),
        "appointment_delay_p90_min": _minutes(p.p90_delay_minutes),
    }
    for w in day.waits:
        figures[f"wait_{w.channel}_min"] = _minutes(w.avg_wait_minutes)
        figures[f"wait_{w.channel}_p90_min"] = _minutes(w.p90_wait_minutes)
    return figures


def daily(summary: Report) -> DailyReportFiles:
    return DailyReportFiles(pdf=daily_pdf(summary), csv=daily_csv(summary),
                            totals=totals(summary))


# -- CSV ----------------------------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel and LibreOffice (=HYPERLINK(…) in a
# service's name would run when the manager opens the file): such text gets a leading
# apostrophe, which the spreadsheet shows as text and hides (OWASP's advice for CSV).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_text(value: str) -> str:
    """Text as a CSV cell that a spreadsheet never runs (a number stays a number)."""
    if not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def _csv_row(code: str, name_zh: str, name_en: str, f: TicketFigures) -> list:
    return [csv_text(code), csv_text(name_zh), csv_text(name_en or ""), f.tickets, f.served,
            f.no_show, f.unserved,
            f.transferred, _blank(_minutes(f.avg_wait_minutes)),
            _blank(_minutes(f.avg_service_minutes))]


def _blank(value) -> object:
    return "" if value is None else value


def daily_csv(summary: Report) -> str:
    """One row per service and a totals row; the header in Chinese and English."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"{zh} {en}" if en not in ("name_zh", "name_en") else zh
                     for en, zh in CSV_COLUMNS])
    for f in summary.tickets.by_service:
        writer.writerow(_csv_row(f.code, f.label, f.label_en, f))
    writer.writerow(_csv_row("TOTAL", "合计", "Total", summary.tickets.total))
    day = _appointments(summary)
    writer.writerow([])
    writer.writerow([f"{zh} {en}" if en not in ("name_zh", "name_en") else zh
                     for en, zh in CHANNEL_COLUMNS])
    for channel in CHANNELS:
        w = day.wait(channel)
        zh, en = CHANNEL_NAMES[channel]
        writer.writerow([channel, zh, en, w.tickets, w.called,
                         _blank(_minutes(w.avg_wait_minutes)),
                         _blank(_minutes(w.p90_wait_minutes))])
    writer.writerow([])
    writer.writerow(["指标 figure", "指标", "Figure", "数值 value"])
    for key, zh, en in APPOINTMENT_ROWS:
        writer.writerow([key, zh, en, _blank(appointment_totals(day)[key])])
    if summary.channels:
        writer.writerow([])
        writer.writerow([f"{zh} {en}" if en not in ("name_zh", "name_en") else zh
                         for en, zh in CHANNEL_FIGURE_COLUMNS])
        for row in summary.channels:
            writer.writerow([row.channel, row.name_zh, row.name_en]
                            + [_blank(getattr(row, name)) for name, _zh in
                               CHANNEL_FIGURE_COLUMNS[3:-1]]
                            + [_details(row)])
    return out.getvalue()


def _details(row: ChannelRow) -> str:
    """A channel's figures beside the columns, e.g. "取号 Tickets issued 12"."""
    return " · ".join(f"{DETAILS[name][0]} {DETAILS[name][1]} {value}"
                      for name, value in row.details.items())



def csv_bytes(text: str) -> bytes:
    """As downloaded: UTF-8 with a BOM (Excel otherwise guesses the local code page). A
    report kept before formulas were neutralised is neutralised on its way out."""
    rows = list(csv.reader(io.StringIO(text)))
    if any(cell != csv_text(cell) for row in rows for cell in row):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(
            [csv_text(cell) for cell in row] for row in rows)
        text = out.getvalue()
    return (BOM + text).encode("utf-8")


# -- PDF ----------------------------------------------------------------------------------------

_TITLE = ParagraphStyle("title", fontName=CJK, fontSize=16, leading=22)
_SUB = ParagraphStyle("sub", fontName="Helvetica", fontSize=10, leading=14,
                      textColor=colors.HexColor("#444444"))
_H2 = ParagraphStyle("h2", fontName=CJK, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
CELL_SIZE = 8.5
CELL_PADDING = 3  # points left and right of a cell's text (reportlab's default is 6)
# A header cell: the Chinese on one line, the English below, both wrapping inside the cell
# (wordWrap CJK breaks between Chinese characters as well as between words).
_HEAD = ParagraphStyle("head", fontName=CJK, fontSize=CELL_SIZE, leading=CELL_SIZE * 1.25,
                       wordWrap="CJK")
_NAME = ParagraphStyle("name", fontName=CJK, fontSize=CELL_SIZE, leading=CELL_SIZE * 1.25,
                       wordWrap="CJK")
_GRID = TableStyle([
    ("FONT", (0, 0), (-1, -1), CJK, CELL_SIZE),
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
])


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _markup(text: str, font: str) -> str:
    """``text`` as Paragraph markup in which every character is set in a font that has it
    (a Latin paragraph may carry a Chinese hall name, and the other way round)."""
    return "".join(part if part_font == font else f'<font name="{part_font}">{part}</font>'
                   for part, part_font in ((escape(p), f) for p, f in printable(text, font)))


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_markup(text, style.fontName), style)


def _head(zh: str, en: str = "") -> Paragraph:
    """A column header: Chinese first, English on the next line."""
    lines = [_markup(zh, CJK)] + ([_markup(en, CJK)] if en else [])
    return Paragraph("<br/>".join(lines), _HEAD)


def _cell(value, column: int) -> object:
    """A body cell: numbers as they are, text as the table's font can print it; the first
    column names a service or a window, and a long name wraps inside its cell."""
    if not isinstance(value, str):
        return value
    return _para(value, _NAME) if column == 0 else cjk_safe(value)


def _table(head: list[Paragraph], rows: list[list], widths: list[float]) -> Table:
    table = Table([head] + [[_cell(v, i) for i, v in enumerate(row)] for row in rows],
                  colWidths=widths, repeatRows=1)
    table.setStyle(_GRID)
    return table


def arrivals_chart(summary: Report, width: float = 170 * mm,
                   height: float = 60 * mm) -> Drawing:
    """Tickets issued per hour of the day (bars), the hours the hall was busy."""
    hours: dict[int, int] = {cast(int, f.key): f.tickets for f in summary.tickets.by_hour}
    first, last = (min(hours), max(hours)) if hours else (8, 17)
    first, last = min(first, 8), max(last, 17)
    span = list(range(first, last + 1))
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = width - 20 * mm, height - 18 * mm
    chart.data = [[hours.get(h, 0) for h in span]]
    chart.categoryAxis.categoryNames = [f"{h:02d}" for h in span]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max(chart.data[0]) if chart.data[0] else 0
    chart.valueAxis.valueMax = max(top, 4)
    chart.bars[0].fillColor = colors.HexColor("#2f6db3")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, height - 6, "每小时取号 Arrivals by hour", fontName=CJK, fontSize=9))
    return drawing


def _days(period) -> str:
    first, last = period.first.isoformat(), period.last.isoformat()
    return first if first == last else f"{first} – {last}"


def daily_story(summary: Report) -> list:
    """The daily report's content, top to bottom (``daily_pdf`` lays it out on A4)."""
    hall, day = summary.hall, _days(summary.period)
    t, c, r = summary.tickets.total, summary.cases, summary.ratings.total
    wait, served = _head("等候(分)", "Wait, min"), _head("办理(分)", "Service, min")
    story = [
        _para(f"{hall.name_zh} 日报 {day}", _TITLE),
        _para(f"{hall.name_en} · Daily report · {day}", _SUB),
        Spacer(1, 4 * mm),
        _para("合计 Totals", _H2),
        _table([_head("取号", "Tickets"), _head("办结", "Served"), _head("过号", "No-show"),
                _head("未办理", "Unserved"), _head("转办", "Transferred"),
                _head("平均等候", "Avg wait"), _head("平均办理", "Avg service")],
               [[t.tickets, t.served, t.no_show, t.unserved, t.transferred,
                 _fmt(_minutes(t.avg_wait_minutes), " min"),
                 _fmt(_minutes(t.avg_service_minutes), " min")]],
               [22 * mm, 22 * mm, 22 * mm, 24 * mm, 24 * mm, 28 * mm, 28 * mm]),
        Spacer(1, 2 * mm),
        _table([_head("过号率", "No-show rate"), _head("转办率", "Transfer rate"),
                _head("受理办件", "Cases accepted"), _head("办结办件", "Cases closed"),
                _head("按时办结", "Decided on time"), _head("红牌", "Red")],
               [[_pct(t.no_show_rate), _pct(t.transfer_rate), c.accepted, c.closed,
                 f"{c.decided_on_time}/{c.decided}", c.red]],
               [28 * mm, 28 * mm, 30 * mm, 28 * mm, 32 * mm, 24 * mm]),
        Spacer(1, 4 * mm),
        arrivals_chart(summary),
        _para("按事项 By service", _H2),
        _table([_head("事项", "Service"), _head("取号", "Tickets"), _head("办结", "Served"),
                _head("过号", "No-show"), _head("未办理", "Unserved"),
                _head("转办", "Transferred"), wait, served],
               [[f"{f.code} {f.label}", f.tickets, f.served, f.no_show, f.unserved,
                 f.transferred, _fmt(_minutes(f.avg_wait_minutes)),
                 _fmt(_minutes(f.avg_service_minutes))] for f in summary.tickets.by_service]
               + [["合计 Total", t.tickets, t.served, t.no_show, t.unserved, t.transferred,
                   _fmt(_minutes(t.avg_wait_minutes)), _fmt(_minutes(t.avg_service_minutes))]],
               [56 * mm, 15 * mm, 15 * mm, 15 * mm, 17 * mm, 20 * mm, 21 * mm, 21 * mm]),
    ]
    if summary.tickets.by_window:
        story += [
            _para("按窗口 By window", _H2),
            _table([_head("窗口", "Window"), _head("取号", "Tickets"), _head("办结", "Served"),
                    _head("过号", "No-show"), wait, served],
                   [[f.label, f.tickets, f.served, f.no_show, _fmt(_minutes(f.avg_wait_minutes)),
                     _fmt(_minutes(f.avg_service_minutes))]
                    for f in summary.tickets.by_window], [40 * mm] + [20 * mm] * 5),
        ]
    story += appointments_story(_appointments(summary))
    if summary.channels is not None:
        story += channels_story(summary.channels)
    story += [
        _para("评价 Ratings", _H2),
        _table([_head("评价数", "Ratings"), _head("平均", "Average"), _head("差评", "Poor"),
                _head("差评率", "Poor rate")],
               [[r.count, _fmt(_minutes(r.average)), r.poor, _pct(r.poor_rate)]],
               [40 * mm] * 4),
    ]
    if summary.ratings.by_window:
        story += [Spacer(1, 2 * mm), _table(
            [_head("窗口", "Window"), _head("评价数", "Ratings"), _head("平均", "Average"),
             _head("差评", "Poor")],
            [[f.label, f.count, _fmt(_minutes(f.average)), f.poor]
             for f in summary.ratings.by_window], [40 * mm] + [24 * mm] * 3)]
    return story


def appointments_story(day: DayFigures) -> list:
    """Appointments, remote tickets and each channel's waits (``hall.booking_figures``)."""
    b, p, remote = day.bookings, day.punctuality, day.remote
    return [
        _para("预约与远程取号 Appointments and remote tickets", _H2),
        _table([_head("预约", "Booked"), _head("已签到", "Checked in"), _head("爽约", "Missed"),
                _head("已取消", "Cancelled"), _head("待签到", "Expected"),
                _head("履约率", "Honour rate"), _head("远程取号", "Remote"),
                _head("未到达", "Never arrived")],
               [[b.booked, b.honoured, b.missed, b.cancelled, b.expected,
                 _pct(b.honour_rate), remote.taken, remote.not_arrived]],
               [20 * mm, 22 * mm, 20 * mm, 22 * mm, 22 * mm, 22 * mm, 21 * mm, 23 * mm]),
        Spacer(1, 2 * mm),
        _table([_head("渠道", "Channel"), _head("取号", "Tickets"), _head("已叫号", "Called"),
                _head("平均等候(分)", "Avg wait, min"),
                _head("90%等候不超过(分)", "90% waited at most, min")],
               [[f"{CHANNEL_NAMES[c][0]} {CHANNEL_NAMES[c][1]}", w.tickets, w.called,
                 _fmt(_minutes(w.avg_wait_minutes)), _fmt(_minutes(w.p90_wait_minutes))]
                for c, w in ((c, day.wait(c)) for c in CHANNELS)],
               [50 * mm, 24 * mm, 24 * mm, 36 * mm, 38 * mm]),
        Spacer(1, 2 * mm),
        _table([_head("预约已叫号", "Appointments called"),
                _head("早于时段", "Before slot"),
                _head(f"{ON_TIME_MINUTES}分钟内", f"Within {ON_TIME_MINUTES} min"),
                _head(f"超过{ON_TIME_MINUTES}分钟", f"Over {ON_TIME_MINUTES} min late"),
                _head("距时段开始平均(分)", "After slot start, avg min"),
                _head("90%不超过(分)", "90% within, min")],
               [[p.called, p.early, p.on_time, p.late, _fmt(_minutes(p.avg_delay_minutes)),
                 _fmt(_minutes(p.p90_delay_minutes))]],
               [30 * mm, 24 * mm, 26 * mm, 28 * mm, 34 * mm, 30 * mm]),
    ]


def channels_story(rows: list[ChannelRow]) -> list:
    """The windows and the online channels side by side (``hall.channel_figures``)."""
    details = [f"{r.name_zh} {r.name_en}: {_details(r)}" for r in rows if r.details]
    return [
        _para("线上与大厅 Online and at the windows", _H2),
        _table([_head("渠道", "Channel"), _head("收件", "Received"),
                _head("按时响应", "Responded on time"), _head("超时响应", "Responded late"),
                _head("按时办结", "Concluded on time"), _head("超时办结", "Concluded late"),
                _head("延期", "Extended"), _head("未结黄牌", "Yellow"),
                _head("未结红牌", "Red")],
               [[f"{r.name_zh} {r.name_en}", r.received, _fmt(r.responded_on_time),
                 _fmt(r.responded_late), _fmt(r.concluded_on_time), _fmt(r.concluded_late),
                 _fmt(r.extended), _fmt(r.open_yellow), _fmt(r.open_red)] for r in rows],
               [44 * mm] + [17 * mm] * 8),
        *([Spacer(1, 2 * mm)] + [_para(line, _NAME) for line in details] if details else []),
        _para("响应：咨询答复，投诉、举报受理或不予受理；大厅办件的办结为作出决定。黄牌、红牌为报告"
              "生成时仍未办结者。 Responded: a question answered, a complaint or report accepted "
              "or declined; a case at the windows is concluded when decided. Yellow and red: "
              "still open when the report was made.", _NAME),
    ]


def daily_pdf(summary: Report) -> bytes:
    hall = summary.hall
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=f"{hall.name_zh} 日报 {_days(summary.period)}",
                            author=hall.name_zh)
    doc.build(daily_story(summary))
    return out.getvalue()
