// Small progressive enhancements shared by every page, and window.Nextal: the helpers the page
// scripts (kanban.js, kanban_sms.js, conversation.js) share. Pages work without this file.
//
// base.html loads this file with `defer` before each page's {% block scripts %}, whose scripts
// are deferred too, so Nextal exists when they run:
//
//   Nextal.flash(text, kind)           shows a message in the flash stack (#messages) as the
//                                      server does; kind "error" stays until dismissed
//   Nextal.overlay.open(link)          loads the link's dialog or drawer into #overlay-root with
//                                      htmx; when it closes, focus goes back to the link (or to
//                                      the button of the menu the link is in)
//   Nextal.overlay.returnFocusTo(el)   the same for an overlay htmx opens itself (hx-get/hx-post);
//                                      null forgets the opener (the caller moves focus itself)
//   Nextal.overlay.close()             closes every open overlay
//   Nextal.overlay.top()               the open overlay on top, or null
//   Nextal.prefillFromTemplate(select) the chosen option's data-body fills the form's message
(function () {
  "use strict";
  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  var FLASH_MS = 6000; // how long a message shown by a script stays
  var SERVER_FLASH_MS = 8000; // the same for the server's success and info messages

  // --- Flash messages ----------------------------------------------------------------------------

  // The same markup as the server's messages in base.html; the close button works through the
  // click listener below.
  function flash(text, kind) {
    var stack = document.getElementById("messages");
    if (!stack) return null;
    var item = document.createElement("div");
    item.className = "flash flash-" + (kind || "info");
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    item.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    item.appendChild(close);
    stack.appendChild(item);
    if (kind !== "error") window.setTimeout(function () { item.remove(); }, FLASH_MS);
    return item;
  }

  // --- Overlays (dialogs and drawers in #overlay-root) -------------------------------------------

  var overlayRoot = document.getElementById("overlay-root");
  var opener = null; // gets focus back when the last overlay closes

  function topOverlay() {
    var overlays = document.querySelectorAll("#overlay-root .overlay");
    return overlays.length ? overlays[overlays.length - 1] : null;
  }

  function closeOverlays() {
    document.querySelectorAll("#overlay-root .overlay").forEach(function (el) { el.remove(); });
  }

  function returnFocusTo(el) {
    opener = el || null;
  }

  // A link in a menu (<details>, as on kanban cards) closes the menu; its button gets focus back.
  function openOverlay(link) {
    var menu = link.closest("details");
    if (menu) menu.open = false;
    returnFocusTo(menu ? menu.querySelector("summary") : link);
    window.htmx.ajax("GET", link.getAttribute("href"), { target: "#overlay-root", swap: "innerHTML" });
  }

  // However an overlay closes (Escape, the backdrop, Cancel, a swap), focus goes back.
  if (overlayRoot) {
    new MutationObserver(function () {
      if (opener && !overlayRoot.querySelector(".overlay")) {
        if (document.body.contains(opener)) opener.focus();
        opener = null;
      }
    }).observe(overlayRoot, { childList: true });
  }

  // --- SMS templates -----------------------------------------------------------------------------

  // Choosing a saved template fills the form's message (textarea[name=body]) with the option's
  // data-body; it stays editable. Returns the textarea it filled, or null.
  function prefillFromTemplate(select) {
    var option = select.options[select.selectedIndex];
    var body = option ? option.getAttribute("data-body") : null;
    var textarea = select.form && select.form.querySelector("textarea[name=body]");
    if (body === null || !textarea) return null;
    textarea.value = body;
    // The counter (sms_counter.js) and the preview listen for input.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    return textarea;
  }

  window.Nextal = {
    flash: flash,
    overlay: {
      open: openOverlay,
      returnFocusTo: returnFocusTo,
      close: closeOverlays,
      top: topOverlay,
    },
    prefillFromTemplate: prefillFromTemplate,
  };

  // --- Every page --------------------------------------------------------------------------------

  // Close overlays with Escape; keep Tab and Shift+Tab inside an open dialog or drawer.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeOverlays();
      return;
    }
    var overlay = event.key === "Tab" ? topOverlay() : null;
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
    // A flash message's close button: delegated, not inline, so a strict Content-Security-Policy
    // can forbid inline handlers.
    var dismiss = target.closest && target.closest(".flash-close");
    if (dismiss) {
      var message = dismiss.closest(".flash");
      if (message) message.remove();
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
  // A response may ask for a message through its HX-Trigger header (htmx fires the event even
  // for an error status it does not swap, e.g. 429 "too many requests"):
  // {"nextal:flash": {"text": "...", "kind": "error"}}.
  document.addEventListener("nextal:flash", function (event) {
    var detail = event.detail || {};
    if (detail.text) flash(detail.text, detail.kind);
  });
  // The server's success and info messages fade after a while.
  setTimeout(function () {
    document.querySelectorAll(".flash-success, .flash-info").forEach(function (el) { el.remove(); });
  }, SERVER_FLASH_MS);
})();
