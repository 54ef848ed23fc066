// The kanban board: drag and drop (SortableJS, so mouse, pen and touch), the "Move to…"
// dialog, Alt+arrow moves, the cards' shared menu and multi-select. Every move is POSTed at once
// and the server answers with the column counts. Without this file the board still works: each
// card's ⋯ links to its "Move to…" page (which links to Send SMS).
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

  // A card is <li id="application-N">; its name links to the profile, /candidates/M/.
  function applicationId(card) {
    return card.id.slice("application-".length);
  }

  function candidateId(card) {
    var match = /\/(\d+)\/$/.exec(card.querySelector(".kcard-name").getAttribute("href"));
    return match ? match[1] : "";
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
      return post(moveUrl(applicationId(card)), body);
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
        // Checkboxes, the menu and buttons inside a card stay clickable.
        filter: "input, button, .kcard-menu, .kcard-menu-list",
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
          closeMenu(false);
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

  // --- The cards' shared menu and the "Move to…" dialog ---------------------------------------

  // One menu (#kcard-menu) for the whole board: a card's ⋯ (a link to its "Move to…" page)
  // becomes a button that opens it inside that card, its links pointing at that card. Focus goes
  // to the first item; Escape closes it and gives focus back to the ⋯; so does choosing an item
  // once the dialog or drawer it opened closes (app.js).
  var menu = document.getElementById("kcard-menu");
  var menuHome = menu ? menu.parentNode : null;
  var menuTrigger = null; // the ⋯ whose card holds the menu now

  // Each card (on load, and those "Show more" brings) gets its selection checkbox (selecting is
  // a feature of this file: the server does not send 300 inputs that do nothing without it), and
  // its ⋯ becomes the shared menu's button.
  function prepareCards(root) {
    root.querySelectorAll(".kcard").forEach(function (card) {
      if (card.querySelector(".kcard-select")) return;
      var id = applicationId(card);
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "kcard-select";
      box.value = id;
      box.setAttribute("aria-label", "Select " + nameOf(card));
      card.insertBefore(box, card.firstChild);
      var trigger = menu && card.querySelector(".kcard-menu");
      if (trigger) {
        trigger.setAttribute("role", "button");
        trigger.setAttribute("aria-expanded", "false");
        trigger.setAttribute("aria-controls", menu.id);
      }
    });
  }

  function closeMenu(returnFocus) {
    if (!menuTrigger) return;
    var trigger = menuTrigger;
    menuTrigger = null;
    trigger.setAttribute("aria-expanded", "false");
    var card = trigger.closest(".kcard");
    if (card) card.classList.remove("has-menu");
    menu.hidden = true;
    menuHome.appendChild(menu);
    if (returnFocus && document.body.contains(trigger)) trigger.focus();
  }

  function openMenu(trigger) {
    closeMenu(false);
    var card = trigger.closest(".kcard");
    var id = applicationId(card);
    menu.querySelectorAll("[data-href]").forEach(function (link) {
      link.setAttribute("href", link.getAttribute("data-href").replace("/0/", "/" + id + "/"));
    });
    card.appendChild(menu);
    card.classList.add("has-menu");
    menu.hidden = false;
    trigger.setAttribute("aria-expanded", "true");
    menuTrigger = trigger;
    var first = menu.querySelector("a");
    if (first) first.focus();
  }

  prepareCards(board);
  // "Show more" cards too (before kanban_more.js, loaded after this file, looks at them).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (list.classList && list.classList.contains("kcol-list")) prepareCards(list);
  });

  if (menu) {
    // app.js closes it when one of its links opens a dialog or drawer.
    menu.addEventListener("popup:close", function () { closeMenu(false); });

    board.addEventListener("click", function (event) {
      var trigger = event.target.closest(".kcard-menu");
      if (!trigger) return;
      event.preventDefault();
      if (menuTrigger === trigger) closeMenu(true);
      else openMenu(trigger);
    });

    document.addEventListener("click", function (event) {
      if (!menuTrigger || !event.target.closest) return;
      if (event.target.closest("#kcard-menu") || event.target.closest(".kcard-menu") === menuTrigger) return;
      closeMenu(false);
    });

    // Focus leaving the menu and its ⋯ (Tab away) closes it.
    document.addEventListener("focusin", function (event) {
      if (menuTrigger && !menu.contains(event.target) && event.target !== menuTrigger) closeMenu(false);
    });

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      // The ⋯ is a button: Space opens it too (Enter clicks the link).
      if (event.key === " " && target.matches && target.matches(".kcard-menu[aria-controls]")) {
        event.preventDefault();
        target.click();
        return;
      }
      if (!menuTrigger) return;
      var inMenu = menu.contains(target);
      if (event.key === "Escape" && (inMenu || target === menuTrigger)) {
        event.preventDefault();
        event.stopPropagation();
        closeMenu(true);
      } else if (inMenu && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        var items = Array.prototype.slice.call(menu.querySelectorAll("a"));
        var next = items.indexOf(target) + (event.key === "ArrowDown" ? 1 : -1);
        items[(next + items.length) % items.length].focus();
      }
    });

  }

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
      candidateIds: boxes.map(function (box) { return candidateId(box.closest(".kcard")); }),
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

  // The card checkboxes carry no name (a board shows hundreds): "Move selected" posts the
  // selection as one comma-joined field, as the bulk SMS button does (kanban_sms.js).
  var selectionForm = document.getElementById("kanban-selection-form");
  if (selectionForm) {
    selectionForm.addEventListener("submit", function () {
      var field = selectionForm.querySelector('input[name="applications"]');
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "applications";
        selectionForm.appendChild(field);
      }
      field.value = selection().applicationIds.join(",");
    });
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
