/* Katalog UMKM: a small photo lightbox for `[data-umkm-gallery]` groups.
 * Without JavaScript each photo is a plain link to its largest JPEG; with it, a native
 * <dialog> shows the photo with previous/next buttons, arrow keys and swipe on touch screens.
 * An open viewer is a step in the history, so the phone's Back button closes it rather than
 * leaving the page; closing it any other way takes that step back out.
 * No inline script, no third-party code (the site's CSP forbids both). */
(function () {
  "use strict";

  var dialog, image, caption, links = [], index = 0, startX = null;

  function button(label, text, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "umkm-lightbox__button " + className;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "umkm-lightbox";
    dialog.setAttribute("aria-label", "Galeri foto");
    image = document.createElement("img");
    image.className = "umkm-lightbox__image";
    image.alt = "";
    caption = document.createElement("p");
    caption.className = "umkm-lightbox__caption";
    dialog.appendChild(image);
    dialog.appendChild(caption);
    dialog.appendChild(button("Foto sebelumnya", "\u2039", "umkm-lightbox__prev", function () { show(index - 1); }));
    dialog.appendChild(button("Foto berikutnya", "\u203A", "umkm-lightbox__next", function () { show(index + 1); }));
    dialog.appendChild(button("Tutup galeri", "\u00D7", "umkm-lightbox__close", function () { dialog.close(); }));
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }
    });
    dialog.addEventListener("close", function () {
      if (history.state && history.state.umkmGaleri) { history.back(); }
    });
    window.addEventListener("popstate", function () {
      if (dialog.open) { dialog.close(); }
    });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { show(index - 1); }
      if (event.key === "ArrowRight") { show(index + 1); }
    });
    dialog.addEventListener("pointerdown", function (event) { startX = event.clientX; });
    dialog.addEventListener("pointerup", function (event) {
      if (startX === null) { return; }
      var dx = event.clientX - startX;
      startX = null;
      if (Math.abs(dx) > 50) { show(index + (dx < 0 ? 1 : -1)); }
    });
    document.body.appendChild(dialog);
  }

  function show(i) {
    index = (i + links.length) % links.length;
    var link = links[index];
    var thumb = link.querySelector("img");
    // The largest WebP; the link itself is a JPEG for browsing without JavaScript.
    image.src = link.getAttribute("data-umkm-full") ? new URL(link.getAttribute("data-umkm-full"), document.baseURI).href : link.href;
    image.alt = thumb ? thumb.alt : "";
    caption.textContent = (thumb ? thumb.alt + " \u2014 " : "") + (index + 1) + " / " + links.length;
    dialog.classList.toggle("umkm-lightbox--single", links.length < 2);
  }

  function open(group, link, event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    if (typeof HTMLDialogElement !== "function") { return; }
    event.preventDefault();
    if (!dialog) { build(); }
    links = Array.prototype.slice.call(group.querySelectorAll("a.umkm-gallery__link"));
    show(links.indexOf(link));
    dialog.showModal();
    if (!(history.state && history.state.umkmGaleri)) { history.pushState({ umkmGaleri: true }, ""); }
  }

  document.querySelectorAll("[data-umkm-gallery]").forEach(function (group) {
    group.querySelectorAll("a.umkm-gallery__link").forEach(function (link) {
      link.addEventListener("click", function (event) { open(group, link, event); });
    });
  });
})();
