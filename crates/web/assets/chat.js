// The live chat window, over the chat WebSocket (docs/chat-protocol.md).
// Messages not yet acknowledged are kept in localStorage and sent again
// after a reconnect (the server stores a client id once); the connection
// resumes after the last seq shown, and a message is shown once per seq.
// Without JavaScript the page still shows the transcript and a form.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var chatId = root.getAttribute("data-chat");
  var me = root.getAttribute("data-me");
  var lastSeq = parseInt(root.getAttribute("data-last") || "0", 10);
  var ended = root.getAttribute("data-state") === "ended";
  var list = root.querySelector(".messages");
  var form = root.querySelector("form.send");
  var input = form ? form.querySelector("textarea") : null;
  var conn = root.querySelector(".conn");
  var typingEl = root.querySelector(".typing");
  var queueEl = root.querySelector(".queue");
  var stateEl = document.querySelector(".chat-state");
  var presenceEl = root.querySelector(".presence");
  function t(name) { return root.getAttribute("data-t-" + name) || ""; }

  var key = "sd-chat-unsent-" + chatId;
  var unsent = [];
  try { unsent = JSON.parse(localStorage.getItem(key) || "[]") || []; } catch (e) { unsent = []; }
  function save() { try { localStorage.setItem(key, JSON.stringify(unsent)); } catch (e) { /* private mode */ } }

  var seen = {};
  list.querySelectorAll("[data-seq]").forEach(function (li) { seen[li.getAttribute("data-seq")] = true; });

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function showPending(m) {
    if (list.querySelector('[data-client="' + m.client_id + '"]')) return;
    var li = document.createElement("li");
    li.className = "msg mine pending";
    li.setAttribute("data-client", m.client_id);
    var head = document.createElement("p");
    head.className = "msg-head muted small";
    head.textContent = t("sending");
    var body = document.createElement("div");
    body.className = "md";
    body.textContent = m.body;
    li.appendChild(head);
    li.appendChild(body);
    list.appendChild(li);
    scrollDown();
  }

  function showMessage(f) {
    var pending = list.querySelector('[data-client="' + f.client_id + '"]');
    if (pending) pending.parentNode.removeChild(pending);
    if (seen[f.seq]) return;
    seen[f.seq] = true;
    var li = document.createElement("li");
    var mine = f.author && f.author.id === me;
    li.className = "msg" + (mine ? " mine" : "") + (f.author && f.author.staff ? " staff" : "");
    li.setAttribute("data-seq", f.seq);
    var head = document.createElement("p");
    head.className = "msg-head";
    var who = document.createElement("strong");
    who.textContent = (f.author && f.author.name) || "";
    var at = document.createElement("span");
    at.className = "muted small";
    at.textContent = " " + new Date(f.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    head.appendChild(who);
    head.appendChild(at);
    var body = document.createElement("div");
    body.className = "md";
    body.innerHTML = f.html; // rendered and sanitised by the server
    li.appendChild(head);
    li.appendChild(body);
    // Keep seq order even if frames ever arrive out of order.
    var after = null;
    list.querySelectorAll("[data-seq]").forEach(function (el) {
      if (parseInt(el.getAttribute("data-seq"), 10) > f.seq && !after) after = el;
    });
    list.insertBefore(li, after || list.querySelector(".pending"));
    if (f.seq > lastSeq) lastSeq = f.seq;
    scrollDown();
  }

  var ws = null, backoff = 500, retry = null, typingTimer = null, typingSent = 0;
  function setConn(text, bad) {
    if (!conn) return;
    conn.textContent = text;
    conn.className = "conn small" + (bad ? " bad" : "");
  }
  function send(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function markRead() {
    if (document.visibilityState === "visible") send({ type: "read", seq: lastSeq });
  }

  function onFrame(f) {
    switch (f.type) {
      case "message":
        showMessage(f);
        markRead();
        break;
      case "ack":
        unsent = unsent.filter(function (m) { return m.client_id !== f.client_id; });
        save();
        break;
      case "typing":
        if (!typingEl) break;
        typingEl.textContent = f.on ? t("typing").replace("{name}", f.user.name) : "";
        clearTimeout(typingEl._t);
        if (f.on) typingEl._t = setTimeout(function () { typingEl.textContent = ""; }, 6000);
        break;
      case "read":
        if (f.user && f.user.id !== me) {
          list.querySelectorAll(".msg.mine[data-seq]").forEach(function (el) {
            if (parseInt(el.getAttribute("data-seq"), 10) <= f.seq) el.classList.add("read");
          });
        }
        break;
      case "queue":
        if (queueEl) {
          var minutes = Math.max(1, Math.round(f.estimate_secs / 60));
          queueEl.textContent = (f.position <= 1 ? t("queue-next") : t("queue").replace("{n}", f.position))
            .replace("{m}", minutes);
        }
        break;
      case "state":
        if (stateEl && stateEl.getAttribute("data-code") !== f.state) {
          // A new state changes what the page offers (rating, ending): reload it.
          if (f.state === "ended" || stateEl.getAttribute("data-code") === "waiting") { location.reload(); return; }
        }
        break;
      case "presence":
        if (presenceEl && f.agent) presenceEl.textContent = t("presence-" + f.state).replace("{name}", f.agent.name);
        break;
      case "error":
        setConn(f.message || f.code, true);
        break;
    }
  }

  function connect() {
    clearTimeout(retry);
    if (ended || (navigator.onLine === false)) { if (!ended) setConn(t("offline"), true); return; }
    setConn(t("connecting"), false);
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + "/api/v1/chats/" + chatId + "/ws?after=" + lastSeq);
    ws.onopen = function () {
      backoff = 500;
      setConn(t("connected"), false);
      unsent.forEach(function (m) { send({ type: "message", client_id: m.client_id, body: m.body }); });
      markRead();
    };
    ws.onmessage = function (e) {
      try { onFrame(JSON.parse(e.data)); } catch (err) { /* not ours */ }
    };
    ws.onclose = function () {
      ws = null;
      if (ended) return;
      setConn(t("reconnecting"), true);
      retry = setTimeout(connect, backoff + Math.random() * 300);
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  if (form && input) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      var m = { client_id: newId(), body: body };
      unsent.push(m);
      save();
      showPending(m);
      input.value = "";
      send({ type: "message", client_id: m.client_id, body: m.body });
      send({ type: "typing", on: false });
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - typingSent > 2000) { typingSent = now; send({ type: "typing", on: true }); }
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingSent = 0; send({ type: "typing", on: false }); }, 3000);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
    });
  }
  unsent.forEach(showPending);
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("offline", function () { if (ws) ws.close(); setConn(t("offline"), true); });
  window.addEventListener("online", function () { backoff = 500; connect(); });
  scrollDown();
  connect();
})();

// The agents' console: while it is open the agent is present, and its
// lists follow the queue.
(function () {
  "use strict";
  var desk = document.getElementById("chat-console");
  if (!desk || !window.EventSource) return;
  var events = new EventSource("/agent/chats/events");
  var pending = null;
  events.addEventListener("changed", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      fetch(location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("chat-lists");
        var here = document.getElementById("chat-lists");
        if (fresh && here) here.innerHTML = fresh.innerHTML;
      });
    }, 300);
  });
})();
