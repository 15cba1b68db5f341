"""The wall display in a real browser (headless Chromium against the live server): calls
made through the API appear at once, are announced once each and in order, and a display
that lost its network or a message comes back to exactly the hall's current state.

Headless Chromium has no voices: its ``speechSynthesis`` fails every utterance at once
("synthesis-failed"). Tests that look at the order and timing of speech replace it, before
the page loads, with a recording stand-in that takes its time like a real voice does.

Every test also fails on a JavaScript or console error and on any request that leaves this
machine (see ``browser.py``)."""
from __future__ import annotations

import json
import re
import threading
import time

import pytest
import requests
from playwright.sync_api import expect

from browser import CHROMIUM, CHROMIUM_ARGS, LANDSCAPE, OFF_MACHINE, PORTRAIT, shot, watch
from hall import floor, queue
from hall.db import consistent_read
from hall.web.extensions import db

pytestmark = pytest.mark.hall_open  # tickets are taken and windows opened: in opening hours


def text(app, msgid: str, lang: str = "zh", **values) -> str:
    """A text of the page as the app translates it (the translations may lag the code)."""
    from flask_babel import gettext

    with app.test_request_context(f"/?lang={lang}"):
        return gettext(msgid, **values)

HALL = "HQ"
EXAM = "EXAM"
ZH_A001_3 = "请 A001 号 到 3 号窗口办理"

# A speechSynthesis that speaks nothing but behaves like one that does: each utterance
# takes SPEAK_MS, then ends; it records what it was given, every cancel(), and any speak()
# that came while another utterance was still being spoken (the browser would queue it, but
# the display must not rely on that: the chime would ring over the voice).
SPEAK_MS = 700
FAKE_SPEECH = """
(() => {
  const voices = %(voices)s;
  const log = window.__speech = { started: [], finished: [], cancels: 0, overlaps: 0 };
  class Utterance {
    constructor(text) { this.text = text; this.lang = ""; this.voice = null; this.rate = 1; }
  }
  const synth = {
    speaking: false, pending: false, paused: false, onvoiceschanged: null,
    getVoices() { return voices; },
    addEventListener() {}, removeEventListener() {},
    pause() {}, resume() {},
    cancel() { log.cancels += 1; },
    speak(u) {
      if (this.speaking) log.overlaps += 1;
      this.speaking = true;
      log.started.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.name });
      setTimeout(() => {
        this.speaking = false;
        log.finished.push(u.text);
        if (u.onend) u.onend({ type: "end" });
      }, %(ms)d);
    },
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;
})();
"""
ZH_VOICE = {"name": "Tingting", "lang": "zh-CN", "localService": True, "default": False}
EN_VOICE = {"name": "Samantha", "lang": "en-US", "localService": True, "default": True}


def fake_speech(page, voices=()) -> None:
    page.add_init_script(FAKE_SPEECH % {"voices": json.dumps(list(voices)), "ms": SPEAK_MS})


# -- acting on the hall through the API -----------------------------------------------------

def issue(live_server, service: str = EXAM) -> str:
    response = requests.post(f"{live_server}/api/v1/tickets",
                             json={"hall": HALL, "service": service}, timeout=5)
    assert response.status_code == 201, response.text
    return response.json()["number"]


class Clerk:
    """A clerk at a window, moving over the API with a bearer token."""

    def __init__(self, live_server: str, username: str, window: int) -> None:
        self.base = f"{live_server}/api/v1/halls/{HALL}/windows/{window}"
        response = requests.post(f"{live_server}/api/v1/auth/token",
                                 json={"username": username, "password": "demo"}, timeout=5)
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def move(self, name: str) -> requests.Response:
        response = requests.post(f"{self.base}/{name}", headers=self.headers, timeout=5)
        assert response.status_code in (200, 204), response.text
        return response

    def open(self) -> Clerk:
        self.move("open")
        return self

    def call(self) -> str:
        response = self.move("call")
        assert response.status_code == 200, "nobody was waiting"
        return response.json()["number"]


def clerk(live_server, window: int) -> Clerk:
    return Clerk(live_server, f"clerk{window:02d}", window).open()


def truth(app) -> dict:
    """The floor as a display joining now would receive it."""
    with app.app_context():
        with consistent_read(db.session) as session:
            state = floor.floor_state(session, queue.get_hall(session, HALL))
        db.session.remove()
    return state


# -- looking at the display -----------------------------------------------------------------

def open_display(page, live_server, query: str = "", *, sound: bool = True):
    """The HQ display, joined (its first snapshot in); with ``sound`` the overlay button is
    tapped, as the person setting up the TV would."""
    page.goto(f"{live_server}/display/{HALL}{query}")
    page.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    if sound:
        page.locator("[data-sound-button]").click()
        expect(page.locator("[data-sound-button]")).to_be_hidden()
        assert page.evaluate("hallDisplay.sound") is True
    return page


def hook(page, name: str):
    return page.evaluate(f"hallDisplay.{name}")


def wait_seq(page, seq: int, timeout: float = 5000) -> None:
    page.wait_for_function(f"() => hallDisplay.seq >= {seq} && !hallDisplay.syncing",
                           timeout=timeout)


def recent(page) -> list[tuple[str, str]]:
    """The recent-calls list as shown: (number, window) pairs, newest first."""
    return page.locator("[data-recent] li").evaluate_all(
        "els => els.map(li => [li.dataset.number, li.dataset.window])")


def waiting_shown(page) -> dict[str, int]:
    return page.locator("[data-waiting-for]").evaluate_all(
        "els => Object.fromEntries(els.map(e => [e.dataset.waitingFor, Number(e.textContent)]))")


def assert_shows(page, state: dict, app, lang: str = "zh") -> None:
    """The page shows exactly ``state``: its sequence number, current call, recent calls in
    order, and every waiting count; and its model is that state."""
    assert hook(page, "seq") == state["seq"]
    model = hook(page, "model")
    assert model == state
    calls = state["calls"]
    # "Now calling": the latest call at a window that is still open.
    closed = {w["no"] for w in state["windows"] if w["state"] in ("paused", "closed")}
    calling = [c for c in calls if c["window"] not in closed]
    if calling:
        expect(page.locator("[data-current-number]")).to_have_text(calling[0]["number"])
        expect(page.locator("[data-current-window]")).to_have_text(
            "→ " + text(app, "Window %(no)s", lang, no=calling[0]["window"]))
    else:
        expect(page.locator(".display-current")).to_have_class(re.compile(r"\bis-idle\b"))
    assert recent(page) == [[c["number"], str(c["window"])] for c in calls]
    assert waiting_shown(page) == {s["code"]: s["waiting"] for s in state["services"]}


def assert_fits(page) -> None:
    """Everything on the screen at once, nothing cut: a TV has no scroll bar. Every piece of
    the page lies inside the box that holds it, and every box inside the screen."""
    found = page.evaluate("""() => {
        const out = [];
        const doc = document.scrollingElement;
        if (doc.scrollHeight > doc.clientHeight || doc.scrollWidth > doc.clientWidth)
            out.push('the page scrolls: ' + doc.scrollWidth + 'x' + doc.scrollHeight);
        const box = el => el.getBoundingClientRect();
        const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
        const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.top >= outer.top - 1
            && inner.right <= outer.right + 1 && inner.bottom <= outer.bottom + 1;
        const check = (selector, holder) => document.querySelectorAll(selector).forEach(el => {
            if (!el.getClientRects().length) return;  // not shown at this size
            const outer = holder ? box(el.closest(holder)) : screen;
            if (!inside(box(el), outer))
                out.push(selector + ' "' + el.textContent.trim().slice(0, 30) + '" sticks out of ' + (holder || 'the screen'));
        });
        check('.display-bar > *');
        check('.display-main > section');
        for (const part of ['.display-label', '.display-number', '.display-window', '.display-service'])
            check('.display-current ' + part, '.display-current');
        check('[data-recent] li', '.display-calls');
        for (const part of ['.call-number', '.call-window', '.display-tag'])
            check('[data-recent] li ' + part, 'li');
        check('[data-waiting] li', '.display-services');
        check('.display-services', '.display-waiting');
        return out;
    }""")
    assert found == [], f"{page.viewport_size}: {found}"


# -- 1. a call reaches the display ------------------------------------------------------------

def test_a_call_shows_at_once_and_is_announced_in_chinese(app, live_server, browser_page):
    page = open_display(browser_page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".display-current")).to_have_class("display-current is-idle")
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "connected")
    expect(page.locator("[data-connection-text]")).to_have_text(text(app, "Connected"))
    issue(live_server)
    issue(live_server)
    expect(page.locator('[data-waiting-for="EXAM"]')).to_have_text("2")
    window3 = clerk(live_server, 3)

    assert window3.call() == "A001"
    started = time.monotonic()
    expect(page.locator("[data-current-number]")).to_have_text("A001", timeout=1000)
    expect(page.locator("[data-current-window]")).to_have_text(
        "→ " + text(app, "Window %(no)s", no=3), timeout=1000)
    assert time.monotonic() - started < 1.0
    expect(page.locator(".display-current")).to_have_class("display-current is-new")
    assert recent(page) == [["A001", "3"]]
    expect(page.locator('[data-waiting-for="EXAM"]')).to_have_text("1")
    exam = next(s for s in truth(app)["services"] if s["code"] == EXAM)
    expect(page.locator("[data-current-service]")).to_have_text(exam["name"])
    # The real (headless) speech: chime, then an utterance that fails at once; announced once.
    page.wait_for_function("() => hallDisplay.spoken.length === 1")
    assert hook(page, "announced") == [ZH_A001_3]
    assert hook(page, "spoken") == [ZH_A001_3]
    assert_shows(page, truth(app), app)

    # A recall is a new call: announced again, marked in the list (the number still once).
    window3.move("recall")
    expect(page.locator("[data-recent] li").first.locator(".display-tag")).to_be_visible()
    expect(page.locator("[data-recent] li")).to_have_count(1)
    expect(page.locator("[data-current-tag]")).to_be_visible()
    expect(page.locator("[data-recent] li").first.locator(".display-tag")).to_have_text(text(app, "Recalled"))
    page.wait_for_function("() => hallDisplay.spoken.length === 2")
    assert hook(page, "announced") == [ZH_A001_3, ZH_A001_3]
    assert_shows(page, truth(app), app)


def test_calls_restored_from_a_snapshot_are_not_announced(app, live_server, browser_page):
    issue(live_server)
    clerk(live_server, 3).call()
    page = open_display(browser_page, live_server)
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    page.wait_for_timeout(500)
    assert hook(page, "announced") == []
    assert_shows(page, truth(app), app)


# -- 2. several windows in the same second ----------------------------------------------------

def test_simultaneous_calls_are_each_announced_once_in_order_never_cut_off(
        app, live_server, browser_page):
    page = browser_page
    fake_speech(page, voices=[EN_VOICE, ZH_VOICE])
    open_display(page, live_server)
    for _ in range(3):
        issue(live_server)
    clerks = [clerk(live_server, no) for no in (3, 4, 21)]
    seq = truth(app)["seq"]
    wait_seq(page, seq)

    go = threading.Barrier(len(clerks))
    called, errors = [], []

    def call(c: Clerk) -> None:
        try:
            go.wait(5)
            called.append(c.call())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=call, args=(c,)) for c in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors, errors
    assert sorted(called) == ["A001", "A002", "A003"]

    state = truth(app)
    calls_by_seq = sorted(state["calls"], key=lambda c: c["seq"])
    expected = [f"请 {c['number']} 号 到 {c['window']} 号窗口办理" for c in calls_by_seq]
    wait_seq(page, state["seq"])
    assert_shows(page, state, app)
    # Announced one after another, each once, in the order of the floor sequence.
    page.wait_for_function("() => hallDisplay.spoken.length === 3", timeout=15000)
    page.wait_for_timeout(1000)  # nothing more comes
    assert hook(page, "announced") == expected
    assert hook(page, "spoken") == expected
    speech = page.evaluate("window.__speech")
    assert [s["text"] for s in speech["started"]] == expected
    assert speech["finished"] == expected
    assert {s["lang"] for s in speech["started"]} == {"zh-CN"}
    assert {s["voice"] for s in speech["started"]} == {"Tingting"}
    assert speech["cancels"] == 0, "speechSynthesis.cancel() cut a call off"
    assert speech["overlaps"] == 0, "an announcement started while another was being spoken"


def test_without_a_chinese_voice_the_call_is_announced_in_english(live_server, browser_page):
    page = browser_page
    fake_speech(page, voices=[EN_VOICE])
    open_display(page, live_server)
    issue(live_server)
    clerk(live_server, 3).call()
    page.wait_for_function("() => hallDisplay.spoken.length === 1")
    assert hook(page, "announced") == ["Number A001, please go to window 3"]
    started = page.evaluate("window.__speech.started")
    assert started == [{"text": "Number A001, please go to window 3", "lang": "en-US",
                        "voice": "Samantha"}]


def test_until_sound_is_turned_on_the_display_works_silently(app, live_server, browser_page):
    page = browser_page
    fake_speech(page, voices=[ZH_VOICE])
    open_display(page, live_server, sound=False)
    button = page.locator("[data-sound-button]")
    expect(button).to_be_visible()
    expect(button).to_have_text(text(app, "Tap to turn on announcements"))
    issue(live_server)
    issue(live_server)
    window3 = clerk(live_server, 3)
    window3.call()
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    page.wait_for_timeout(300)
    assert hook(page, "announced") == []
    assert hook(page, "silenced") == [ZH_A001_3]
    assert page.evaluate("window.__speech.started") == []

    button.click()
    expect(button).to_be_hidden()
    window3.move("finish")
    window3.call()
    page.wait_for_function("() => hallDisplay.spoken.length === 1")
    assert hook(page, "announced") == ["请 A002 号 到 3 号窗口办理"]


def test_sound_wanted_but_blocked_by_the_browser_shows_the_button(live_server, browser_page):
    """Chromium as started for the tests (no autoplay flag) refuses sound until someone
    touches the page: ``?sound=on`` cannot override that, so the button comes back rather
    than leave the hall silent without anyone knowing."""
    page = browser_page
    page.goto(f"{live_server}/display/{HALL}?sound=on")
    page.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    expect(page.locator("[data-sound-button]")).to_be_visible(timeout=4000)
    assert hook(page, "sound") is False
    # A second display of the same hall stays silent and never asks.
    page.goto(f"{live_server}/display/{HALL}?sound=off")
    page.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    page.wait_for_timeout(1700)
    expect(page.locator("[data-sound-button]")).to_be_hidden()
    assert hook(page, "sound") is False


@pytest.fixture
def tv_page(chromium, page_log):
    """A page in Chromium started the way a hall's TV runs it (see README): sound without a
    touch. Watched like ``browser_page``."""
    tv = chromium.browser_type.launch(executable_path=CHROMIUM,
                                      args=CHROMIUM_ARGS + ["--autoplay-policy=no-user-gesture-required"])
    context = tv.new_context(viewport=LANDSCAPE, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    page = context.new_page()
    watch(page, page_log)
    yield page
    context.close()
    tv.close()
    page_log.assert_clean()


def test_tv_browser_speaks_without_a_touch(live_server, tv_page):
    page = tv_page
    page.goto(f"{live_server}/display/{HALL}?sound=on")
    page.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    page.wait_for_timeout(1700)  # the check that the browser really lets it play
    expect(page.locator("[data-sound-button]")).to_be_hidden()
    assert hook(page, "sound") is True
    issue(live_server)
    clerk(live_server, 3).call()
    page.wait_for_function("() => hallDisplay.spoken.length === 1")
    assert hook(page, "announced") == [ZH_A001_3]

    # Turned on once by a tap, remembered: the same TV restarted needs no second tap.
    page.goto(f"{live_server}/display/{HALL}")
    expect(page.locator("[data-sound-button]")).to_be_visible()
    page.locator("[data-sound-button]").click()
    page.reload()
    page.wait_for_function("() => window.hallDisplay && window.hallDisplay.seq !== null")
    page.wait_for_timeout(1700)
    expect(page.locator("[data-sound-button]")).to_be_hidden()
    assert hook(page, "sound") is True


# -- 3. offline and back --------------------------------------------------------------------

def test_a_display_back_from_offline_shows_exactly_the_current_state(app, live_server, browser_page):
    page = browser_page
    frames: list[str] = []
    sockets: list = []

    def watch_socket(ws) -> None:
        sockets.append(ws)
        ws.on("framesent", lambda payload: frames.append(payload if isinstance(payload, str) else ""))

    page.on("websocket", watch_socket)
    open_display(page, live_server)
    for _ in range(4):
        issue(live_server)
    window3, window4 = clerk(live_server, 3), clerk(live_server, 4)
    window3.call()
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    before = truth(app)
    wait_seq(page, before["seq"])
    page.evaluate("window.__sameDocument = 'still here'")
    states = hook(page, "states")

    page.context.set_offline(True)
    expect(page.locator("[data-connection]")).not_to_have_attribute("data-connection", "connected")
    window4.call()
    window3.move("finish")
    window3.call()
    issue(live_server)
    page.wait_for_timeout(1500)
    # While offline nothing arrived: the display still shows what it had.
    assert hook(page, "seq") == before["seq"]
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    assert recent(page) == [["A001", "3"]]
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "offline")

    page.context.set_offline(False)
    after = truth(app)
    assert after["seq"] > before["seq"] + 2
    wait_seq(page, after["seq"], timeout=15000)
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "connected")
    assert_shows(page, after, app)
    assert [c["number"] for c in after["calls"]] == ["A003", "A002", "A001"]
    assert page.evaluate("window.__sameDocument") == "still here", "the page was reloaded"
    assert hook(page, "states") == states + 1, "caught up from one fresh snapshot"
    assert len(sockets) >= 2, "the first connection was closed and a new one opened"
    assert sum('"join"' in f for f in frames) >= 2
    # Calls that happened while offline are shown, not announced late.
    assert hook(page, "announced") == ["请 A001 号 到 3 号窗口办理"]


def test_a_connection_that_goes_quiet_catches_up_when_it_breaks(app, live_server, browser_page):
    """No "offline" event this time: something between the TV and the server swallows every
    frame (a switch fails) until the connection finally breaks, as a ping timeout would
    break it. The frames lost meanwhile come back through the snapshot of the new
    connection, not through a replay."""
    page = browser_page
    quiet = {"on": False}
    routes: list = []

    def route(ws) -> None:
        server = ws.connect_to_server()
        routes.append((ws, server))
        ws.on_message(lambda message: None if quiet["on"] else server.send(message))
        server.on_message(lambda message: None if quiet["on"] else ws.send(message))

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    open_display(page, live_server)
    for _ in range(3):
        issue(live_server)
    window3, window4 = clerk(live_server, 3), clerk(live_server, 4)
    window3.call()
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    before = truth(app)
    wait_seq(page, before["seq"])
    page.evaluate("window.__sameDocument = 'still here'")

    quiet["on"] = True
    window4.call()
    window3.move("finish")
    window3.call()
    page.wait_for_timeout(1000)
    assert hook(page, "seq") == before["seq"]            # nothing got through
    expect(page.locator("[data-current-number]")).to_have_text("A001")

    quiet["on"] = False
    ws, server = routes[-1]
    ws.close(code=1006, reason="network failure")
    server.close()
    after = truth(app)
    wait_seq(page, after["seq"], timeout=15000)
    assert_shows(page, after, app)
    assert [c["number"] for c in after["calls"]] == ["A003", "A002", "A001"]
    assert page.evaluate("window.__sameDocument") == "still here"
    assert len(routes) == 2
    assert hook(page, "announced") == [ZH_A001_3]


# -- 4. a gap in the sequence ---------------------------------------------------------------

class Dropping:
    """The publisher's Socket.IO with one message lost on the way, as a network might."""

    def __init__(self, inner, lose) -> None:
        self.inner, self.lose, self.lost = inner, lose, []

    def emit(self, name, body, **kwargs):
        if not self.lost and self.lose(name, body):
            self.lost.append(body)
            return None
        return self.inner.emit(name, body, **kwargs)


def test_a_lost_message_makes_the_display_resync(app, live_server, browser_page, monkeypatch):
    page = browser_page
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on(
        "framesent", lambda payload: frames.append(payload if isinstance(payload, str) else "")))
    open_display(page, live_server)
    issue(live_server)
    window3 = clerk(live_server, 3)
    wait_seq(page, truth(app)["seq"])
    publisher = app.extensions["floor_publisher"]
    dropping = Dropping(publisher.socketio, lambda name, body: name == "called")
    monkeypatch.setattr(publisher, "socketio", dropping)

    window3.call()                     # this call's message is lost
    time.sleep(0.5)
    assert len(dropping.lost) == 1
    lost_seq = dropping.lost[0]["seq"]
    assert hook(page, "seq") == lost_seq - 1
    expect(page.locator("[data-current-number]")).to_have_text("")
    assert not any('"sync"' in f for f in frames)

    issue(live_server)                 # the next message shows the hole
    state = truth(app)
    wait_seq(page, state["seq"])
    assert any('"sync"' in f for f in frames), "the display did not ask for a snapshot"
    assert hook(page, "syncs") == 1
    assert_shows(page, state, app)
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    # The lost call came back through the snapshot: shown, not announced.
    assert hook(page, "announced") == []


def test_a_bogus_future_message_is_let_go_after_a_few_snapshots(app, live_server, browser_page):
    page = open_display(browser_page, live_server)
    issue(live_server)
    seq = truth(app)["seq"]
    wait_seq(page, seq)
    app.extensions["socketio"].emit("called", {
        "seq": seq + 100, "hall": HALL, "kind": "called", "at": "2026-01-01T00:00:00+00:00",
        "number": "Z999", "window_no": 9, "window": {"no": 9, "state": "open", "serving": "Z999"},
        "service": EXAM, "name": "x", "name_en": "x", "call_count": 1, "waiting": {EXAM: 42},
    }, namespace="/display", to=f"hall:{HALL}")
    page.wait_for_function("() => hallDisplay.syncs >= 1")
    window3 = clerk(live_server, 3)
    window3.call()                     # arrives while the display is still unsure
    page.wait_for_function("() => hallDisplay.syncs >= 4 && !hallDisplay.syncing", timeout=15000)
    state = truth(app)
    wait_seq(page, state["seq"])
    assert_shows(page, state, app)
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    assert "Z999" not in page.locator("body").inner_text()
    # And it follows the hall again.
    issue(live_server)
    wait_seq(page, truth(app)["seq"])
    assert_shows(page, truth(app), app)


# -- 5. a display over a group of windows -----------------------------------------------------

def test_window_filter_shows_and_announces_only_its_windows(app, live_server, browser_page):
    page = open_display(browser_page, live_server, "?windows=4")
    expect(page.locator(".display-scope")).to_have_text(
        text(app, "Windows %(windows)s", windows="4"))
    for _ in range(2):
        issue(live_server)
    clerk(live_server, 3).call()
    wait_seq(page, truth(app)["seq"])
    expect(page.locator(".display-current")).to_have_class("display-current is-idle")
    assert recent(page) == []
    expect(page.locator('[data-waiting-for="EXAM"]')).to_have_text("1")
    # Only the queues that window 4 serves are counted here.
    served = [s["code"] for s in truth(app)["services"] if 4 in s["windows"]]
    assert list(waiting_shown(page)) == served

    clerk(live_server, 4).call()
    expect(page.locator("[data-current-number]")).to_have_text("A002")
    expect(page.locator("[data-current-window]")).to_have_text(
        "→ " + text(app, "Window %(no)s", no=4))
    assert recent(page) == [["A002", "4"]]
    page.wait_for_function("() => hallDisplay.spoken.length === 1")
    page.wait_for_timeout(300)
    assert hook(page, "announced") == ["请 A002 号 到 4 号窗口办理"]
    assert hook(page, "seq") == truth(app)["seq"]


def test_window_filter_ranges_are_shown_compactly(app, live_server, browser_page):
    page = open_display(browser_page, live_server, "?windows=1-8,12", sound=False)
    expect(page.locator(".display-scope")).to_have_text(
        text(app, "Windows %(windows)s", windows="1–8, 12"))


# -- 6. English -----------------------------------------------------------------------------

def test_english_display(app, live_server, browser_page):
    page = open_display(browser_page, live_server, "?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".display-current .display-label")).to_contain_text("Now calling")
    expect(page.locator(".display-recent .display-label")).to_have_text("Recent calls")
    expect(page.locator(".display-waiting .display-label")).to_have_text("People waiting")
    expect(page.locator("[data-connection-text]")).to_have_text("Connected")
    state = truth(app)
    expect(page.locator(".display-hall")).to_have_text(state["name_en"])
    names = page.locator("[data-waiting] .service-name").all_inner_texts()
    assert names == [s["name_en"] for s in state["services"]]
    # Motion only for those who want it: the highlight of a new call stays, the animation goes.
    page.emulate_media(reduced_motion="reduce")
    issue(live_server)
    clerk(live_server, 3).call()
    expect(page.locator("[data-current-window]")).to_have_text("→ Window 3")
    expect(page.locator(".display-current")).to_have_class("display-current is-new")
    assert page.locator(".display-current").evaluate("el => getComputedStyle(el).animationName") == "none"
    expect(page.locator("[data-recent] li .call-window").first).to_have_text("Window 3")
    assert page.evaluate("new Intl.DateTimeFormat('en').resolvedOptions().locale").startswith("en")
    expect(page.locator("[data-date]")).to_contain_text("day")  # Monday … Sunday


# -- 7. the look ----------------------------------------------------------------------------

def busy_hall(live_server) -> None:
    """A morning in the hall: a queue for most services, eight calls and a recall."""
    services = requests.get(f"{live_server}/api/v1/halls/{HALL}/queue", timeout=5).json()["services"]
    for i, s in enumerate(services):
        for _ in range((i * 7) % 5 + (13 if s["code"] == EXAM else 0)):
            issue(live_server, s["code"])
    clerks = {no: clerk(live_server, no) for no in (3, 4, 21)}
    busy = set()
    for no in (3, 4, 21, 3, 4, 21, 3, 4):
        if no in busy:
            clerks[no].move("finish")
        busy.add(no)
        clerks[no].call()
    clerks[21].move("recall")


def test_screenshots_fit_the_tv_both_ways(app, live_server, browser_page, page_log):
    busy_hall(live_server)
    page = open_display(browser_page, live_server)
    state = truth(app)
    assert_shows(page, state, app)
    expect(page.locator("[data-recent] li")).to_have_count(8)
    expect(page.locator("[data-waiting] li")).to_have_count(len(state["services"]))
    assert len(state["services"]) >= 14
    # Read from 10 m: the number is at least a fifth of the screen's height.
    height = page.locator("[data-current-number]").bounding_box()["height"]
    assert height >= 200, height
    expect(page.locator("[data-date]")).to_contain_text("星期")
    page.mouse.move(0, 0)
    shot(page, "display-zh-1920x1080", full_page=False)
    assert_fits(page)
    page.set_viewport_size(PORTRAIT)
    shot(page, "display-zh-1080x1920", full_page=False)
    assert_fits(page)
    assert page_log.requests
    assert all(url.startswith(live_server + "/") or url.startswith(live_server.replace("http", "ws") + "/")
               for url in page_log.requests), page_log.requests


def test_english_screenshot_fits(app, live_server, browser_page):
    busy_hall(live_server)
    page = open_display(browser_page, live_server, "?lang=en")
    assert_shows(page, truth(app), app, "en")
    expect(page.locator("[data-recent] li")).to_have_count(8)
    shot(page, "display-en-1920x1080", full_page=False)
    assert_fits(page)
    page.set_viewport_size(PORTRAIT)
    shot(page, "display-en-1080x1920", full_page=False)
    assert_fits(page)



# -- what the floor shows, and where the one button goes ----------------------------------------

def pause(live_server, window: Clerk, reason: str = "午休") -> None:
    response = requests.post(f"{window.base}/pause", headers=window.headers,
                             json={"reason": reason}, timeout=5)
    assert response.status_code == 200, response.text


def test_a_paused_or_closed_window_no_longer_shows_as_calling(app, live_server, browser_page):
    for _ in range(3):
        issue(live_server)
    window3 = clerk(live_server, 3)
    page = open_display(browser_page, live_server, sound=False)
    assert window3.call() == "A001"
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    window3.move("finish")
    pause(live_server, window3)
    # Nobody else called: the display waits instead of calling A001 to a window on a break.
    expect(page.locator(".display-current")).to_have_class(re.compile(r"\bis-idle\b"))
    assert hook(page, "current") is None
    assert recent(page) == [["A001", "3"]]  # the call stays in the list below
    assert_shows(page, truth(app), app)
    page.reload()  # and from a fresh snapshot alike
    page.wait_for_function("() => window.hallDisplay && hallDisplay.seq !== null")
    expect(page.locator(".display-current")).to_have_class(re.compile(r"\bis-idle\b"))

    window3.move("open")  # back from the break
    expect(page.locator("[data-current-number]")).to_have_text("A001")
    assert window3.call() == "A002"
    expect(page.locator("[data-current-number]")).to_have_text("A002")
    window3.move("no-show")
    window3.move("close")
    expect(page.locator(".display-current")).to_have_class(re.compile(r"\bis-idle\b"))
    assert_shows(page, truth(app), app)


def test_the_recent_calls_show_each_number_once(app, live_server, browser_page):
    issue(live_server)
    issue(live_server)
    page = open_display(browser_page, live_server, sound=False)
    window3 = clerk(live_server, 3)
    window3.call()
    window3.move("recall")
    window3.move("recall")
    page.wait_for_function("() => hallDisplay.silenced.length === 3")
    assert recent(page) == [["A001", "3"]]
    window3.move("start")
    window3.move("finish")
    window3.call()
    window3.move("recall")
    page.wait_for_function("() => hallDisplay.silenced.length === 5")
    assert recent(page) == [["A002", "3"], ["A001", "3"]]
    state = truth(app)
    assert [c["number"] for c in state["calls"]] == ["A002", "A001"]
    assert state["calls"][0]["kind"] == "recalled"
    assert_shows(page, state, app)
    page.reload()
    page.wait_for_function("() => window.hallDisplay && hallDisplay.seq !== null")
    assert recent(page) == [["A002", "3"], ["A001", "3"]]


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_the_sound_button_sits_in_the_bar_never_over_the_floor(app, live_server, browser_page,
                                                               size):
    busy_hall(live_server)
    page = browser_page
    page.set_viewport_size(size)
    open_display(page, live_server, sound=False)
    button = page.locator("[data-sound-button]")
    expect(button).to_be_visible()
    overlaps = page.evaluate("""() => {
        const b = document.querySelector('[data-sound-button]').getBoundingClientRect();
        const bar = document.querySelector('.display-bar').getBoundingClientRect();
        const hit = r => !(r.right <= b.left || r.left >= b.right || r.bottom <= b.top || r.top >= b.bottom);
        const out = [...document.querySelectorAll('.display-main > section, [data-waiting] li, [data-recent] li')]
            .filter(el => hit(el.getBoundingClientRect())).map(el => el.className || el.tagName);
        if (b.top < bar.top - 1 || b.bottom > bar.bottom + 1) out.push('outside the bar');
        return out;
    }""")
    assert overlaps == []
    assert_fits(page)
    shot(page, f"display-sound-button-{size['width']}x{size['height']}", full_page=False)
