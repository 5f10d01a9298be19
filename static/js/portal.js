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

  // <input type="checkbox" data-select-all="models">: ticks or clears every box named "models" in
  // its form; it shows ticked when all are, half ticked when some are.
  function selectAllState(form) {
    form.querySelectorAll("input[data-select-all]").forEach((all) => {
      const boxes = Array.from(form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`));
      const ticked = boxes.filter((box) => box.checked).length;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  }
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "checkbox" || !input.form) return;
    if (input.dataset.selectAll) {
      input.form.querySelectorAll(`input[type=checkbox][name="${input.dataset.selectAll}"]`)
        .forEach((box) => { box.checked = input.checked; });
    }
    selectAllState(input.form);
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
