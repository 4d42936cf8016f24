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
