// The composer with a file: say "MMS" instead of segments (a file always goes as one MMS) and
// preview the chosen photo; cleared, the segment counter shows again.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-sms-attachment]")) return;
    var field = input.closest(".sms-attachment-field");
    var note = field && field.querySelector("[data-sms-mms-note]");
    var counter = document.getElementById(input.getAttribute("data-sms-attachment"));
    var file = input.files && input.files[0];
    if (!note) return;
    note.textContent = "";
    if (!file) {
      note.hidden = true;
      if (counter) counter.hidden = false;
      return;
    }
    var kind = file.type === "application/pdf" ? "PDF" : "photo";
    note.appendChild(document.createTextNode("MMS · 1 " + kind + " (" + (file.size / 1048576).toFixed(1) + " MB)"));
    if (file.type.indexOf("image/") === 0) {
      var img = document.createElement("img");
      img.className = "sms-mms-preview";
      img.alt = "The photo to send";
      img.width = 64;
      img.height = 64;
      img.src = URL.createObjectURL(file);
      note.appendChild(img);
    }
    note.hidden = false;
    if (counter) counter.hidden = true;
  });
})();
