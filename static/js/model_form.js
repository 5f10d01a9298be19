// The registration form: autosave to the server, a copy in this browser and small conveniences
// (the pickers are static/js/picker.js). Without JavaScript the form still works with its buttons.
(function () {
  "use strict";
  const form = document.getElementById("form-mo-hinh");
  if (!form) return;

  const statusBox = form.querySelector("[data-autosave-status]");
  let storageKey = form.dataset.storageKey;
  let autosaveUrl = form.dataset.autosaveUrl;
  let serverSavedAt = Number(form.dataset.savedAt || 0);
  let timer = null;
  let inFlight = false;
  let pending = false;
  let submitting = false;
  let submitAfterAutosave = null;

  function say(text, isError) {
    if (!statusBox) return;
    statusBox.textContent = text;
    statusBox.classList.toggle("text-danger", Boolean(isError));
  }

  // Never kept in the browser's copy: the CSRF token, and the token naming the blank form that a
  // registration was created from (restored into a later blank form, it would name the old one).
  const NOT_KEPT = new Set(["csrfmiddlewaretoken", "creation_token"]);

  // Every value of the form except those above and files (which cannot be kept locally).
  function snapshot() {
    const values = {};
    for (const element of form.elements) {
      if (!element.name || element.type === "file" || NOT_KEPT.has(element.name)) continue;
      if (element.type === "submit" || element.type === "button") continue;
      if (element.type === "checkbox" || element.type === "radio") {
        if (!(element.name in values)) values[element.name] = [];
        if (element.checked) values[element.name].push(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        values[element.name] = Array.from(element.selectedOptions, (option) => option.value);
      } else {
        values[element.name] = element.value;
      }
    }
    return values;
  }

  function restore(values) {
    for (const element of form.elements) {
      if (!element.name || !(element.name in values) || element.type === "file") continue;
      if (NOT_KEPT.has(element.name)) continue;
      const value = values[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = value.includes(element.value);
      } else if (element.tagName === "SELECT" && element.multiple) {
        for (const option of element.options) option.selected = value.includes(option.value);
      } else {
        element.value = value;
      }
    }
    form.querySelectorAll("select[data-choice-picker]").forEach((select) => select.dispatchEvent(new Event("picker:refresh")));
    toggleIndividual();
  }

  function keepLocally() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ savedAt: Date.now(), values: snapshot() }));
    } catch (error) { /* private mode or full storage: the server copy still works */ }
  }

  function forgetLocally(key) {
    try { localStorage.removeItem(key || storageKey); } catch (error) { /* ignore */ }
  }

  async function autosave() {
    if (submitting) return;
    if (inFlight) { pending = true; return; }
    inFlight = true;
    say("Đang tự động lưu…");
    const data = new FormData(form);
    data.delete("attachments");
    try {
      const response = await fetch(autosaveUrl, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
        credentials: "same-origin",
      });
      const type = response.headers.get("Content-Type") || "";
      if (response.redirected || !type.includes("application/json")) {
        say("Phiên đăng nhập đã hết hạn. Nội dung vẫn được giữ trên máy này: hãy đăng nhập lại ở thẻ khác rồi bấm “Lưu nháp”.", true);
        return;
      }
      const result = await response.json();
      if (!result.ok) {
        const messages = Object.entries(result.errors || {}).map(([label, errors]) => (label ? label + ": " : "") + errors.join(" "));
        say("Chưa tự lưu được — " + (messages.join("; ") || result.error || "hãy kiểm tra nội dung."), true);
        return;
      }
      if (result.empty) {
        // Nothing filled in yet: no draft is made of a blank form.
        say("");
        return;
      }
      if (autosaveUrl !== result.autosave_url) {
        // The first autosave created the draft: from now on the form edits it, and the copy
        // kept in this browser is the draft's, found again when its edit page is opened.
        forgetLocally();
        autosaveUrl = result.autosave_url;
        form.dataset.autosaveUrl = autosaveUrl;
        // Keyed by user too: on a shared computer the next person never gets this copy.
        storageKey = form.dataset.storagePrefix + result.id;
        form.dataset.storageKey = storageKey;
        form.action = result.edit_url;
        history.replaceState(null, "", result.edit_url);
      }
      serverSavedAt = result.saved_at;
      forgetLocally();
      say("Đã tự động lưu lúc " + result.saved_at_text + ".");
    } catch (error) {
      say("Mất kết nối, chưa tự lưu được. Nội dung vẫn được giữ trên máy này.", true);
    } finally {
      inFlight = false;
      if (submitAfterAutosave) {
        const send = submitAfterAutosave;
        submitAfterAutosave = null;
        pending = false;
        send();
      } else if (pending) {
        pending = false;
        schedule();
      }
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(autosave, 2500);
  }

  function changed(event) {
    if (event.target.type === "file" || event.target.matches("[data-picker-input]")) return;
    keepLocally();
    schedule();
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (inFlight) {
      // An autosave is on its way and may be creating the draft: send the form once it has
      // answered, to the draft it created, rather than register the model a second time.
      event.preventDefault();
      const submitter = event.submitter;
      submitAfterAutosave = () => form.requestSubmit(submitter);
      return;
    }
    submitting = true;
    forgetLocally();
  });
  // Back to the form from the next page (kept in the browser's cache): it is being edited again.
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitting = false; });

  // A copy left by a closed tab or an expired session, newer than what the server has.
  const banner = document.getElementById("khoi-phuc");
  try {
    const kept = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (kept && kept.savedAt > serverSavedAt && banner) {
      banner.classList.remove("d-none");
      banner.querySelector("[data-restore-time]").textContent = new Date(kept.savedAt).toLocaleString("vi-VN");
      banner.querySelector("[data-restore]").addEventListener("click", () => {
        restore(kept.values);
        banner.classList.add("d-none");
        schedule();
      });
      banner.querySelector("[data-discard]").addEventListener("click", () => {
        forgetLocally();
        banner.classList.add("d-none");
      });
    }
  } catch (error) { /* ignore a corrupt copy */ }

  // Person's name and position only matter for an individual.
  function toggleIndividual() {
    const chosen = form.querySelector("input[name=actor]:checked");
    const block = form.querySelector("[data-individual]");
    if (block) block.hidden = !chosen || chosen.value !== "individual";
  }
  form.querySelectorAll("input[name=actor]").forEach((input) => input.addEventListener("change", toggleIndividual));
  toggleIndividual();
})();
