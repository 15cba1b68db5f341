"""Printable receipts: the 80 mm ticket and the acceptance receipt (PDF), and the QR code
shown on screens (SVG).

Everything here works offline: Chinese uses reportlab's built-in CID font (the PDF viewer or
printer supplies the glyphs, no font file ships with the app) and the QR code is drawn as
vector rectangles from the ``qrcode`` module matrix, so no image library is needed at runtime.
"""
from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from . import glyphs, kinds
from .models import Ticket
from .numbers import grouped
from .text import clean

# --- Layout (points unless the name says otherwise) -------------------------------------------
PAGE_WIDTH = 80 * mm
MARGIN = 4 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN          # printable width, 72 mm
CJK, SANS, BOLD = "STSong-Light", "Helvetica", "Helvetica-Bold"
HALL_SIZE, HALL_EN_SIZE = 11, 6.5
NUMBER_SIZE = 54
SERVICE_SIZE, SERVICE_EN_SIZE = 11, 7
LABEL_SIZE, LABEL_EN_SIZE, VALUE_SIZE = 8.5, 6.5, 10
NOTE_SIZE, NOTE_EN_SIZE = 8, 6
LEADING = 1.25                           # line height as a multiple of the largest font size
GAP = 1.6 * mm                           # space around rules and between sections
BOX_PAD = 1.2 * mm                       # inside the priority frame
ROW_HEIGHT = 14.5                        # every label/value row, whatever its value's size
QR_SIZE = 34 * mm                        # the symbol including its quiet zone
QR_QUIET = 4                             # modules of white around the symbol (ISO 18004)
PRINTER_DOTS_PER_MM = 8                  # 203 dpi, the usual thermal head

PRIORITY_REASONS = {
    "military": ("军人依法优先", "Military, by law"),
    "elderly": ("老年人", "Elderly"),
    "disabled": ("残疾人", "Disabled"),
    "pregnant": ("孕妇", "Pregnant"),
}
_CJK_RANGE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# Line-breaking units: one Chinese character, a Latin word, or the spaces between words.
_TOKENS = re.compile(f"[{_CJK_RANGE}]|[^\\s{_CJK_RANGE}]+|\\s+")

Run = tuple[str, str, float]             # (text, font name, size)
Block = tuple[float, Callable[[Canvas, float], None]]  # (height, draw at top y)


# Registered once at import: measuring text (for wrapping) needs the font as much as drawing.
if CJK not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))


@lru_cache(maxsize=64)
def _qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR module matrix for ``url`` (True = dark), without quiet zone; cached per URL."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in qr.get_matrix())


def _dark_runs(matrix: tuple[tuple[bool, ...], ...]) -> Iterator[tuple[int, int, int]]:
    """Horizontal runs of dark modules as ``(row, first column, length)``.

    One rectangle per run instead of per module keeps both the PDF and the SVG several times
    smaller and leaves no hairline seams between neighbouring modules.
    """
    for r, row in enumerate(matrix):
        col = 0
        for dark, cells in groupby(row):
            n = len(list(cells))
            if dark:
                yield r, col, n
            col += n


QR_LABEL = "二维码：扫码查询办理进度 / QR code to follow your matter"


def qr_svg(url: str, label: str = QR_LABEL) -> str:
    """An inline ``<svg>`` element of the QR code for ``url``, for embedding in an HTML page.

    Sized by CSS (only a viewBox in module units), with its own white background and quiet
    zone so it scans on a dark page too.
    """
    matrix = _qr_matrix(url)
    side = len(matrix) + 2 * QR_QUIET
    path = "".join(f"M{c + QR_QUIET} {r + QR_QUIET}h{n}v1h-{n}z" for r, c, n in _dark_runs(matrix))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" role="img" '
        f'aria-label="{html.escape(label)}" '
        f'shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


def _printable(runs: list[Run]) -> Iterator[Run]:
    """The runs as they are drawn: each character in a font that has it (``hall.glyphs``),
    so that nothing prints as an empty box."""
    for text, font, size in runs:
        for part, part_font in glyphs.printable(text, font):
            yield part, part_font, size


def measure(text: str, font: str, size: float) -> float:
    """The advance width of ``text`` set in ``font`` (characters it lacks in the fallback)."""
    return _width([(text, font, size)])


def _width(runs: list[Run]) -> float:
    """Total advance width of a line made of differently set runs."""
    return sum(pdfmetrics.stringWidth(text, font, size) for text, font, size in _printable(runs))


def wrap(text: str, font: str, size: float, width: float = WIDTH) -> list[str]:
    """Greedy line breaking: between words in Latin text, between any two Chinese characters.
    Invisible characters are dropped first (``hall.text.clean``): a right-to-left override in
    a name stored before they were refused must not reorder what the receipt says."""
    lines, line = [], ""
    for token in _TOKENS.findall(clean(text)):
        if line.strip() and measure((line + token).rstrip(), font, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _draw_runs(c: Canvas, x: float, baseline: float, runs: list[Run]) -> None:
    """Draw runs one after another on one baseline, starting at ``x``."""
    for text, font, size in _printable(runs):
        c.setFont(font, size)
        c.drawString(x, baseline, text)
        x += pdfmetrics.stringWidth(text, font, size)


def _line(runs: list[Run], align: str = "center", *, descender: bool = True) -> Block:
    """One centred line of runs; the height fits the largest run."""
    size = max(r[2] for r in runs)
    # Digits and capitals have no descender, so the huge queue number needs no room below.
    height = size * (LEADING if descender else 0.82)

    def draw(c: Canvas, top: float) -> None:
        x = {"left": MARGIN, "right": PAGE_WIDTH - MARGIN - _width(runs)}.get(
            align, (PAGE_WIDTH - _width(runs)) / 2)
        _draw_runs(c, x, top - size * (0.98 if descender else 0.78), runs)
    return height, draw


def _row(zh: str, en: str, value: list[Run]) -> list[Block]:
    """A "label ... value" row: bilingual label on the left, value flush right, one baseline."""
    label = [(zh, CJK, LABEL_SIZE), (" " + en, SANS, LABEL_EN_SIZE)]
    if _width(label) + _width(value) + 3 * mm > WIDTH:  # too long for one line: value below
        return [_line(label, "left"), _line(value, "right")]

    def draw(c: Canvas, top: float) -> None:
        baseline = top - ROW_HEIGHT * 0.78
        _draw_runs(c, MARGIN, baseline, label)
        _draw_runs(c, PAGE_WIDTH - MARGIN - _width(value), baseline, value)
    return [(ROW_HEIGHT, draw)]


def _rule() -> Block:
    """A dashed rule across the printable width, with a gap above and below."""
    def draw(c: Canvas, top: float) -> None:
        c.setLineWidth(0.6)
        c.setDash(2, 1.5)
        c.line(MARGIN, top - GAP, PAGE_WIDTH - MARGIN, top - GAP)
        c.setDash()
    return 2 * GAP, draw


def _boxed(inner: list[Block]) -> Block:
    """``inner`` inside a solid frame, so that a priority ticket is told apart at a glance."""
    height = sum(h for h, _ in inner) + 2 * BOX_PAD

    def draw(c: Canvas, top: float) -> None:
        c.setLineWidth(1.2)
        c.rect(MARGIN, top - height, WIDTH, height, stroke=1, fill=0)
        _stack(c, top - BOX_PAD, inner)
    return height, draw


def _stack(c: Canvas, top: float, blocks: list[Block]) -> None:
    """Draw blocks one below the other from ``top`` down."""
    for height, draw in blocks:
        draw(c, top)
        top -= height


def _space(height: float = GAP) -> Block:
    """Empty vertical space."""
    return height, lambda c, top: None


def _qr(url: str) -> Block:
    """The QR code, centred, drawn as one filled path of module runs."""
    matrix = _qr_matrix(url)
    modules = len(matrix) + 2 * QR_QUIET
    # Snap the module to whole printer dots so every module prints the same width.
    dots = max(1, round(QR_SIZE / mm / modules * PRINTER_DOTS_PER_MM))
    module = dots / PRINTER_DOTS_PER_MM * mm
    side = modules * module

    def draw(c: Canvas, top: float) -> None:
        x0 = (PAGE_WIDTH - side) / 2 + QR_QUIET * module
        y0 = top - QR_QUIET * module
        path = c.beginPath()
        for r, col, n in _dark_runs(matrix):
            path.rect(x0 + col * module, y0 - (r + 1) * module, n * module, module)
        c.drawPath(path, stroke=0, fill=1)
    return side, draw


def _centred(text: str, font: str, size: float, max_lines: int | None = None, *,
             inset: float = 0) -> list[Block]:
    """``text`` wrapped and centred; nothing at all if it needs more than ``max_lines``."""
    lines = wrap(text, font, size, WIDTH - 2 * inset)
    if max_lines is not None and len(lines) > max_lines:
        return []
    return [_line([(line, font, size)]) for line in lines]


def ticket_pdf(ticket: Ticket, *, ahead: int, wait_minutes: int | None, track_url: str,
               locale: str = "zh_CN", no_window_open: bool = False) -> bytes:
    """The 80 mm receipt for ``ticket`` as PDF bytes, exactly as tall as its content.

    ``locale`` only chooses which language leads the service name and the document title:
    the ticket is always bilingual, Chinese first by default.
    """
    hall, service = ticket.hall, ticket.service
    english = locale.startswith("en")
    issued = ticket.issued_at.astimezone(ZoneInfo(hall.timezone)).strftime("%Y-%m-%d %H:%M")

    blocks = _hall_head(hall)
    blocks += [_rule(), _line([(ticket.number, BOLD, NUMBER_SIZE)], descender=False), _space()]
    names = [(service.name_zh, CJK, SERVICE_SIZE), (service.name_en, SANS, SERVICE_EN_SIZE)]
    if english:
        names = [(service.name_en, BOLD, SERVICE_SIZE), (service.name_zh, CJK, SERVICE_EN_SIZE + 1)]
    for text, font, size in names:
        blocks += _centred(text, font, size)
    if ticket.is_priority:
        zh, en = PRIORITY_REASONS.get(ticket.priority_reason or "", ("", ""))
        blocks += [_space(GAP / 2), _boxed(
            _centred("优先服务" + (f"（{zh}）" if zh else ""), CJK, 10, inset=BOX_PAD)
            + _centred("Priority" + (f": {en}" if en else ""), BOLD, 7.5, inset=BOX_PAD))]
    blocks += [_rule()]
    blocks += _row("取号时间", "Issued", [(issued, SANS, VALUE_SIZE)])
    blocks += _row("前面等候", "People ahead",
                   [(str(ahead), BOLD, VALUE_SIZE + 2), (" 人", CJK, LABEL_SIZE)])
    if wait_minutes is not None:
        wait = ([("即将叫号", CJK, LABEL_SIZE), (" Soon", BOLD, LABEL_EN_SIZE + 1)]
                if wait_minutes <= 0 else
                [("约 ", CJK, LABEL_SIZE), (str(wait_minutes), BOLD, VALUE_SIZE + 2),
                 (" 分钟", CJK, LABEL_SIZE)])
        blocks += _row("预计等候", "Est. wait, min" if wait_minutes > 0 else "Est. wait", wait)
    elif no_window_open:
        # No open window serves the item: a time would be a guess (hall.board).
        blocks += _row("预计等候", "Est. wait", [("暂无窗口办理", CJK, LABEL_SIZE),
                                              (" No window open yet", BOLD, LABEL_EN_SIZE)])
    blocks += _row("服务编号", "Service no.", [(grouped(ticket.service_no), BOLD, VALUE_SIZE)])
    blocks += _row("查询码", "Access code", [(ticket.access_code, BOLD, VALUE_SIZE + 1)])
    blocks += [_rule(), _qr(track_url),
               _line([("扫码查询办理进度", CJK, NOTE_SIZE),
                      (" / Scan to follow your matter", SANS, NOTE_EN_SIZE)]), _rule()]
    blocks += _centred("请留意叫号，过号请到窗口重新叫号", CJK, NOTE_SIZE)
    blocks += _centred("Listen for your number; if it has passed, ask at a window.", SANS,
                       NOTE_EN_SIZE)
    blocks += _phone(hall.phone)
    return _pdf(blocks, title=f"Ticket {ticket.number}" if english else f"排队号 {ticket.number}",
                author=hall.name_en if english else hall.name_zh,
                subject=grouped(ticket.service_no))


def _hall_head(hall) -> list[Block]:
    """The hall's names on top of every receipt: Chinese, then English if it fits."""
    return [*_centred(hall.name_zh, CJK, HALL_SIZE),
            *_centred(hall.name_en or "", SANS, HALL_EN_SIZE, max_lines=2)]


def _phone(phone: str | None) -> list[Block]:
    if not phone:
        return []
    return [_line([("服务电话", CJK, NOTE_SIZE), (" Tel ", SANS, NOTE_EN_SIZE),
                   (phone, BOLD, NOTE_SIZE)])]


def _pdf(blocks: list[Block], *, title: str, author: str, subject: str) -> bytes:
    """One page exactly as tall as ``blocks``, 80 mm wide, as PDF bytes."""
    height = 2 * MARGIN + sum(h for h, _ in blocks)
    buf = io.BytesIO()
    # invariant: fixed creation date and document id, so the same input gives the same bytes.
    c = Canvas(buf, pagesize=(PAGE_WIDTH, height), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject(subject)
    c.setCreator("Service Hall")
    _stack(c, height - MARGIN, blocks)
    c.showPage()
    c.save()
    return buf.getvalue()


# --- the acceptance receipt (受理回执) -------------------------------------------------------

SPECIAL_PAUSES = {code: words.printed for code, words in kinds.PROCEDURE_WORDS.items()}


def _field(zh: str, en: str, text: str, font: str = CJK, size: float = VALUE_SIZE) -> list[Block]:
    """A label on its own line and a value that may wrap below it (an item's name, a
    division, what the matter is)."""
    label = _line([(zh, CJK, LABEL_SIZE), (" " + en, SANS, LABEL_EN_SIZE)], "left")
    return [label, *(_line([(line, font, size)], "left") for line in wrap(text, font, size))]


def _due(case, tz: ZoneInfo) -> list[Run]:
    """The deadline as the applicant reads it; a provisional one says so (next year's
    official calendar is not yet published), a stopped clock says why."""
    if case.due_at is None:
        zh, en = SPECIAL_PAUSES.get(case.pause_kind or "", ("计时暂停", "Clock stopped"))
        return [(zh, CJK, LABEL_SIZE), (" " + en, SANS, LABEL_EN_SIZE)]
    runs: list[Run] = [(case.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), BOLD, VALUE_SIZE)]
    if case.due_provisional:
        runs += [(" 暂定", CJK, LABEL_SIZE), (" prov.", SANS, LABEL_EN_SIZE)]
    return runs


def _missing(documents: list[str]) -> list[Block]:
    """The one complete list of what is missing (一次性告知), numbered."""
    if not documents:
        return []
    blocks = [_rule(), *_centred("需补正材料（一次性告知）", CJK, LABEL_SIZE + 1),
              *_centred("Documents still to supply (complete list)", SANS, LABEL_EN_SIZE)]
    for n, document in enumerate(documents, 1):
        blocks += [_line([(line, CJK, LABEL_SIZE + 0.5)], "left")
                   for line in wrap(f"{n}. {document}", CJK, LABEL_SIZE + 0.5)]
    return blocks


def case_receipt_pdf(case, *, track_url: str) -> bytes:
    """The 80 mm acceptance receipt (受理回执) the applicant takes home: what was accepted,
    by whom it is handled, by when, and the QR code to follow it."""
    hall, ticket, service = case.hall, case.ticket, case.service
    tz = ZoneInfo(hall.timezone)
    blocks = _hall_head(hall)
    blocks += [_rule(), *_centred("受理回执", CJK, 16), *_centred("Acceptance receipt", BOLD, 8),
               _rule()]
    blocks += _row("办件编号", "Case no.", [(grouped(case.case_no), BOLD, VALUE_SIZE)])
    blocks += _row("服务编号", "Service no.", [(grouped(ticket.service_no), BOLD, VALUE_SIZE)])
    blocks += _row("排队号", "Ticket", [(ticket.number, BOLD, VALUE_SIZE)])
    blocks += _field("办理事项", "Item", service.name_zh)
    blocks += _centred(service.name_en or "", SANS, LABEL_EN_SIZE, max_lines=2)
    blocks += _field("承办处室", "Division", case.division.name_zh)
    blocks += _field("申请人", "Applicant", case.applicant_name or "")
    blocks += _field("申请事由", "Matter", case.subject)
    blocks += _row("受理时间", "Accepted",
                   [(case.accepted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), SANS, VALUE_SIZE)])
    blocks += _row("办结时限", "Due by", _due(case, tz))
    blocks += _missing(list(case.missing_documents or []))
    blocks += [_rule(), _qr(track_url),
               _line([("扫码查询办理进度", CJK, NOTE_SIZE),
                      (" / Scan to follow your matter", SANS, NOTE_EN_SIZE)])]
    blocks += _row("查询码", "Access code", [(ticket.access_code, BOLD, VALUE_SIZE + 1)])
    blocks += [_rule(), *_centred("请妥善保管本回执，凭服务编号查询或领取结果", CJK, NOTE_SIZE),
               *_centred("Keep this receipt: quote the service number to ask or to collect.",
                         SANS, NOTE_EN_SIZE)]
    blocks += _phone(case.division.phone or hall.phone)
    return _pdf(blocks, title=f"受理回执 {case.case_no}", author=hall.name_zh,
                subject=grouped(ticket.service_no))
