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
