// A lightbox for MMS photos: clicking a thumbnail shows the image in a modal <dialog> (Esc or
// the Close button closes it, focus returns to the thumbnail). Without JavaScript the link
// opens the image itself.
(function () {
  "use strict";
  var dialog = null;

  function ensureDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "sms-lightbox";
    dialog.setAttribute("aria-label", "Photo");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    var image = document.createElement("img");
    image.alt = "";
    dialog.appendChild(image);
    dialog.appendChild(close);
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lightbox]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var box = ensureDialog();
    var image = box.querySelector("img");
    var thumb = link.querySelector("img");
    image.src = link.getAttribute("data-lightbox");
    image.alt = thumb ? thumb.alt : "Photo";
    box.showModal();
  });
})();
