// The admin's widgets, with the names assistive technology needs (WCAG 2.1 AA, as axe-core
// checks it) and the links between Django's scripts and the portal's pickers.
"use strict";

(function () {
  // The magnifier of the two lists' filter boxes (the many-to-many fields, drawn on "load")
  // carries the box's name: an image's.
  window.addEventListener("load", function () {
    document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  });
  // A unit added in the "+" window is chosen in the select by Django's script, which tells
  // only jQuery's listeners: the picker (static/js/picker.js) is asked to draw it.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(document).on("change", "select[data-choice-picker]", function () {
      this.dispatchEvent(new Event("picker:refresh"));
    });
  }
})();
