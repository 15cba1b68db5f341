"""The rating device on window 3's counter in a real browser (headless Chromium against the
live server): it follows its window live, offers exactly the visit just finished there,
replaces it when the next one finishes, drops it when the window calls the next visitor or
its time is up, and never reloads itself with a timed refresh.

The hall's clock is frozen on a Monday morning (and moved on by the test); the page's own
timers run on Playwright's clock."""
from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import expect

from conftest import MONDAY_0930
from hall import clock
from hall.models import Rating, Ticket
from hall.web.extensions import db
from wire import Clerk

DEVICE = "/rate/HQ/3"


@pytest.fixture
def hall_clock():
    with clock.frozen(MONDAY_0930) as frozen:
        yield frozen


def issue(live_server) -> str:
    r = requests.post(f"{live_server}/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"},
                      timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["number"]


def move(window: Clerk, name: str, **body) -> dict:
    r = window.do(name, **body)
    assert r.status_code == 200, r.text
    return r.json()


def offered(page):
    return page.locator("[data-offered]")


def waiting_for_a_visit(page):
    expect(page.locator("[data-device]")).to_have_attribute("data-ticket", "")
    expect(offered(page)).to_have_count(0)


def ratings(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Ticket.number, Rating.level, Rating.channel)
                                  .join(Ticket, Ticket.id == Rating.ticket_id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


@pytest.fixture
def window3(live_server, hall_clock):
    window = Clerk(live_server, "clerk03", 3)
    move(window, "open")
    return window


def test_the_tablet_follows_its_window_and_rates_the_visit_just_finished(
        app, live_server, browser_page, window3):
    page = browser_page
    page.clock.install()  # the page's timers run on, and the thank-you's can be skipped
    numbers = [issue(live_server) for _ in range(3)]
    assert numbers == ["A001", "A002", "A003"]
    move(window3, "call")
    move(window3, "finish", number="A001")
    page.goto(f"{live_server}{DEVICE}")
    expect(offered(page)).to_have_text("A001")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    page.wait_for_function("() => window.ratingDevice && ratingDevice.connected")
    page.evaluate("window.sameDocument = true")  # gone if the page ever loads itself again

    # The window calls the next visitor: the last one's visit is no longer offered.
    move(window3, "call")
    waiting_for_a_visit(page)
    # It finishes: that visit is offered, without anyone touching the tablet.
    move(window3, "finish", number="A002")
    expect(offered(page)).to_have_text("A002")
    # A visitor starts typing; an unrelated move of the hall leaves the form alone.
    page.locator("textarea[name=comment]").fill("很耐心")
    move(Clerk(live_server, "clerk04", 4), "open")
    page.wait_for_timeout(300)
    expect(page.locator("textarea[name=comment]")).to_have_value("很耐心")
    # The next one is called and finished while the tablet shows A002: replaced by A003.
    move(window3, "call")
    move(window3, "finish", number="A003")
    expect(offered(page)).to_have_text("A003")
    assert page.evaluate("window.sameDocument") is True

    with page.expect_navigation():
        page.get_by_role("button", name="满意", exact=True).tap()
    expect(page.get_by_role("status")).to_contain_text("感谢")
    assert ratings(app) == [("A003", 4, "window")]
    # The thanking page connects and asks the server, which has nothing to rate: the
    # thank-you stays all the same (it once vanished the moment the socket joined).
    page.wait_for_function("() => window.ratingDevice && ratingDevice.connected"
                           " && ratingDevice.fetches >= 1")
    page.wait_for_timeout(300)
    expect(page.get_by_role("status")).to_contain_text("感谢")
    # It gives way to the waiting screen by itself when its time is up.
    page.clock.fast_forward(8_500)
    waiting_for_a_visit(page)


def test_the_offer_leaves_the_screen_when_its_time_is_up(live_server, browser_page, window3,
                                                         hall_clock):
    page = browser_page
    page.clock.install()
    issue(live_server)
    move(window3, "call")
    move(window3, "finish", number="A001")
    page.goto(f"{live_server}{DEVICE}")
    expect(offered(page)).to_have_text("A001")
    seconds = int(page.locator("[data-device]").get_attribute("data-offer-seconds"))
    assert 170 <= seconds <= 181  # three minutes, by the hall's clock
    hall_clock.advance(minutes=3, seconds=1)
    page.clock.run_for((seconds + 1) * 1000)
    waiting_for_a_visit(page)


def test_a_stale_page_cannot_rate_a_visit_the_window_has_moved_on_from(
        app, live_server, browser_page, window3, page_log):
    """The POST is checked by the hall whatever the page showed (here, a page whose script
    never ran): the visit finished last at the window, and only while it is offered."""
    page = browser_page
    issue(live_server)
    issue(live_server)
    move(window3, "call")
    move(window3, "finish", number="A001")
    page.route("**/device.js", lambda route: route.abort())  # the script never runs
    page.goto(f"{live_server}{DEVICE}")
    expect(offered(page)).to_have_text("A001")
    move(window3, "call")
    with page.expect_navigation():
        page.get_by_role("button", name="满意", exact=True).tap()
    expect(page.get_by_role("status")).to_contain_text("不能")
    assert ratings(app) == []
    # What this test did on purpose, as Chromium reports it: the blocked script, the 409.
    page_log.errors[:] = [e for e in page_log.errors if "device.js" not in e and "409" not in e]
