// The dashboard's devices panel (templates/dashboard/_devices.html), redrawn from every live
// snapshot that dashboard.js receives: the hall's devices with their last sighting and
// today's tickets, and today's alerts of a device issuing unusually fast.
(function () {
  "use strict";
  var texts = HallPage.texts("device-panel-texts");
  var dash = window.hallDashboard;
  if (!dash || !dash.socket) return;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
  }
  function hallTime(iso, zone, seconds) {
    var options = { timeZone: zone, hour12: false, hour: "2-digit", minute: "2-digit" };
    if (seconds) options.second = "2-digit";
    try { return new Date(iso).toLocaleTimeString("en-GB", options); }
    catch (e) { return new Date(iso).toLocaleTimeString("en-GB", { hour12: false }); }
  }

  dash.socket.on("dashboard", function (snap) {
    var panel = document.querySelector('[data-panel="devices"][data-hall="' + snap.hall + '"]');
    if (!panel || !snap.devices) return;
    var rows = snap.devices.map(function (d) {
      var kind = (texts.kinds || {})[d.kind] || d.kind;
      if (d.window_no) kind += " · " + fill(texts.window, { no: d.window_no });
      return el("tr", { "data-device": String(d.id) }, [
        el("td", {}, [kind]), el("td", {}, [d.name]),
        el("td", {}, [d.last_seen_at ? hallTime(d.last_seen_at, snap.timezone) : "—"]),
        el("td", { "class": "num", "data-tickets": "" }, [d.kind === "kiosk" ? String(d.tickets_today) : "—"]),
        el("td", {}, [el("span", { "class": "badge " + (d.locked ? "badge-paused" : "badge-open") },
                         [d.locked ? texts.locked : texts.in_use])])]);
    });
    if (!rows.length) rows = [el("tr", { "class": "empty" }, [el("td", { colspan: "5", "class": "muted" }, [texts.none])])];
    panel.querySelector('[data-rows="devices"]').replaceChildren.apply(
      panel.querySelector('[data-rows="devices"]'), rows);
    var alerts = snap.device_alerts.map(function (a) {
      return el("li", { "data-alert": "" }, [hallTime(a.at, snap.timezone, true) + " · " + fill(texts.alert, a)]);
    });
    var list = panel.querySelector('[data-rows="device-alerts"]');
    list.replaceChildren.apply(list, alerts);
    panel.querySelector('[data-figure="device_alerts"]').textContent = String(alerts.length);
  });
})();
