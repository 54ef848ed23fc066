// Small progressive enhancements shared by every page. Pages work without this file.
(function () {
  "use strict";
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

  function openOverlay() {
    var overlays = document.querySelectorAll("#overlay-root .overlay");
    return overlays.length ? overlays[overlays.length - 1] : null;
  }

  // Close overlays with Escape; keep Tab and Shift+Tab inside an open dialog or drawer.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("#overlay-root .overlay").forEach(function (el) { el.remove(); });
      return;
    }
    var overlay = event.key === "Tab" ? openOverlay() : null;
    if (!overlay) return;
    var focusable = Array.prototype.filter.call(overlay.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === document.activeElement;
    });
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var inside = overlay.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
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
