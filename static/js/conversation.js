// The conversation component and the inbox: keeps the view at the newest message, announces new
// replies, tells refreshes what is loaded, prefills templates, Ctrl+Enter sends. htmx does the
// requests; without this file the pages still work (plain forms and links).
(function () {
  "use strict";
  var Nextal = window.Nextal; // app.js: template prefill

  var NEAR_BOTTOM_PX = 80;
  // Keyed by element id strings: a Map (a WeakMap refuses strings, which threw on every swap).
  var scrollState = new Map();

  function bodyOf(el) {
    return el && el.closest ? el.closest(".conversation-body") : null;
  }

  // The element that scrolls: the body itself in the inbox and on the profile.
  function isNearBottom(scroller) {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom(scroller) {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function newestInboundId(body) {
    var ids = Array.prototype.map.call(
      body.querySelectorAll(".sms-inbound[data-message-id]"),
      function (li) { return Number(li.getAttribute("data-message-id")); }
    );
    return ids.length ? Math.max.apply(null, ids) : 0;
  }

  function oldestCursor(body) {
    var first = body.querySelector(".sms[data-cursor]");
    return first ? first.getAttribute("data-cursor") : "";
  }

  // Loading earlier messages of the same day repeats its separator ("Today"): days only grow
  // down the list, so any repeat is a duplicate.
  function dropRepeatedDays(list) {
    var seen = {};
    list.querySelectorAll(".sms-day").forEach(function (day) {
      var date = day.getAttribute("data-day");
      if (seen[date]) day.remove();
      seen[date] = true;
    });
  }

  function announce(conversation, text) {
    var announcer = conversation && conversation.querySelector("[data-conversation-announcer]");
    if (announcer) announcer.textContent = text;
  }

  function initConversations(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var bodies = Array.prototype.slice.call(scope.querySelectorAll(".conversation-body"));
    if (scope.classList && scope.classList.contains("conversation-body")) bodies.push(scope);
    bodies.forEach(function (body) {
      var previous = scrollState.get(body.id);
      scrollState.delete(body.id);
      if (!previous || previous.atBottom) scrollToBottom(body);
      else body.scrollTop = previous.scrollTop;
      if (previous && previous.newestInbound) {
        var fresh = Array.prototype.filter.call(
          body.querySelectorAll(".sms-inbound[data-message-id]"),
          function (li) { return Number(li.getAttribute("data-message-id")) > previous.newestInbound; }
        );
        if (fresh.length) {
          var last = fresh[fresh.length - 1].querySelector(".sms-bubble");
          announce(body.closest(".conversation"), "New message: " + (last ? last.textContent.trim().replace(/\s+/g, " ") : ""));
        }
      }
    });
  }

  // Before a conversation body is replaced (refresh, retry, cancel), remember where the reader
  // was; htmx:load puts them back (at the bottom if they were there, to see new messages).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("conversation-body")) {
      scrollState.set(target.id, {
        atBottom: isNearBottom(target),
        scrollTop: target.scrollTop,
        newestInbound: newestInboundId(target),
      });
    } else if (target && target.classList && target.classList.contains("sms-load-earlier")) {
      var body = bodyOf(target);
      if (body) scrollState.set("earlier:" + body.id, body.scrollHeight - body.scrollTop);
    } else if (target && target.classList && target.classList.contains("conversation")) {
      var inner = target.querySelector(".conversation-body");
      if (inner) scrollState.set(inner.id, { atBottom: true, newestInbound: newestInboundId(inner) });
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var body = bodyOf(target) || (target && target.querySelector && target.querySelector(".conversation-body"));
    if (!body) return;
    var key = "earlier:" + body.id;
    if (scrollState.has(key)) {
      // Keep the message the reader was looking at in place while earlier ones appear above.
      body.scrollTop = body.scrollHeight - scrollState.get(key);
      scrollState.delete(key);
      var list = body.querySelector(".sms-list");
      if (list) dropRepeatedDays(list);
    }
  });

  document.addEventListener("htmx:load", function (event) { initConversations(event.target); });

  // Refreshes re-render everything from the oldest message shown (after "Load earlier"); the
  // inbox list refresh keeps as many rows as are loaded and the selected thread highlighted.
  document.addEventListener("htmx:configRequest", function (event) {
    var target = event.detail.target;
    var params = event.detail.parameters;
    if (target && target.classList && target.classList.contains("conversation-body")) {
      var since = oldestCursor(target);
      if (since) params.since = since;
    }
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-inbox-poller")) {
      params.shown = String(elt.querySelectorAll(".thread-row").length);
      var selected = document.querySelector(".thread-link[aria-current='true']");
      if (selected) params.selected = selected.closest(".thread-row").id.replace("thread-row-", "");
    }
  });

  // Opening a thread from the list: highlight it and, on small screens, show the pane.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".thread-link");
    if (link) {
      document.querySelectorAll(".thread-link[aria-current]").forEach(function (el) {
        el.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "true");
      var inbox = document.getElementById("inbox");
      if (inbox) inbox.classList.add("has-selection");
    }
    var focusComposer = event.target.closest && event.target.closest("[data-sms-focus-composer]");
    if (focusComposer) {
      var textarea = document.querySelector("#messages-area textarea[name=body]");
      if (textarea) {
        event.preventDefault();
        textarea.scrollIntoView({ block: "center", behavior: "smooth" });
        textarea.focus({ preventScroll: true });
      }
    }
  });

  // A pane loaded with htmx: move focus to its heading so keyboard and screen-reader users land
  // in the conversation.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "inbox-pane") {
      var heading = document.getElementById("conversation-title");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
        // The page title follows the open conversation (as a full page load titles it).
        // (keeping the unread count in front of it: inbox_notify.js)
        var count = (document.title.match(/^\(\d+\) /) || [""])[0];
        document.title = count + heading.textContent.trim() + " · Inbox · Nextal";
      }
      var inbox = document.getElementById("inbox");
      if (inbox) inbox.classList.add("has-selection");
    }
  });

  // Template picker: the chosen template's text fills the message (still editable).
  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (picker.matches && picker.matches("select[data-sms-template-picker]")) {
      var textarea = Nextal.prefillFromTemplate(picker);
      if (textarea) textarea.focus();
    }
    if (picker.matches && picker.matches("input[name=kind][value=template]") && picker.checked) {
      var select = picker.form && picker.form.querySelector("select[data-sms-template-picker]");
      if (select) select.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    var el = event.target;
    // Ctrl+Enter (Cmd+Enter on a Mac) sends; Enter alone is a new line.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && el.matches &&
        el.matches("form[data-sms-composer] textarea")) {
      event.preventDefault();
      var send = el.form.querySelector("button[value=send]");
      if (send && !send.disabled) el.form.requestSubmit(send);
    }
    // The conversation list: Up and Down move between conversations, Home and End to the ends.
    if (el.matches && el.matches(".thread-link") &&
        ["ArrowDown", "ArrowUp", "Home", "End"].indexOf(event.key) !== -1) {
      var links = Array.prototype.slice.call(document.querySelectorAll(".thread-list .thread-link"));
      var at = links.indexOf(el);
      var next = event.key === "ArrowDown" ? links[at + 1] : event.key === "ArrowUp" ? links[at - 1]
        : event.key === "Home" ? links[0] : links[links.length - 1];
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }
    // In the link picker, Enter searches (htmx already does as you type) instead of submitting.
    if (event.key === "Enter" && el.matches && el.matches("[data-link-form] input[type=search]")) {
      event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initConversations(document); });
  } else {
    initConversations(document);
  }

  window.NextalConversation = { oldestCursor: oldestCursor };
})();
