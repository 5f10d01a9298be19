// Expand and collapse nodes of the organisation tree. The first click also asks htmx to load
// the children (hx-trigger="click once"); later clicks only show or hide them.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-tree-toggle]");
  if (!button) return;
  const list = document.getElementById(button.getAttribute("aria-controls"));
  const expanded = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!expanded));
  button.closest("[role=treeitem]").setAttribute("aria-expanded", String(!expanded));
  list.hidden = expanded;
});
