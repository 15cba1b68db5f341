"""The booking confirmation (预约确认单) as a one-page A4 PDF a citizen prints or keeps on the
phone: the codes, the slot, what to bring, and the QR code a kiosk's scanner reads.

The fonts are the receipts' (``hall.printing``: reportlab's CID font for Chinese, never
embedded, Helvetica for Latin), every string split by ``hall.glyphs`` into runs of a font
that has each character, so that nothing prints as an empty box.
"""
from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from . import glyphs
from .models import Booking
from .numbers import grouped
from .printing import BOLD, CJK, SANS, measure, wrap  # importing it registers the CJK font

WIDTH, HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = WIDTH - 2 * MARGIN
QR_SIDE = 45 * mm
VALUE_X = MARGIN + 55 * mm  # where the values of labelled rows begin


class Page:
    """A cursor down an A4 page: each call draws a line and moves below it."""

    def __init__(self, canvas: Canvas) -> None:
        self.c, self.y = canvas, HEIGHT - MARGIN

    def runs(self, runs: list[tuple[str, str, float]], x: float = MARGIN,
             height: float | None = None) -> None:
        """One line of differently set runs from ``x``, below the last line."""
        self.y -= height or max(size for _, _, size in runs) * 1.3
        self._draw(runs, x)

    def _draw(self, runs: list[tuple[str, str, float]], x: float) -> None:
        for text, font, size in runs:
            for part, part_font in glyphs.printable(text, font):
                self.c.setFont(part_font, size)
                self.c.drawString(x, self.y, part)
                x += pdfmetrics.stringWidth(part, part_font, size)

    def text(self, text: str, font: str, size: float, width: float = TEXT_WIDTH) -> None:
        for line in wrap(text, font, size, width):
            self.runs([(line, font, size)])

    def row(self, zh: str, en: str, value: str, font: str = BOLD, size: float = 12) -> None:
        """A label in both languages and its value on the same baseline."""
        self.runs([(zh, CJK, 10), (" " + en, SANS, 8)], height=size * 1.4)
        room = WIDTH - MARGIN - VALUE_X
        # a long name is set smaller rather than run off the page
        fitted = min(size, size * room / max(1.0, measure(value, font, size)))
        self._draw([(value, font, fitted)], VALUE_X)

    def gap(self, height: float = 4 * mm) -> None:
        self.y -= height

    def rule(self) -> None:
        self.gap(2 * mm)
        self.c.setLineWidth(0.6)
        self.c.line(MARGIN, self.y, WIDTH - MARGIN, self.y)
        self.gap(2 * mm)


def draw_qr(c: Canvas, url: str, x: float, top: float) -> None:
    """The QR code for ``url`` (its quiet zone included) with its top-left corner at x, top."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    module = QR_SIDE / len(matrix)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                path.rect(x + col * module, top - (r + 1) * module, module, module)
    c.drawPath(path, stroke=0, fill=1)


def booking_pdf(booking: Booking, *, url: str, cut_off: datetime,
                locale: str = "zh_CN") -> bytes:
    """The confirmation of ``booking``; ``url`` is its page, carried by the QR code."""
    hall, service = booking.hall, booking.service
    zone = ZoneInfo(hall.timezone)
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    buf = io.BytesIO()
    # invariant: the same booking gives the same bytes (no creation date, no random id)
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    english = locale.startswith("en")
    c.setTitle(f"Appointment {booking.booking_code}" if english
               else f"预约确认 {booking.booking_code}")
    c.setAuthor(hall.name_en if english else hall.name_zh)
    c.setSubject(grouped(booking.service_no))
    c.setCreator("Service Hall")
    page = Page(c)
    page.text(hall.name_zh, CJK, 16)
    page.text(hall.name_en or "", SANS, 10)
    page.rule()
    page.runs([("预约确认单", CJK, 22), ("  Appointment confirmation", BOLD, 13)])
    page.gap()
    draw_qr(c, url, WIDTH - MARGIN - QR_SIDE, page.y)
    narrow = TEXT_WIDTH - QR_SIDE - 5 * mm
    page.text(service.name_zh, CJK, 14, narrow)
    page.text(service.name_en or "", SANS, 10, narrow)
    page.gap()
    page.row("预约日期", "Date", start.strftime("%Y-%m-%d"), size=14)
    page.row("预约时段", "Time", f"{start:%H:%M}–{end:%H:%M}", size=14)
    page.row("时区", "Time zone", f"{hall.timezone} (UTC{start:%z})", SANS, 10)
    page.row("预约号", "Booking code", booking.booking_code, size=16)
    page.row("服务编号", "Service no.", grouped(booking.service_no))
    page.row("查询码", "Access code", booking.access_code)
    page.row("预约人", "Name", booking.name, CJK)
    page.gap(2 * mm)
    page.text("到大厅取号机点“我有预约”，输入预约号或扫描二维码取号。", CJK, 10)
    page.text("At the hall's kiosk, tap \"I have an appointment\" and type the booking code "
              "or scan the QR code.", SANS, 9)
    page.text(f"改约或取消请在 {cut_off.astimezone(zone):%Y-%m-%d %H:%M} 前办理。", CJK, 10)
    page.text(f"Change or cancel before {cut_off.astimezone(zone):%Y-%m-%d %H:%M}.", SANS, 9)
    page.rule()
    page.runs([("请携带材料", CJK, 12), ("  What to bring", BOLD, 10)])
    documents = list(service.documents or [])
    if not documents:
        page.text("无需材料。 Nothing to bring.", CJK, 10)
    for n, document in enumerate(documents, 1):
        page.text(f"{n}. {document.get('zh', '')}", CJK, 10)
        if document.get("en"):
            page.text(f"    {document['en']}", SANS, 8.5)
    if hall.phone:
        page.rule()
        page.runs([("服务电话", CJK, 10), (" Tel ", SANS, 8), (hall.phone, BOLD, 10)])
    c.showPage()
    c.save()
    return buf.getvalue()
