// The help center's small script: the "No" of "Was this information
// helpful?" opens the form for a reason and a comment. Without this script
// that form is simply always shown.
(function () {
  "use strict";
  document.querySelectorAll("[data-toggle]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-toggle"));
    if (!target) return;
    target.hidden = true;
    button.hidden = false;
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      target.hidden = !target.hidden;
      button.setAttribute("aria-expanded", String(!target.hidden));
      if (!target.hidden) {
        var first = target.querySelector("input, textarea, select");
        if (first) first.focus();
      }
    });
  });
})();

// The article editor's live preview: the text is rendered by the server
// (the same sanitising as readers get) a moment after typing stops.
(function () {
  "use strict";
  var body = document.querySelector("textarea[data-preview]");
  if (!body || !window.fetch) return;
  var target = document.getElementById(body.getAttribute("data-preview"));
  var url = body.getAttribute("data-preview-url");
  var csrf = body.form && body.form.querySelector("input[name=csrf]");
  if (!target || !url || !csrf) return;
  var timer = null;
  var latest = 0;
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var mine = ++latest;
      var data = new URLSearchParams();
      data.set("csrf", csrf.value);
      data.set("body", body.value);
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null && mine === latest) target.innerHTML = html;
        })
        .catch(function () {});
    }, 300);
  });
})();

// Image upload in the editor: sent in the background, and the Markdown
// line for the image is put where the cursor is in the text.
(function () {
  "use strict";
  var form = document.querySelector("form[data-image-upload]");
  if (!form || !window.fetch || !window.FormData) return;
  var body = document.getElementById(form.getAttribute("data-image-upload"));
  if (!body) return;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (!res.ok) { window.alert(res.j.error || form.getAttribute("data-error")); return; }
        var at = body.selectionStart || body.value.length;
        var line = "\n\n" + res.j.markdown + "\n\n";
        body.value = body.value.slice(0, at) + line + body.value.slice(at);
        body.dispatchEvent(new Event("input"));
        form.reset();
      })
      .catch(function () {})
      .then(function () { if (button) button.disabled = false; });
  });
})();
