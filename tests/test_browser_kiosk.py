"""The kiosk in a real browser (headless Chromium against the live server): taking a number
the way a visitor does, on a touch screen, with the page's own JavaScript running.

Every test also fails on a JavaScript or console error and on any request that leaves this
machine (see ``browser.py``): the hall's network is closed."""
from __future__ import annotations

import io
import re
import threading
import time

import pytest
import requests
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from browser import PORTRAIT, shot

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours

EXAM = 'button[value="EXAM"]'
SERVICE_NO = re.compile(r"^\d{6}-\d{3}-\d{5}-[0-9A-Z]$")
ACCESS_CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


@pytest.fixture
def kiosk(live_server, browser_page):
    """The HQ kiosk's start screen, open in the browser; yields the page."""
    browser_page.goto(f"{live_server}/kiosk/HQ")
    return browser_page


def queue(live_server) -> dict:
    response = requests.get(f"{live_server}/api/v1/halls/HQ/queue", timeout=5)
    response.raise_for_status()
    return response.json()


def waiting(live_server, service: str) -> int:
    return next(s["waiting"] for s in queue(live_server)["services"] if s["code"] == service)


def issue_via_api(live_server, service: str = "EXAM") -> dict:
    response = requests.post(f"{live_server}/api/v1/tickets",
                             json={"hall": "HQ", "service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def take(page, selector: str = EXAM) -> None:
    """Tap a service button and wait for the ticket page."""
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/tickets")):
        page.locator(selector).tap()


def assert_fits(page) -> None:
    """Everything on the screen at once: a kiosk visitor does not know to scroll."""
    overflow = page.evaluate("""() => [document.scrollingElement, document.querySelector('.kiosk-main')]
        .map(el => el.scrollHeight - el.clientHeight)""")
    assert max(overflow) <= 0, f"{page.viewport_size}: {overflow} px hidden below the screen"


def qr_url(page) -> str:
    """The address in the ticket page's QR code, read from its picture like a phone would."""
    png = page.locator(".ticket-qr svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, "no readable QR code on the ticket page"
    return found[0].text


# -- the start screen -----------------------------------------------------------------------

def test_start_screen_is_chinese_with_a_button_and_a_count_per_service(kiosk, live_server, page_log):
    page = kiosk
    expect(page.locator("h1")).to_have_text("请选择您要办理的事项")
    assert page.locator("html").get_attribute("lang").startswith("zh")
    services = queue(live_server)["services"]
    assert services, "the demo hall offers services"
    buttons = page.locator("button.service-button")
    expect(buttons).to_have_count(len(services))
    for s in services:
        button = page.locator(f'button[value="{s["code"]}"]')
        expect(button).to_be_visible()
        expect(button.locator(".service-name")).to_have_text(s["name"])
        expect(button.locator(f'[data-waiting-for="{s["code"]}"]')).to_have_text("0")
        # A touch target a finger can hit: at least 1.5 cm (about 60 CSS px) high.
        assert button.bounding_box()["height"] >= 60
    expect(page.locator("label.chip", has_text="60 岁以上老年人")).to_be_visible()
    shot(page, "kiosk-home-zh-1920x1080")
    assert_fits(page)
    page.set_viewport_size(PORTRAIT)
    shot(page, "kiosk-home-zh-1080x1920")
    assert_fits(page)
    # Offline: everything the page needs came from the hall's own server.
    assert page_log.requests
    assert all(url.startswith(live_server + "/") for url in page_log.requests), page_log.requests


def test_language_link_switches_to_english_and_back(kiosk, live_server):
    page = kiosk
    page.get_by_role("link", name="English").tap()
    expect(page.locator("h1")).to_have_text("Please choose your service")
    assert page.locator("html").get_attribute("lang").startswith("en")
    expect(page.locator('button[value="EXAM"] .service-name')).to_have_text(
        next(s["name_en"] for s in queue(live_server)["services"] if s["code"] == "EXAM"))
    shot(page, "kiosk-home-en-1920x1080")
    assert_fits(page)
    page.set_viewport_size(PORTRAIT)
    shot(page, "kiosk-home-en-1080x1920")
    assert_fits(page)
    page.get_by_role("link", name="中文").tap()
    expect(page.locator("h1")).to_have_text("请选择您要办理的事项")
    assert page.url == f"{live_server}/kiosk/HQ"


# -- taking a number ------------------------------------------------------------------------

def test_tapping_a_service_shows_the_ticket(kiosk, live_server):
    page = kiosk
    exam = next(s for s in queue(live_server)["services"] if s["code"] == "EXAM")
    take(page)
    expect(page.locator("[data-ticket-number]")).to_have_text("A001")
    expect(page.locator(".ticket-service")).to_have_text(exam["name"])
    expect(page.locator("[data-ahead]")).to_have_text("0")
    expect(page.locator("[data-service-no]")).to_have_text(SERVICE_NO)
    expect(page.locator("[data-access-code]")).to_have_text(ACCESS_CODE)
    expect(page.locator(".ticket-qr svg")).to_be_visible()
    expect(page.locator(".ticket-priority")).to_have_count(0)
    expect(page.locator(".ticket-note")).to_have_count(0)
    expect(page.get_by_role("link", name="English")).to_have_count(0)  # would lose the number
    shot(page, "kiosk-ticket-zh-1920x1080")
    assert_fits(page)
    page.set_viewport_size(PORTRAIT)
    shot(page, "kiosk-ticket-zh-1080x1920")
    assert_fits(page)
    assert waiting(live_server, "EXAM") == 1


def test_ticket_in_english_speaks_english(kiosk):
    page = kiosk
    page.get_by_role("link", name="English").tap()
    expect(page.locator("h1")).to_have_text("Please choose your service")
    take(page)
    expect(page.locator(".ticket-label")).to_have_text("Your number")
    expect(page.locator(".ticket-actions .action.primary")).to_have_text("Print ticket")
    assert page.locator("html").get_attribute("lang").startswith("en")
    shot(page, "kiosk-ticket-en-1920x1080")
    assert_fits(page)


def test_double_tap_issues_one_ticket(kiosk, live_server):
    page = kiosk
    with page.expect_navigation(url=re.compile(r"/kiosk/HQ/tickets")):
        page.locator(EXAM).dblclick()
    expect(page.locator("[data-ticket-number]")).to_have_count(1)
    expect(page.locator("[data-ticket-number]")).to_have_text("A001")
    expect(page.locator(".ticket-note")).to_have_count(0)
    assert waiting(live_server, "EXAM") == 1


def test_taps_while_the_ticket_is_on_its_way_send_nothing(app, kiosk, live_server, monkeypatch):
    """A slow answer: the server holds the first tap's request while the visitor keeps
    tapping; nothing more leaves the kiosk, and one ticket comes back."""
    page = kiosk
    arrived, release = threading.Event(), threading.Event()
    posts = []
    inner = app.wsgi_app

    def slow(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            posts.append(environ["PATH_INFO"])
            arrived.set()
            release.wait(10)
        return inner(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", slow)
    # Neither Playwright nor DevTools will run a script in a page whose navigation is on its
    # way, so the page taps on its own, a moment after the first tap, and notes what it saw.
    page.evaluate("""() => {
        const form = document.querySelector('form[data-once]');
        const buttons = [...form.querySelectorAll('button.service-button')];
        form.addEventListener('submit', () => setTimeout(() => {
            sessionStorage.setItem('disabled', buttons.every(b => b.disabled));
            buttons.forEach(b => b.click());
            form.requestSubmit();
            sessionStorage.setItem('tapped', 'yes');
        }, 100), { once: true });
    }""")
    try:
        page.locator(EXAM).tap(no_wait_after=True)
        assert arrived.wait(5)
        time.sleep(0.5)  # the page's extra taps happen meanwhile
        assert posts == ["/kiosk/HQ/tickets"], "a second tap went out while the first was on its way"
    finally:
        release.set()
    page.wait_for_url(re.compile(r"/kiosk/HQ/tickets"))
    expect(page.locator("[data-ticket-number]")).to_have_text("A001")
    assert posts == ["/kiosk/HQ/tickets"]
    assert page.evaluate("sessionStorage.getItem('tapped')") == "yes"
    assert page.evaluate("sessionStorage.getItem('disabled')") == "true"
    expect(page.locator(".ticket-note")).to_have_count(0)
    assert waiting(live_server, "EXAM") == 1


def test_without_javascript_a_repeated_form_gets_the_same_ticket(kiosk, live_server):
    """The request key on the page guards the kiosk even where its script does not run."""
    page = kiosk
    form = {name: page.locator(f'form input[name="{name}"]').get_attribute("value")
            for name in ("csrf_token", "request_key")}
    form["service"] = "EXAM"
    url = f"{live_server}/kiosk/HQ/tickets"
    first = page.request.post(url, form=form)
    again = page.request.post(url, form=form)
    assert first.status == again.status == 201
    number = re.compile(r'data-ticket-number>\s*(\w+)\s*<')
    assert number.search(first.text()).group(1) == number.search(again.text()).group(1) == "A001"
    assert "ticket-note" not in first.text()
    assert "您已取过号" in again.text()
    assert waiting(live_server, "EXAM") == 1


def test_priority_chip_marks_the_ticket(kiosk):
    page = kiosk
    page.locator("label.chip", has_text="60 岁以上老年人").tap()
    expect(page.locator('input[name="priority"][value="elderly"]')).to_be_checked()
    take(page)
    expect(page.locator(".ticket-priority")).to_have_text("优先服务")
    shot(page, "kiosk-ticket-priority-zh-1920x1080")


def test_print_link_gives_the_ticket_pdf(kiosk, live_server):
    page = kiosk
    take(page)
    link = page.get_by_role("link", name="打印凭条")
    href = link.get_attribute("href")
    response = page.request.get(f"{live_server}{href}" if href.startswith("/") else href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


# Headless Chromium has no printer, and its print() of a PDF frame crashes the page (seen
# with Chromium 156, one run in two): every frame's print() is recorded in the top window
# instead, with the address of the document it was asked of.
PRINT_RECORDER = """window.print = function () {
  var top = window.top; (top.__prints = top.__prints || []).push(location.href);
};"""


def test_print_button_stays_on_the_ticket(kiosk, live_server):
    """The PDF goes to a hidden frame and that frame is printed, once; the visitor keeps
    seeing the number."""
    page = kiosk
    page.add_init_script(PRINT_RECORDER)
    take(page)
    with page.expect_response(re.compile(r"/ticket\.pdf\?")) as pdf:
        page.get_by_role("link", name="打印凭条").tap()
    assert pdf.value.status == 200
    assert pdf.value.headers["content-type"] == "application/pdf"
    page.wait_for_function("() => (window.__prints || []).length > 0")
    page.wait_for_timeout(500)
    prints = page.evaluate("window.__prints")
    assert len(prints) == 1 and "/ticket.pdf?" in prints[0], prints
    assert re.search(r"/kiosk/HQ/tickets", page.url)
    expect(page.locator("[data-ticket-number]")).to_have_text("A001")


def test_qr_code_opens_the_live_ticket_with_its_place(kiosk, live_server):
    page = kiosk
    take(page)
    number = page.locator("[data-ticket-number]").inner_text()
    code = page.locator("[data-access-code]").inner_text()
    url = qr_url(page)
    assert url.startswith(f"{live_server}/t/")
    assert url.endswith(f"?c={code}")
    page.set_viewport_size({"width": 390, "height": 844})  # the visitor's phone
    page.goto(url)
    expect(page.locator("h1.ticket-number")).to_have_text(number)
    expect(page.locator("[data-status-line]")).to_have_text(re.compile("下一位就是您|前面还有"))
    shot(page, "live-ticket-from-qr-zh")


# -- the screen looks after itself ----------------------------------------------------------

def test_waiting_counts_follow_tickets_taken_elsewhere(live_server, browser_page):
    page = browser_page
    page.clock.install()  # the page's 15 s refresh, without waiting 15 s
    page.goto(f"{live_server}/kiosk/HQ")
    count = page.locator('[data-waiting-for="EXAM"]')
    expect(count).to_have_text("0")
    issue_via_api(live_server)
    issue_via_api(live_server)
    page.clock.run_for(16_000)
    expect(count).to_have_text("2")
    issue_via_api(live_server)
    page.reload()
    expect(count).to_have_text("3")


def test_ticket_page_returns_to_the_start_screen(app, live_server, browser_page):
    page = browser_page
    page.clock.install()
    page.goto(f"{live_server}/kiosk/HQ")
    take(page)
    expect(page.locator("[data-ticket-number]")).to_have_text("A001")
    page.clock.run_for((app.config["KIOSK_RETURN_SECONDS"] + 1) * 1000)
    page.wait_for_url(f"{live_server}/kiosk/HQ")
    expect(page.locator("h1")).to_have_text("请选择您要办理的事项")
    expect(page.locator('[data-waiting-for="EXAM"]')).to_have_text("1")


# -- the next visitor starts clean: Chinese, normal type, no priority ---------------------------
# Every kiosk screen left untouched for KIOSK_IDLE_SECONDS goes back to the start page as the
# server renders it. The page's clock is Playwright's (page.clock): minutes pass at once.

def assert_clean_start(page, live_server) -> None:
    page.wait_for_url(f"{live_server}/kiosk/HQ")
    expect(page.locator("h1")).to_have_text("请选择您要办理的事项")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "kiosk-large" not in (page.locator("html").get_attribute("class") or "")
    expect(page.locator('input[name="priority"][value=""]')).to_be_checked()
    expect(page.locator('input[name="priority"]:checked')).to_have_count(1)


@pytest.fixture
def idle_kiosk(app, live_server, browser_page):
    """The kiosk with a fake clock; yields (page, idle time in ms)."""
    browser_page.clock.install()
    browser_page.goto(f"{live_server}/kiosk/HQ")
    return browser_page, app.config.get("KIOSK_IDLE_SECONDS", 60) * 1000


def test_a_chosen_priority_is_gone_for_the_next_visitor(idle_kiosk, live_server):
    page, idle = idle_kiosk
    page.locator("label.chip", has_text="孕妇").tap()
    expect(page.locator('input[name="priority"][value="pregnant"]')).to_be_checked()
    page.clock.run_for(idle - 5_000)
    page.locator("label.chip", has_text="孕妇").tap()  # still choosing: the time starts again
    page.clock.run_for(idle - 5_000)
    expect(page.locator('input[name="priority"][value="pregnant"]')).to_be_checked()
    page.clock.run_for(75_000 - idle + 10_000)
    assert_clean_start(page, live_server)
    expect(page.locator('input[name="priority"][value="pregnant"]')).not_to_be_checked()


def test_an_untouched_clean_start_stays_as_it_is(idle_kiosk, live_server, page_log):
    page, idle = idle_kiosk
    page.clock.run_for(idle * 3)
    page.wait_for_timeout(200)
    assert [u for u in page_log.requests if u.endswith("/kiosk/HQ")] == [f"{live_server}/kiosk/HQ"]


@pytest.mark.parametrize("link", ["English", "大字模式"])
def test_a_language_or_large_type_goes_back_after_the_same_idle_time(idle_kiosk, live_server,
                                                                     link):
    page, idle = idle_kiosk
    page.get_by_role("link", name=link).tap()
    page.wait_for_url(re.compile(r"\?(lang=en|large=1)$"))
    page.clock.run_for(idle - 2_000)
    assert "?" in page.url  # not yet
    page.clock.run_for(3_000)
    assert_clean_start(page, live_server)


def test_english_ticket_page_returns_to_a_chinese_start_screen(app, idle_kiosk, live_server):
    """The next visitor starts in Chinese."""
    page, _ = idle_kiosk
    page.get_by_role("link", name="English").tap()
    take(page)
    expect(page.locator(".ticket-label")).to_have_text("Your number")
    page.clock.run_for((app.config["KIOSK_RETURN_SECONDS"] + 1) * 1000)
    assert_clean_start(page, live_server)


def test_a_refusal_goes_back_to_the_clean_start(idle_kiosk, live_server, page_log):
    page, idle = idle_kiosk
    page.get_by_role("link", name="大字模式").tap()
    page.wait_for_url(f"{live_server}/kiosk/HQ?large=1")
    # A service withdrawn while the visitor looked at the screen.
    page.evaluate("document.querySelector('button[value=\"EXAM\"]').value = 'GONE'")
    with page.expect_navigation():
        page.locator('button[value="GONE"]').tap()
    expect(page.locator(".kiosk-refused")).to_be_visible()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    # The refusal's own 404, which Chromium reports on the console: expected here.
    page_log.errors[:] = [e for e in page_log.errors if "404" not in e]
    page.clock.run_for(idle + 1_000)
    assert_clean_start(page, live_server)


# -- large type for elderly visitors (适老化) ----------------------------------------------------

def assert_inside(page) -> None:
    """Every part of every button inside its button, every button and chip on the screen,
    nothing wider than its box."""
    found = page.evaluate("""() => {
        const out = [], box = el => el.getBoundingClientRect();
        const inside = (a, b) => a.left >= b.left - 1 && a.top >= b.top - 1
            && a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
        const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
        document.querySelectorAll('.service-button > *').forEach(el => {
            if (!inside(box(el), box(el.parentNode))) out.push(el.textContent.trim().slice(0, 20));
        });
        document.querySelectorAll('.service-button, .chip, .kiosk-bar > *, .ticket-card, .action').forEach(el => {
            if (!inside(box(el), screen)) out.push('off screen: ' + el.textContent.trim().slice(0, 20));
            if (el.scrollWidth > el.clientWidth + 1) out.push('too wide: ' + el.textContent.trim().slice(0, 20));
        });
        return out;
    }""")
    assert found == [], f"{page.viewport_size}: {found}"


def sizes(page) -> dict:
    return page.evaluate("""() => ({
        name: parseFloat(getComputedStyle(document.querySelector('.service-name')).fontSize),
        button: document.querySelector('button.service-button').getBoundingClientRect().height,
        chip: parseFloat(getComputedStyle(document.querySelector('.chip span')).fontSize),
    })""")


@pytest.mark.parametrize("size", [PORTRAIT, {"width": 1920, "height": 1080}],
                         ids=["1080x1920", "1920x1080"])
def test_large_type_is_much_larger_and_still_fits_the_screen(kiosk, live_server, size):
    page = kiosk
    page.set_viewport_size(size)
    normal = sizes(page)
    toggle = page.get_by_role("link", name="大字模式")
    expect(toggle).to_be_visible()
    assert toggle.bounding_box()["height"] >= 40  # a finger finds it
    toggle.tap()
    page.wait_for_url(f"{live_server}/kiosk/HQ?large=1")
    large = sizes(page)
    assert large["name"] >= normal["name"] * 1.3 and large["chip"] >= normal["chip"] * 1.3
    assert large["name"] >= 32  # px: read by an elderly visitor at arm's length
    expect(page.get_by_role("link", name="标准字号")).to_be_visible()
    shot(page, f"kiosk-large-{size['width']}x{size['height']}")
    assert_fits(page)
    assert_inside(page)
    # The ticket stays large, and fits too.
    take(page)
    assert "kiosk-large" in page.locator("html").get_attribute("class")
    shot(page, f"kiosk-large-ticket-{size['width']}x{size['height']}")
    assert_fits(page)
    assert_inside(page)
