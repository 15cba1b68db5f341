// Kiosk behaviour on top of pages that work without it: the clock, one submit per tap,
// live waiting counts, printing, and the way back to the start screen.
(function () {
  "use strict";
  var body = document.body;

  function two(n) { return (n < 10 ? "0" : "") + n; }
  // The hall's time, as the page was served (HALL_CLOCK, in the hall's zone), run on here.
  var clockEl = document.querySelector("[data-clock]");
  var skew = clockEl && clockEl.dataset.hallNow ? Number(clockEl.dataset.hallNow) - Date.now() : 0;
  var zone = clockEl && clockEl.dataset.utcOffset ? Number(clockEl.dataset.utcOffset) : 0;
  function tick() {
    if (!clockEl) return;
    var d = new Date(Date.now() + skew + zone * 60000);  // read in UTC: the hall's wall time
    clockEl.textContent = d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" +
      two(d.getUTCDate()) + " " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }
  tick();
  setInterval(tick, 10000);

  // A second tap while the first is on its way would be harmless (the page's request key
  // makes the server answer with the same ticket), but it must not look like a second one.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      var chosen = event.submitter;
      if (chosen && chosen.name) {
        var carry = document.createElement("input");
        carry.type = "hidden"; carry.name = chosen.name; carry.value = chosen.value;
        carry.setAttribute("data-carried", "");
        form.appendChild(carry);
      }
      var buttons = form.querySelectorAll("button");
      setTimeout(function () {
        buttons.forEach(function (b) { b.disabled = true; });
      }, 0);
      // No answer after a while (a slow or broken network): let the visitor tap again
      // rather than leave a dead screen; the request key still makes it the same ticket.
      setTimeout(function () {
        delete form.dataset.sent;
        form.querySelectorAll("input[data-carried]").forEach(function (i) { i.remove(); });
        buttons.forEach(function (b) { b.disabled = false; });
      }, 10000);
    });
  });
  // Back on this page from the browser's history: its buttons must work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.reset();  // the last visitor's priority is not the next one's
      delete form.dataset.sent;
      form.querySelectorAll("input[data-carried]").forEach(function (i) { i.remove(); });
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  });

  // The appointment screen: the keypad types into the code field, and the field keeps the
  // focus through it, so that a scanner (a keyboard to the browser) may type at any moment.
  var codeField = document.querySelector("[data-code-field]");
  if (codeField) {
    document.querySelectorAll(".keypad button").forEach(function (key) {
      // A tap would move the focus onto the key; it stays in the field instead.
      key.addEventListener("pointerdown", function (event) { event.preventDefault(); });
      key.addEventListener("click", function () {
        if (key.hasAttribute("data-key-back")) codeField.value = codeField.value.slice(0, -1);
        else if (key.hasAttribute("data-key-clear")) codeField.value = "";
        else if (codeField.value.length < codeField.maxLength) codeField.value += key.dataset.key;
        codeField.focus();
      });
    });
    // The scanner types while the focus is elsewhere (a key, the page itself): its text
    // goes into the field all the same. Keyboard users keep moving between keys with Tab.
    document.addEventListener("keydown", function (event) {
      if (event.target === codeField || event.ctrlKey || event.altKey || event.metaKey) return;
      if (event.key.length === 1 && event.key !== " ") codeField.focus();
    }, true);
  }

  var queueUrl = body.dataset.queueUrl;
  function refreshCounts() {
    fetch(queueUrl, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (q) {
        if (!q) return;
        q.services.forEach(function (s) {
          var el = document.querySelector('[data-waiting-for="' + s.code + '"]');
          if (el) el.textContent = s.waiting;
        });
      })
      .catch(function () { /* offline for a moment: keep the last counts */ });
  }
  if (queueUrl) setInterval(refreshCounts, 15000);

  // A screen left alone goes back to the clean start for the next visitor: Chinese, normal
  // type, no priority chosen. Untouched for `data-idle-seconds`, a screen that is not the
  // clean start (another language or size in its address, a refusal, a choice made on the
  // form) is replaced by a fresh start page from the server; nothing is kept in the browser.
  var idleHome = body.dataset.idleHome;
  var idleSeconds = parseInt(body.dataset.idleSeconds || "60", 10);
  function chosen() {
    return Array.prototype.some.call(document.querySelectorAll("form input"), function (i) {
      return (i.type === "radio" || i.type === "checkbox") && i.checked !== i.defaultChecked;
    });
  }
  function clean() { return location.pathname + location.search === idleHome && !chosen(); }
  if (idleHome && !body.dataset.returnUrl) {
    var idle;
    var arm = function () {
      clearTimeout(idle);
      idle = setTimeout(function () {
        if (clean()) { arm(); return; }
        ["pointerdown", "keydown", "change"].forEach(function (e) { document.removeEventListener(e, arm, true); });
        location.replace(idleHome);
      }, idleSeconds * 1000);
    };
    ["pointerdown", "keydown", "change"].forEach(function (e) { document.addEventListener(e, arm, true); });
    arm();
  }

  var returnUrl = body.dataset.returnUrl;
  if (returnUrl) {
    var left = parseInt(body.dataset.returnSeconds || "20", 10);
    var countdown = document.querySelector("[data-countdown]");
    var show = function () { if (countdown) countdown.textContent = "(" + Math.max(left, 0) + ")"; };
    show();
    var countdownTimer = setInterval(function () {
      left -= 1;
      show();
      if (left > 0) return;
      clearInterval(countdownTimer);  // once: a second navigation would cancel the first
      location.replace(returnUrl);
    }, 1000);
  }

  function printFrame(frame) {
    try { frame.contentWindow.focus(); frame.contentWindow.print(); return true; }
    catch (e) { return false; }
  }
  document.querySelectorAll("[data-print]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var frame = document.querySelector("iframe.ticket-pdf");
      if (!frame) return;
      event.preventDefault();
      if (frame.getAttribute("src")) { if (!printFrame(frame)) window.open(link.href); return; }
      frame.addEventListener("load", function () { if (!printFrame(frame)) window.open(link.href); }, { once: true });
      frame.setAttribute("src", link.href);
    });
  });
  // The start screen follows the opening hours (hall/hours.py): a closed hall looks again
  // every minute, an open one shows the closing once its last ticket has gone. A script, not
  // a meta refresh: a page that reloads itself is a trap for screen readers (WCAG 2.2.1).
  var reloadAfter = parseInt(body.dataset.reloadAfter || "0", 10);
  if (reloadAfter > 0) {
    setTimeout(function () { location.reload(); }, reloadAfter * 1000);
  }

  if (body.hasAttribute("data-autoprint")) {
    var frame = document.querySelector("iframe.ticket-pdf");
    if (frame) frame.addEventListener("load", function () { printFrame(frame); }, { once: true });
  }
})();
