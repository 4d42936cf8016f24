// Every page: a confirmation shown from ?done=… is said once. The address
// loses its done= part as soon as the page has shown it, so a reload (or a
// bookmark) does not say "Saved." again.
(function () {
  var url = new URL(window.location.href);
  if (!url.searchParams.has("done")) return;
  url.searchParams.delete("done");
  var rest = url.searchParams.toString();
  window.history.replaceState(window.history.state, "", url.pathname + (rest ? "?" + rest : "") + url.hash);
})();

// The status page is one cached body for everybody, so it is rendered
// signed out. A browser that is signed in (the sd_signed_in cookie, which
// holds nothing secret) asks /nav for its own navigation and swaps it in.
(function () {
  if (document.cookie.split("; ").indexOf("sd_signed_in=1") < 0) return;
  var nav = document.querySelector("nav.mainnav");
  if (!nav || !nav.querySelector('a[href="/login"]')) return;
  fetch("/nav", { credentials: "same-origin", cache: "no-store" })
    .then(function (r) { return r.status === 200 ? r.text() : null; })
    .then(function (html) {
      if (!html) return;
      var box = document.createElement("div");
      box.innerHTML = html;
      var mine = box.querySelector("nav.mainnav");
      if (mine) nav.replaceWith(mine);
    })
    .catch(function () {});
})();
