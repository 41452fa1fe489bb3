// The check-in list (issue 16): the search box hides the rows whose name, pinyin initials or full
// pinyin do not hold what is typed (no reload); a refused check-in (409: checked in elsewhere at the
// same time; 400) still swaps its row, so the refusal shows where the tap was.
(function () {
  "use strict";
  document.querySelectorAll("[data-row-filter]").forEach(function (input) {
    var body = document.querySelector(input.getAttribute("data-row-filter"));
    if (!body) { return; }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      body.querySelectorAll("tr[data-search]").forEach(function (row) {
        row.hidden = q !== "" && row.getAttribute("data-search").indexOf(q) === -1;
      });
    });
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 400 || status === 409) && event.detail.target.closest("#attendance-rows")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
