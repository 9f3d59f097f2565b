// Admin pages: after a key was created, make reloading the page a plain GET of the keys
// list (the key text was in the answer to the form only and must not be sent again).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const once = document.querySelector("[data-shown-once]");
  if (once) window.history.replaceState(null, "", once.dataset.shownOnce);
  const text = document.querySelector("input.key-text");
  if (text) { text.focus(); text.select(); }
});
