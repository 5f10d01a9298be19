// Typing into the portal's forms, the same whatever the browser's language: Enter in a text box
// never sends a form, dates are typed and shown day first (dd/mm/yyyy) with the portal's own
// calendar, and numbers are grouped the Vietnamese way (1.234.567,5) as they are typed.
(function () {
  "use strict";

  // --- Enter in a text box -----------------------------------------------------------------
  // A browser sends a form when Enter is pressed in any of its text boxes: a half-filled form
  // went off that way. Only buttons send a form that writes (POST); a search or a filter (GET)
  // still runs on Enter, and a form of one question (log-in, a code) says so with
  // data-enter-submits.
  const NOT_TEXT = new Set(["submit", "button", "image", "reset", "checkbox", "radio", "file"]);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || event.defaultPrevented) return;
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || NOT_TEXT.has(input.type)) return;
    const form = input.form;
    if (form && form.method === "post" && !form.hasAttribute("data-enter-submits")) {
      event.preventDefault();
    }
  });

  // --- Dates ---------------------------------------------------------------------------------
  const MONTHS = ["Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6", "Tháng 7",
    "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"];
  const DAYS = [["T2", "Thứ hai"], ["T3", "Thứ ba"], ["T4", "Thứ tư"], ["T5", "Thứ năm"],
    ["T6", "Thứ sáu"], ["T7", "Thứ bảy"], ["CN", "Chủ nhật"]];
  const pad = (n, size) => String(n).padStart(size || 2, "0");

  // Dates are plain {y, m, d} built on UTC days: no time zone or daylight saving shifts them.
  function day(y, m, d) { return new Date(Date.UTC(y, m - 1, d)); }
  function iso(date) { return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate()); }
  function shown(date) { return pad(date.getUTCDate()) + "/" + pad(date.getUTCMonth() + 1) + "/" + pad(date.getUTCFullYear(), 4); }
  function addDays(date, n) { return new Date(date.getTime() + n * 86400000); }
  function addMonths(date, n) {
    const y = date.getUTCFullYear(), m = date.getUTCMonth() + n;
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return new Date(Date.UTC(y, m, Math.min(date.getUTCDate(), last)));
  }

  // What the server reads too (core.forms.parse_typed_date): day first, or ISO.
  function parse(text) {
    text = (text || "").trim();
    let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
    let y, m, d;
    if (match) { y = +match[1]; m = +match[2]; d = +match[3]; } else {
      match = /^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})$/.exec(text);
      if (!match) return null;
      d = +match[1]; m = +match[3]; y = +match[4];
    }
    const date = day(y, m, d);
    return date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
  }

  function today() {
    const now = new Date();
    return day(now.getFullYear(), now.getMonth() + 1, now.getDate());
  }

  // A date typed another accepted way (1/3/2026, 2026-03-01) is shown day first on leaving.
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-date")) return;
    const date = parse(input.value);
    if (date && shown(date) !== input.value) input.value = shown(date);
  });

  let popup = null;     // the one calendar, moved next to the field it serves
  let field = null;     // the text box it writes into
  let button = null;    // the button that opened it
  let focused = null;   // the day with the keyboard focus
  let closing = false;
  let redrawing = false; // the days are being replaced: the focus leaving them closes nothing

  function limits() {
    return [parse(field.dataset.min || ""), parse(field.dataset.max || "")];
  }

  function build() {
    popup = document.createElement("div");
    popup.className = "calendar-popup card shadow";
    popup.setAttribute("role", "dialog");
    popup.setAttribute("aria-label", "Chọn ngày");
    popup.innerHTML =
      '<div class="d-flex align-items-center gap-1 p-2 border-bottom">' +
      '<button type="button" class="btn btn-sm btn-light" data-move="-12" aria-label="Năm trước">«</button>' +
      '<button type="button" class="btn btn-sm btn-light" data-move="-1" aria-label="Tháng trước">‹</button>' +
      '<div class="flex-grow-1 text-center fw-semibold" data-title aria-live="polite"></div>' +
      '<button type="button" class="btn btn-sm btn-light" data-move="1" aria-label="Tháng sau">›</button>' +
      '<button type="button" class="btn btn-sm btn-light" data-move="12" aria-label="Năm sau">»</button>' +
      "</div>" +
      '<table class="calendar-grid" role="grid"><thead><tr>' +
      DAYS.map(([short, long]) => '<th scope="col"><abbr title="' + long + '">' + short + "</abbr></th>").join("") +
      "</tr></thead><tbody></tbody></table>" +
      '<div class="small text-secondary px-2 pb-2">Phím mũi tên: đổi ngày · PageUp/PageDown: đổi tháng · Enter: chọn · Esc: đóng</div>';
    popup.addEventListener("click", (event) => {
      const move = event.target.closest("[data-move]");
      if (move) { draw(addMonths(focused, Number(move.dataset.move)), false); return; }
      const cell = event.target.closest("[data-day]");
      if (cell && !cell.disabled) choose(parse(cell.dataset.day));
    });
    popup.addEventListener("keydown", keys);
    popup.addEventListener("focusout", (event) => {
      if (redrawing || !popup || popup.contains(event.relatedTarget)) return;
      if (event.relatedTarget !== button) close(false);
    });
  }

  function draw(date, focusDay) {
    const [min, max] = limits();
    if (min && date < min) date = min;
    if (max && date > max) date = max;
    focused = date;
    const y = date.getUTCFullYear(), m = date.getUTCMonth() + 1;
    popup.querySelector("[data-title]").textContent = MONTHS[m - 1] + " năm " + y;
    const chosen = parse(field.value);
    const now = today();
    const first = day(y, m, 1);
    let cursor = addDays(first, -((first.getUTCDay() + 6) % 7)); // back to Monday
    let rows = "";
    for (let week = 0; week < 6; week++) {
      rows += "<tr>";
      for (let i = 0; i < 7; i++, cursor = addDays(cursor, 1)) {
        const value = iso(cursor);
        const outside = cursor.getUTCMonth() !== m - 1;
        const disabled = (min && cursor < min) || (max && cursor > max);
        const classes = ["btn", "btn-sm", "calendar-day"];
        if (outside) classes.push("text-body-tertiary");
        if (chosen && value === iso(chosen)) classes.push("btn-primary");
        else if (value === iso(now)) classes.push("btn-outline-primary");
        rows += '<td><button type="button" class="' + classes.join(" ") + '" data-day="' + value + '"' +
          ' tabindex="' + (value === iso(date) ? "0" : "-1") + '"' +
          ' aria-label="' + cursor.getUTCDate() + " " + MONTHS[cursor.getUTCMonth()].toLowerCase() + " năm " + cursor.getUTCFullYear() + '"' +
          (chosen && value === iso(chosen) ? ' aria-selected="true"' : "") +
          (disabled ? " disabled" : "") + ">" + cursor.getUTCDate() + "</button></td>";
      }
      rows += "</tr>";
    }
    redrawing = true;
    popup.querySelector("tbody").innerHTML = rows;
    if (focusDay) {
      const cell = popup.querySelector('[data-day="' + iso(date) + '"]');
      if (cell) cell.focus();
    }
    redrawing = false;
  }

  function keys(event) {
    const onDay = event.target.closest("[data-day]");
    const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    let next = null;
    if (event.key === "Escape") { event.preventDefault(); close(true); return; }
    if (!onDay) return;
    if (event.key in steps) next = addDays(focused, steps[event.key]);
    else if (event.key === "PageUp") next = addMonths(focused, event.shiftKey ? -12 : -1);
    else if (event.key === "PageDown") next = addMonths(focused, event.shiftKey ? 12 : 1);
    else if (event.key === "Home") next = addDays(focused, -((focused.getUTCDay() + 6) % 7));
    else if (event.key === "End") next = addDays(focused, 6 - ((focused.getUTCDay() + 6) % 7));
    if (next) { event.preventDefault(); draw(next, true); }
  }

  function open(trigger) {
    if (!popup) build();
    button = trigger;
    field = trigger.parentElement.querySelector("input[data-date]");
    trigger.parentElement.appendChild(popup);
    button.setAttribute("aria-expanded", "true");
    draw(parse(field.value) || today(), true);
  }

  function close(refocus) {
    if (!popup || !popup.parentElement || closing) return;
    closing = true;
    // The field first: a focused day removed with the calendar would leave the focus nowhere.
    if (refocus && field) field.focus();
    popup.remove();
    if (button) button.setAttribute("aria-expanded", "false");
    closing = false;
  }

  function choose(date) {
    if (!date) return;
    field.value = shown(date);
    // As if typed: the registration form's autosave and any listener see it.
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    close(true);
  }

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-calendar-button]");
    if (trigger) {
      if (popup && popup.parentElement === trigger.parentElement) close(true); else { close(false); open(trigger); }
    } else if (popup && popup.parentElement && !popup.contains(event.target)) {
      close(false);
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && popup && popup.parentElement && event.target === field) close(true);
    // Alt+↓ in a date box opens its calendar, as in a drop-down list.
    if (event.key === "ArrowDown" && event.altKey && event.target.matches("input[data-date]")) {
      const trigger = event.target.parentElement.querySelector("[data-calendar-button]");
      if (trigger) { event.preventDefault(); open(trigger); }
    }
  });

  // --- Numbers -------------------------------------------------------------------------------
  // Digits are grouped by dots as they are typed (1234567 → 1.234.567); a decimal box keeps
  // what follows its comma. A value the person shaped otherwise (a dot typed by hand where no
  // group is) is left for the server to answer, never silently read as another number.
  const GROUPED = /^(\d{1,3}(\.\d{3})*|\d*)(,\d*)?$/;
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.grouped) return;
    const value = input.value;
    const before = input.dataset.lastValue ?? input.defaultValue;
    input.dataset.lastValue = value;
    const typedDigits = !event.data || /^\d+$/.test(event.data);
    if (!typedDigits || !GROUPED.test(before)) return;
    if (!/^[\d.]*(,\d*)?$/.test(value)) return;
    if (value.includes(",") && input.dataset.grouped !== "decimal") return;
    const [whole, fraction] = value.split(",");
    const digits = whole.replace(/\./g, "");
    if (digits.length > 1 && digits[0] === "0") return; // 0.125 is no thousand: left as typed
    const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".") + (fraction === undefined ? "" : "," + fraction);
    if (grouped === value) return;
    // The caret stays after the same digit it followed.
    const caret = input.selectionStart ?? value.length;
    const kept = value.slice(0, caret).replace(/\./g, "").length;
    let position = 0;
    for (let count = 0; position < grouped.length && count < kept; position++) {
      if (grouped[position] !== ".") count++;
    }
    input.value = grouped;
    input.dataset.lastValue = grouped;
    input.setSelectionRange(position, position);
  });
})();
