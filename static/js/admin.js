// The admin's widgets drawn by script — select2 for the autocomplete fields and the two lists of
// the many-to-many fields — with the names and structure assistive technology needs (WCAG 2.1
// AA, as axe-core checks it), which the versions Django ships leave out. The widgets redraw
// themselves as choices change, so every change to the page is looked at again (cheap, and
// doing nothing once done).
"use strict";

(function () {
  function labelOf(select) {
    if (!select || select.tagName !== "SELECT" || !select.id) return null;
    return document.querySelector('label[for="' + select.id + '"]');
  }

  function nameOf(label) {
    return label.textContent.replace(/:\s*$/, "").trim();
  }

  function fixAutocomplete(container) {
    const label = labelOf(container.previousElementSibling);
    if (!label || !nameOf(label)) return;
    if (!label.id) label.id = label.htmlFor + "_nhan";
    const name = nameOf(label);
    // The box reads as its field's label followed by what is chosen.
    container.querySelectorAll('[role="combobox"]').forEach(function (box) {
      const shown = box.querySelector('[role="textbox"]');
      const wanted = label.id + (shown && shown.id ? " " + shown.id : "");
      if (box.getAttribute("aria-labelledby") !== wanted) box.setAttribute("aria-labelledby", wanted);
    });
    container.querySelectorAll('[role="textbox"], .select2-search__field').forEach(function (field) {
      if (!field.getAttribute("aria-label")) field.setAttribute("aria-label", name);
    });
    // "Clear all" is drawn inside the list of chosen items, where only items belong.
    container
      .querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")
      .forEach(function (clear) {
        clear.parentElement.before(clear);
      });
  }

  function fix() {
    document.querySelectorAll(".select2-container").forEach(fixAutocomplete);
    // The magnifier of the two lists' filter boxes carries the box's name: an image's.
    document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", fix);
})();
