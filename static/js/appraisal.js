// The score sheet's running total: the scores typed so far added up, as the server adds them
// when the sheet is saved. A score that is empty, not a whole number or above its criterion's
// maximum (data-score-max) is left out and counted as not yet scored. Beside it, the total's
// classification by the rubric's bands, which the page gives as data (#score-bands, highest
// first) so the rule is the server's (reviews.classification.classify).
(function () {
  "use strict";

  const box = document.querySelector("[data-score-total]");
  if (!box) return;
  const form = box.closest("form");
  const sum = box.querySelector("[data-score-sum]");
  const unscored = box.querySelector("[data-score-unscored]");
  const classification = box.querySelector("[data-score-class]");
  const bandsData = document.getElementById("score-bands");
  const bands = bandsData ? JSON.parse(bandsData.textContent) : [];

  // The highest band whose threshold the total reaches.
  function classify(total) {
    const band = bands.find((candidate) => total >= candidate.min);
    return band ? band.label : "";
  }

  // A whole number typed the Vietnamese way: plain or grouped by dots (1.234).
  function score(input) {
    const text = input.value.trim();
    if (!/^(\d{1,3}(\.\d{3})*|\d+)$/.test(text)) return null;
    const value = Number(text.replace(/\./g, ""));
    return value <= Number(input.dataset.scoreMax) ? value : null;
  }

  function update() {
    let total = 0;
    let missing = 0;
    form.querySelectorAll("input[data-score-max]").forEach((input) => {
      const value = score(input);
      if (value === null) missing++; else total += value;
    });
    sum.textContent = String(total);
    if (classification) classification.textContent = classify(total);
    unscored.textContent = missing
      ? "(còn " + missing + " tiêu chí chưa chấm hoặc điểm chưa hợp lệ)"
      : "";
  }

  form.addEventListener("input", (event) => {
    if (event.target.matches("input[data-score-max]")) update();
  });
  update();
})();
