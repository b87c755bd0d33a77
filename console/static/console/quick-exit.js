// Quick exit: the button, or the Escape key anywhere, leaves at once for a neutral site and
// replaces this page in the browser's history, so Back does not return to it.
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.documentElement.hidden = true;
    try {
      window.history.replaceState(null, "", "/");
    } catch (ignored) {
      // Leaving matters more than the history entry.
    }
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      leave(event);
    }
  });
})();
