// Panels that are collapsed on phones (the header menu, the directory's filters) start open on
// wide screens. Without JavaScript they stay collapsed and open with a click (<details>).
(function () {
  "use strict";
  var wide = window.matchMedia && window.matchMedia("(min-width: 48rem)").matches;
  if (wide) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) { panel.open = true; });
    return;
  }
  // On a phone the open header menu covers the page: Escape closes it and returns to its button.
  var menu = document.querySelector("details.site-menu");
  if (!menu) { return; }
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
}());
