/* Accessibility repairs for jupyterquiz's self-check quizzes, applied as they appear on the page:
   its numeric answer box has a visible label that is not tied to the input, and its feedback is not
   announced to screen readers. */
(function () {
  "use strict";
  function repair(root) {
    root.querySelectorAll(".Quiz .InpLabel").forEach(function (label) {
      var input = label.parentNode.querySelector("input.Input-text");
      if (input && !label.htmlFor) { label.htmlFor = input.id; }
    });
    root.querySelectorAll(".Quiz .Feedback").forEach(function (feedback) {
      if (!feedback.hasAttribute("aria-live")) {
        feedback.setAttribute("aria-live", "polite");
        feedback.setAttribute("role", "status");
      }
    });
  }
  function start() {
    repair(document);
    new MutationObserver(function () { repair(document); }).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
