// After logging out: remove what the portal kept in this browser (copies of forms being typed),
// so that the next person at a shared computer cannot read them. Browsers that honoured the
// log-out's Clear-Site-Data header have done so already.
(function () {
  "use strict";
  try {
    for (const storage of [window.localStorage, window.sessionStorage]) {
      const keys = [];
      for (let index = 0; index < storage.length; index += 1) {
        const key = storage.key(index);
        if (key && key.startsWith("danvan-")) keys.push(key);
      }
      keys.forEach((key) => storage.removeItem(key));
    }
  } catch (error) { /* storage switched off: nothing was kept */ }
})();
