// Keeps an open status page current: the server announces each new
// snapshot over server-sent events, and the page swaps in the fresh content.
(function () {
  "use strict";
  var live = document.getElementById("status-live");
  if (!live || !window.EventSource) return;
  var loading = false;
  function refresh() {
    if (loading) return;
    loading = true;
    fetch(window.location.pathname, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("status-live");
        if (fresh) live.replaceWith(fresh);
        live = fresh || live;
      })
      .catch(function () {})
      .then(function () { loading = false; });
  }
  var events = new EventSource("/status/events");
  events.addEventListener("update", function (e) {
    if (String(e.data) !== live.getAttribute("data-version")) refresh();
  });
})();

// "Notify me in this browser": Web Push through a service worker, where the
// browser has it. The server's VAPID key is on the button.
(function () {
  "use strict";
  var wrap = document.getElementById("push");
  var button = document.getElementById("push-toggle");
  if (!wrap || !button || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) return;
  function key(b64) {
    var pad = "=".repeat((4 - (b64.length % 4)) % 4);
    var raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function show(on) {
    button.textContent = on ? button.getAttribute("data-off") : button.getAttribute("data-on");
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  wrap.hidden = false;
  var registration = navigator.serviceWorker.register("/sw.js");
  registration.then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (sub) { show(!!sub); })
    .catch(function () {});
  button.addEventListener("click", function () {
    registration.then(function (reg) {
      return reg.pushManager.getSubscription().then(function (sub) {
        if (sub) {
          return fetch("/api/v1/push-subscriptions", {
            method: "DELETE",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ endpoint: sub.endpoint })
          }).then(function () { return sub.unsubscribe(); }).then(function () { show(false); });
        }
        return Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") {
            button.textContent = button.getAttribute("data-denied");
            return;
          }
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: key(button.getAttribute("data-key"))
          }).then(function (sub) {
            var body = sub.toJSON();
            body.language = button.getAttribute("data-lang");
            return fetch("/api/v1/push-subscriptions", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify(body)
            });
          }).then(function (r) { show(!!(r && r.ok)); });
        });
      });
    }).catch(function () { button.textContent = button.getAttribute("data-denied"); });
  });
})();
