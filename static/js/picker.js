// Searchable pickers: a <select data-choice-picker> becomes a search box (an ARIA combobox)
// with the chosen items as removable chips. The select stays in the form, hidden, and keeps the
// choices: the form posts, autosaves and validates exactly as without JavaScript.
(function () {
  "use strict";
  let count = 0;

  function plain(text) { return text.replace(/^[\s\u2003]+/, "").trim(); }

  function enhance(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    const multiple = select.dataset.choicePicker === "multiple";
    const base = select.id || "chon-" + (++count);
    const label = document.querySelector('label[for="' + base + '"]');

    const box = document.createElement("div");
    box.className = "choice-picker form-control";
    if (select.classList.contains("is-invalid")) box.classList.add("is-invalid");
    const chips = document.createElement("ul");
    chips.className = "choice-picker-chips";
    const input = document.createElement("input");
    input.type = "text";
    input.id = base + "-tim";
    input.className = "choice-picker-input";
    input.autocomplete = "off";
    input.placeholder = select.dataset.pickerPlaceholder || "";
    input.setAttribute("data-picker-input", "");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-goi-y");
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    // The help text and the errors are read with the search box, as they were with the select.
    if (select.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    const list = document.createElement("ul");
    list.id = base + "-goi-y";
    list.className = "choice-picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    if (label) {
      label.htmlFor = input.id;
      label.id = label.id || base + "-nhan";
      list.setAttribute("aria-labelledby", label.id);
      chips.setAttribute("aria-label", "Đã chọn – " + label.textContent.replace("*", "").trim());
    }
    box.append(chips, input);
    select.after(box, list, status);
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    box.addEventListener("click", (event) => { if (!event.target.closest("button")) input.focus(); });

    let results = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    function chosen() {
      return Array.from(select.selectedOptions).filter((option) => option.value !== "");
    }

    function say(text) { status.textContent = text; }

    function drawChips() {
      chips.replaceChildren();
      for (const option of chosen()) {
        const name = plain(option.textContent);
        const chip = document.createElement("li");
        chip.className = "choice-chip";
        const text = document.createElement("span");
        text.textContent = name;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "choice-chip-remove";
        remove.setAttribute("aria-label", "Bỏ chọn " + name);
        remove.textContent = "×";
        remove.addEventListener("click", () => { unchoose(option); input.focus(); });
        remove.addEventListener("keydown", (event) => {
          if (event.key === "Backspace" || event.key === "Delete") {
            event.preventDefault();
            unchoose(option);
            input.focus();
          }
        });
        chip.append(text, remove);
        chips.append(chip);
      }
      chips.hidden = !chips.children.length;
      // One choice: its chip says it all; the box is there to change it.
      input.placeholder = !multiple && chips.children.length ? "" : select.dataset.pickerPlaceholder || "";
    }

    function changed() {
      drawChips();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function unchoose(option) {
      option.selected = false;
      if (!multiple) select.value = "";
      changed();
      say("Đã bỏ chọn " + plain(option.textContent) + ".");
    }

    function choose(result) {
      const value = String(result.value);
      let option = Array.from(select.options).find((item) => item.value === value);
      if (!option) option = new Option(result.text, value);
      // Last in the select, so the chips run in the order chosen (and Backspace takes the last).
      select.add(option);
      if (!multiple) select.value = value;
      option.selected = true;
      input.value = "";
      close();
      changed();
      say("Đã chọn " + result.text + ".");
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      results = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((item, position) => {
        const on = position === index;
        item.classList.toggle("active", on);
        item.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          input.setAttribute("aria-activedescendant", item.id);
          item.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function draw(found) {
      const taken = new Set(chosen().map((option) => option.value));
      results = found.filter((result) => !taken.has(String(result.value)));
      list.replaceChildren();
      results.forEach((result, position) => {
        const item = document.createElement("li");
        item.id = base + "-goi-y-" + position;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.textContent = result.text;
        item.append(name);
        if (result.context) {
          const where = document.createElement("small");
          where.textContent = result.context;
          item.append(where);
        }
        // Chosen on mousedown, before the input loses the focus and closes the list.
        item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(result); });
        list.append(item);
      });
      if (!results.length) {
        const none = document.createElement("li");
        none.className = "choice-picker-none";
        none.textContent = "Không tìm thấy mục phù hợp.";
        list.append(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      say(results.length ? results.length + " gợi ý; dùng phím mũi tên để chọn, Enter để chọn." : "Không tìm thấy mục phù hợp.");
      highlight(results.length ? 0 : -1);
    }

    async function search() {
      const text = input.value.trim();
      if (!text) { close(); return; }
      const ticket = ++asked;
      const url = new URL(select.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", text);
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        const type = response.headers.get("Content-Type") || "";
        if (!response.ok || !type.includes("application/json")) throw new Error(String(response.status));
        const answer = await response.json();
        if (ticket === asked) draw(answer.results || []);
      } catch (error) {
        if (ticket === asked) say("Chưa tìm được, hãy thử lại (có thể phiên đăng nhập đã hết hạn).");
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        if (!results.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + results.length) % results.length);
      } else if (event.key === "Enter") {
        // Never sends the form from the search box.
        event.preventDefault();
        if (active >= 0 && results[active]) choose(results[active]);
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      } else if ((event.key === "Backspace" || event.key === "Delete") && input.value === "") {
        const last = chosen().pop();
        if (last) { event.preventDefault(); unchoose(last); }
      }
    });
    input.addEventListener("blur", () => { clearTimeout(timer); close(); });
    // The form restored from the browser's copy: draw what the select now holds.
    select.addEventListener("picker:refresh", drawChips);
    drawChips();
  }

  function enhanceAll(root) {
    root.querySelectorAll("select[data-choice-picker]").forEach(enhance);
  }
  enhanceAll(document);
  document.addEventListener("htmx:load", (event) => enhanceAll(event.target));
})();
