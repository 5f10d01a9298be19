// Behaviour every page may use, bound here rather than written into the markup (the
// Content-Security-Policy refuses inline scripts and on…= attributes).
(function () {
  "use strict";

  // <form data-confirm="Question?">: ask before sending.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // <button data-print>: print the page.
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });

  // <div class="progress-bar" data-progress="42">: the bar's width, also in content htmx swaps in.
  function drawProgress(root) {
    const bars = Array.from(root.querySelectorAll("[data-progress]"));
    if (root.matches && root.matches("[data-progress]")) bars.push(root);
    bars.forEach((bar) => { bar.style.width = Number(bar.dataset.progress || 0) + "%"; });
  }
  drawProgress(document);
  document.addEventListener("htmx:load", (event) => drawProgress(event.target));
})();
