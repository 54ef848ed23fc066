// The SMS composer's live counter: a mirror of sms/text/segments.py `measure` (the shared vectors in
// tests/sms/text/segment_vectors.json are checked against both) plus a declarative binding:
// <textarea data-sms-counter="ID"> writes "142/160 · 1 segment" into the element with that id.
(function () {
  "use strict";

  var GSM7 = "GSM-7";
  var UCS2 = "UCS-2";
  // The GSM 03.38 default alphabet (without the escape character itself).
  var GSM7_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  // Reached through the escape character: each costs two septets.
  var GSM7_EXTENSION = "^{}\\[~]|€\f";
  var LIMITS = {}; // [single message, per part of a multipart message]
  LIMITS[GSM7] = [160, 153];
  LIMITS[UCS2] = [70, 67];

  function gsm7Cost(char) {
    if (GSM7_BASIC.indexOf(char) !== -1) return 1;
    if (GSM7_EXTENSION.indexOf(char) !== -1) return 2;
    return null;
  }

  // Characters by code point (not UTF-16 unit), as Python iterates a str; each with its
  // index in the JS string so a caller can select it with setSelectionRange.
  function characters(text) {
    var chars = [];
    var index = 0;
    for (var char of text) {
      chars.push({ char: char, index: index });
      index += char.length;
    }
    return chars;
  }

  function measure(text) {
    text = text == null ? "" : String(text);
    var chars = characters(text);
    var ucs2Char = null;
    var ucs2Index = -1;
    for (var i = 0; i < chars.length; i++) {
      if (gsm7Cost(chars[i].char) === null) {
        ucs2Char = chars[i].char;
        ucs2Index = chars[i].index;
        break;
      }
    }
    var encoding = ucs2Char === null ? GSM7 : UCS2;
    var costs = chars.map(function (c) {
      return encoding === GSM7 ? gsm7Cost(c.char) : c.char.length; // UTF-16 code units
    });
    var length = costs.reduce(function (sum, cost) { return sum + cost; }, 0);
    var single = LIMITS[encoding][0];
    var multi = LIMITS[encoding][1];
    var segments;
    var perSegment;
    if (length === 0) {
      segments = 0;
      perSegment = single;
    } else if (length <= single) {
      segments = 1;
      perSegment = single;
    } else {
      // Pack greedily: a two-unit character that does not fit starts the next part.
      segments = 1;
      var used = 0;
      costs.forEach(function (cost) {
        if (used + cost > multi) {
          segments += 1;
          used = 0;
        }
        used += cost;
      });
      perSegment = multi;
    }
    // The capacity of the segments already paid for (a packed two-unit character can leave a
    // part one short, hence the max).
    var limit = Math.max(segments, 1) * perSegment;
    return {
      encoding: encoding,
      length: length,
      segments: segments,
      perSegment: perSegment,
      limit: limit,
      remaining: Math.max(limit - length, 0),
      ucs2Char: ucs2Char,
      ucs2Index: ucs2Index,
    };
  }

  // Invisible or look-alike characters are named by code point so the user can find them.
  function describeChar(char) {
    if (/^[\s\u00a0\u200b-\u200f\u2028-\u202f\ufeff]$/u.test(char) || /\p{C}/u.test(char)) {
      var hex = char.codePointAt(0).toString(16).toUpperCase();
      while (hex.length < 4) hex = "0" + hex;
      return "U+" + hex;
    }
    return "\u201c" + char + "\u201d";
  }

  function label(info) {
    var text =
      info.length + "/" + info.limit + " \u00b7 " + info.segments +
      (info.segments === 1 ? " segment" : " segments");
    if (info.encoding === UCS2) text += " \u00b7 UCS-2 because of " + describeChar(info.ucs2Char);
    return text;
  }

  function update(textarea) {
    var counter = document.getElementById(textarea.getAttribute("data-sms-counter"));
    if (!counter) return;
    var info = measure(textarea.value);
    counter.textContent = label(info);
    counter.setAttribute("data-encoding", info.encoding);
    counter.setAttribute("data-segments", String(info.segments));
    counter.classList.toggle("sms-counter-ucs2", info.encoding === UCS2);
    counter.classList.toggle("sms-counter-multipart", info.segments > 1);
  }

  function bindWithin(root) {
    if (!root || !root.querySelectorAll) return;
    var textareas = Array.prototype.slice.call(root.querySelectorAll("textarea[data-sms-counter]"));
    if (root.matches && root.matches("textarea[data-sms-counter]")) textareas.push(root);
    textareas.forEach(function (textarea) {
      var counter = document.getElementById(textarea.getAttribute("data-sms-counter"));
      if (counter && !counter.hasAttribute("aria-live")) counter.setAttribute("aria-live", "polite");
      update(textarea);
    });
  }

  // Delegation covers textareas inserted later (htmx swaps, overlays) without rebinding; the
  // initial text of new ones is measured on htmx:load and on page load.
  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("textarea[data-sms-counter]")) update(target);
  });
  document.addEventListener("htmx:load", function (event) { bindWithin(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { bindWithin(document); });
  } else {
    bindWithin(document);
  }

  window.NextalSms = {
    measure: measure,
    label: label,
    refresh: function (root) { bindWithin(root || document); },
  };
})();
