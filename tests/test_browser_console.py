"""The window console in a real browser (headless Chromium against the live server): a clerk
signs in, opens window 3 and works the queue with the keyboard and the mouse, while tickets
are taken and sent to the window elsewhere.

What the clerk sees is checked against what the hall recorded (the device API), so a screen
that only looks right does not pass. Every test also fails on a JavaScript or console error
and on any request that leaves this machine (see ``browser.py``)."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from browser import shot

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

CLERK_SCREEN = {"width": 1366, "height": 768}
WIDE_SCREEN = {"width": 1920, "height": 1080}
CONSOLE = "/hall/HQ/windows/3"
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


# -- the hall, as devices and other clerks see it -------------------------------------------

def token(live_server, username: str) -> str:
    r = requests.post(f"{live_server}/api/v1/auth/token",
                      json={"username": username, "password": "demo"}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["token"]


class Api:
    """A clerk's device at a window: the moves over the API, and the window as recorded."""

    def __init__(self, live_server, username: str, window: int) -> None:
        self.base, self.window = live_server, window
        self.headers = {"Authorization": f"Bearer {token(live_server, username)}"}

    def do(self, move: str, **body) -> requests.Response:
        return requests.post(f"{self.base}/api/v1/halls/HQ/windows/{self.window}/{move}",
                             headers=self.headers, json=body or None, timeout=5)

    def view(self, no: int | None = None) -> dict:
        r = requests.get(f"{self.base}/api/v1/halls/HQ/windows/{no or self.window}",
                         headers=self.headers, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()


def issue(live_server, service: str = "EXAM") -> str:
    r = requests.post(f"{live_server}/api/v1/tickets", json={"hall": "HQ", "service": service},
                      timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["number"]


def waiting(live_server, service: str = "EXAM") -> int:
    r = requests.get(f"{live_server}/api/v1/halls/HQ/queue", timeout=5)
    return next(s["waiting"] for s in r.json()["services"] if s["code"] == service)


# -- the clerk's page -----------------------------------------------------------------------

def sign_in(page, live_server, username: str, password: str = "demo"):
    """Fill in the sign-in page; returns the answer to the form."""
    page.goto(f"{live_server}/login")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    with page.expect_response(lambda r: r.url.startswith(f"{live_server}/login")
                              and r.request.method == "POST") as answer:
        page.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    return answer.value


def current(page):
    return page.locator("[data-current-number]")


def flash(page):
    return page.locator("[data-flashes] .flash").last


def posts(page_log, move: str, since: int) -> list[str]:
    """The page's requests for ``move`` at window 3 after the ``since``-th request."""
    return [u for u in page_log.requests[since:] if u.endswith(f"{CONSOLE}/{move}")]


@pytest.fixture
def console(live_server, browser_page):
    """clerk03 signed in, at window 3, opened; the page connected to the hall's live stream
    and marked, so that a reload (which would lose the mark) is seen."""
    page = browser_page
    page.set_viewport_size(CLERK_SCREEN)
    sign_in(page, live_server, "clerk03")
    page.goto(f"{live_server}{CONSOLE}")
    expect(page.locator("[data-window-state]")).to_have_attribute("data-window-state", "closed")
    page.locator('form[data-move="open"] button').click()
    expect(page.locator("[data-window-state]")).to_have_attribute("data-window-state", "open")
    expect(page.locator("[data-live]")).to_have_attribute("data-live", "on")
    page.evaluate("window.__noReload = 1")
    return page


def forgive(page_log, status: int, path: str) -> int:
    """Chromium logs every 4xx answer as a console error; those a test provokes on purpose
    (a wrong password, a refused move) are not the page's fault. Returns how many there were."""
    provoked = [e for e in page_log.errors
                if f"status of {status} " in e and re.search(rf"{re.escape(path)}\)$", e)]
    page_log.errors[:] = [e for e in page_log.errors if e not in provoked]
    return len(provoked)


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__noReload") == 1, "the page was reloaded"


# -- signing in -----------------------------------------------------------------------------

def test_sign_in_page_is_chinese_and_a_wrong_password_gets_401(live_server, browser_page,
                                                               page_log):
    page = browser_page
    page.set_viewport_size(CLERK_SCREEN)
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    for text in (page.locator("h1").inner_text(),
                 page.locator('button[type="submit"]').inner_text(),
                 page.locator("label").first.inner_text()):
        assert CJK.search(text) and not LATIN.search(text), f"not Chinese: {text!r}"
    expect(page.locator('input[name="username"]')).to_be_focused()
    shot(page, "console-sign-in-zh-1366x768")

    answer = sign_in(page, live_server, "clerk03", "wrong")
    assert answer.status == 401
    error = page.locator("[data-sign-in-error]")
    expect(error).to_be_visible()
    assert CJK.search(error.inner_text())
    assert page.url.startswith(f"{live_server}/login")
    assert forgive(page_log, 401, "/login") == 1
    shot(page, "console-sign-in-refused-zh-1366x768")

    answer = sign_in(page, live_server, "clerk03")
    assert answer.status == 302
    assert page.url == f"{live_server}/hall/HQ/windows/3"  # their one window (#10.14)
    page.goto(f"{live_server}/hall/HQ/windows")
    expect(page.locator('[data-window-no="3"]')).to_be_visible()
    expect(page.locator(".staff-who")).to_contain_text("clerk03")
    shot(page, "console-windows-zh-1366x768")


# -- working the queue ----------------------------------------------------------------------

def test_clerk_works_the_queue_with_keys_and_clicks(live_server, console, page_log):
    page = console
    api = Api(live_server, "clerk03", 3)
    count = page.locator('[data-waiting-for="EXAM"]')
    expect(count).to_have_text("0")
    expect(page.locator('[data-key="F1"]')).to_be_enabled()
    expect(page.locator('[data-key="F4"]')).to_be_disabled()
    numbers = [issue(live_server) for _ in range(6)]
    assert numbers[0] == "A001"
    expect(count).to_have_text("6")  # live, without a reload
    expect(page.locator("[data-waiting-here]")).to_have_text("6")

    # F1 calls the next visitor; the big number shows it.
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A001")
    expect(page.locator("[data-current-status]")).to_have_attribute("data-current-status", "called")
    expect(flash(page)).to_contain_text("A001")
    expect(count).to_have_text("5")
    assert api.view()["current"]["number"] == "A001"
    shot(page, "console-called-zh-1366x768", full_page=False)
    # The number and every move are on a 1366×768 screen without scrolling.
    for element in (current(page), page.locator(".moves"), page.locator(".tools")):
        box = element.bounding_box()
        assert box["y"] + box["height"] <= CLERK_SCREEN["height"], element

    # F2 recalls, F3 starts, F4 finishes.
    page.keyboard.press("F2")
    expect(page.locator("[data-call-count]")).to_have_attribute("data-call-count", "2")
    assert api.view()["current"]["call_count"] == 2
    page.keyboard.press("F3")
    expect(page.locator("[data-current-status]")).to_have_attribute("data-current-status", "serving")
    page.keyboard.press("F4")
    expect(page.locator(".current-none")).to_be_visible()
    expect(page.locator('[data-served] [data-number="A001"]')).to_be_visible()
    assert api.view()["current"] is None

    # A fast double click on "call next" calls one visitor, with one request.
    before = len(page_log.requests)
    page.locator('[data-key="F1"]').dblclick()
    expect(current(page)).to_have_text("A002")
    page.wait_for_timeout(300)
    assert len(posts(page_log, "call", before)) == 1
    assert waiting(live_server) == 4
    assert api.view()["current"]["number"] == "A002"

    # F6: the visitor did not come.
    page.keyboard.press("F6")
    expect(page.locator('[data-served] [data-number="A002"].served-no_show')).to_be_visible()

    # F1 pressed twice quickly: one call.
    before = len(page_log.requests)
    page.keyboard.press("F1")
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A003")
    page.wait_for_timeout(300)
    assert waiting(live_server) == 3
    assert api.view()["current"]["number"] == "A003"
    second = len(posts(page_log, "call", before)) - 1  # if it left the page, it was refused
    assert second in (0, 1)
    assert forgive(page_log, 409, f"{CONSOLE}/call") == second
    # …and a double press within one moment never even leaves the page twice.
    page.keyboard.press("F4")
    expect(page.locator(".current-none")).to_be_visible()
    before = len(page_log.requests)
    page.evaluate("""() => {
        for (let i = 0; i < 2; i++)
            document.dispatchEvent(new KeyboardEvent('keydown', {key: 'F1', bubbles: true}));
    }""")
    expect(current(page)).to_have_text("A004")
    page.wait_for_timeout(300)
    assert len(posts(page_log, "call", before)) == 1
    assert waiting(live_server) == 2

    # Calling while a visitor is at the window is refused, kindly, and changes nothing.
    page.keyboard.press("F1")
    expect(flash(page)).to_have_attribute("data-flash", "busy")
    expect(flash(page)).to_contain_text("A004")
    expect(current(page)).to_have_text("A004")
    assert waiting(live_server) == 2
    assert forgive(page_log, 409, f"{CONSOLE}/call") == 1
    shot(page, "console-busy-refused-zh-1366x768", full_page=False)

    # F7 holds the visitor here, with the reason typed at once; "resume" calls them back.
    page.keyboard.press("F7")
    reason = page.locator('form[data-move="hold"] input[name="reason"]')
    expect(reason).to_be_focused()
    reason.fill("回去取材料")
    reason.press("Enter")
    held = page.locator('[data-held] [data-number="A004"]')
    expect(held).to_contain_text("回去取材料")
    expect(held).to_be_visible()
    expect(page.locator(".current-none")).to_be_visible()
    assert [t["number"] for t in api.view()["held"]] == ["A004"]
    held.locator("button").click()
    expect(current(page)).to_have_text("A004")
    assert api.view()["held"] == []
    page.keyboard.press("F4")
    expect(page.locator('[data-served] [data-number="A004"]')).to_be_visible()

    # Call a particular number: A006 before A005.
    page.locator("[data-number-input]").fill("a006")
    page.locator("[data-number-input]").press("Enter")
    expect(current(page)).to_have_text("A006")
    expect(page.locator("[data-number-input]")).to_have_value("")
    assert api.view()["current"]["number"] == "A006"
    assert waiting(live_server) == 1

    # F8 goes to the transfer form.
    page.keyboard.press("F8")
    expect(page.locator('form[data-move="transfer"] select[name="service"]')).to_be_focused()
    page.keyboard.press("F4")
    expect(page.locator(".current-none")).to_be_visible()
    assert_not_reloaded(page)
    served = {t["number"]: t["status"] for t in api.view()["served_today"]}
    assert served == {"A001": "finished", "A002": "no_show", "A003": "finished",
                      "A004": "finished", "A006": "finished"}
    expect(page.locator("[data-served] li")).to_have_count(5)


def test_a_transfer_from_another_window_appears_without_a_reload(live_server, console):
    page = console
    clerk4 = Api(live_server, "clerk04", 4)
    assert clerk4.do("open").status_code == 200
    issue(live_server)
    number = issue(live_server)  # A002: called at window 4 by number, sent on to window 3
    expect(page.locator('[data-waiting-for="EXAM"]')).to_have_text("2")
    called = clerk4.do("call", number=number)
    assert called.status_code == 200, called.text
    moved = clerk4.do("transfer", window=3, reason="需考录窗口复核")
    assert moved.status_code == 200, moved.text

    sent = page.locator(f'[data-sent-here] [data-number="{number}"]')
    expect(sent).to_be_visible()
    expect(flash(page)).to_contain_text(number)
    assert_not_reloaded(page)
    shot(page, "console-sent-here-zh-1366x768", full_page=False)

    # Called from the list (F1 would call A001 first: a transfer keeps the place in line).
    sent.locator("button").click()
    expect(current(page)).to_have_text(number)
    expect(sent).to_have_count(0)
    assert clerk4.view(3)["current"]["number"] == number

    # Sent on from here, to a service: the ticket leaves the console.
    page.locator('form[data-move="transfer"] select[name="service"]').select_option("RECRUIT")
    page.locator('form[data-move="transfer"] input[name="reason"]').fill("属招聘备案")
    page.locator('form[data-move="transfer"] button[type="submit"]').click()
    expect(page.locator(".current-none")).to_be_visible()
    expect(flash(page)).to_contain_text(number)
    assert waiting(live_server, "RECRUIT") == 1
    assert_not_reloaded(page)


def test_pause_with_a_reason_and_resume(live_server, console, page_log):
    page = console
    page.keyboard.press("F1")  # nobody waits yet: said so, not as a failure
    expect(flash(page)).to_have_attribute("data-flash", "info")
    expect(page.locator(".current-none")).to_be_visible()
    pause = page.locator('form[data-move="pause"]')
    pause.locator('input[name="reason"]').fill("午间休息")
    pause.locator("button").click()
    expect(page.locator("[data-window-state]")).to_have_attribute("data-window-state", "paused")
    expect(page.locator(".pause-reason")).to_have_text("午间休息")
    expect(page.locator('[data-key="F1"]')).to_be_disabled()
    issue(live_server)
    expect(page.locator('[data-waiting-for="EXAM"]')).to_have_text("1")
    before = len(page_log.requests)
    page.keyboard.press("F1")  # nothing to do while paused: nothing is sent
    page.wait_for_timeout(300)
    assert posts(page_log, "call", before) == []
    assert Api(live_server, "clerk03", 3).view()["pause_reason"] == "午间休息"
    shot(page, "console-paused-zh-1366x768", full_page=False)

    page.locator('form[data-move="open"] button').click()
    expect(page.locator("[data-window-state]")).to_have_attribute("data-window-state", "open")
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A001")
    assert_not_reloaded(page)


def test_a_refusal_from_the_hall_is_shown(live_server, console, page_log):
    """A number this window does not serve: the engine's reason, on the page."""
    page = console
    other = issue(live_server, "RECRUIT")
    page.locator("[data-number-input]").fill(other)
    page.locator("[data-number-input]").press("Enter")
    expect(flash(page)).to_have_attribute("data-flash", "refused")
    expect(flash(page)).to_contain_text("3")
    expect(page.locator(".current-none")).to_be_visible()
    # The number typed stays for the clerk to correct.
    expect(page.locator("[data-number-input]")).to_have_value(other)
    assert forgive(page_log, 409, f"{CONSOLE}/call") == 1


def test_console_on_a_wide_screen(live_server, console, page_log):
    page = console
    page.set_viewport_size(WIDE_SCREEN)
    for _ in range(3):
        issue(live_server)
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A001")
    # F4 then at once F1: the call waits for the finish, then goes.
    page.keyboard.press("F4")
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A002")
    expect(flash(page)).to_have_attribute("data-flash", "ok")
    # A click on "call next" and F1 at the same moment are one call, not a call and a refusal.
    page.keyboard.press("F4")
    expect(page.locator(".current-none")).to_be_visible()
    before = len(page_log.requests)
    page.evaluate("""() => {
        document.querySelector('[data-key="F1"]').click();
        document.dispatchEvent(new KeyboardEvent('keydown', {key: 'F1', bubbles: true}));
    }""")
    expect(current(page)).to_have_text("A003")
    page.wait_for_timeout(400)
    assert len(posts(page_log, "call", before)) == 1
    expect(flash(page)).to_have_attribute("data-flash", "ok")
    page.keyboard.press("F4")
    page.keyboard.press("F1")  # nobody left
    expect(flash(page)).to_have_attribute("data-flash", "info")
    for _ in range(2):
        issue(live_server)
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A004")
    page.keyboard.press("F4")
    page.keyboard.press("F1")
    expect(current(page)).to_have_text("A005")
    expect(page.locator('[data-served] [data-number="A001"]')).to_be_visible()
    shot(page, "console-called-zh-1920x1080", full_page=False)
    overflow = page.evaluate("document.scrollingElement.scrollHeight - innerHeight")
    assert overflow <= 0
    # English is one click away, and the console keeps working in it.
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_contain_text("Window 3")
    expect(current(page)).to_have_text("A005")
    expect(page.locator("[data-live]")).to_have_attribute("data-live", "on")
    page.keyboard.press("F4")
    expect(page.locator('[data-served] [data-number="A005"]')).to_be_visible()
    shot(page, "console-en-1920x1080", full_page=False)


def test_without_javascript_the_console_still_works(live_server, chromium):
    """Every move is a plain form: a console whose script does not run still calls."""
    context = chromium.new_context(viewport=CLERK_SCREEN, locale="zh-CN",
                                   java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, "clerk03")
        page.goto(f"{live_server}{CONSOLE}")
        page.locator('form[data-move="open"] button').click()
        expect(page.locator("[data-window-state]")).to_have_attribute("data-window-state", "open")
        issue(live_server)
        page.locator('form[data-move="call"] button').click()
        expect(current(page)).to_have_text("A001")
        expect(flash(page)).to_contain_text("A001")
        page.locator('form[data-move="finish"] button').click()
        expect(page.locator('[data-served] [data-number="A001"]')).to_be_visible()
    finally:
        context.close()
