"""The printed ticket (80 mm PDF) and the on-screen QR code, checked the way a reader would:
by page size, by extracted text, and by decoding the QR code from a rendering."""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pytest
import qrcode
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from hall.models import Hall, ServiceItem, Ticket
from hall.numbers import grouped, service_number
from hall.printing import QR_QUIET, qr_svg, ticket_pdf

SERVICE_NO = service_number(date(2026, 11, 22), 1, 42)
TRACK_URL = f"http://127.0.0.1:5000/track/{SERVICE_NO}?c=7KQ2M9XP"
MM = 72 / 25.4


def make_ticket(**overrides) -> Ticket:
    """A transient ticket with its hall and service, never added to a session."""
    fields = dict(
        number="A012", service_no=SERVICE_NO, access_code="7KQ2M9XP",
        issued_at=datetime(2026, 11, 22, 1, 30, tzinfo=UTC), is_priority=False,
        hall=Hall(code="HQ", node_no=1, name_zh="黑龙江省人事人才公共服务大厅",
                  name_en="Heilongjiang Provincial Personnel and Talent Public Service Hall",
                  timezone="Asia/Shanghai", phone="0451-12345678"),
        service=ServiceItem(code="EXAM", prefix="A", name_zh="公务员考试录用资格复审",
                            name_en="Civil service exam qualification review"),
    )
    fields.update(overrides)
    return Ticket(**fields)


def pdf_text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return ticket_pdf(make_ticket(), ahead=3, wait_minutes=15, track_url=TRACK_URL)


def test_page_is_80mm_wide_and_as_tall_as_its_content(pdf):
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) == pytest.approx(80 * MM, abs=0.01)
    assert float(box.height) > float(box.width)
    # A receipt, not an A4 page with a blank tail.
    assert float(box.height) < 200 * MM


def test_text_carries_number_service_number_access_code_and_names(pdf):
    text = pdf_text(pdf)
    assert "A012" in text
    assert grouped(SERVICE_NO) in text
    assert "7KQ2M9XP" in text
    # The CID font's Chinese is extracted too (reportlab writes a Unicode CMap for it).
    assert "公务员考试录用资格复审" in text
    assert "黑龙江省人事人才公共服务大厅" in text
    assert "Civil service exam qualification review" in text
    # 01:30 UTC is 09:30 in the hall's time zone.
    assert "2026-11-22 09:30" in text
    assert "前面等候" in text and "预计等候" in text
    assert "0451-12345678" in text
    assert "优先服务" not in text and "Priority" not in text


def test_title_metadata(pdf):
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "排队号 A012"


def test_qr_code_decodes_to_the_track_url(pdf):
    image = pdfium.PdfDocument(pdf)[0].render(scale=4).to_pil().convert("L")
    codes = zxingcpp.read_barcodes(image)
    assert [c.text for c in codes] == [TRACK_URL]
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode


def test_priority_ticket_says_so():
    ticket = make_ticket(is_priority=True, priority_reason="military")
    text = pdf_text(ticket_pdf(ticket, ahead=0, wait_minutes=0, track_url=TRACK_URL))
    assert "优先服务" in text and "军人依法优先" in text
    assert "Priority" in text


def test_wait_line_variants():
    ticket = make_ticket()
    assert "即将叫号" in pdf_text(ticket_pdf(ticket, ahead=0, wait_minutes=0, track_url=TRACK_URL))
    assert "预计等候" not in pdf_text(
        ticket_pdf(ticket, ahead=0, wait_minutes=None, track_url=TRACK_URL))


def test_long_names_wrap_and_the_page_grows():
    short = ticket_pdf(make_ticket(), ahead=1, wait_minutes=5, track_url=TRACK_URL)
    hall = Hall(code="XF", node_no=2, timezone="Asia/Shanghai", phone="0451-12345678",
                name_zh="哈尔滨市香坊区人力资源和社会保障局人事人才公共服务大厅（香坊分厅）",
                name_en="Xiangfang Hall")
    long = ticket_pdf(make_ticket(hall=hall), ahead=1, wait_minutes=5, track_url=TRACK_URL)
    height = lambda pdf: float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height)  # noqa: E731
    assert height(long) > height(short)
    text = re.sub(r"\s", "", pdf_text(long))  # wrapped lines come back with a break
    assert "哈尔滨市香坊区人力资源和社会保障局人事人才公共服务大厅（香坊分厅）" in text


def test_same_ticket_same_bytes(pdf):
    assert ticket_pdf(make_ticket(), ahead=3, wait_minutes=15, track_url=TRACK_URL) == pdf


def svg_modules(url: str) -> int:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.modules_count


def test_qr_svg_is_an_inline_element_with_a_quiet_zone():
    svg = qr_svg(TRACK_URL)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert 'role="img"' in svg and "aria-label=" in svg
    side = svg_modules(TRACK_URL) + 2 * QR_QUIET
    assert f'viewBox="0 0 {side} {side}"' in svg
    # Every dark run lies inside the quiet zone.
    runs = [tuple(map(int, m)) for m in re.findall(r"M(\d+) (\d+)h(\d+)", svg)]
    assert runs
    assert all(QR_QUIET <= x and x + n <= side - QR_QUIET and QR_QUIET <= y < side - QR_QUIET
               for x, y, n in runs)


def test_qr_svg_decodes_to_the_url():
    """Rasterise the SVG's own runs (no SVG renderer needed) and read the code back."""
    svg = qr_svg(TRACK_URL)
    side = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    scale = 8
    image = Image.new("L", (side * scale, side * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, n in (map(int, m) for m in re.findall(r"M(\d+) (\d+)h(\d+)", svg)):
        draw.rectangle([x * scale, y * scale, (x + n) * scale - 1, (y + 1) * scale - 1], fill=0)
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [TRACK_URL]
