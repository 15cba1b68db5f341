// The rating device on a window's counter: keeps the page on the visit the window finished
// last. It listens to the hall's floor events (the public /display namespace) and, whenever
// one concerns its window (a finish, a call, a no-show…), fetches its own page again and
// takes the device's section from it: the server alone decides what may be rated. The offer
// also leaves the screen when its time is up, and a thank-you goes back to waiting.
(function () {
  "use strict";
  var section = document.querySelector("[data-device]");
  if (!section || typeof fetch !== "function") return;
  var hall = section.dataset.hall;
  var windowNo = Number(section.dataset.window);
  var pageUrl = section.dataset.page;
  var THANKS_MS = 8000;      // a thank-you (or a refusal) stays this long
  var POLL_MS = 15000;       // without a live connection: look now and then
  var expiry = null, back = null, poll = null, inFlight = null, again = false;
  var thanking = false;      // a thank-you (or refusal) is on screen and its time not up
  var log = { fetches: 0, swaps: 0 };

  function arm(current) {
    clearTimeout(expiry);
    clearTimeout(back);
    // The server said how many seconds the offer has left: take it off on time.
    if (current.dataset.offerSeconds) {
      expiry = setTimeout(refresh, Number(current.dataset.offerSeconds) * 1000);
    }
    thanking = current.hasAttribute("data-message");
    if (thanking) back = setTimeout(function () { thanking = false; refresh(); }, THANKS_MS);
  }

  function swap(fresh) {
    var current = document.querySelector("[data-device]");
    // The page that thanks the visitor also connects and asks the server at once, which
    // answers "nothing to rate": the thank-you stays its time all the same, unless the
    // window has finished a new visit meanwhile.
    if (thanking && !fresh.dataset.ticket) return;
    // The same visit still offered: keep the page as it is (a comment being typed stays).
    if (fresh.dataset.ticket && fresh.dataset.ticket === current.dataset.ticket &&
        !current.hasAttribute("data-message")) {
      current.dataset.offerSeconds = fresh.dataset.offerSeconds || "";
      arm(current);
      return;
    }
    current.replaceWith(fresh);
    log.swaps += 1;
    arm(fresh);
  }

  function refresh() {
    if (inFlight) { again = true; return inFlight; }
    log.fetches += 1;
    inFlight = fetch(pageUrl, { cache: "no-store", credentials: "same-origin",
                                headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-device]");
        if (fresh) swap(document.importNode(fresh, true));
      })
      .catch(function () { /* offline for a moment: the next event or poll tries again */ })
      .then(function () {
        inFlight = null;
        if (again) { again = false; refresh(); }
      });
    return inFlight;
  }

  function concernsMe(message) {
    if (!message) return false;
    if (message.window_no === windowNo) return true;
    return !!(message.window && message.window.no === windowNo);
  }

  arm(section);
  if (typeof io !== "function") { poll = setInterval(refresh, POLL_MS); return; }
  var socket = io("/display", {
    transports: ["websocket", "polling"],
    path: section.dataset.socketPath || "/socket.io",
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000
  });
  socket.on("connect", function () {
    clearInterval(poll);
    socket.emit("join", { hall: hall, windows: [windowNo] });
  });
  // Joined (or back after a cut): whatever happened meanwhile, ask the server. A gap in
  // the hall's sequence may hide a move of this window: ask too.
  var lastSeq = null;
  function heard(m) {
    // A `counts` message stands for tickets taken, numbered `from`..`seq`.
    var first = typeof m.from === "number" ? m.from : m.seq;
    var gap = lastSeq !== null && typeof m.seq === "number" && first > lastSeq + 1;
    if (typeof m.seq === "number") lastSeq = Math.max(lastSeq || 0, m.seq);
    if (gap || concernsMe(m)) refresh();
  }
  socket.on("state", function (state) { lastSeq = state && state.seq; refresh(); });
  socket.on("called", heard);
  socket.on("queue", heard);
  socket.on("counts", heard);
  socket.on("disconnect", function () {
    clearInterval(poll);
    poll = setInterval(refresh, POLL_MS);
  });

  window.ratingDevice = Object.freeze({
    get connected() { return socket.connected; },
    get fetches() { return log.fetches; },
    get swaps() { return log.swaps; },
    get offered() {
      var current = document.querySelector("[data-device]");
      return current.dataset.ticket || null;
    }
  });
})();
