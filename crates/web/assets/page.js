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

// File pickers speak the page's language: the browser's own button and
// "No file chosen" are hidden behind a translated button, and the chosen
// files' names are said beside it.
(function () {
  document.querySelectorAll(".file-pick").forEach(function (pick) {
    var input = pick.querySelector("input[type=file]");
    var names = pick.querySelector(".file-names");
    if (!input || !names) return;
    input.addEventListener("change", function () {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      if (files.length === 0) names.textContent = names.dataset.none;
      else if (files.length <= 3) names.textContent = files.join(", ");
      else names.textContent = names.dataset.many.replace("{n}", String(files.length));
    });
  });
})();

// Times are shown in the browser's time zone (unless the person chose one
// in their settings): the zone goes to the server in a cookie, read from
// the next page on.
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || !/^[A-Za-z_+\-\/0-9]+$/.test(zone)) return;
  var now = document.cookie.split("; ").filter(function (c) { return c.indexOf("sd_tz=") === 0; })[0];
  if (now === "sd_tz=" + zone) return;
  document.cookie = "sd_tz=" + zone + "; path=/; max-age=31536000; samesite=lax" + (location.protocol === "https:" ? "; secure" : "");
})();

// A date field's own display follows the browser's language, not the
// page's: the chosen date is also written out in the page's language
// beside it ("måndag 7 december 2026"), so nobody has to guess whether
// 03/04 is March or April.
(function () {
  document.querySelectorAll("input[type=date][lang]").forEach(function (input) {
    var lang = input.getAttribute("lang") || document.documentElement.lang || "en";
    var words = document.createElement("span");
    words.className = "date-words";
    words.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", words);
    var say = function () {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value || "");
      if (!m) { words.textContent = ""; return; }
      var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12));
      try {
        words.textContent = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeZone: "UTC" }).format(d);
      } catch (e) { words.textContent = ""; }
    };
    input.addEventListener("input", say);
    input.addEventListener("change", say);
    say();
  });
})();
