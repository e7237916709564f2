// Keys of the extraction pages.
// On a study's form: Ctrl+Enter (Cmd+Enter on a Mac) saves and opens your next study, from any
// field. On the list of studies: N opens your next study.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.repeat) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var save = document.querySelector('.extract-form button[name="then"][value="next"]');
      if (save) { event.preventDefault(); save.click(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.matches && event.target.matches("textarea, input, select")) { return; }
    if (event.key.toLowerCase() === "n") {
      var next = document.querySelector("a[data-next-study]");
      if (next) { event.preventDefault(); next.click(); }
    }
  });
})();
