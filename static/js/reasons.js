// Reasons page: drag a row onto another to put it at that place. The same move as the
// up and down buttons (which work without this script, and from the keyboard): the server
// renumbers and redirects, so the page never shows an order the server did not store.
(function () {
  "use strict";
  var form = document.getElementById("move-form");
  var rows = document.getElementById("reason-rows");
  if (!form || !rows) return;
  var dragged = null;

  rows.addEventListener("dragstart", function (event) {
    var row = event.target.closest("tr[data-reason]");
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.reason);
  });
  rows.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });
  rows.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest("tr[data-reason]")) event.preventDefault();
  });
  rows.addEventListener("drop", function (event) {
    var target = event.target.closest("tr[data-reason]");
    if (!dragged || !target || target === dragged) return;
    event.preventDefault();
    form.elements.reason.value = dragged.dataset.reason;
    form.elements.position.value = target.dataset.position;
    form.submit();
  });
})();
