// The agents' queue and request page, made quicker with JavaScript (each
// works without it): pick every request at once, live counts that say when
// the queue has changed, and canned replies inserted where the cursor is.
(function () {
  "use strict";
  var all = document.getElementById("pick-all");
  var boxes = document.querySelectorAll('input[name="ids"]');
  if (all && boxes.length) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
  }
})();

(function () {
  "use strict";
  var tabs = document.getElementById("queue-tabs");
  var live = document.getElementById("queue-live");
  if (!tabs || !live || !window.fetch) return;
  function shown() {
    var out = {};
    tabs.querySelectorAll("a[data-view]").forEach(function (a) {
      var c = a.querySelector(".count");
      if (c) out[a.getAttribute("data-view")] = c;
    });
    return out;
  }
  function poll() {
    fetch("/agent/counts", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        var spans = shown();
        var changed = false;
        Object.keys(spans).forEach(function (view) {
          var n = counts[view];
          if (typeof n === "number" && String(n) !== spans[view].textContent) {
            spans[view].textContent = String(n);
            changed = true;
          }
        });
        if (changed) {
          live.querySelector("span").textContent = live.getAttribute("data-changed");
          live.hidden = false;
        }
      })
      .catch(function () {});
  }
  setInterval(poll, 10000);
})();

(function () {
  "use strict";
  var picker = document.getElementById("macro");
  var form = document.getElementById("macro-form");
  var body = document.getElementById("body");
  if (!picker || !form || !body || !window.fetch) return;
  form.addEventListener("submit", function (e) {
    var id = picker.value;
    if (!id) return;
    e.preventDefault();
    fetch(form.getAttribute("data-fill") + encodeURIComponent(id), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) { form.submit(); return; }
        var start = body.selectionStart || 0, end = body.selectionEnd || 0;
        var text = body.value;
        body.value = text.slice(0, start) + m.body + text.slice(end);
        body.focus();
        body.selectionStart = body.selectionEnd = start + m.body.length;
      })
      .catch(function () { form.submit(); });
  });
})();

// Collision notice: the page says every 10 seconds that it is open (and
// whether a reply is being typed), and shows who else has it open.
(function () {
  "use strict";
  var note = document.getElementById("collision");
  var body = document.getElementById("body");
  if (!note || !window.fetch) return;
  var lastKey = 0;
  if (body) body.addEventListener("input", function () {
    var first = Date.now() - lastKey > 5000;
    lastKey = Date.now();
    if (first) beat();
  });
  function beat() {
    fetch(note.getAttribute("data-presence"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": note.getAttribute("data-csrf") },
      body: JSON.stringify({ typing: Date.now() - lastKey < 5000 })
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (v) {
        if (!v) return;
        note.textContent = v.notice || "";
        note.hidden = !v.notice;
      })
      .catch(function () {});
  }
  setInterval(beat, 10000);
})();
