// The kanban board: drag and drop (SortableJS, so mouse, pen and touch), the "Move to…"
// dialog, Alt+arrow moves and multi-select. Every move is POSTed at once and the server answers
// with the column counts. Without this file the board still works: each card's menu links to the
// "Move to…" page.
//
// For other areas (SMS): the board fires "kanban:selectionchange" (detail: applicationIds,
// candidateIds) and "kanban:moved" (detail: the server's answer) on #kanban, and exposes
// window.NextalKanban.selection() and .clearSelection().
(function () {
  "use strict";
  var Nextal = window.Nextal; // app.js: flash messages, overlays
  var board = document.getElementById("kanban");
  if (!board) return;

  var live = document.getElementById("kanban-live");
  var selectionBar = document.getElementById("kanban-selection-actions");

  // --- Helpers ---------------------------------------------------------------------------------

  function csrfToken() {
    var input = document.querySelector("#kanban-selection-form [name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function moveUrl(applicationId) {
    return board.getAttribute("data-move-url").replace("/0/", "/" + applicationId + "/");
  }

  function lists() {
    return Array.prototype.slice.call(board.querySelectorAll(".kcol-list"));
  }

  function listFor(stageId) {
    return board.querySelector('.kcol-list[data-stage-id="' + stageId + '"]');
  }

  function cardsIn(list, except) {
    var cards = [];
    for (var el = list.firstElementChild; el; el = el.nextElementSibling) {
      if (el.classList.contains("kcard") && el !== except) cards.push(el);
    }
    return cards;
  }

  function placeCard(card, list, index) {
    var before = cardsIn(list, card)[index] || null;
    list.insertBefore(card, before);
  }

  function nameOf(card) {
    return card.querySelector(".kcard-name").textContent.trim();
  }

  function announce(text) {
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function highlight(card) {
    card.classList.remove("just-moved");
    void card.offsetWidth; // restart the animation
    card.classList.add("just-moved");
  }

  // Column counts: the server's when it sent them, else what the board shows.
  function refreshCounts(counts) {
    var total = 0;
    lists().forEach(function (list) {
      var id = list.getAttribute("data-stage-id");
      var n = counts && counts[id] !== undefined ? counts[id] : cardsIn(list).length;
      total += n;
      var badge = board.querySelector('[data-count-for="' + id + '"]');
      if (badge) {
        badge.textContent = n;
        badge.setAttribute("aria-label", n + (n === 1 ? " candidate" : " candidates"));
      }
    });
    var totalEl = document.querySelector("[data-board-total]");
    if (totalEl) totalEl.textContent = total;
    updateColumnSelects();
  }

  // --- Saving moves ----------------------------------------------------------------------------

  // Moves are sent one at a time, in the order they were made, so the server sees what the
  // recruiter saw.
  var queue = Promise.resolve();

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        // A login page or an error page: the session expired or the server failed.
        throw new Error("The move could not be saved (are you still signed in?).");
      }
      return response.json().then(function (data) {
        if (!response.ok) {
          var messages = [];
          Object.keys(data.errors || {}).forEach(function (field) {
            data.errors[field].forEach(function (error) { messages.push(error.message); });
          });
          var error = new Error(messages.join(" ") || "The move could not be saved.");
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  function enqueue(task) {
    var run = queue.then(task);
    queue = run.catch(function () {});
    return run;
  }

  function moved(card, data) {
    refreshCounts(data.counts);
    highlight(card);
    announce(data.message);
    board.dispatchEvent(new CustomEvent("kanban:moved", { bubbles: true, detail: data }));
  }

  // The card is already where the recruiter put it; `revert` puts it back if saving fails.
  function persistMove(card, revert) {
    var list = card.parentNode;
    var body = new FormData();
    body.append("stage", list.getAttribute("data-stage-id"));
    body.append("position", cardsIn(list).indexOf(card) + 1);
    card.classList.add("is-saving");
    refreshCounts();
    return enqueue(function () {
      return post(moveUrl(card.getAttribute("data-application-id")), body);
    }).then(
      function (data) {
        card.classList.remove("is-saving");
        moved(card, data);
      },
      function (error) {
        card.classList.remove("is-saving");
        revert();
        refreshCounts();
        Nextal.flash(error.message + " " + nameOf(card) + " was put back.", "error");
      }
    );
  }

  function snapshot(card) {
    var list = card.parentNode;
    var index = cardsIn(list).indexOf(card);
    return {
      list: list,
      index: index,
      restore: function () { placeCard(card, list, index); },
    };
  }

  // --- Drag and drop (SortableJS, static/vendor/sortablejs-1.15.7: mouse, pen and touch) --------

  var dragging = null; // where the dragged card came from, to put it back if saving fails

  if (window.Sortable) {
    lists().forEach(function (list) {
      window.Sortable.create(list, {
        group: "kanban",
        draggable: ".kcard",
        // Checkboxes, menus and buttons inside a card stay clickable.
        filter: "input, summary, button, .kcard-menu-list",
        preventOnFilter: false,
        forceFallback: true, // the same pointer-driven drag for mouse, pen and touch
        fallbackTolerance: 5, // px before a press becomes a drag (so clicks stay clicks)
        delay: 350, // touch drags start with a long press; a swipe scrolls the board
        delayOnTouchOnly: true,
        animation: 150,
        ghostClass: "kcard-placeholder",
        chosenClass: "is-chosen",
        dragClass: "is-dragging",
        scroll: true,
        bubbleScroll: true,
        scrollSensitivity: 56,
        onStart: function (event) {
          dragging = snapshot(event.item);
          document.body.classList.add("is-dragging-card");
        },
        onEnd: function (event) {
          document.body.classList.remove("is-dragging-card");
          var origin = dragging;
          dragging = null;
          var card = event.item;
          if (!origin) return;
          if (card.parentNode === origin.list && cardsIn(origin.list).indexOf(card) === origin.index) return;
          persistMove(card, origin.restore);
        },
      });
    });
  }

  // --- Keyboard: Alt+arrows on a focused card --------------------------------------------------

  board.addEventListener("keydown", function (event) {
    // A card's checkbox: Enter toggles it (it must not submit the bulk form, "Send SMS to 0
    // candidates"), Escape keeps the focus where it is.
    if (event.target.matches && event.target.matches(".kcard-select")) {
      if (event.key === "Enter") {
        event.preventDefault();
        event.target.click();
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
    }
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var card = event.target.closest(".kcard");
    if (!card || event.target.closest(".kcard-menu-list")) return;
    var list = card.parentNode;
    var allLists = lists();
    var column = allLists.indexOf(list);
    var index = cardsIn(list).indexOf(card);
    var target = list;
    var targetIndex = index;
    if (event.key === "ArrowUp") targetIndex = index - 1;
    else if (event.key === "ArrowDown") targetIndex = index + 1;
    else if (event.key === "ArrowLeft") { target = allLists[column - 1]; targetIndex = 0; }
    else if (event.key === "ArrowRight") { target = allLists[column + 1]; targetIndex = 0; }
    else return;
    event.preventDefault();
    if (!target || targetIndex < 0 || targetIndex > cardsIn(target, card).length) return;
    if (target === list && targetIndex === index) return;
    var origin = snapshot(card);
    var focused = document.activeElement;
    placeCard(card, target, targetIndex);
    if (focused && card.contains(focused)) focused.focus();
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
    persistMove(card, origin.restore);
  });

  // --- Card menus and the "Move to…" dialog ----------------------------------------------------

  function closeMenus(except) {
    board.querySelectorAll(".kcard-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest(".kcard-menu"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest(".kcard-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  board.addEventListener("click", function (event) {
    var link = event.target.closest("[data-move-link]");
    if (!link || !window.htmx) return; // without htmx the link opens the "Move to…" page
    event.preventDefault();
    // Escape, the backdrop or Cancel return focus to the card's menu button.
    Nextal.overlay.open(link);
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "overlay-root") return;
    var field = event.detail.target.querySelector(".move-form select, .move-form input:not([type=hidden])");
    if (field) field.focus();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-move-form]");
    if (!form) return;
    var card = document.getElementById("application-" + form.getAttribute("data-application-id"));
    if (!card || !board.contains(card)) return; // not on this board: an ordinary form post
    event.preventDefault();
    var errorBox = form.querySelector("[data-move-error]");
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    enqueue(function () { return post(form.action, new FormData(form)); }).then(
      function (data) {
        var list = listFor(data.stage);
        placeCard(card, list, data.position - 1);
        // Focus goes to the moved card, not back to its menu button.
        Nextal.overlay.returnFocusTo(null);
        Nextal.overlay.close();
        card.querySelector(".kcard-name").focus();
        card.scrollIntoView({ block: "nearest", inline: "nearest" });
        moved(card, data);
      },
      function (error) {
        button.disabled = false;
        errorBox.textContent = error.message;
        errorBox.classList.remove("is-hidden");
      }
    );
  });

  // --- Multi-select ----------------------------------------------------------------------------

  function selectedBoxes() {
    return Array.prototype.slice.call(board.querySelectorAll(".kcard-select:checked"));
  }

  function selection() {
    var boxes = selectedBoxes();
    return {
      applicationIds: boxes.map(function (box) { return box.value; }),
      candidateIds: boxes.map(function (box) {
        return box.closest(".kcard").getAttribute("data-candidate-id");
      }),
    };
  }

  function updateColumnSelects() {
    board.querySelectorAll(".kcol").forEach(function (column) {
      var toggle = column.querySelector(".kcol-select");
      var boxes = column.querySelectorAll(".kcard-select");
      var checked = column.querySelectorAll(".kcard-select:checked").length;
      toggle.disabled = boxes.length === 0;
      toggle.checked = boxes.length > 0 && checked === boxes.length;
      toggle.indeterminate = checked > 0 && checked < boxes.length;
    });
  }

  function selectionChanged() {
    var current = selection();
    var count = current.applicationIds.length;
    if (selectionBar) {
      selectionBar.hidden = count === 0;
      selectionBar.querySelector("[data-selection-count]").textContent = count;
    }
    updateColumnSelects();
    board.dispatchEvent(new CustomEvent("kanban:selectionchange", { bubbles: true, detail: current }));
  }

  function setChecked(box, checked) {
    box.checked = checked;
    box.closest(".kcard").classList.toggle("is-selected", checked);
  }

  board.addEventListener("change", function (event) {
    var box = event.target;
    if (box.classList.contains("kcard-select")) {
      setChecked(box, box.checked);
    } else if (box.classList.contains("kcol-select")) {
      box.closest(".kcol").querySelectorAll(".kcard-select").forEach(function (cardBox) {
        setChecked(cardBox, box.checked);
      });
    } else {
      return;
    }
    selectionChanged();
  });

  function clearSelection() {
    selectedBoxes().forEach(function (box) { setChecked(box, false); });
    selectionChanged();
  }

  if (selectionBar) {
    selectionBar.querySelector("[data-selection-clear]").addEventListener("click", clearSelection);
  }

  window.NextalKanban = { selection: selection, clearSelection: clearSelection };

  // Browsers restore checkbox states on back/forward: show the toolbar to match.
  selectedBoxes().forEach(function (box) { setChecked(box, true); });
  selectionChanged();

  // Coming from a profile link (#application-12): show that card.
  if (location.hash.indexOf("#application-") === 0) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) {
      target.scrollIntoView({ block: "center", inline: "center" });
      highlight(target);
    }
  }
})();
