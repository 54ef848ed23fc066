// The SMS template editor: a live preview for the sample candidate, its segment counter (through
// static/js/sms_counter.js) and buttons that insert merge fields at the cursor. Without this
// file the page still works: "Update preview" re-renders the preview on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-template-editor]");
  if (!form) return;
  var body = form.querySelector("textarea[name=body]");
  var previewText = document.querySelector("[data-preview-text]");
  var previewCounter = document.querySelector("[data-preview-counter]");
  var previewProblem = document.querySelector("[data-preview-problem]");
  var values = JSON.parse(document.getElementById("merge-sample-values").textContent);
  var missingReasons = JSON.parse(document.getElementById("merge-missing-reasons").textContent);
  // The same syntax as sms/merge.py FIELD_PATTERN: {{name}}, spaces inside the braces allowed.
  var FIELD = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

  // Removed, not hidden: .btn's display would win over the hidden attribute.
  form.querySelectorAll("[data-no-js-only]").forEach(function (el) { el.remove(); });

  function render(text) {
    var unknown = [];
    var empty = [];
    var rendered = text.replace(FIELD, function (match, name) {
      if (!Object.prototype.hasOwnProperty.call(values, name)) {
        if (unknown.indexOf(name) === -1) unknown.push(name);
        return match;
      }
      var value = (values[name] || "").trim();
      if (!value) {
        if (empty.indexOf(name) === -1) empty.push(name);
        return match;
      }
      return value;
    });
    return { text: rendered, unknown: unknown, empty: empty };
  }

  function braces(name) { return "{{" + name + "}}"; }

  function update() {
    var text = body.value.trim();
    var result = render(text);
    var problem = "";
    if (result.unknown.length) {
      problem = "Unknown merge field " + result.unknown.map(braces).join(", ") +
        ". Use one of: " + Object.keys(values).map(braces).join(", ") + ".";
    } else if (result.empty.length) {
      problem = braces(result.empty[0]) + " is empty: " + missingReasons[result.empty[0]] +
        ". Candidates would be skipped rather than get a gap.";
    }
    previewText.textContent = result.text || "Your message appears here.";
    previewText.classList.toggle("is-empty", !result.text);
    previewProblem.textContent = problem;
    previewProblem.classList.toggle("is-hidden", !problem);
    if (window.NextalSms) {
      var ok = !result.unknown.length && !result.empty.length;
      var info = window.NextalSms.measure(ok ? result.text : "");
      previewCounter.textContent = window.NextalSms.label(info);
      previewCounter.classList.toggle("sms-counter-ucs2", info.encoding === "UCS-2");
      previewCounter.classList.toggle("sms-counter-multipart", info.segments > 1);
    }
  }

  form.addEventListener("click", function (event) {
    var chip = event.target.closest("[data-insert-field]");
    if (!chip) return;
    var field = braces(chip.getAttribute("data-insert-field"));
    var start = body.selectionStart;
    var end = body.selectionEnd;
    body.focus();
    body.setRangeText(field, start, end, "end");
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });

  body.addEventListener("input", update);
  update();
})();
