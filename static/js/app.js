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

  // A link in a menu closes the menu; its button gets focus back. A menu is a <details>, or one
  // shared by many buttons ([data-popup-menu], as the kanban cards' #kcard-menu: the button with
  // aria-controls pointing at it and aria-expanded="true" opened it; "popup:close" closes it).
  function openOverlay(link) {
    var menu = link.closest("details");
    if (menu) menu.open = false;
    var back = menu ? menu.querySelector("summary") : link;
    var popup = link.closest("[data-popup-menu]");
    if (popup) {
      var button = document.querySelector('[aria-controls="' + popup.id + '"][aria-expanded="true"]');
      if (button) back = button;
      popup.dispatchEvent(new CustomEvent("popup:close"));
    }
    returnFocusTo(back);
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

  // Polls (hx-trigger="every Ns" with data-poll-when-visible) skip while the tab is hidden. A
  // trigger filter ([document.visibilityState…]) would need eval, which the CSP forbids.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var polling = elt && elt.hasAttribute && elt.hasAttribute("data-poll-when-visible");
    if (polling && document.visibilityState !== "visible") event.preventDefault();
  });

  // Every htmx request that fails says so (htmx itself swaps nothing on an error): the server's
  // own short plain-text reason when it gives one, else what the status means. The same message
  // is not stacked twice (a poll failing every few seconds).
  var ERROR_TEXT = {
    400: "The request could not be processed (it was malformed or too large). Nothing was changed.",
    403: "You do not have permission to do that, or your session expired. Reload the page.",
    404: "That was not found: it may have been deleted. Reload the page.",
    405: "That action is not available here. Reload the page.",
    413: "That request is too large. Try a smaller selection.",
    429: "Too many requests. Wait a moment and try again.",
  };
  function errorText(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var body = (xhr.responseText || "").trim();
    if (type.indexOf("text/plain") === 0 && body && body.length <= 300) return body;
    if (ERROR_TEXT[xhr.status]) return ERROR_TEXT[xhr.status];
    if (xhr.status >= 500) return "Something went wrong on the server (" + xhr.status + "). Try again in a moment.";
    return "The request failed (" + xhr.status + "). Reload the page and try again.";
  }
  function flashOnce(text) {
    var shown = Array.prototype.some.call(document.querySelectorAll("#messages .flash-error"), function (el) {
      return el.firstChild && el.firstChild.nodeValue === text;
    });
    if (!shown) flash(text, "error");
  }
  document.addEventListener("htmx:responseError", function (event) {
    flashOnce(errorText(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    flashOnce("Nextal could not be reached. Check your connection and try again.");
  });
  document.addEventListener("htmx:timeout", function () {
    flashOnce("Nextal took too long to answer. Try again in a moment.");
  });

  // The server's success and info messages fade after a while.
  setTimeout(function () {
    document.querySelectorAll(".flash-success, .flash-info").forEach(function (el) { el.remove(); });
  }, SERVER_FLASH_MS);
})();
