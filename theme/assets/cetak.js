// Print documents (generator/outputs/printing.py): states the day a page is printed in the page margins
// (assets/cetak.css reads --umkm-dicetak) and shows the print button. A file, not an inline
// script, so the site's Content-Security-Policy needs no exception; without it a page still prints.
(function () {
  "use strict";
  var day = new Date().toLocaleDateString("id-ID", { day: "numeric", month: "long", year: "numeric" });
  document.documentElement.style.setProperty("--umkm-dicetak", JSON.stringify("Dicetak " + day));
  var bar = document.querySelector("[data-umkm-cetak]");
  if (bar) {
    bar.hidden = false;
    bar.querySelector("button").addEventListener("click", function () { window.print(); });
  }
})();
