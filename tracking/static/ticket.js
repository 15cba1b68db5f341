/* The live ticket on the phone (/t/<service number>): follows the ticket over the /ticket
   Socket.IO namespace (SPEC §7) and keeps the page as the server sees it. The page is right
   without this script; the script only keeps it right as things change, and alerts the
   visitor a few people before the turn and at the call. */
(function () {
  "use strict";
  var card = document.querySelector("[data-live-ticket]");
  if (!card || typeof io === "undefined") { return; }
  var d = card.dataset;
  var line = card.querySelector("[data-status-line]");
  var windowBox = card.querySelector("[data-window]");
  var windowNo = card.querySelector("[data-window-no]");
  var waitLine = card.querySelector("[data-wait-line]");
  var awayNote = card.querySelector("[data-away-note]");
  var note = card.querySelector("[data-live-note]");
  var button = card.querySelector("[data-notify-button]");
  var notifyAhead = parseInt(d.notifyAhead, 10);
  var last = null;          // the last message applied
  var nearlyTold = parseInt(d.ahead, 10) <= notifyAhead && d.status === "waiting";
  var calledTold = d.status === "called";
  var audio = null;

  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function chime(times) {
    if (!audio) { return; }
    for (var i = 0; i < times; i += 1) {
      var osc = audio.createOscillator(), gain = audio.createGain(), at = audio.currentTime + i * 0.45;
      osc.frequency.value = i % 2 ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.4);
      osc.connect(gain).connect(audio.destination);
      osc.start(at); osc.stop(at + 0.42);
    }
  }

  function alertVisitor(text, strong) {
    if (navigator.vibrate) { navigator.vibrate(strong ? [400, 150, 400, 150, 400] : [250, 100, 250]); }
    chime(strong ? 3 : 2);
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification(d.tTitle, { body: text, tag: "ticket-" + d.serviceNo }); } catch (e) { /* not on this browser */ }
    }
  }

  function apply(s) {
    card.className = card.className.replace(/status-\w+/, "status-" + s.status);
    var text;
    if (s.status === "waiting") {
      text = s.ahead ? say(d.tWaiting, { ahead: s.ahead }) : d.tNext;
    } else {
      // data-t-no_show is dataset.tNo_show: only a dash and letter are joined
      text = say(d["t" + s.status.charAt(0).toUpperCase() + s.status.slice(1)] || "",
                 { window: s.window });
    }
    line.textContent = text;
    windowBox.hidden = !s.window;
    windowNo.textContent = s.window || "";
    waitLine.hidden = s.status !== "waiting";
    // Taken from home and not checked in yet: "away" is only in the message while true.
    awayNote.hidden = !(s.status === "waiting" && s.away);
    if (s.status === "waiting") {
      waitLine.textContent = s.wait_minutes === null ? d.tNoWait : say(d.tWait, { minutes: s.wait_minutes });
    }
    if (s.status === "called") { line.setAttribute("role", "alert"); } else { line.removeAttribute("role"); }
    if (s.status === "called" && !calledTold) {
      calledTold = true;
      alertVisitor(text, true);
    } else if (s.status === "waiting" && s.nearly && !nearlyTold) {
      nearlyTold = true;
      alertVisitor(say(d.tNearly, { ahead: s.ahead }), false);
    }
    last = s;
  }

  var socket = io("/ticket", { transports: ["websocket", "polling"] });
  function follow() { socket.emit("follow", { service_no: d.serviceNo, access_code: d.code }); }
  socket.on("connect", function () { note.textContent = d.tLive; follow(); });
  socket.on("disconnect", function () { note.textContent = d.tOffline; });
  socket.on("state", function (s) { apply(s); });
  socket.on("ticket", function (s) {
    if (last && s.seq <= last.seq) { return; }          // old news
    if (last && s.seq !== last.seq + 1) { follow(); return; }  // a gap: the whole state again
    apply(s);
  });
  socket.on("error", function (e) {
    if (e && e.code === "not-found") { note.textContent = d.tGone; socket.close(); }
  });
  window.hallTicket = { socket: socket };  // for the tests, as window.hallDisplay
  // After the phone slept the socket may be dead without knowing: follow again on return.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (socket.connected) { follow(); } else { socket.connect(); }
    }
  });

  if (window.Notification || window.AudioContext || window.webkitAudioContext) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx && !audio) { audio = new Ctx(); }       // sound may start only after a tap
      if (window.Notification && Notification.permission === "default") {
        Notification.requestPermission();
      }
      button.hidden = true;
    });
  }
}());
