// Panels that are collapsed on phones (the header menu, the directory's filters) start open on
// wide screens. Without JavaScript they stay collapsed and open with a click (<details>).
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 48rem)").matches) { return; }
  document.querySelectorAll("details[data-open-wide]").forEach(function (panel) { panel.open = true; });
}());
