// Window console, on top of a page that works without it: every move form is sent with
// fetch (one at a time), function keys press the move buttons, and the page's <main> is
// refreshed from the server after a move or when the hall's live stream says something
// happened at this window. The templates stay the one source of the page's markup.
(function () {
  "use strict";
  var body = document.body;
  var hall = body.dataset.hall;
  var windowNo = parseInt(body.dataset.window, 10);
  var texts = HallPage.texts("console-texts");
  // F1 call next, F2 recall, F3 start, F4 finish, F6 no-show, F7 hold (types its reason),
  // F8 transfer, F9 undo the no-show just pressed.
  var KEYS = { F1: 1, F2: 1, F3: 1, F4: 1, F6: 1, F7: 1, F8: 1, F9: 1 };
  function main() { return document.querySelector("main.staff-main"); }
  function noop() {}

  // -- messages -------------------------------------------------------------------------------
  var fadeTimer = null;
  function flashBox() {
    var box = document.querySelector("[data-flashes]");
    if (!box) {
      box = document.createElement("div");
      box.className = "flashes";
      box.setAttribute("data-flashes", "");
      box.setAttribute("aria-live", "polite");
      body.insertBefore(box, main());
    }
    return box;
  }
  function fadeLater(box, ms) {
    clearTimeout(fadeTimer);
    fadeTimer = setTimeout(function () {
      box.querySelectorAll(".flash").forEach(function (p) { p.classList.add("fading"); });
      fadeTimer = setTimeout(function () { box.textContent = ""; }, 500);
    }, ms);
  }
  function flash(message, kind) {
    if (!message) return;
    var box = flashBox();
    var p = document.createElement("p");
    p.className = "flash flash-" + kind;
    p.setAttribute("role", kind === "ok" ? "status" : "alert");
    p.setAttribute("data-flash", kind);
    p.textContent = message;
    box.textContent = "";
    box.appendChild(p);
    fadeLater(box, kind === "ok" ? 5000 : 10000);
  }
  // Messages the server put on the page (the page without script) go away the same way.
  (function () {
    var box = document.querySelector("[data-flashes]");
    if (box && box.querySelector(".flash")) fadeLater(box, 10000);
  })();

  function toSignIn(url) {
    var target = new URL(url, location.href);
    target.searchParams.set("next", location.pathname);
    flash(texts.expired, "refused");
    setTimeout(function () { location.assign(target.href); }, 1200);
  }
  function isSignIn(response) {
    return response.redirected && /\/login$/.test(new URL(response.url).pathname);
  }

  // -- refreshing the page's main content ----------------------------------------------------
  // What the clerk was doing (focus, typed text) survives a refresh; the form just sent is
  // left as the server renders it (empty), since its move is done.
  function formKey(form) {
    var number = form.querySelector('input[type="hidden"][name="number"]');
    var move = form.getAttribute("data-move");
    // Forms per ticket (resume, call a sent one) are told apart by their number.
    return move === "resume" || move === "call-sent" ? move + "|" + (number ? number.value : "") : move;
  }
  function findForm(key) {
    var forms = main().querySelectorAll("form[data-move]");
    for (var i = 0; i < forms.length; i++) if (formKey(forms[i]) === key) return forms[i];
    return null;
  }
  function snapshot(skipForm) {
    var state = { focus: null, values: [] };
    var root = main();
    var active = document.activeElement;
    if (active && root.contains(active) && active.form && active.form.hasAttribute("data-move")) {
      state.focus = { form: formKey(active.form), name: active.name || null,
        tag: active.tagName, start: active.selectionStart, end: active.selectionEnd };
    }
    root.querySelectorAll("form[data-move]").forEach(function (form) {
      if (form === skipForm) return;
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.tagName === "BUTTON") return;
        var changed = el.tagName === "SELECT" ? el.selectedIndex > 0 : el.value !== el.defaultValue;
        if (changed) state.values.push({ form: formKey(form), name: el.name, value: el.value });
      });
    });
    if (skipForm && state.focus && state.focus.form === formKey(skipForm)) {
      state.focus.start = state.focus.end = null;
    }
    return state;
  }
  function restore(state) {
    state.values.forEach(function (v) {
      var form = findForm(v.form);
      var el = form && form.elements.namedItem(v.name);
      if (el && !el.disabled) el.value = v.value;
    });
    var f = state.focus;
    if (!f) return;
    var form = findForm(f.form);
    if (!form) return;
    var el = f.name ? form.elements.namedItem(f.name) : null;
    if (!el || !el.tagName) el = form.querySelector(f.tag === "BUTTON" ? "button" : "input:not([type=hidden]), select");
    if (!el || el.matches(":disabled")) return;
    el.focus({ preventScroll: true });
    if (f.start != null && typeof el.setSelectionRange === "function") {
      try { el.setSelectionRange(f.start, f.end); } catch (e) { /* not a text field */ }
    }
  }
  function swap(html, sentForm) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector("main.staff-main");
    var root = main();
    if (!fresh || !root) return;
    var state = snapshot(sentForm);
    root.replaceChildren.apply(root, Array.prototype.map.call(
      Array.prototype.slice.call(fresh.childNodes), function (n) { return document.adoptNode(n); }));
    if (doc.title) document.title = doc.title;
    restore(state);
    body.dispatchEvent(new CustomEvent("console:refreshed"));
  }

  var refreshing = null, again = null;
  function load(sentForm) {
    return fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin",
                                  cache: "no-store" })
      .then(function (response) {
        if (isSignIn(response)) { toSignIn(response.url); return null; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) { if (html) swap(html, sentForm); });
  }
  // One refresh at a time; asked again meanwhile, one more follows (never a stale last word).
  function refresh(sentForm) {
    if (!refreshing) {
      refreshing = load(sentForm).finally(function () { refreshing = null; });
      return refreshing;
    }
    if (!again) {
      again = refreshing.catch(noop).then(function () { again = null; return refresh(sentForm); });
    }
    return again;
  }

  // -- moves ----------------------------------------------------------------------------------
  // One move on its way at a time, whatever is clicked or pressed meanwhile: a double click or
  // a key pressed twice never sends a second call. The engine refuses one anyway (409).
  var inFlight = false;
  // Once the server has answered, the clerk sees the result: a press from then on is a new
  // press (kept for when the page has refreshed), no longer the second half of a double one.
  var answered = false;
  var inFlightKey = null, pendingKey = null;
  function setBusy(busy) {
    inFlight = busy;
    answered = false;
    if (!busy) inFlightKey = null;
    body.classList.toggle("is-busy", busy);
    var root = main();
    if (root) root.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function readAnswer(response) {
    if (isSignIn(response)) return { signIn: response.url };
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") >= 0) {
      return response.json().then(function (json) {
        return { ok: response.ok, message: json.message || json.title, code: json.code,
                 ticket: json.ticket || null };
      });
    }
    return response.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var title = doc.querySelector(".refusal h1");
      return { ok: false, message: title ? title.textContent.trim() : texts.unreachable,
               code: "http-" + response.status };
    });
  }

  function send(form, submitter) {
    setBusy(true);
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                                headers: { "Accept": "application/json" } })
      .then(readAnswer)
      .then(function (answer) {
        answered = true;
        if (answer.signIn) { toSignIn(answer.signIn); return null; }
        // "Nobody is waiting" is news, not a success: a call that called nobody.
        var called = /^call/.test(form.getAttribute("data-move"));
        if (answer.ok) flash(answer.message, called && !answer.ticket ? "info" : "ok");
        else flash(answer.message, answer.code === "window-busy" ? "busy" : "refused");
        return refresh(answer.ok ? form : null);
      }, function () {
        flash(texts.unreachable, "refused");
        return refresh().catch(noop);
      })
      .catch(noop)
      .then(function () {
        setBusy(false);
        // A different key pressed while this move was on its way acts now, on the fresh page.
        var key = pendingKey;
        pendingKey = null;
        if (key) press(key);
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-move]") || !window.fetch) return;
    event.preventDefault();
    if (inFlight) {
      // A click after the answer is shown: done once the page has refreshed.
      if (answered && keyOf(form)) pendingKey = keyOf(form);
      return;
    }
    inFlightKey = keyOf(form);
    send(form, event.submitter);
  });

  // The key that makes the same move as ``form``: every way of calling someone counts as F1,
  // so that F1 pressed while a click's call is on its way is a double press too.
  function keyOf(form) {
    var move = form.getAttribute("data-move") || "";
    if (/^call/.test(move) || move === "resume") return "F1";
    var button = form.querySelector("[data-key]");
    return button ? button.getAttribute("data-key") : null;
  }

  function press(key) {
    var target = main().querySelector('[data-key="' + key + '"]');
    if (!target || target.matches(":disabled")) return;
    // A field (the hold's reason, the transfer's service) is where the clerk types next.
    if (target.tagName === "SELECT" || target.tagName === "INPUT") { target.focus(); return; }
    var form = target.form;
    if (form.requestSubmit) form.requestSubmit(target); else target.click();
  }

  document.addEventListener("keydown", function (event) {
    if (!KEYS[event.key] || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();  // F1 help, F3 find, F7 caret browsing… are not what the clerk meant
    if (event.repeat) return;
    if (inFlight) {
      // The same key again before the answer is a double press: dropped. Another key, or
      // any key after the answer, is kept for when the move is done (finish, then call next).
      if (event.key !== inFlightKey || answered) pendingKey = event.key;
      return;
    }
    press(event.key);
  });

  // -- clocks on the page: the no-show's undo runs out, held visitors' minutes go up ---------
  // Times are the hall's (its clock may be set for training): the page says what time it was
  // on the server when it was made, and the difference to this computer's clock is kept.
  var undoTimer = null, skew = 0;
  function hallNow() { return Date.now() + skew; }
  function watchClocks(fresh) {
    var root = main();
    if (!root) return;
    var stamp = root.querySelector("[data-now]");
    if (fresh && stamp) skew = new Date(stamp.getAttribute("data-now")).getTime() - Date.now();
    var bar = root.querySelector("[data-undo-until]");
    clearTimeout(undoTimer);
    if (bar) {
      var left = new Date(bar.getAttribute("data-undo-until")).getTime() - hallNow();
      undoTimer = setTimeout(function () { bar.remove(); }, Math.max(0, left));
    }
    root.querySelectorAll("[data-held-since]").forEach(function (el) {
      var since = el.getAttribute("data-held-since");
      if (!since) return;
      var minutes = Math.max(0, Math.floor((hallNow() - new Date(since).getTime()) / 60000));
      el.textContent = (texts.held_for || "{n}").replace("{n}", String(minutes));
    });
  }
  body.addEventListener("console:refreshed", function () { watchClocks(true); });
  setInterval(function () { watchClocks(false); }, 30000);
  watchClocks(true);

  // -- live: the hall's floor stream ----------------------------------------------------------
  var setLive = HallPage.liveIndicator(texts);

  function setCounts(waiting) {
    var root = main();
    if (!root || !waiting) return;
    root.querySelectorAll("[data-waiting-for]").forEach(function (el) {
      var code = el.getAttribute("data-waiting-for");
      if (!(code in waiting)) return;
      var value = String(waiting[code]);
      if (el.textContent !== value) {
        el.textContent = value;
        el.classList.remove("changed");
        void el.offsetWidth;  // restart the animation
        el.classList.add("changed");
      }
    });
    var here = root.querySelector("[data-waiting-here]");
    if (here) {
      var sum = 0;
      root.querySelectorAll("[data-queues] [data-waiting-for]").forEach(function (el) {
        sum += parseInt(el.textContent, 10) || 0;
      });
      here.textContent = String(sum);
    }
  }

  function concernsThisWindow(m) {
    return (m.window && m.window.no === windowNo) || m.window_no === windowNo ||
      (m.kind === "transferred" && m.to_window === windowNo);
  }

  // A move on its way refreshes the page when its answer is in, which is after this event
  // was committed: no need to refresh twice.
  function liveRefresh() { if (!inFlight) refresh().catch(noop); }

  var lastSeq = null;
  function onFloor(m) {
    if (!m || (m.hall && m.hall !== hall)) return;
    if (lastSeq !== null && typeof m.seq === "number") {
      if (m.seq <= lastSeq) return;  // already in the snapshot
      // A `counts` message stands for tickets taken, numbered `from`..`seq`.
      var gap = (typeof m.from === "number" ? m.from : m.seq) > lastSeq + 1;
      lastSeq = m.seq;
      if (gap) { setCounts(m.waiting); liveRefresh(); return; }
    }
    setCounts(m.waiting);
    if (concernsThisWindow(m)) {
      if (m.kind === "transferred" && m.to_window === windowNo && m.number) {
        flash((texts.sent_here || "").replace("{number}", m.number), "info");
      }
      liveRefresh();
    }
  }

  if (window.io && hall) {
    setLive("connecting");
    // The staff namespace, as the signed-in clerk: the floor's messages without the
    // device registration that wall displays need.
    var socket = window.io("/staff", { transports: ["websocket", "polling"],
                                       path: body.dataset.socketPath || "/socket.io" });
    socket.on("connect", function () {
      setLive("on"); socket.emit("follow_floor", { hall: hall });
    });
    socket.on("disconnect", function () { setLive("off"); });
    socket.on("connect_error", function () { setLive("off"); });
    // The snapshot on every (re)connect: counts from it, and the window as it is now,
    // whatever happened while the page was loading or the connection was down.
    socket.on("state", function (state) {
      lastSeq = typeof state.seq === "number" ? state.seq : null;
      var waiting = {};
      (state.services || []).forEach(function (s) { waiting[s.code] = s.waiting; });
      setCounts(waiting);
      liveRefresh();
    });
    socket.on("called", onFloor);
    socket.on("queue", onFloor);
    socket.on("counts", onFloor);
    window.hallConsole = { socket: socket, refresh: refresh,
                           get busy() { return inFlight; }, get seq() { return lastSeq; } };
  }
})();
