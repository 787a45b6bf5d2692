// Live sending progress for the secretary: polls the counts every two seconds until nothing is left.
(function () {
  "use strict";
  var list = document.querySelector("[data-progress-url]");
  if (!list) { return; }
  var url = list.getAttribute("data-progress-url");
  var unknownHelp = document.querySelector("[data-unknown-help]");
  function update() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        list.querySelectorAll("[data-count]").forEach(function (cell) {
          var value = data[cell.getAttribute("data-count")];
          if (value !== undefined && cell.textContent !== String(value)) { cell.textContent = value; }
        });
        if (unknownHelp) { unknownHelp.hidden = !data.unknown; }
        if (data.remaining > 0 || data.status === "scheduled") { window.setTimeout(update, 2000); }
      })
      .catch(function () { window.setTimeout(update, 5000); });
  }
  window.setTimeout(update, 1000);
})();
