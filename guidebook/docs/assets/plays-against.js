/* A stage page opened with `?against=<competitor key>` (e.g. `?against=tabstone`) shows the play against
   that competitor on every milestone that has one, as if the rep had picked its tab. */
(function () {
  "use strict";

  var key = new URLSearchParams(location.search).get("against");
  if (!key) return;
  document.querySelectorAll(".waymark-plays[data-labels]").forEach(function (plays) {
    var label = JSON.parse(plays.getAttribute("data-labels"))[key];
    if (!label) return;
    plays.querySelectorAll(".tabbed-labels > label").forEach(function (tab) {
      if (tab.textContent.trim() !== label) return;
      var input = document.getElementById(tab.getAttribute("for"));
      if (input) input.checked = true;
    });
  });
})();
