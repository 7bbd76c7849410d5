/* The entry grid (templates/tracker/entry/grid.html): Enter in a row's field saves that row, as the row's own
 * "Save row" button does (htmx posts the row and swaps it back), instead of submitting the whole page. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }
    var field = event.target;
    if (!(field instanceof HTMLInputElement)) { return; }
    var row = field.closest("[data-entry-row]");
    if (!row) { return; }
    var button = row.querySelector("[data-save-row]");
    if (!button) { return; }
    event.preventDefault();
    button.click();
  });
})();
