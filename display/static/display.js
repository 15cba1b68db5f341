// The wall display of a hall: the floor as the server last described it, kept current by
// the /display namespace, and every new call spoken once, in order, never cut off.
//
// The server numbers the floor's messages per hall (seq). A snapshot (`state`) carries the
// number it reflects; every `called` / `queue` message carries the next one, and a `counts`
// message stands for a run of tickets taken, `from`..`seq`. So: buffer until the snapshot,
// apply what is newer in order, ignore what is older; on a gap wait a moment for what is
// missing (several server processes: messages may overtake one another), then ask for a
// fresh snapshot (`sync`); every (re)connect joins again and starts from a snapshot.
(function () {
  "use strict";
  var body = document.body;
  var hall = body.dataset.hall;
  var english = (document.documentElement.lang || "").indexOf("en") === 0;
  var TEXT = JSON.parse(document.getElementById("display-text").textContent);
  var only = (body.dataset.windows || "").split(",").filter(Boolean).map(Number);
  var RECENT = 8;
  var SPEECH_TIMEOUT = 8000;   // `end` may never come (no voice, a stuck engine)
  var SOUND_KEY = "hall-display-sound";
  // The hall's clock, whatever the TV's own time zone says, and whatever its own time: the
  // page carries the hall's now (HALL_CLOCK in a demo or a training room), the TV runs it on.
  var zone = body.dataset.timezone || undefined;
  try { new Intl.DateTimeFormat("en", { timeZone: zone }); } catch (e) { zone = undefined; }
  var skew = body.dataset.hallNow ? Number(body.dataset.hallNow) - Date.now() : 0;
  function hallNow() { return new Date(Date.now() + skew); }
  var locale = english ? "en-GB" : "zh-CN";

  function $(selector) { return document.querySelector(selector); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }
  function copy(value) { return value == null ? value : JSON.parse(JSON.stringify(value)); }
  function seen(no) { return !only.length || only.indexOf(Number(no)) !== -1; }

  // -- the model --------------------------------------------------------------------------
  var model = null;          // the last `state`, with every message since applied to it
  var lastSeq = null;        // the floor sequence number the model reflects
  var syncing = false;       // a snapshot was asked for and has not come yet
  var buffer = [];           // messages received meanwhile
  var recent = [];           // the calls this display shows (its windows), newest first
  var retry = null, retries = 0;
  var gapTimer = null;       // a gap seen: what fills it may still be on its way
  var GAP_WAIT = 600;
  var log = { announced: [], spoken: [], silenced: [], states: 0, syncs: 0, ignored: 0 };

  function ask(event) {
    syncing = true;
    if (event === "sync") log.syncs += 1;
    // A display over a group of windows asks for that group's recent calls.
    socket.emit(event, only.length ? { hall: hall, windows: only } : { hall: hall });
    clearTimeout(retry);
    // No answer (a lost packet, a server restarting): ask again rather than wait forever.
    retry = setTimeout(function () { if (syncing && socket.connected) ask("sync"); }, 5000);
  }

  function onState(state) {
    if (!state || state.hall !== hall) return;
    clearTimeout(retry);
    log.states += 1;
    model = copy(state);
    lastSeq = state.seq;
    syncing = false;
    recent = (state.calls || []).filter(function (c) { return seen(c.window); })
      .slice(0, RECENT).map(function (c) { return viewCall(c); });
    renderAll();
    setConnection("connected");
    // What came while the snapshot was on its way: newer messages, in order, on top of it.
    var pending = buffer.sort(function (a, b) { return a.message.seq - b.message.seq; });
    buffer = [];
    var i = 0;
    for (; i < pending.length; i += 1) {
      var seq = pending[i].message.seq;
      if (seq <= lastSeq) { log.ignored += 1; continue; }
      if (first(pending[i].message) > lastSeq + 1) break;
      apply(pending[i].name, pending[i].message);
    }
    if (i < pending.length) {
      // Still a hole after a fresh snapshot: messages overtook one another (several server
      // processes) or one is bogus. Ask again shortly; after a few tries, let them go.
      retries += 1;
      if (retries > 3) { retries = 0; log.ignored += pending.length - i; return; }
      buffer = pending.slice(i);
      syncing = true;
      clearTimeout(retry);
      retry = setTimeout(function () { if (socket.connected) ask("sync"); }, 1000 * retries);
    } else {
      retries = 0;
    }
  }

  // The first sequence number a message stands for.
  function first(message) {
    return typeof message.from === "number" ? message.from : message.seq;
  }

  function receive(name, message) {
    if (!message || message.hall !== hall || typeof message.seq !== "number") return;
    if (syncing || lastSeq === null) { buffer.push({ name: name, message: message }); return; }
    if (message.seq <= lastSeq) { log.ignored += 1; return; }       // a repeat
    if (first(message) > lastSeq + 1) {                             // a gap
      buffer.push({ name: name, message: message });
      if (!gapTimer) {
        gapTimer = setTimeout(function () {
          gapTimer = null;
          if (buffer.length && !syncing) ask("sync");
        }, GAP_WAIT);
      }
      return;
    }
    apply(name, message);
    // What waited for this one, in order, as far as it now follows on.
    buffer.sort(function (a, b) { return a.message.seq - b.message.seq; });
    while (buffer.length && !syncing) {
      var next = buffer[0];
      if (next.message.seq <= lastSeq) { buffer.shift(); log.ignored += 1; continue; }
      if (first(next.message) > lastSeq + 1) break;
      buffer.shift();
      apply(next.name, next.message);
    }
    if (!buffer.length && gapTimer) { clearTimeout(gapTimer); gapTimer = null; }
  }

  function apply(name, message) {
    lastSeq = message.seq;
    model.seq = message.seq;
    if (name === "called") applyCall(message); else applyQueue(message);
  }

  function mergeWindow(change) {
    if (!change || change.no == null) return;
    var found = model.windows.filter(function (w) { return w.no === change.no; })[0];
    if (found) Object.keys(change).forEach(function (k) { found[k] = change[k]; });
    else model.windows.push(Object.assign({ state: null, serving: null }, change));
  }

  function mergeWaiting(waiting) {
    if (!waiting) return;
    model.services.forEach(function (s) {
      if (Object.prototype.hasOwnProperty.call(waiting, s.code)) s.waiting = waiting[s.code];
    });
    renderWaiting(false);
  }

  function applyCall(m) {
    var call = { seq: m.seq, kind: m.kind, at: m.at, number: m.number, window: m.window_no,
                 service: m.service, name: m.name, name_en: m.name_en };
    // Each number once, at its latest call (as the server's snapshot lists them).
    model.calls = [call].concat(model.calls.filter(function (c) { return c.number !== call.number; }))
      .slice(0, RECENT);
    mergeWindow(m.window);
    mergeWaiting(m.waiting);
    if (!seen(m.window_no)) return;          // another group's window: counted, not shown
    var shown = viewCall(call);
    recent = [shown].concat(recent.filter(function (c) { return c.number !== shown.number; }))
      .slice(0, RECENT);
    renderCalls(shown.seq);
    announce(shown);
  }

  function applyQueue(m) {
    var before = m.window && windowState(m.window.no);
    mergeWindow(m.window);
    mergeWaiting(m.waiting);
    // A window paused, closed or opened again: what is "now calling" may change.
    if (m.window && windowState(m.window.no) !== before) renderCalls(null);
  }

  function windowState(no) {
    var found = model && model.windows.filter(function (w) { return w.no === no; })[0];
    return found ? found.state : null;
  }

  // The call shown as "now calling": the latest one at a window still open. A window
  // that paused or closed since is not calling anyone, whatever it called last.
  function currentCall() {
    return recent.filter(function (c) {
      var state = windowState(c.window);
      return state !== "paused" && state !== "closed";
    })[0] || null;
  }

  function viewCall(c) {
    return { seq: c.seq, kind: c.kind, number: c.number, window: c.window,
             service: english ? (c.name_en || c.name) : c.name };
  }

  // -- drawing ----------------------------------------------------------------------------
  var currentEl = $("[data-current]");
  var recentEl = $("[data-recent]");
  var waitingEl = $("[data-waiting]");
  var highlight = null;

  function windowText(no) { return fill(TEXT.window, { no: no }); }

  function renderAll() {
    renderCalls(null);
    renderWaiting(true);
  }

  function renderCalls(freshSeq) {
    var current = currentCall();
    currentEl.classList.toggle("is-idle", !current);
    $("[data-current-number]").textContent = current ? current.number : "";
    $("[data-current-window]").textContent = current ? "→ " + windowText(current.window) : "";
    $("[data-current-service]").textContent = current ? current.service : "";
    $("[data-current-tag]").hidden = !current || current.kind !== "recalled";
    currentEl.dataset.seq = current ? current.seq : "";

    recentEl.textContent = "";
    recent.forEach(function (c) {
      var li = document.createElement("li");
      li.dataset.seq = c.seq;
      li.dataset.number = c.number;
      li.dataset.window = c.window;
      var num = document.createElement("b");
      num.className = "call-number";
      num.textContent = c.number;
      var arrow = document.createElement("span");
      arrow.className = "call-arrow";
      arrow.textContent = "→";
      var win = document.createElement("span");
      win.className = "call-window";
      win.textContent = windowText(c.window);
      li.appendChild(num); li.appendChild(arrow); li.appendChild(win);
      if (c.kind === "recalled") {
        var tag = document.createElement("span");
        tag.className = "display-tag";
        tag.textContent = TEXT.recalled;
        li.appendChild(tag);
      }
      if (c.seq === freshSeq) li.classList.add("is-new");
      if (c.seq === speakingSeq) li.classList.add("is-speaking");
      recentEl.appendChild(li);
    });

    if (freshSeq != null && current && current.seq === freshSeq) {
      // Restart the highlight: a class removed and added in the same frame would not.
      currentEl.classList.remove("is-new");
      void currentEl.offsetWidth;
      currentEl.classList.add("is-new");
      clearTimeout(highlight);
      highlight = setTimeout(function () { currentEl.classList.remove("is-new"); }, 6000);
    }
  }

  function renderWaiting(rebuild) {
    if (!model) return;
    var services = model.services;
    if (only.length) {
      // A display over a group of windows counts the queues those windows serve.
      var mine = services.filter(function (s) {
        return (s.windows || []).some(function (no) { return seen(no); });
      });
      if (mine.length) services = mine;
    }
    if (rebuild) {
      waitingEl.textContent = "";
      waitingEl.dataset.count = services.length;
      services.forEach(function (s) {
        var li = document.createElement("li");
        li.dataset.service = s.code;
        var prefix = document.createElement("span");
        prefix.className = "service-prefix";
        prefix.textContent = s.prefix;
        var name = document.createElement("span");
        name.className = "service-name";
        name.textContent = english ? (s.name_en || s.name) : s.name;
        var count = document.createElement("b");
        count.className = "service-count";
        count.dataset.waitingFor = s.code;
        li.appendChild(prefix); li.appendChild(name); li.appendChild(count);
        waitingEl.appendChild(li);
      });
    }
    services.forEach(function (s) {
      var el = waitingEl.querySelector('[data-waiting-for="' + s.code + '"]');
      if (!el) return;
      el.textContent = s.waiting;
      el.parentNode.classList.toggle("is-empty", !s.waiting);
    });
  }

  // -- sound ------------------------------------------------------------------------------
  // Browsers keep a page silent until someone touches it, unless it is told otherwise (see
  // README: the TV's browser runs with --autoplay-policy=no-user-gesture-required).
  var params = new URLSearchParams(location.search);
  var soundButton = $("[data-sound-button]");
  var audio = null;
  var soundOn = false;
  var remembered = false;
  try { remembered = localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { /* private */ }
  var muted = params.get("sound") === "off";   // a second display in the same hall

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try { audio = new Context(); } catch (e) { audio = null; }
    }
    if (audio && audio.state === "suspended") audio.resume().catch(function () {});
    return audio;
  }

  function turnSoundOn(remember) {
    soundOn = true;
    soundButton.hidden = true;
    audioContext();
    if (remember) {
      try { localStorage.setItem(SOUND_KEY, "on"); } catch (e) { /* private */ }
    }
  }

  function soundBlocked() {
    // Sound was wanted, but the browser refuses it without a touch: say so on screen.
    if (muted) return;
    soundOn = false;
    soundButton.hidden = false;
  }

  soundButton.addEventListener("click", function () { turnSoundOn(true); });
  if (muted) {
    soundButton.hidden = true;
  } else if (params.get("sound") === "on" || remembered) {
    turnSoundOn(false);
    // A context still suspended a moment later means the browser wants a touch first.
    setTimeout(function () { if (audio && audio.state !== "running") soundBlocked(); }, 1500);
  } else {
    soundButton.hidden = false;
  }

  function chime() {
    // Two short tones, "ding-dong", made here: no audio file to fetch.
    return new Promise(function (resolve) {
      var ctx = audioContext();
      if (!ctx || ctx.state !== "running") { resolve(); return; }
      var start = ctx.currentTime + 0.05;
      [[880, 0], [659.25, 0.38]].forEach(function (tone) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = tone[0];
        var t = start + tone[1];
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.35, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.7);
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(t); osc.stop(t + 0.75);
      });
      setTimeout(resolve, 1200);
    });
  }

  var synth = window.speechSynthesis || null;
  var voices = [];
  function loadVoices() { voices = synth ? synth.getVoices() : []; }
  if (synth) {
    loadVoices();
    if (synth.addEventListener) synth.addEventListener("voiceschanged", loadVoices);
  }
  function voiceFor(prefix) {
    var wanted = voices.filter(function (v) { return (v.lang || "").toLowerCase().replace("_", "-").indexOf(prefix) === 0; });
    return wanted.filter(function (v) { return v.localService; })[0] || wanted[0] || null;
  }

  function speech(call) {
    // Chinese whenever a Chinese voice exists, or when the browser lists no voice at all
    // (yet): the platform may still speak it. English only when voices are known and none
    // of them is Chinese.
    var zh = voiceFor("zh-cn") || voiceFor("zh");
    if (zh || !voices.length) {
      return { text: "请 " + call.number + " 号 到 " + call.window + " 号窗口办理", lang: "zh-CN", voice: zh };
    }
    return { text: "Number " + call.number + ", please go to window " + call.window,
             lang: "en-US", voice: voiceFor("en") };
  }

  function say(line) {
    return new Promise(function (resolve) {
      if (!synth || typeof SpeechSynthesisUtterance === "undefined") { resolve("none"); return; }
      var done = false;
      var utterance = new SpeechSynthesisUtterance(line.text);
      utterance.lang = line.lang;
      if (line.voice) utterance.voice = line.voice;
      utterance.rate = 0.9;
      var finish = function (how) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        say.current = null;
        resolve(how);
      };
      utterance.onend = function () { finish("end"); };
      utterance.onerror = function (event) {
        if (event && event.error === "not-allowed") soundBlocked();
        finish("error:" + (event && event.error));
      };
      var timer = setTimeout(function () { finish("timeout"); }, SPEECH_TIMEOUT);
      say.current = utterance;  // kept: Chrome drops the events of a collected utterance
      try {
        if (synth.paused) synth.resume();   // some engines wake up paused after a long idle
        synth.speak(utterance);
      } catch (e) {
        finish("error:" + e.name);
      }
    });
  }

  // One announcement at a time, in the order the calls came: never cancel one for the next.
  var queue = [];
  var busy = false;
  var announcedSeqs = {};
  var speakingSeq = null;

  function announce(call) {
    if (announcedSeqs[call.seq]) return;
    announcedSeqs[call.seq] = true;
    if (!soundOn) { log.silenced.push(speech(call).text); return; }
    queue.push(call);
    pump();
  }

  function markSpeaking(seq) {
    speakingSeq = seq;
    Array.prototype.forEach.call(recentEl.children, function (li) {
      li.classList.toggle("is-speaking", seq != null && li.dataset.seq === String(seq));
    });
  }

  function pump() {
    if (busy || !queue.length) return;
    busy = true;
    var call = queue.shift();
    var line = speech(call);
    log.announced.push(line.text);
    markSpeaking(call.seq);
    chime().then(function () { return say(line); }).then(function () {
      log.spoken.push(line.text);
      markSpeaking(null);
      busy = false;
      setTimeout(pump, 400);   // a breath between two calls
    });
  }

  // -- the connection ---------------------------------------------------------------------
  var statusEl = $("[data-connection]");
  var statusText = $("[data-connection-text]");
  var lostAt = null;

  var timeFormat = new Intl.DateTimeFormat(locale, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
  });
  function clock(date) { return timeFormat.format(date); }

  function setConnection(state) {
    if (state === "connected") lostAt = null;
    else if (state !== "connecting" && lostAt === null) lostAt = hallNow();
    var offline = state !== "connected" && state !== "connecting" &&
      (navigator.onLine === false || (lostAt && hallNow() - lostAt.getTime() > 15000));
    var shown = offline ? "offline" : state;
    statusEl.dataset.connection = shown;
    statusText.textContent = shown === "offline"
      ? fill(TEXT.offline, { time: clock(lostAt || hallNow()) }) : TEXT[shown];
  }

  var socket = io("/display", {
    transports: ["websocket", "polling"],
    path: body.dataset.socketPath || "/socket.io",
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000
  });
  socket.on("connect", function () {
    // First connection or a reconnection: whatever happened meanwhile, start from a snapshot.
    buffer = [];
    retries = 0;
    ask("join");
  });
  socket.on("disconnect", function (reason) {
    syncing = false;
    clearTimeout(retry);
    setConnection("reconnecting");
    // The server closed this connection on purpose: socket.io will not come back by itself.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", function (err) {
    // Refused as a device (not registered, locked, revoked, outside its hours): socket.io
    // does not try again by itself, so say why and ask the page again in a while (it shows
    // the refusal in words, or the board once an administrator has enrolled this screen).
    var refusal = err && err.data && err.data.code ? err.data : null;
    if (!refusal) { setConnection("reconnecting"); return; }
    statusEl.dataset.connection = "problem";
    statusText.textContent = refusal.title || refusal.code;
    setTimeout(function () { location.reload(); }, 60000);
  });
  socket.on("state", onState);
  socket.on("called", function (m) { receive("called", m); });
  socket.on("queue", function (m) { receive("queue", m); });
  socket.on("counts", function (m) { receive("counts", m); });
  socket.on("problem", function (p) {
    statusEl.dataset.connection = "problem";
    statusText.textContent = (p && p.title) || "";
  });

  // The cable pulled: the browser knows before any ping could time out. Close the
  // connection now (an established WebSocket may just go quiet, or deliver late) and open a
  // new one, with a fresh snapshot, when the network is back; no attempts meanwhile.
  var waitingForNetwork = false;
  window.addEventListener("offline", function () {
    waitingForNetwork = true;
    socket.disconnect();
    setConnection("reconnecting");
  });
  function networkBack() {
    if (!waitingForNetwork || navigator.onLine === false) return;
    waitingForNetwork = false;
    socket.connect();
  }
  window.addEventListener("online", networkBack);

  // -- the clock --------------------------------------------------------------------------
  // 2026年11月23日 星期一 / Monday 23 November 2026
  var dateFormat = new Intl.DateTimeFormat(locale, english
    ? { weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: zone }
    : { year: "numeric", month: "long", day: "numeric", timeZone: zone });
  var weekdayFormat = english ? null : new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: zone });
  var dayFormat = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone });
  var dateEl = $("[data-date]");
  var timeEl = $("[data-time]");
  var askedForDay = null;

  function tick() {
    var now = hallNow();
    dateEl.textContent = dateFormat.format(now) + (weekdayFormat ? " " + weekdayFormat.format(now) : "");
    timeEl.textContent = clock(now);
    var seconds = document.createElement("small");
    seconds.textContent = ":" + (now.getSeconds() < 10 ? "0" : "") + now.getSeconds();
    timeEl.appendChild(seconds);
    // Past midnight the hall starts a new day: the calls of yesterday leave the screen.
    var today = dayFormat.format(now);
    if (model && model.day && model.day < today && askedForDay !== today &&
        socket.connected && !syncing) {
      askedForDay = today;
      ask("sync");
    }
    networkBack();   // in case the "online" event never came
    if (lostAt) setConnection(statusEl.dataset.connection === "offline" ? "reconnecting" : statusEl.dataset.connection);
  }
  tick();
  setInterval(tick, 1000);

  // -- a read-only window on all of this, for tests and for whoever looks at a TV remotely --
  window.hallDisplay = Object.freeze({
    get seq() { return lastSeq; },
    get model() { return copy(model); },
    get shown() { return copy(recent); },
    get current() { return copy(currentCall()); },
    get syncing() { return syncing; },
    get sound() { return soundOn; },
    get connection() { return statusEl.dataset.connection; },
    get announced() { return log.announced.slice(); },
    get spoken() { return log.spoken.slice(); },
    get silenced() { return log.silenced.slice(); },
    get states() { return log.states; },
    get syncs() { return log.syncs; },
    get ignored() { return log.ignored; }
  });
})();
