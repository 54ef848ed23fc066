// Small progressive enhancements shared by every page. Pages work without this file.
(function () {
  "use strict";
  // Close overlays with Escape or a click on the backdrop.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("#overlay-root .overlay").forEach(function (el) { el.remove(); });
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("overlay")) target.remove();
    var closer = target.closest && target.closest("[data-close-overlay]");
    if (closer) {
      event.preventDefault();
      var overlay = closer.closest(".overlay");
      if (overlay) overlay.remove();
    }
    var copy = target.closest && target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      event.preventDefault();
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        var label = copy.textContent;
        copy.textContent = "Copied";
        setTimeout(function () { copy.textContent = label; }, 1500);
      });
    }
  });
  // Flash messages fade after a while.
  setTimeout(function () {
    document.querySelectorAll(".flash-success, .flash-info").forEach(function (el) { el.remove(); });
  }, 8000);
})();
