// The unread count in the tab title on every page (from the navigation badge, which refreshes
// itself), and, when the user opts in on the inbox page, a browser notification when a new
// reply lands in their Mine (the badge's data-mine-* attributes, from sms:unread_badge).
(function () {
  "use strict";
  var KEY = "nextal.notify-mine";
  var lastSeen = null;

  function badge() { return document.getElementById("nav-unread-badge"); }

  function update() {
    var el = badge();
    if (!el) return;
    var count = parseInt(el.getAttribute("data-unread-count") || "0", 10) || 0;
    // The title itself may change (the open conversation names it): keep it, set the count.
    var baseTitle = document.title.replace(/^\(\d+\) /, "");
    document.title = (count ? "(" + count + ") " : "") + baseTitle;
    var token = el.getAttribute("data-mine-latest");
    if (!token) return;
    if (lastSeen !== null && token !== lastSeen && Number(token) > Number(lastSeen)) notify(el);
    lastSeen = token;
  }

  function enabled() {
    return window.Notification && Notification.permission === "granted" &&
      window.localStorage && localStorage.getItem(KEY) === "on";
  }

  function notify(el) {
    if (!enabled()) return;
    var note = new Notification("Reply from " + (el.getAttribute("data-mine-who") || "a candidate"), {
      body: el.getAttribute("data-mine-preview") || "",
      tag: "nextal-mine-" + el.getAttribute("data-mine-latest"),
    });
    var url = el.getAttribute("data-mine-url");
    note.onclick = function () { window.focus(); if (url) window.location.href = url; };
  }

  function setUpToggle() {
    var button = document.querySelector("[data-notify-toggle]");
    if (!button || !window.Notification) return;
    function label() {
      button.textContent = enabled() ? "Browser notifications: on (turn off)" : "Notify me of replies in Mine";
    }
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      if (enabled()) { localStorage.setItem(KEY, "off"); label(); return; }
      Notification.requestPermission().then(function (permission) {
        if (permission === "granted") localStorage.setItem(KEY, "on");
        label();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { update(); setUpToggle(); });
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("htmx:oobAfterSwap", update);
})();
