// What the staff pages' scripts share (console.js, division.js, dashboard.js), loaded before
// them: the page's texts, sent as a JSON block by the template, and the live/offline
// indicator of the page's Socket.IO stream.
window.HallPage = (function () {
  "use strict";

  function texts(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  // setLive("on" | "off" | "connecting") shows the state in the page's [data-live] badge.
  function liveIndicator(words) {
    var live = document.querySelector("[data-live]");
    return function setLive(state) {
      if (!live) return;
      live.hidden = false;
      live.setAttribute("data-live", state);
      var text = live.querySelector("[data-live-text]");
      if (text) text.textContent = words[{ on: "live", off: "offline", connecting: "connecting" }[state]] || "";
    };
  }

  return { texts: texts, liveIndicator: liveIndicator };
})();
