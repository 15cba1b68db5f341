"""Blank forms drawn as A4 PDFs: the demo's forms for its items (``hall.demo``), made when the
demo is seeded rather than kept as binary files in the repository.

A form is a title in both languages, a note, a table of labelled boxes to fill in, and a
signature line; every string is split by ``hall.glyphs`` into runs of a font that has each
character (the receipts' fonts, ``hall.printing``), so that nothing prints as an empty box.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from . import glyphs
from .printing import CJK, SANS, wrap  # importing it registers the CJK font

WIDTH, HEIGHT = A4
MARGIN = 20 * mm
ROW = 11 * mm
LABEL_WIDTH = 58 * mm


@dataclass(frozen=True)
class BlankForm:
    """One blank form: its titles, a note, the boxes to fill in (Chinese | English) and the
    declaration above the signature."""

    title_zh: str
    title_en: str
    note: str
    fields: tuple[tuple[str, str], ...]
    declaration: str


def _runs(c: Canvas, x: float, y: float, text: str, font: str, size: float) -> float:
    for part, part_font in glyphs.printable(text, font):
        c.setFont(part_font, size)
        c.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, part_font, size)
    return x


def _centred(c: Canvas, y: float, text: str, font: str, size: float) -> None:
    width = sum(pdfmetrics.stringWidth(part, f, size) for part, f in glyphs.printable(text, font))
    _runs(c, (WIDTH - width) / 2, y, text, font, size)


def blank_form_pdf(form: BlankForm, *, hall_name: str) -> bytes:
    """The form as one A4 page."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(form.title_zh)
    c.setAuthor(hall_name)
    c.setCreator("Service Hall")
    y = HEIGHT - MARGIN - 6 * mm
    _centred(c, y, form.title_zh, CJK, 18)
    y -= 8 * mm
    _centred(c, y, form.title_en, SANS, 10)
    y -= 10 * mm
    for line in wrap(form.note, CJK, 9, WIDTH - 2 * MARGIN):
        _runs(c, MARGIN, y, line, CJK, 9)
        y -= 5 * mm
    y -= 3 * mm
    c.setLineWidth(0.8)
    table_top = y
    for zh, en in form.fields:
        c.rect(MARGIN, y - ROW, WIDTH - 2 * MARGIN, ROW)
        c.line(MARGIN + LABEL_WIDTH, y, MARGIN + LABEL_WIDTH, y - ROW)
        x = _runs(c, MARGIN + 2 * mm, y - ROW / 2 - 1, zh, CJK, 11)
        _runs(c, x + 1.5 * mm, y - ROW / 2 - 1, en, SANS, 7)
        y -= ROW
    c.setLineWidth(1.6)
    c.rect(MARGIN, y, WIDTH - 2 * MARGIN, table_top - y)
    y -= 12 * mm
    for line in wrap(form.declaration, CJK, 10, WIDTH - 2 * MARGIN):
        _runs(c, MARGIN, y, line, CJK, 10)
        y -= 6 * mm
    y -= 12 * mm
    _runs(c, WIDTH - MARGIN - 80 * mm, y, "申请人签字：", CJK, 11)
    c.setLineWidth(0.6)
    c.line(WIDTH - MARGIN - 52 * mm, y - 1, WIDTH - MARGIN, y - 1)
    y -= 10 * mm
    _runs(c, WIDTH - MARGIN - 80 * mm, y, "日期：      年    月    日", CJK, 11)
    _runs(c, MARGIN, MARGIN - 8 * mm, hall_name, CJK, 8)
    c.showPage()
    c.save()
    return buffer.getvalue()
