"use strict";
// Show only doubtful beads and omissions, or every bead; open or close every pair.
(function () {
  function setDoubtfulOnly(only) {
    document.querySelectorAll("table.beads tr.bead").forEach(function (row) {
      var flagged = row.classList.contains("doubtful") || row.classList.contains("omission");
      row.classList.toggle("hidden", only && !flagged);
    });
  }
  function setAllOpen(open) {
    document.querySelectorAll("details.pair").forEach(function (item) { item.open = open; });
  }
  var filter = document.getElementById("doubtful-only");
  if (filter) {
    filter.addEventListener("change", function () { setDoubtfulOnly(filter.checked); });
  }
  var expand = document.getElementById("expand-all");
  if (expand) {
    expand.addEventListener("click", function () { setAllOpen(true); });
  }
  var collapse = document.getElementById("collapse-all");
  if (collapse) {
    collapse.addEventListener("click", function () { setAllOpen(false); });
  }
  document.body.setAttribute("data-report-ready", "yes");
})();
