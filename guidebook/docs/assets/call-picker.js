/* The home page's call picker (guidebook/pages/home.py): pick the stage the deal is in, then who the buyer
   compares us with, and land on that stage's call sheet at the plays and objection answers against them.
   Without a stage, a competitor opens its battlecard at the objection answers. The last stage picked is
   remembered on this device. */
(function () {
  "use strict";

  var STORE = "waymark.call-stage:" + location.pathname;

  function remember(value) {
    try {
      if (value) localStorage.setItem(STORE, value);
      else localStorage.removeItem(STORE);
    } catch (error) {
      /* private browsing: nothing to remember with */
    }
  }

  function recalled() {
    try {
      return localStorage.getItem(STORE);
    } catch (error) {
      return null;
    }
  }

  function setUp(picker) {
    var stages = Array.prototype.slice.call(picker.querySelectorAll("button[data-stage]"));
    var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-against]"));
    var hint = picker.querySelector("[data-waymark-call-hint]");
    var firstHint = hint ? hint.textContent : "";

    groups.forEach(function (group) {
      group.querySelectorAll("a[data-anchor]").forEach(function (link) {
        link.setAttribute("data-card", link.getAttribute("href"));
      });
    });

    function show(chosen) {
      var process = chosen ? chosen.getAttribute("data-process") : groups[0].getAttribute("data-against");
      stages.forEach(function (button) {
        button.setAttribute("aria-pressed", button === chosen ? "true" : "false");
      });
      groups.forEach(function (group) {
        group.hidden = group.getAttribute("data-against") !== process;
        group.querySelectorAll("a[data-anchor]").forEach(function (link) {
          var target = chosen
            ? chosen.getAttribute("data-sheet") + "#" + link.getAttribute("data-anchor")
            : link.getAttribute("data-card");
          link.setAttribute("href", target);
        });
      });
      if (hint) {
        hint.textContent = chosen
          ? "Opens the " + chosen.getAttribute("data-stage-name") + " call sheet at the plays and objection answers."
          : firstHint;
      }
    }

    stages.forEach(function (button) {
      button.addEventListener("click", function () {
        var again = button.getAttribute("aria-pressed") === "true";
        show(again ? null : button);
        remember(again ? null : button.getAttribute("data-process") + "/" + button.getAttribute("data-stage"));
      });
    });

    var last = recalled();
    var previous = stages.filter(function (button) {
      return button.getAttribute("data-process") + "/" + button.getAttribute("data-stage") === last;
    })[0];
    show(previous || null);
  }

  document.querySelectorAll("[data-waymark-call]").forEach(setUp);
})();
