"""The receipt of an application online (网上申报回执) as a one-page A4 PDF: the codes, the
item, the documents received with their content hashes, and the pre-review limit, with the
QR code of its tracking page. Set as the booking confirmation is (``hall.booking_pdf``:
the receipts' fonts, every string split by ``hall.glyphs`` so nothing prints as a box)."""
from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .booking_pdf import MARGIN, QR_SIDE, TEXT_WIDTH, WIDTH, Page, draw_qr
from .models import Application, StoredFile
from .numbers import grouped
from .printing import BOLD, CJK, SANS


def receipt_pdf(application: Application, documents: list[StoredFile], *, url: str) -> bytes:
    """The receipt of ``application``; ``url`` is its tracking page, carried by the QR code.
    The same application and documents give the same bytes."""
    hall, item = application.hall, application.service
    zone = ZoneInfo(hall.timezone)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"网上申报回执 {grouped(application.service_no)}")
    c.setAuthor(hall.name_zh)
    c.setCreator("Service Hall")
    page = Page(c)
    page.text(hall.name_zh, CJK, 16)
    page.text(hall.name_en or "", SANS, 10)
    page.rule()
    page.runs([("网上申报回执", CJK, 22), ("  Receipt of an application online", BOLD, 13)])
    page.gap()
    draw_qr(c, url, WIDTH - MARGIN - QR_SIDE, page.y)
    narrow = TEXT_WIDTH - QR_SIDE - 5 * mm
    page.text(item.name_zh, CJK, 14, narrow)
    page.text(item.name_en or "", SANS, 10, narrow)
    page.gap()
    page.row("服务编号", "Service no.", grouped(application.service_no), size=14)
    page.row("查询码", "Access code", application.access_code, size=14)
    page.row("申请人", "Applicant", application.applicant_name, CJK)
    page.row("提交时间", "Sent", f"{application.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
             SANS, 11)
    if application.due_at is not None:
        page.row("预审截止", "Pre-review by",
                 f"{application.due_at.astimezone(zone):%Y-%m-%d %H:%M}", SANS, 11)
    page.gap(2 * mm)
    page.text("五个工作日内未告知补正的，自收到申请材料之日起即为受理。", CJK, 10)
    page.text("Told nothing within five working days, the application counts as accepted "
              "from the day it arrived.", SANS, 9)
    page.rule()
    page.runs([("已收材料", CJK, 12), ("  Documents received", BOLD, 10)])
    for n, document in enumerate(documents, 1):
        page.text(f"{n}. {document.label}", CJK, 10)
        page.text(f"    {document.original_name} · {document.size} B · SHA-256 "
                  f"{document.sha256[:16]}…", CJK, 8)
    if hall.phone:
        page.rule()
        page.runs([("服务电话", CJK, 10), (" Tel ", SANS, 8), (hall.phone, BOLD, 10)])
    c.showPage()
    c.save()
    return buf.getvalue()
