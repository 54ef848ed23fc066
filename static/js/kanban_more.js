// Long kanban columns: each renders its first 50 cards and "Show more" (htmx) appends the next
// ones; this file sends how many the column shows now (moves change it) and drops a card that
// arrives twice. A column's "Select everyone" also selects the cards not loaded yet: the bulk
// form then sends stage=<id> (the server takes every card of that stage) and exclude=<id> for a
// card unchecked in such a column; the toolbar counts them all ("612 selected").
(function () {
  "use strict";
  var board = document.getElementById("kanban");
  var form = document.getElementById("kanban-selection-form");
  if (!board || !form) return;
  var whole = {}; // stage id -> true: every card of the stage is selected, loaded or not

  function listFor(stageId) { return document.getElementById("kcol-list-" + stageId); }
  function loaded(stageId) { return listFor(stageId).querySelectorAll(".kcard").length; }
  function total(stageId) {
    var badge = board.querySelector('[data-count-for="' + stageId + '"]'); // kept exact by kanban.js
    return parseInt(badge ? badge.textContent : "0", 10) || 0;
  }
  function stageOf(element) { return element.closest(".kcol").getAttribute("data-stage-id"); }

  function setHidden(name, value, on) {
    var input = form.querySelector('input[name="' + name + '"][value="' + value + '"]');
    if (on && !input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    } else if (!on && input) {
      input.remove();
    }
  }

  function dropWhole(stageId) {
    delete whole[stageId];
    setHidden("stage", stageId, false);
    listFor(stageId).querySelectorAll(".kcard-select").forEach(function (box) {
      setHidden("exclude", box.value, false);
    });
  }

  function relabel() {
    var n = board.querySelectorAll(".kcard-select:checked").length;
    var notes = [];
    Object.keys(whole).forEach(function (stageId) {
      n += Math.max(total(stageId) - loaded(stageId), 0);
      notes.push("all of " + listFor(stageId).getAttribute("data-stage-name"));
    });
    var bar = document.getElementById("kanban-selection-actions");
    if (bar) {
      bar.hidden = n === 0;
      bar.querySelector("[data-selection-count]").textContent = n;
      var note = bar.querySelector("[data-whole-columns]");
      if (note) note.textContent = notes.length ? " (" + notes.join(", ") + ")" : "";
    }
    document.querySelectorAll("[data-sms-selection-label]").forEach(function (label) {
      label.textContent = n + (n === 1 ? " candidate" : " candidates");
    });
  }

  // After kanban.js has (un)checked the loaded cards.
  board.addEventListener("change", function (event) {
    var box = event.target;
    if (box.classList.contains("kcol-select")) {
      var stageId = stageOf(box);
      if (box.checked && total(stageId) > loaded(stageId)) {
        whole[stageId] = true;
        setHidden("stage", stageId, true);
      } else if (!box.checked) {
        dropWhole(stageId);
      }
    } else if (box.classList.contains("kcard-select") && whole[stageOf(box)]) {
      setHidden("exclude", box.value, !box.checked);
    } else {
      return;
    }
    relabel();
  });

  // Cleared, or every loaded card of a whole column unchecked: that column is no longer whole.
  document.addEventListener("kanban:selectionchange", function () {
    Object.keys(whole).forEach(function (stageId) {
      if (!listFor(stageId).querySelector(".kcard-select:checked")) dropWhole(stageId);
    });
    relabel();
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    var link = event.detail.elt;
    var stageId = link && link.getAttribute("data-more-for");
    if (!stageId) return;
    event.detail.path = event.detail.path.replace(/offset=\d+/, "offset=" + loaded(stageId));
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list.classList || !list.classList.contains("kcol-list")) return;
    var stageId = list.getAttribute("data-stage-id");
    list.querySelectorAll(".kcard").forEach(function (card) {
      if (document.getElementById(card.id) !== card) {
        card.remove(); // moved into the part already shown
        return;
      }
      var box = card.querySelector(".kcard-select");
      if (whole[stageId] && box && !box.checked &&
          !form.querySelector('input[name="exclude"][value="' + box.value + '"]')) {
        box.checked = true;
        card.classList.add("is-selected");
      }
    });
    relabel();
  });
})();
