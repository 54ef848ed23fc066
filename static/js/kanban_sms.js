// "Send SMS" on the kanban board: opens the sidebar from a card's menu (the selection toolbar's
// button is plain htmx), shows the template picker for the Template type, prefills the content
// from the chosen template and updates the cards' last-SMS line after sending. Without this file
// every step is a page of its own.
(function () {
  "use strict";
  var Nextal = window.Nextal; // app.js: overlays (focus return), template prefill

  function collapse(text) {
    return text.split(/\s+/).filter(Boolean).join(" ").slice(0, 160);
  }

  // --- Opening the sidebar ---------------------------------------------------------------------

  // The control that opened it gets focus back when it closes.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    var link = target.closest('[data-action="send-sms"]');
    if (link && window.htmx) {
      event.preventDefault();
      Nextal.overlay.open(link);
      return;
    }
    var bulk = target.closest('[data-action="bulk-sms"]'); // htmx posts the selection itself
    if (bulk) Nextal.overlay.returnFocusTo(bulk);
  });

  // The selection goes as one comma-joined field: one field per card would pass Django's limit
  // of 1,000 fields (a 400) on a big board.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.matches || !elt.matches('[data-action="bulk-sms"]') || !window.NextalKanban) return;
    var params = event.detail.parameters;
    delete params.application;
    params.applications = window.NextalKanban.selection().applicationIds.join(",");
  });

  // The toolbar button names how many candidates it texts.
  document.addEventListener("kanban:selectionchange", function (event) {
    var n = event.detail.applicationIds.length;
    document.querySelectorAll("[data-sms-selection-label]").forEach(function (label) {
      label.textContent = n + (n === 1 ? " candidate" : " candidates");
    });
  });

  // --- The form ----------------------------------------------------------------------------------

  function syncKind(form) {
    var kind = form.querySelector("input[name=kind]:checked");
    var field = form.querySelector("[data-template-field]");
    if (field) field.hidden = !kind || kind.value !== "template";
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-kanban-sms-form]");
    if (!form) return;
    if (event.target.name === "kind") {
      syncKind(form);
      var picker = form.querySelector("select[name=template]");
      if (event.target.value === "template" && picker) picker.focus();
    } else if (event.target.name === "template") {
      Nextal.prefillFromTemplate(event.target);
    }
  });

  // --- After each step ---------------------------------------------------------------------------

  function updateCards(root) {
    var data = root.querySelector("#kanban-sms-sent");
    if (!data) return;
    var previews = JSON.parse(data.textContent);
    data.remove(); // applied once, not again on the next swap
    Object.keys(previews).forEach(function (applicationId) {
      var card = document.getElementById("application-" + applicationId);
      if (!card) return;
      var line = card.querySelector(".kcard-sms");
      if (!line) {
        line = document.createElement("p");
        line.className = "kcard-sms";
        line.innerHTML = '<span class="kcard-sms-text"></span> <small></small>';
        card.appendChild(line);
      }
      // "Riley: …": the server names the sender.
      line.querySelector(".kcard-sms-text").textContent = collapse(previews[applicationId]);
      line.querySelector("small").textContent = "now";
    });
  }

  function enhance(root) {
    if (!root || !root.querySelectorAll) return;
    var forms = Array.prototype.slice.call(root.querySelectorAll("[data-kanban-sms-form]"));
    forms.forEach(function (form) {
      // Removed, not hidden: a hidden submit button would still be the form's default button.
      form.querySelectorAll("[data-no-js-only]").forEach(function (el) { el.remove(); });
      syncKind(form);
    });
    updateCards(root);
    // A bulk send went out: the selection it was made from has done its job.
    var progress = root.querySelector && root.querySelector(".bulk-progress");
    if (progress && progress.closest("#overlay-root") && window.NextalKanban) {
      window.NextalKanban.clearSelection();
    }
    var panel = root.classList && root.classList.contains("kanban-sms-panel")
      ? root
      : root.querySelector(".kanban-sms-panel");
    if (panel && panel.closest("#overlay-root")) {
      // The first of these that exists, in this order of preference.
      var preferred = ["[aria-invalid=true]", "textarea:not([hidden])", ".btn-primary", "[data-close-overlay]"];
      for (var i = 0; i < preferred.length; i++) {
        var focus = panel.querySelector(preferred[i]);
        if (focus) {
          focus.focus();
          break;
        }
      }
    }
  }

  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document.body); });
  } else {
    enhance(document.body);
  }
})();
