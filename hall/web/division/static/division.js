// Division console, on top of pages that work without it: when the hall's /staff stream says
// a case moved, the inbox reloads its table in place (filters and scroll kept); the case page
// reloads itself when that case moved, unless the clerk is typing, in which case it says so.
(function () {
  "use strict";
  var body = document.body;
  var hall = body.dataset.hall;
  var mode = body.dataset.liveRefresh;
  var caseId = parseInt(body.dataset.case || "", 10);
  // The case page shows the case up to this event: its own move's echo is not news.
  var lastEvent = parseInt(body.dataset.lastEvent || "0", 10);
  var texts = HallPage.texts("division-texts");

  var setLive = HallPage.liveIndicator(texts);

  // -- the inbox: the table is fetched again and swapped; rows new since are highlighted ------
  var loading = null, again = false;
  function reloadInbox() {
    if (loading) { again = true; return; }
    var before = {};
    document.querySelectorAll("[data-inbox] tr[data-case]").forEach(function (tr) {
      before[tr.getAttribute("data-case")] = tr.getAttribute("data-warning");
    });
    loading = fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin",
                                     cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-inbox]");
        var here = document.querySelector("[data-inbox]");
        if (!fresh || !here) return;
        here.replaceChildren.apply(here, Array.prototype.map.call(
          Array.prototype.slice.call(fresh.childNodes), function (n) { return document.adoptNode(n); }));
        here.querySelectorAll("tr[data-case]").forEach(function (tr) {
          var id = tr.getAttribute("data-case");
          if (before[id] !== tr.getAttribute("data-warning")) tr.classList.add("fresh");
        });
        body.dispatchEvent(new CustomEvent("inbox:refreshed"));
      })
      .catch(function () { /* the next event or a reload tries again */ })
      .then(function () {
        loading = null;
        if (again) { again = false; reloadInbox(); }
      });
  }

  // -- the case page ------------------------------------------------------------------------
  function typing() {
    var fields = document.querySelectorAll(".case-action input:not([type=hidden]), .case-action textarea");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "radio" ? f.checked : f.value !== f.defaultValue) return true;
    }
    return false;
  }
  // A form on its way is a page about to be replaced: reloading now would cancel its answer.
  var leaving = false;
  document.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });
  function caseChanged() {
    if (leaving) return;
    if (!typing()) { location.reload(); return; }
    var box = document.querySelector("[data-flashes]");
    if (!box || box.querySelector("[data-changed]")) return;
    var p = document.createElement("p");
    p.className = "flash flash-info";
    p.setAttribute("role", "status");
    p.setAttribute("data-changed", "");
    p.textContent = texts.changed || "";
    box.appendChild(p);
  }

  function onCase(m) {
    if (!m || (m.hall && m.hall !== hall)) return;
    if (mode === "inbox") reloadInbox();
    else if (mode === "case" && m.case_id === caseId && !(m.id <= lastEvent)) caseChanged();
  }

  if (window.io && hall && mode) {
    setLive("connecting");
    var socket = window.io("/staff", { transports: ["websocket", "polling"],
                                       path: body.dataset.socketPath || "/socket.io" });
    socket.on("connect", function () {
      setLive("on");
      socket.emit("join", { hall: hall });
    });
    socket.on("disconnect", function () { setLive("off"); });
    socket.on("connect_error", function () { setLive("off"); });
    // Whatever moved while the connection was down is caught up on reconnect.
    var connectedOnce = false;
    socket.on("joined", function () {
      if (connectedOnce && mode === "inbox") reloadInbox();
      connectedOnce = true;
    });
    socket.on("case", onCase);
    window.hallDivision = { socket: socket, reload: reloadInbox };
  }
})();
