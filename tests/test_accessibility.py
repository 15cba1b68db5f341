"""Every page of the hall, in every state a person meets it in, checked with axe-core
(``tests/vendor/axe.min.js``, MPL-2.0, vendored so that the check runs offline) in headless
Chromium: zero violations, whatever the rule's impact.

The list of states is kept against the app's URL map: a page (a GET route that answers HTML)
without a state here fails ``test_every_page_has_a_known_state``, so a new page cannot be
forgotten. Routes that answer something else (JSON, PDF, CSV, static files, redirects) are
named in ``NOT_PAGES`` with the reason."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page

from hall import booking_admin, bookings, clock, endofday, ratings, remote
from hall.events import Actor
from tracking_helpers import desk  # noqa: F401  (the hall's side, clock frozen on a Monday)

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "demo"
SECRET = "test-secret-key-not-for-production"  # TestConfig's: the door codes of the day

# GET routes that are not pages a person reads, and why.
NOT_PAGES = {
    "static": "files", "kiosk.static": "files", "display.static": "files",
    "tracking.static": "files", "console.static": "files", "division.static": "files",
    "dashboard.static": "files",
    "health.healthz": "JSON", "health.readyz": "JSON",
    "i18n.choose": "a redirect back after choosing the language",
    "console.home": "a redirect to the signed-in person's page",
    "console.window_state": "JSON for the console's script",
    "division.receipt": "PDF", "reports.pdf": "PDF", "reports.csv": "CSV",
    "booking.static": "files", "booking.pdf": "PDF",
    "guide.form_download": "a blank form (PDF) to download",
    "ask.static": "files", "division.enquiry_file": "an attachment (PDF, JPEG, PNG)",
    "division.application_file": "a document of an application (PDF, JPEG, PNG)",
    "apply.receipt": "PDF",
    "results.static": "files", "qa.static": "files",
}
NOT_PAGE_PREFIXES = ("api.",)  # the device API: JSON, PDF


@dataclass
class State:
    """One state of one page: who looks (``None``: the public), where, and what they do
    first (``act``, given the page once it is at ``path``)."""

    name: str
    endpoint: str
    path: str
    who: str | None = None
    act: Callable[[Page], None] | None = None
    status: int | None = None
    wait: str | None = None  # a selector the page shows once its script has run
    ids: dict = field(default_factory=dict)


def states(hall) -> list[State]:
    """Every page state, for the hall ``hall`` has set up (its ids in ``hall.ids``)."""
    t, case, w = hall.ids["tracked"], hall.ids["case"], hall.ids["waiting"]
    away, today = hall.ids["away"], date(2026, 11, 23)
    door = f"/queue/HQ/here/{remote.door_code(SECRET, 'HQ', today)}"
    yesterday = f"/queue/HQ/here/{remote.door_code(SECRET, 'HQ', today - timedelta(days=1))}"
    tap_exam = lambda page: _submit(page, 'button[value="EXAM"]')  # noqa: E731
    return [
        # the kiosk
        State("kiosk home zh", "kiosk.home", "/kiosk/HQ"),
        State("kiosk home en", "kiosk.home", "/kiosk/HQ?lang=en"),
        State("kiosk home large type", "kiosk.home", "/kiosk/HQ?large=1"),
        State("kiosk ticket", "kiosk.take", "/kiosk/HQ", act=tap_exam),
        State("kiosk ticket, large, en", "kiosk.take", "/kiosk/HQ?lang=en&large=1", act=tap_exam),
        State("kiosk refusal", "kiosk.take", "/kiosk/HQ", act=_kiosk_refusal),
        State("kiosk appointment", "kiosk.appointment", "/kiosk/HQ/appointment"),
        State("kiosk appointment, large, en", "kiosk.appointment",
              "/kiosk/HQ/appointment?lang=en&large=1"),
        State("kiosk appointment ticket", "kiosk.check_in", "/kiosk/HQ/appointment",
              act=_check_in(hall.ids["appointment"])),
        State("kiosk remote ticket arrived", "kiosk.check_in", "/kiosk/HQ/appointment",
              act=_check_in(f"http://127.0.0.1/t/{hall.ids['away'].service_no}"
                            f"?c={hall.ids['away'].access_code}")),
        State("kiosk appointment refused, en", "kiosk.check_in",
              "/kiosk/HQ/appointment?lang=en", act=_check_in("ZZZZZZZZ")),
        # the wall display
        State("display", "display.board", "/display/HQ", wait="[data-connection=connected]"),
        State("display en, a group of windows", "display.board", "/display/HQ?windows=1-8&lang=en",
              wait="[data-connection=connected]"),
        # tracking and rating
        State("tracking lookup", "tracking.lookup", "/track"),
        State("tracking public", "tracking.ticket", f"/track/{t.service_no}"),
        State("tracking private", "tracking.ticket", f"/track/{t.service_no}?c={t.access_code}"),
        State("tracking rated", "tracking.rate", f"/track/{t.service_no}?c={t.access_code}",
              act=_rate_on_tracking),
        State("tracking wrong number", "tracking.lookup", "/track", act=_mistyped_number),
        # the live ticket on the phone
        State("live ticket waiting", "ticket.show", f"/t/{w.service_no}?c={w.access_code}"),
        State("live ticket finished", "ticket.show", f"/t/{t.service_no}?c={t.access_code}"),
        State("live ticket asks the code", "ticket.show", f"/t/{w.service_no}"),
        State("live ticket from home, not yet arrived", "ticket.show",
              f"/t/{away.service_no}?c={away.access_code}"),
        # queueing from home (远程取号)
        State("queue from home", "remote.queues", "/queue/HQ"),
        State("queue from home en", "remote.queues", "/queue/HQ?lang=en"),
        State("queue from home refused", "remote.join", "/queue/HQ", act=_bad_phone),
        State("door page, number and code", "remote.here", door),
        State("door page, one tap", "remote.arrive", "/queue/HQ",
              act=lambda page: _joined_then_door(page, door)),
        State("door page, yesterday's code", "remote.here", yesterday, status=409),
        State("door QR code to print", "door.page", "/hall/HQ/door", who="manager"),
        State("rating tablet idle", "rating_device.show", "/rate/HQ/4",
              wait="[data-device]"),
        State("rating tablet offering", "rating_device.show", "/rate/HQ/3",
              wait="[data-offered]"),
        *booking_states(hall.ids["booking"], hall.ids["late_booking"]),
        *enquiry_states(hall.ids["enquiry"]),
        *application_states(hall.ids["application"]),
        *results_states(hall.ids["results"]),
        *qa_states(hall.ids["qa"]),
        State("guide", "guide.page", "/guide/HQ"),
        State("guide en", "guide.page", "/guide/HQ?lang=en"),
        # staff
        State("login", "auth.login", "/login"),
        State("login refused", "auth.login", "/login", act=_wrong_password),
        State("window console", "console.window", "/hall/HQ/windows/3", who="clerk03"),
        State("windows", "console.windows", "/hall/HQ/windows", who="clerk03"),
        State("division inbox", "division.cases_inbox", "/hall/HQ/cases", who="division01"),
        State("division case", "division.case_page", f"/hall/HQ/cases/{case}", who="division01"),
        State("dashboard", "dashboard.hall_dashboard", "/hall/HQ/dashboard", who="manager"),
        State("province dashboard", "dashboard.overview", "/dashboard", who="manager"),
        State("follow-ups", "followups.index", "/hall/HQ/followups", who="manager"),
        State("extension requests", "extension_requests.index", "/hall/HQ/extension-requests",
              who="manager"),
        State("notifications, one failed", "notifications.index", "/hall/HQ/notifications",
              who="manager"),
        State("reports", "reports.index", "/hall/HQ/reports", who="manager"),
        State("statistics", "reports.statistics", "/hall/HQ/statistics?month=2026-11",
              who="manager"),
        # administration
        State("admin home", "admin.home", "/admin", who="admin"),
        State("admin audit", "admin.audit", "/admin/audit", who="admin"),
        State("admin calendar", "admin.calendar_page", "/admin/calendar", who="admin"),
        State("admin halls", "admin.halls", "/admin/halls", who="admin"),
        State("admin hall", "admin.edit_hall", "/admin/halls/HQ", who="admin"),
        State("admin divisions", "admin.divisions", "/admin/halls/HQ/divisions", who="admin"),
        State("admin division", "admin.division", "/admin/halls/HQ/divisions/CIVIL",
              who="admin"),
        State("admin services", "admin.services", "/admin/halls/HQ/services", who="admin"),
        State("admin service", "admin.service", "/admin/halls/HQ/services/EXAM", who="admin"),
        State("admin service with forms", "admin.service", "/admin/halls/HQ/services/TITLE",
              who="admin"),
        State("admin new service", "admin.new_service", "/admin/halls/HQ/services/new",
              who="admin"),
        State("admin staff", "admin.staff_list", "/admin/halls/HQ/staff", who="admin"),
        State("admin staff member", "admin.staff", "/admin/staff/clerk03", who="admin"),
        State("admin windows", "admin.windows", "/admin/halls/HQ/windows", who="admin"),
        State("admin window", "admin.window", "/admin/halls/HQ/windows/3", who="admin"),
        State("admin opening hours", "admin.hours_page", "/admin/halls/HQ/hours", who="admin"),
        State("admin hours, bookings would be cancelled", "admin.set_exception",
              "/admin/halls/HQ/hours", who="admin", act=_close_a_booked_day),
        State("admin calendar, bookings would be cancelled", "admin.set_local_day",
              "/admin/calendar", who="admin", act=_local_holiday_on_a_booked_day),
        State("admin booking, a slot over-full", "admin.booking_page",
              "/admin/halls/HQ/booking?item=EXAM", who="admin"),
        State("admin booking refused", "admin.save_booking_rules", "/admin/halls/HQ/booking",
              who="admin", act=_nonsense_booking_rule),
        State("admin devices", "admin.devices_page", "/admin/devices", who="admin"),
        State("admin device", "admin.device_page", f"/admin/devices/{hall.ids['device']}",
              who="admin"),
        # a browser about to become a device
        State("device enrolment", "device_enrolment.page", f"/devices/enrol/{hall.ids['enrol']}"),
        # errors
        State("403", "admin.home", "/admin", who="clerk03", status=403),
        State("404", "", "/no-such-page", status=404),
    ]


def qa_states(answer_id: int) -> list[State]:
    """The public Q&A (issue 15): its latest answers, a search found and not, a refused
    query, an answer and one that is not there."""
    return [
        State("Q&A", "qa.search", "/qa/HQ"),
        State("Q&A en", "qa.search", "/qa/HQ?lang=en"),
        State("Q&A found", "qa.search", "/qa/HQ?q=怎么办理退休"),
        State("Q&A found en", "qa.search", "/qa/HQ?q=职称&lang=en"),
        State("Q&A nothing found", "qa.search", "/qa/HQ?q=火星移民"),
        State("Q&A query refused", "qa.search", "/qa/HQ?q=" + "职" * 101, status=400),
        State("Q&A answer", "qa.answer", f"/qa/HQ/{answer_id}"),
        State("Q&A answer gone", "qa.answer", "/qa/HQ/999999", status=404),
    ]


def results_states(ids: dict) -> list[State]:
    """Results in the open and public notice (issue 15): the public pages, phone first, and
    the notice on a case's page as a manager sees it."""
    notice = f"/results/HQ/notices/{ids['notice']}"
    return [
        State("results of a hall", "results.hall_results", "/results/HQ"),
        State("results of a hall en", "results.hall_results", "/results/HQ?lang=en"),
        State("results of an item, a month", "results.item_results",
              "/results/HQ/TITLE?month=2026-11"),
        State("results of an item not public", "results.item_results", "/results/HQ/TRANSFER",
              status=404),
        State("public notices", "results.notices", "/results/HQ/notices"),
        State("public notices en", "results.notices", "/results/HQ/notices?lang=en"),
        State("objection form", "results.notice", notice),
        State("objection refused", "results.object_to", notice,
              act=lambda p: _object(p, phone="123")),
        State("objection received", "results.object_to", notice,
              act=lambda p: _object(p, phone="13712345678")),
        State("case under notice, its objection", "division.case_page",
              f"/hall/HQ/cases/{ids['noticed']}", who="manager"),
        State("case a manager may put under notice", "division.case_page",
              f"/hall/HQ/cases/{ids['in_progress']}", who="manager"),
    ]


def _object(page: Page, phone: str) -> None:
    page.locator('input[name="name"]').fill("赵大勇")
    page.locator('input[name="phone"]').fill(phone)
    page.locator('textarea[name="body"]').fill("申请人任职年限不足。")
    page.locator('input[name="declared"]').check()
    _submit(page, "form.objection button[type=submit]")


def booking_states(booking: tuple[str, str], late: tuple[str, str]) -> list[State]:
    """The booking pages in the order a citizen meets them; the public share one browser, so
    a booking opened with its code stays open for the states after it."""
    (code, access), (late_code, late_access) = booking, late
    page = f"/book/HQ/b/{code}"
    return [
        State("booking halls", "booking.halls", "/book"),
        State("booking services", "booking.services", "/book/HQ"),
        State("booking services en", "booking.services", "/book/HQ?lang=en"),
        State("booking slots, one full", "booking.slots_page", "/book/HQ/s/EXAM?day=2026-11-24"),
        State("booking slots en", "booking.slots_page", "/book/HQ/s/EXAM?lang=en"),
        State("booking form", "booking.form", "/book/HQ/s/EXAM/book?start=2026-11-24T10:00"),
        State("booking form, slot full", "booking.form",
              "/book/HQ/s/EXAM/book?start=2026-11-24T09:00"),
        State("booking form refused", "booking.book",
              "/book/HQ/s/EXAM/book?start=2026-11-24T10:00",
              act=lambda p: _fill_booking(p, phone="123")),
        State("booking refused", "booking.slots_page", "/book/HQ/s/NOPE", status=404),
        State("booking access form", "booking.show", page),
        State("booking wrong code", "booking.unlock", page,
              act=lambda p: _give_code(p, "ZZZZZZZZ")),
        State("booking opened", "booking.unlock", page, act=lambda p: _give_code(p, access)),
        State("booking cancel asks", "booking.cancel_page", f"{page}/cancel"),
        State("booking move", "booking.move_page", f"{page}/move?day=2026-11-24"),
        State("booking move en", "booking.move_page", f"{page}/move?lang=en"),
        State("booking made", "booking.book", "/book/HQ/s/EXAM/book?start=2026-11-24T10:30",
              act=lambda p: _fill_booking(p, phone="13900139000")),
        State("booking cancelled", "booking.cancel", f"{page}/cancel",
              act=lambda p: _submit(p, "form.actions button[type=submit]")),
        State("booking past its cut-off", "booking.unlock", f"/book/HQ/b/{late_code}",
              act=lambda p: _give_code(p, late_access)),
    ]


def enquiry_states(enquiry: tuple[str, str, int]) -> list[State]:
    """Asking online, following it on the tracking page, and the division's side (issue 15);
    the enquiry was answered once and the citizen wrote since."""
    number, code, enquiry_id = enquiry
    return [
        State("ask halls", "ask.halls", "/ask"),
        State("ask form", "ask.form", "/ask/HQ"),
        State("ask form, report, en", "ask.form", "/ask/HQ?kind=report&lang=en"),
        State("ask form refused", "ask.send", "/ask/HQ?kind=complaint",
              act=lambda p: _ask(p, body="")),
        State("ask sent", "ask.sent", "/ask/HQ", act=lambda p: _ask(p, body="能否补交材料？")),
        State("tracking enquiry public", "tracking.ticket", f"/track/{number}"),
        State("tracking enquiry private", "tracking.ticket", f"/track/{number}?c={code}"),
        State("tracking enquiry written", "tracking.write", f"/track/{number}?c={code}",
              act=_write_to_the_office),
        State("division enquiries", "division.enquiries_inbox", "/hall/HQ/enquiries",
              who="division02"),
        State("division enquiry", "division.enquiry_page", f"/hall/HQ/enquiries/{enquiry_id}",
              who="division02"),
        State("admin enquiries", "admin.enquiries_page", "/admin/halls/HQ/enquiries",
              who="admin"),
    ]


def application_states(application: tuple[str, str, int]) -> list[State]:
    """Applying online, following it on the tracking page (documents asked for), the
    division's pre-review and the window's lookup (issue 15)."""
    number, code, application_id = application
    return [
        State("apply items", "apply.items", "/apply/HQ"),
        State("apply form", "apply.form", "/apply/HQ/ARCHPROOF"),
        State("apply form refused", "apply.send", "/apply/HQ/ARCHPROOF",
              act=lambda p: _submit(p, "form.ask-form button[type=submit]")),
        State("apply sent", "apply.sent", "/apply/HQ/ARCHPROOF", act=_apply),
        State("tracking application public", "tracking.ticket", f"/track/{number}"),
        State("tracking application private", "tracking.ticket", f"/track/{number}?c={code}"),
        State("division applications", "division.applications_inbox",
              "/hall/HQ/applications", who="division04"),
        State("division application", "division.application_page",
              f"/hall/HQ/applications/{application_id}", who="division04"),
        State("window finds an application", "division.application_find",
              f"/hall/HQ/applications/find?service_no={number}", who="clerk10"),
    ]


def _apply(page: Page) -> None:
    from file_helpers import jpeg, pdf

    page.locator('input[name="name"]').fill("欧阳芒")
    page.locator('input[name="phone"]').fill("13900139000")
    page.locator('input[name="field_purpose"]').fill("出国政审")
    page.locator('input[name="field_copies"]').fill("2")
    page.locator('input[name="document_0"]').set_input_files(
        {"name": "id.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    page.locator('input[name="document_1"]').set_input_files(
        {"name": "agreement.pdf", "mimeType": "application/pdf", "buffer": pdf()})
    page.locator('input[name="declared"]').check()
    _submit(page, "form.ask-form button[type=submit]")


def _ask(page: Page, body: str) -> None:
    page.locator('select[name="topic"]').select_option("TITLE")
    page.locator('input[name="subject"]').fill("材料补交")
    page.locator('textarea[name="body"]').fill(body)
    page.locator('input[name="name"]').fill("欧阳芒")
    page.locator('input[name="phone"]').fill("13900139000")
    _submit(page, "form.ask-form button[type=submit]")


def _write_to_the_office(page: Page) -> None:
    page.locator('form.write textarea[name="body"]').fill("谢谢，已补交。")
    _submit(page, "form.write button[type=submit]")


# -- acting on a page before it is checked ------------------------------------------------------

def _fill_booking(page: Page, phone: str) -> None:
    page.locator('input[name="name"]').fill("欧阳芒")
    page.locator('input[name="phone"]').fill(phone)
    _submit(page, "form.person button[type=submit]")


def _give_code(page: Page, code: str) -> None:
    page.locator('input[name="access_code"]').fill(code)
    _submit(page, "form button[type=submit]")


def _submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def _kiosk_refusal(page: Page) -> None:
    page.evaluate("document.querySelector('button[value=\"EXAM\"]').value = 'GONE'")
    _submit(page, 'button[value="GONE"]')


def _check_in(code: str) -> Callable[[Page], None]:
    def act(page: Page) -> None:
        page.locator("#booking-code").fill(code)
        _submit(page, "form[data-checkin] button[type=submit]")
    return act


def _bad_phone(page: Page) -> None:
    page.locator('input[name="service"]').first.check()
    page.locator('input[name="phone"]').fill("12345")
    _submit(page, 'form button[type="submit"]')


def _joined_then_door(page: Page, door: str) -> None:
    page.locator('input[name="service"]').first.check()
    page.locator('input[name="phone"]').fill("13900139000")
    _submit(page, 'form button[type="submit"]')
    page.goto(page.url.split("/t/")[0] + door)
    page.wait_for_selector("[data-arrive]")


def _rate_on_tracking(page: Page) -> None:
    page.locator('form.rate input[name="level"][value="5"]').first.check()
    _submit(page, "form.rate button[type=submit]")


def _mistyped_number(page: Page) -> None:
    page.locator('input[name="service_no"]').fill("261123-001-00001-0")
    _submit(page, "form button[type=submit]")


def _close_a_booked_day(page: Page) -> None:
    form = page.locator("#hours-exceptions form.tool")
    form.locator('input[name="day"]').fill("2026-11-24")
    _submit(page, '#hours-exceptions form.tool button[type="submit"]')
    page.wait_for_selector("[data-closing-warning]")


def _local_holiday_on_a_booked_day(page: Page) -> None:
    page.locator('#calendar-local input[name="day"]').fill("2026-11-24")
    _submit(page, '#calendar-local form.tool button[type="submit"]')
    page.wait_for_selector("[data-closing-warning]")


def _nonsense_booking_rule(page: Page) -> None:
    page.locator('input[name="slot_minutes"]').fill("1000")
    _submit(page, '#booking-rules button[type="submit"]')
    page.wait_for_selector("[data-problem]")


def _wrong_password(page: Page) -> None:
    page.locator('input[name="username"]').fill("clerk03")
    page.locator('input[name="password"]').fill("not-the-password")
    _submit(page, 'button[type="submit"]')


# -- the hall the pages show ---------------------------------------------------------------------

@pytest.fixture
def busy_hall(app, desk):  # noqa: F811 - the fixture imported above
    """A Monday morning: a visit accepted as a case, one rated poorly (a follow-up), one just
    finished at window 3 (its tablet offers it), a day closed with its report."""
    from hall.models import Case, Ticket

    ticket, case = desk.accept()
    rated = desk.ticket()
    desk.finish(rated)
    desk.do(ratings.rate, rated, level=1, comment="等太久", actor=Actor("tracking"))
    just_finished = desk.ticket()
    desk.finish(just_finished)
    waiting = desk.ticket()
    desk.do(endofday.close_day, "HQ", date(2026, 11, 20))
    with desk.session() as session:
        tracked = session.get(Ticket, ticket.id)
        session.expunge(tracked)
        assert session.get(Case, case.id) is not None
    from hall import devices

    with desk.session() as session:
        from hall.models import Staff
        admin = Actor.of(session.scalar(sa.select(Staff).where(Staff.username == "admin")))
    device, _token = desk.do(devices.register, "HQ", kind="kiosk", name="东门取号机 2",
                             actor=admin)
    _device, code = desk.do(devices.open_enrolment, device.id, hours=24, actor=admin)
    away = desk.do(remote.join, "HQ", "EXAM", phone="13600136000")
    desk.do(_failed_notification)
    # Two appointments on Tuesday at 11:00, then EXAM cut to one place: the slot is over-full
    # (the booking states below use 09:00, 10:00 and 10:30).
    desk.do(booking_admin.set_places, "HQ", "EXAM", "by-hand", 2, actor=admin)
    for phone in ("13800138001", "13800138002"):
        desk.do(bookings.book, "HQ", "EXAM", datetime(2026, 11, 24, 3, 0, tzinfo=UTC),
                name="欧阳芒", phone=phone)
    desk.do(booking_admin.set_places, "HQ", "EXAM", "by-hand", 1, actor=admin)
    desk.ids = {"tracked": tracked, "case": case.id, "device": device.id, "enrol": code,
                "waiting": waiting, **_bookings(desk), "appointment": _appointment_due(desk),
                "away": away, "enquiry": _enquiry(desk), "results": _results_and_notice(desk),
                "qa": _published_answers(desk), "application": _application(desk)}
    return desk


def _enquiry(desk) -> tuple[str, str, int]:
    """A question answered by the division, to which the citizen wrote again."""
    from conftest import actor
    from hall import enquiries

    made = desk.do(enquiries.submit, "HQ", kind="consultation", topic="TITLE",
                   subject="职称评审材料能否补交", body="继续教育证明漏交了，能否补交？",
                   name="欧阳芒", phone="13900139000")
    desk.do(enquiries.reply, made.id, body="可以，请于12月10日前补交。",
            actor=actor(desk.app, "division02"))
    desk.do(enquiries.citizen_reply, made.service_no, made.access_code, "补交到哪个窗口？")
    return made.service_no, made.access_code, made.id


def _published_answers(desk) -> int:
    """The demo's public Q&A; the id of one answer."""
    from hall import demo_qa
    from hall.models import PublishedAnswer

    desk.do(demo_qa.seed_demo_answers)
    with desk.session() as session:
        return session.scalar(sa.select(sa.func.min(PublishedAnswer.id)))
def _application(desk) -> tuple[str, str, int]:
    """An application online for ARCHPROOF (division04's), asked for one document."""
    from conftest import actor
    from file_helpers import jpeg, pdf
    from hall import applications

    made = desk.do(applications.submit, "HQ", "ARCHPROOF", name="欧阳芒",
                   phone="13900139000", values={"purpose": "出国政审", "copies": "2"},
                   declared=True, documents=[(0, "身份证.jpg", jpeg()), (1, "协议.pdf", pdf())])
    desk.do(applications.request_documents, made.id, documents=["身份证反面"],
            actor=actor(desk.app, "division04"))
    return made.service_no, made.access_code, made.id


def _results_and_notice(desk) -> dict:
    """Three title cases at window 5: one decided (results in the open), one under public
    notice, one in progress (a manager may put it under notice)."""
    from conftest import actor
    from hall import cases, issuing, notices_public, queue

    clerk, division = actor(desk.app, "clerk05"), actor(desk.app, "division02")

    def case() -> int:
        ticket = desk.do(issuing.issue_ticket, "HQ", "TITLE")
        desk.do(queue.open_window, "HQ", 5, actor=clerk)
        desk.do(queue.call_ticket, "HQ", 5, ticket.number, actor=clerk)
        accepted = desk.do(cases.accept, "HQ", 5, actor=clerk, applicant_name="欧阳锋芒",
                           subject="高级工程师职称评审")
        desk.do(cases.take, accepted.id, actor=division)
        return accepted.id

    decided, noticed, in_progress = case(), case(), case()
    desk.do(cases.decide, decided, outcome="approved", actor=division)
    notice = desk.do(notices_public.put_under_notice, noticed,
                     text="拟通过职称评审：欧**芒，高级", actor=desk.manager)
    return {"noticed": noticed, "notice": notice.id, "in_progress": in_progress}


def _bookings(desk) -> dict:
    """One place per slot of EXAM; Tuesday 09:00 booked (so shown full), and a booking at
    10:30 today, already past its cut-off."""
    from hall.lookup import get_hall, get_service
    from hall.models import ServiceBooking

    with desk.session() as session:
        exam = get_service(session, get_hall(session, "HQ"), "EXAM")
        session.merge(ServiceBooking(service_id=exam.id, bookable=True, places_per_slot=1))
        session.commit()
    made = {}
    for key, start, phone in (("booking", "2026-11-24T09:00", "13800138000"),
                              ("late_booking", "2026-11-23T10:30", "13700137000")):
        booking = desk.do(bookings.book, "HQ", "EXAM",
                          datetime.fromisoformat(start + ":00+08:00"), name="张三", phone=phone)
        made[key] = (booking.booking_code, booking.access_code)
    return made


def _appointment_due(desk) -> str:
    """The code of a booking for the next slot of the day (10:00), whose check-in is open
    now (the kiosk's appointment screen)."""

    made = desk.do(bookings.book, "HQ", "EXAM", datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
                   name="欧阳芒", phone="13900139000")
    return made.booking_code


def _failed_notification(session) -> None:
    """The accepted case's notification, tried once against a gateway that refused it, and
    given up (as after NOTIFY_MAX_ATTEMPTS tries)."""
    from hall import outbox
    from hall.models import Notification

    class Refusing:
        name = "webhook"

        def send(self, message) -> None:
            raise OSError("HTTP 503: gateway busy")

    outbox.send_due(session, {"sms": Refusing(), "email": Refusing()}, clock.now(), batch=1)
    session.execute(sa.update(Notification).where(Notification.status == "pending")
                    .values(status="failed"))
    session.commit()


# -- running axe ----------------------------------------------------------------------------------

def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    return page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 3).join(' '))
        }));
    }""")


def sign_in(context, live_server: str, username: str) -> None:
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('button[type="submit"]').click()
    page.close()


def test_every_page_state_has_no_axe_violation(app, live_server, chromium, busy_hall):
    contexts: dict = {}
    found: dict[str, list] = {}
    statuses: dict[str, int] = {}
    try:
        for state in states(busy_hall):
            if state.who not in contexts:
                context = chromium.new_context(viewport={"width": 1366, "height": 900},
                                               locale="zh-CN", timezone_id="Asia/Shanghai")
                context.set_default_timeout(10_000)
                # axe comes in as the browser's own script (as an extension would), which
                # the pages' CSP (script-src 'self') does not apply to.
                context.add_init_script(path=str(AXE))
                if state.who:
                    sign_in(context, live_server, state.who)
                contexts[state.who] = context
            page = contexts[state.who].new_page()
            response = page.goto(f"{live_server}{state.path}")
            if state.act:
                state.act(page)
            if state.wait:
                page.wait_for_selector(state.wait)
            page.wait_for_load_state("networkidle")
            statuses[state.name] = response.status if response else 0
            if state.status is not None:
                assert response.status == state.status, (state.name, response.status)
            violations = axe_violations(page)
            if violations:
                found[state.name] = violations
            page.close()
    finally:
        for context in contexts.values():
            context.close()
    assert not found, "axe-core found violations:\n" + json.dumps(found, ensure_ascii=False,
                                                                   indent=1)


def test_every_page_has_a_known_state(app, busy_hall):
    """Each GET route of the app answering HTML has at least one state above."""
    known = {s.endpoint for s in states(busy_hall)}
    missing = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.endpoint.startswith(NOT_PAGE_PREFIXES) or rule.endpoint in known:
            continue
        missing.append(f"{rule.rule} ({rule.endpoint})")
    assert not missing, ("pages without a state in tests/test_accessibility.py (add one to "
                         "states(), or to NOT_PAGES if it is not a page): " + ", ".join(missing))
