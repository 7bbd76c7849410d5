/* Review queue: "select all on this page" ticks every selectable row (never the rows that need another
 * reviewer: those have no checkbox). Loaded as a file: the CSP allows no inline script. */
(function () {
  "use strict";
  function boxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=selected]"));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    if (!all || !all.form) { return; }
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes(all.form).forEach(function (box) { box.checked = all.checked; });
    });
    all.form.addEventListener("change", function (event) {
      if (event.target === all) { return; }
      var list = boxes(all.form);
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = ticked === list.length && ticked > 0;
      all.indeterminate = ticked > 0 && ticked < list.length;
    });
  });
})();
