"""Every PDF the hall prints shows every character it draws: none falls on a glyph its font
lacks (an empty box or a black square, the font's .notdef), and the daily report's table
headers fit their cells.

The check reads the PDF the way a printer does: it follows the content streams, notes the
font of every string shown and decodes the string as that font's encoding does. The two
fonts the hall uses are not embedded, so what they can show is what their encodings map:
Helvetica's WinAnsiEncoding, and STSong-Light's ``UniGB-UCS2-H`` CMap (Adobe's table, in
``hall.glyphs``). reportlab draws a character that Helvetica lacks as a black square in
ZapfDingbats, so any text in ZapfDingbats or Symbol counts as a missing glyph too."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table

from hall import channel_figures, glyphs, reports
from hall.models import Division, Hall, ServiceItem
from hall.printing import PRIORITY_REASONS, case_receipt_pdf, ticket_pdf
from hall.stats import (
    CaseCounts,
    Period,
    RatingFigures,
    RatingStats,
    Report,
    TicketFigures,
    TicketStats,
)
from test_receipt_pdf import make_case
from test_ticket_pdf import TRACK_URL, make_ticket

# What real halls type into their catalogue and what applicants are called: a minority
# name with the interpunct (间隔号), a character outside the BMP, typographic quotes, a
# bullet list, an accented Latin name, a trademark sign.
UYGHUR = "买买提·艾力"
LONG_ZH = "专业技术人员职业资格证书登记、变更、注销及补办（含“跨省转入”）·加急"
LONG_EN = ("Registration, change, cancellation and re-issue of professional qualification "
           "certificates (incl. transfers from other provinces) • urgent")


def hall_with_odd_names() -> Hall:
    return Hall(code="KS", node_no=9, timezone="Asia/Shanghai", phone="0998·1234567",
                name_zh="喀什地区·人事人才公共服务大厅𠮷", name_en="Kashgar Prefecture Hall — Café ™")


def missing_glyphs(pdf: bytes) -> list[str]:
    """Every character drawn in a font that has no glyph for it, as "font: 'c' U+XXXX"."""
    found: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        _walk(page.get_contents(), page["/Resources"], page.pdf, found)
    return found


def _walk(contents, resources, pdf, found: list[str]) -> None:
    fonts = resources.get("/Font", {}) if resources else {}
    xobjects = resources.get("/XObject", {}) if resources else {}
    font = None
    for operands, operator in ContentStream(contents, pdf).operations:
        if operator == b"Tf":
            font = fonts[operands[0]].get_object()
        elif operator in (b"Tj", b"'", b'"'):
            _check(font, operands[-1], found)
        elif operator == b"TJ":
            for item in operands[0]:
                if isinstance(item, (str, bytes)):  # the numbers between are kerning
                    _check(font, item, found)
        elif operator == b"Do":
            form = xobjects[operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                _walk(form, form.get("/Resources"), pdf, found)


def _raw(string) -> bytes:
    original = getattr(string, "original_bytes", None)
    return original if original is not None else bytes(string)


def _check(font, string, found: list[str]) -> None:
    data = _raw(string)
    name = str(font["/BaseFont"]).lstrip("/")
    if font["/Subtype"] == "/Type0":
        assert font["/Encoding"] == "/UniGB-UCS2-H", f"unexpected CID encoding in {name}"
        text = data.decode("utf-16-be", errors="surrogatepass")
        found += [f"{name}: {c!r} U+{ord(c):04X}" for c in text if not glyphs.cjk_has(c)]
    elif name in ("ZapfDingbats", "Symbol"):
        found.append(f"{name}: {len(data)} character(s) drawn as reportlab's missing-glyph mark")
    else:
        assert font.get("/Encoding") == "/WinAnsiEncoding", f"unexpected encoding in {name}"
        for byte in data:
            char = bytes([byte]).decode("cp1252", errors="replace")
            if not glyphs.latin_has(char):
                found.append(f"{name}: byte 0x{byte:02X}")


def test_the_check_knows_what_the_fonts_lack():
    """The table behind the check: the interpunct is not in UniGB-UCS2-H (it prints as a
    box), its katakana twin is; Helvetica has no Chinese."""
    assert not glyphs.cjk_has("·") and glyphs.cjk_has("・") and glyphs.cjk_has("优")
    assert not glyphs.latin_has("日") and glyphs.latin_has("·") and glyphs.latin_has("é")
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont("STSong-Light", 10)
    canvas.drawString(10, 10, "优先服务 · 老年人")
    canvas.setFont("Helvetica", 10)
    canvas.drawString(10, 30, "日期 2026-12-04")
    canvas.save()
    assert len(missing_glyphs(out.getvalue())) == 2  # the box and the two squares' run


# -- every PDF the hall makes -------------------------------------------------------------------

def tickets() -> dict[str, bytes]:
    made = {
        "plain zh": ticket_pdf(make_ticket(), ahead=3, wait_minutes=15, track_url=TRACK_URL),
        "plain en": ticket_pdf(make_ticket(), ahead=0, wait_minutes=0, track_url=TRACK_URL,
                               locale="en"),
        "odd names": ticket_pdf(make_ticket(
            hall=hall_with_odd_names(),
            service=ServiceItem(code="CERT", prefix="C", name_zh=LONG_ZH, name_en=LONG_EN)),
            ahead=12, wait_minutes=None, track_url=TRACK_URL),
    }
    for reason in PRIORITY_REASONS:
        for locale in ("zh_CN", "en"):
            made[f"priority {reason} {locale}"] = ticket_pdf(
                make_ticket(is_priority=True, priority_reason=reason), ahead=1, wait_minutes=3,
                track_url=TRACK_URL, locale=locale)
    return made


def receipts() -> dict[str, bytes]:
    odd_ticket = make_ticket(hall=hall_with_odd_names(),
                             service=ServiceItem(code="CERT", prefix="C", name_zh=LONG_ZH,
                                                 name_en=LONG_EN))
    return {
        "plain": case_receipt_pdf(make_case(), track_url=TRACK_URL),
        "odd names": case_receipt_pdf(make_case(
            ticket=odd_ticket, hall=odd_ticket.hall, service=odd_ticket.service,
            applicant_name=UYGHUR, subject=f"{UYGHUR}的{LONG_ZH}", due_provisional=True,
            division=Division(code="PRO", name_zh="专业技术人员管理处·职称科",
                              name_en="Professional Staff Division", phone=None),
            missing_documents=["• 身份证复印件（正反面）", "学历证书 “原件”", "Résumé ™"]),
            track_url=TRACK_URL),
        "clock stopped": case_receipt_pdf(make_case(due_at=None, pause_kind="public_notice"),
                                          track_url=TRACK_URL),
    }


def figures(label: str = "", label_en: str = "", code: str = "", key=None, **counts) -> TicketFigures:
    return TicketFigures(key=key, label=label, label_en=label_en, code=code, **counts)


def a_day_report(hall: Hall | None = None) -> Report:
    hall = hall or make_ticket().hall
    hall.id = 1
    period = Period(1, "Asia/Shanghai", date(2026, 12, 4), date(2026, 12, 4))
    busy = dict(tickets=120, called=118, served=110, no_show=8, unserved=2, transferred=5,
                wait_count=118, wait_seconds=118 * 754.0, service_count=110,
                service_seconds=110 * 402.0)
    stats = TicketStats(
        period, figures(**busy),
        by_service=[figures("公务员考试录用资格复审", "Exam review", "EXAM", **busy),
                    figures(LONG_ZH, LONG_EN, "CERT", **busy)],
        by_window=[figures("3号窗口", "Window 3", key=3, **busy),
                   figures("12号窗口·综合", "Window 12", key=12, **busy)],
        by_hour=[figures(key=h, tickets=10 + h) for h in range(8, 18)])
    return Report(hall, period, stats,
                  CaseCounts(accepted=14, decided=9, decided_on_time=8, closed=7, red=1),
                  [], [], RatingStats(RatingFigures(None, "", "", 40, 180, 2),
                                      by_window=[RatingFigures(3, "3号窗口", "Window 3", 40, 180, 2)]),
                  channels=channel_rows())


def channel_rows() -> list[channel_figures.ChannelRow]:
    """Every channel, online applications included, with four-digit figures."""
    row = channel_figures.row
    return [
        row("hall", received=1234, concluded_on_time=1200, concluded_late=34, extended=12,
            open_yellow=5, open_red=2, details={"tickets": 4321}),
        channel_figures.application_row({
            "submitted": 1000, "accepted": 900, "deemed_accepted": 10, "refused": 50,
            "withdrawn": 40, "awaiting_prereview": 100, "prereview_on_time": 880,
            "prereview_late": 20}),
        row("consultation", received=2000, responded_on_time=1990, responded_late=10,
            open_yellow=3, open_red=1),
        row("complaint", received=300, responded_on_time=290, responded_late=10,
            concluded_on_time=250, concluded_late=5, extended=7, open_yellow=1, open_red=0,
            details={"accepted": 280, "declined": 20}),
        row("report", received=40, responded_on_time=40, responded_late=0,
            concluded_on_time=30, concluded_late=1, extended=0, open_yellow=0, open_red=0,
            details={"accepted": 38, "declined": 2}),
    ]


def every_pdf() -> dict[str, bytes]:
    made = {f"ticket {k}": v for k, v in tickets().items()}
    made |= {f"receipt {k}": v for k, v in receipts().items()}
    made["daily report"] = reports.daily_pdf(a_day_report())
    made["daily report, odd names"] = reports.daily_pdf(a_day_report(hall_with_odd_names()))
    return made


@pytest.mark.parametrize("name, pdf", list(every_pdf().items()), ids=list(every_pdf()))
def test_no_character_falls_on_a_missing_glyph(name, pdf):
    assert missing_glyphs(pdf) == []


def test_the_interpunct_of_a_name_prints_as_its_twin():
    pdf = case_receipt_pdf(make_case(applicant_name=UYGHUR), track_url=TRACK_URL)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "买买提・艾力" in text


def test_the_report_says_its_day_in_a_font_that_has_the_words():
    text = PdfReader(io.BytesIO(reports.daily_pdf(a_day_report()))).pages[0].extract_text()
    assert "日报 2026-12-04" in text
    assert "■" not in text


# -- the daily report's tables ------------------------------------------------------------------

def tables(story) -> list[Table]:
    return [f for f in story if isinstance(f, Table)]


@pytest.mark.parametrize("hall", [None, hall_with_odd_names()], ids=["HQ", "odd names"])
def test_every_table_cell_wraps_inside_its_column(hall):
    """Measured as reportlab lays them out: each line of each cell (the headers, and the
    long names of services) stays inside its cell's borders, so no two cells run into each
    other. (A closing punctuation mark may hang into the right padding, as Chinese
    typesetting lets it, rather than start the next line.)"""
    story = _story(a_day_report(hall))
    assert len(tables(story)) >= 5
    for table in tables(story):
        for row, cells in enumerate(table._cellvalues):
            for column, (cell, width) in enumerate(zip(cells, table._colWidths, strict=False)):
                style = table._cellStyles[row][column]
                room = width - style.leftPadding - style.rightPadding
                for line, used in _lines(cell, room, style.fontname, style.fontsize):
                    assert used <= room + style.rightPadding, (
                        f"{line!r} is {used:.1f} pt wide in a {room:.1f} pt cell "
                        f"(row {row + 1}, column {column + 1})")


def _story(summary) -> list:
    """The flowables the report is built from, captured as the document is built."""
    captured = []
    original = reports.SimpleDocTemplate.build

    def build(self, story, *args, **kwargs):
        captured.extend(story)
        return original(self, story, *args, **kwargs)

    reports.SimpleDocTemplate.build = build
    try:
        reports.daily_pdf(summary)
    finally:
        reports.SimpleDocTemplate.build = original
    return captured


def _lines(cell, room: float, font: str, size: float) -> list[tuple[str, float]]:
    """(text, width) of each line of a header cell laid out in ``room`` points."""
    if isinstance(cell, (list, tuple)):  # flowables in a cell
        return [line for flowable in cell for line in _lines(flowable, room, font, size)]
    if isinstance(cell, Paragraph):
        cell.wrap(room, 1000)
        out = []
        for line in cell.blPara.lines:
            if isinstance(line, tuple):  # (space left, words) of a one-font paragraph
                space, words = line
                out.append((" ".join(words), room - space))
            else:  # a line of fragments
                text = "".join(getattr(w, "text", "") for w in line.words)
                out.append((text, room - line.extraSpace))
        return out
    text = str(cell)
    return [(text, stringWidth(text, font, size))]
