// On the "Ask a question" form: show the known problems of the chosen
// feature, so customers can follow an incident instead of filing a request.
// Without JavaScript every known problem stays visible.
(function () {
  "use strict";
  var select = document.getElementById("component");
  var notes = document.querySelectorAll(".known-issue");
  if (!select || !notes.length) return;
  function update() {
    var chosen = select.value;
    notes.forEach(function (n) {
      var ids = (n.getAttribute("data-components") || "").trim().split(/\s+/);
      n.hidden = !chosen || ids.indexOf(chosen) < 0;
    });
  }
  select.addEventListener("change", update);
  update();
})();

// While the subject is typed: the help articles (and ongoing incidents)
// that best match it, so the answer may be found without waiting for
// support. Opening one is recorded for the help center's report, and it
// opens in a new tab so nothing typed here is lost.
(function () {
  "use strict";
  var subject = document.getElementById("subject");
  var box = document.getElementById("suggestions");
  if (!subject || !box || !window.fetch) return;
  var list = box.querySelector("ul");
  var timer = null;
  var latest = 0;
  function opened(url) {
    fetch("/api/v1/help/suggestions/opened", {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: subject.value.trim(), url: url })
    }).catch(function () {});
  }
  function show(results) {
    list.textContent = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = r.title;
      a.addEventListener("click", function () { opened(r.url); });
      li.appendChild(a);
      if (r.kind === "incident") li.className = "incident";
      list.appendChild(li);
    });
    box.hidden = results.length === 0;
  }
  subject.addEventListener("input", function () {
    clearTimeout(timer);
    var q = subject.value.trim();
    if (q.length < 3) { show([]); return; }
    timer = setTimeout(function () {
      var mine = ++latest;
      fetch("/api/v1/search?limit=5&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) { if (mine === latest) show(body.results || []); })
        .catch(function () {});
    }, 250);
  });
})();
