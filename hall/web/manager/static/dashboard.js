// The manager's dashboard, on top of a page that is complete without it: the page watches its
// hall (or, for a provincial manager, every hall on the page) on the /staff stream, gets a
// snapshot at once and after every burst of the hall's events, and redraws the figures,
// tables and charts in place. No polling: a lost connection shows "offline" and catches up on
// reconnect with a fresh snapshot.
(function () {
  "use strict";
  var body = document.body;
  var halls = (body.dataset.halls || "").split(/\s+/).filter(Boolean);
  var english = body.dataset.lang === "en";
  var casesUrl = body.dataset.casesUrl || "";
  var texts = HallPage.texts("dashboard-texts");

  var setLive = HallPage.liveIndicator(texts);

  // -- figures as the server writes them (templates/dashboard/_macros.html) -----------------
  function minutes(v) { return v === null || v === undefined ? "—" : String(v); }
  function decimal(v) { return v === null || v === undefined ? "—" : Number(v).toFixed(1); }
  function rate(v) { return v === null || v === undefined ? "—" : Math.round(v * 100) + "%"; }
  function named(o) { return english && o.name_en ? o.name_en : o.name_zh; }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  // The hall's own clock, whatever the zone of the manager's computer.
  function clockTime(iso, snap) {
    try {
      return new Date(iso).toLocaleTimeString("en-GB", { timeZone: snap.timezone, hour12: false });
    } catch (e) { return new Date(iso).toLocaleTimeString("en-GB", { hour12: false }); }
  }
  var FIGURES = {
    issued: String, waiting: String, finished: String, open_windows: String, yellow: String,
    red: String, ratings: String, followups_open: String, followups_red: String,
    extensions_pending: String,
    longest_wait_min: minutes, avg_wait_min: decimal, avg_service_min: decimal,
    rating_avg: decimal, no_show_rate: rate, at: clockTime
  };

  function countLink(n, warning, division, handler) {
    if (!n) return "0";
    var href = casesUrl + "?warning=" + warning + "&division=" + encodeURIComponent(division);
    if (handler) href += "&handler=" + encodeURIComponent(handler);
    var attrs = { "class": "count " + warning, href: href };
    if (warning === "red") attrs["data-red"] = "";
    return el("a", attrs, [String(n)]);
  }

  function fill(tbody, rows, columns, emptyText) {
    if (!tbody) return;
    var fresh = rows.map(function (row) { return row; });
    if (!fresh.length && emptyText !== undefined) {
      tbody.replaceChildren(el("tr", { "class": "empty" }, [el("td", { colspan: String(columns), "class": "muted" }, [emptyText])]));
      return;
    }
    tbody.replaceChildren.apply(tbody, fresh);
  }

  function drawChart(svg, values) {
    if (!svg) return;
    var plot = parseFloat(svg.getAttribute("data-plot"));
    var baseline = parseFloat(svg.getAttribute("data-baseline"));
    var top = Math.max.apply(null, values.concat([0])) || 1;
    values.forEach(function (value, i) {
      var g = svg.querySelector('g[data-i="' + i + '"]');
      if (!g) return;
      var h = Math.round(value / top * plot * 10) / 10;
      var rect = g.querySelector("rect");
      rect.setAttribute("y", baseline - h);
      rect.setAttribute("height", h);
      var label = g.querySelector(".chart-value");
      label.setAttribute("y", baseline - h - 3);
      label.textContent = value ? String(value) : "";
      var title = g.querySelector("title");
      if (title) title.textContent = title.textContent.replace(/: \d+$/, ": " + value);
    });
  }

  function render(snap) {
    var scope = document.querySelector('[data-snapshot="' + snap.hall + '"]');
    if (!scope) return;
    Object.keys(FIGURES).forEach(function (name) {
      scope.querySelectorAll('[data-figure="' + name + '"]').forEach(function (node) {
        node.textContent = FIGURES[name](snap[name], snap);
      });
    });
    // The appointments panel (templates/dashboard/_appointments.html).
    var formats = { decimal: decimal, rate: rate };
    scope.querySelectorAll("[data-appointment]").forEach(function (node) {
      var format = formats[node.getAttribute("data-format")] || String;
      if (snap.appointments) node.textContent = format(snap.appointments[node.getAttribute("data-appointment")]);
    });
    // The channels panel (templates/reports/_channels.html): a figure of a row, or beside it.
    (snap.channels || []).forEach(function (row) {
      var tr = scope.querySelector('[data-channel-row="' + row.channel + '"]');
      if (!tr) return;
      tr.querySelectorAll("[data-channel-figure]").forEach(function (node) {
        var name = node.getAttribute("data-channel-figure");
        var value = name in row ? row[name] : (row.details || {})[name];
        node.textContent = value === null || value === undefined ? "—" : String(value);
      });
    });
    // A warning figure is coloured only when there is something to look at: 0 is not red.
    scope.querySelectorAll("[data-alert]").forEach(function (node) {
      var figure = node.matches("[data-figure]") ? node : node.querySelector("[data-figure]");
      if (figure) node.classList.toggle("count-zero", !snap[figure.getAttribute("data-figure")]);
    });
    var noDivision = (scope.querySelector('[data-rows="divisions"] tr.empty td') || {}).textContent;
    fill(scope.querySelector('[data-rows="services"]'), snap.services.map(function (s) {
      return el("tr", { "data-service": s.code, "class": s.waiting ? "busy" : "" }, [
        el("td", {}, [el("span", { "class": "mono" }, [s.prefix]), " " + named(s)]),
        el("td", { "class": "num", "data-waiting": "" }, [String(s.waiting)]),
        el("td", { "class": "num" }, [minutes(s.longest_wait_min)]),
        el("td", { "class": "num" }, [String(s.issued)]),
        el("td", { "class": "num" }, [decimal(s.avg_wait_min)])]);
    }), 5);
    fill(scope.querySelector('[data-rows="windows"]'), snap.windows.map(function (w) {
      var state = (texts.states || {})[w.state] || w.state;
      return el("li", { "class": "dash-window state-" + w.state, "data-window": String(w.no),
                        "data-state": w.state }, [
        el("span", { "class": "ws-no" }, [String(w.no)]),
        el("span", { "class": "ws-serving mono" }, [w.serving || ""]),
        el("span", { "class": "ws-clerk" }, [w.clerk || "—"]),
        el("span", { "class": "ws-state" }, [state + (w.pause_reason ? ": " + w.pause_reason : "")])]);
    }));
    fill(scope.querySelector('[data-rows="divisions"]'), snap.divisions.map(function (d) {
      return el("tr", { "data-division": d.code }, [
        el("td", {}, [named(d)]),
        el("td", { "class": "num" }, [countLink(d.yellow, "yellow", d.code)]),
        el("td", { "class": "num" }, [countLink(d.red, "red", d.code)])]);
    }), 3, noDivision);
    fill(scope.querySelector('[data-rows="people"]'), snap.people.map(function (p) {
      return el("tr", { "data-person": p.username || "" }, [
        el("td", {}, [p.name || texts.unassigned || "—"]),
        el("td", {}, [english ? p.division_en : p.division_zh]),
        el("td", { "class": "num" }, [countLink(p.yellow, "yellow", p.division, p.username)]),
        el("td", { "class": "num" }, [countLink(p.red, "red", p.division, p.username)])]);
    }), 4, noDivision);
    drawChart(scope.querySelector('[data-chart="arrivals"]'), snap.arrivals_by_hour);
    drawChart(scope.querySelector('[data-chart="waits"]'), snap.wait_distribution.map(function (b) { return b.count; }));
    scope.classList.remove("fresh");
    void scope.offsetWidth;  // restart the highlight
    scope.classList.add("fresh");
    body.dispatchEvent(new CustomEvent("dashboard:updated", { detail: { hall: snap.hall } }));
  }

  if (window.io && halls.length) {
    setLive("connecting");
    var socket = window.io("/staff", { transports: ["websocket", "polling"],
                                       path: body.dataset.socketPath || "/socket.io" });
    socket.on("connect", function () {
      setLive("on");
      // Every (re)connection asks again: the snapshot that comes back is the catch-up.
      halls.forEach(function (hall) { socket.emit("watch_dashboard", { hall: hall }); });
    });
    socket.on("disconnect", function () { setLive("off"); });
    socket.on("connect_error", function () { setLive("off"); });
    socket.on("dashboard", render);
    window.hallDashboard = { socket: socket, render: render };
  }
})();
