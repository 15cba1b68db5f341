"""The acceptance receipt (受理回执): 80 mm like the ticket, what was accepted and by when, the
one complete list of missing documents, and a QR code that opens the tracking page."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from hall.models import Case, Division
from hall.numbers import case_number, grouped
from hall.printing import case_receipt_pdf
from test_ticket_pdf import MM, SERVICE_NO, TRACK_URL, make_ticket, pdf_text

CASE_NO = case_number(date(2026, 11, 23), 1, 42)


def make_case(**overrides) -> Case:
    """A transient case on the test ticket, never added to a session."""
    ticket = make_ticket()
    fields = dict(
        id=42, case_no=CASE_NO, ticket=ticket, hall=ticket.hall, service=ticket.service, state="accepted",
        division=Division(code="CIVIL", name_zh="公务员管理处", name_en="Civil Service Division",
                          phone="0451-87654321"),
        applicant_name="张三丰", subject="2026年度公务员考试资格复审",
        accepted_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        due_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC), due_provisional=False,
        missing_documents=[],
    )
    fields.update(overrides)
    return Case(**fields)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return case_receipt_pdf(make_case(), track_url=TRACK_URL)


def test_a_receipt_is_80mm_wide_like_the_ticket(pdf):
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) == pytest.approx(80 * MM, abs=0.01)
    assert float(box.width) < float(box.height) < 250 * MM


def test_it_says_what_was_accepted_for_whom_and_by_when(pdf):
    text = pdf_text(pdf)
    for expected in ("受理回执", "黑龙江省人事人才公共服务大厅", "办件编号", grouped(CASE_NO),
                     grouped(SERVICE_NO), "A012",
                     "公务员考试录用资格复审", "公务员管理处", "张三丰", "2026年度公务员考试资格复审",
                     "2026-11-23 09:30", "2026-11-30 17:00", "7KQ2M9XP", "0451-87654321"):
        assert expected in text, expected
    assert "暂定" not in text and "需补正材料" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == f"受理回执 {CASE_NO}"


def test_a_provisional_deadline_says_so():
    text = pdf_text(case_receipt_pdf(make_case(due_provisional=True), track_url=TRACK_URL))
    assert "2026-11-30 17:00" in text and "暂定" in text


def test_a_stopped_clock_says_why_instead_of_a_date():
    case = make_case(due_at=None, pause_kind="public_notice")
    assert "公示期" in pdf_text(case_receipt_pdf(case, track_url=TRACK_URL))


def test_missing_documents_are_listed_once_and_completely():
    documents = ["学历证书原件及复印件", "单位同意报考证明", "近期免冠一寸照片两张"]
    pdf = case_receipt_pdf(make_case(missing_documents=documents), track_url=TRACK_URL)
    text = pdf_text(pdf)
    assert "需补正材料（一次性告知）" in text
    for n, document in enumerate(documents, 1):
        assert f"{n}. {document}" in text


def test_the_qr_code_opens_the_tracking_page_with_the_access_code(pdf):
    image = pdfium.PdfDocument(pdf)[0].render(scale=4).to_pil().convert("L")
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [TRACK_URL]


def test_same_case_same_bytes(pdf):
    assert case_receipt_pdf(make_case(), track_url=TRACK_URL) == pdf


# -- served to staff only -----------------------------------------------------------------------

@pytest.mark.hall_open
def test_the_receipt_is_served_to_the_halls_staff_only(app):
    from test_division_console import accept, as_user, at_window

    clerk = as_user(app, "clerk03")
    at_window(clerk)
    case_id = accept(clerk).get_json()["case"]["id"]
    r = clerk.get(f"/hall/HQ/cases/{case_id}/receipt.pdf")
    assert (r.status_code, r.mimetype) == (200, "application/pdf")
    assert r.headers["Cache-Control"] == "no-store"
    text = pdf_text(r.data)
    assert "张三丰" in text and "受理回执" in text
    [code] = zxingcpp.read_barcodes(pdfium.PdfDocument(r.data)[0].render(scale=4).to_pil().convert("L"))
    with app.app_context():
        from hall.web.extensions import db
        ticket = db.session.get(Case, case_id).ticket
        assert code.text.endswith(f"/track/{ticket.service_no}?c={ticket.access_code}")
    assert app.test_client().get(f"/hall/HQ/cases/{case_id}/receipt.pdf").status_code == 302
    other_hall = as_user(app, "hrb-clerk01")
    assert other_hall.get(f"/hall/HQ/cases/{case_id}/receipt.pdf").status_code == 403
    assert clerk.get("/hall/HQ/cases/999/receipt.pdf").status_code == 404
