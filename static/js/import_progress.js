// Live progress of a staff import: polls the job every two seconds, updates the bar and the text
// (a polite live region), and reloads the page for the report once the job has finished.
(function () {
  "use strict";
  var section = document.querySelector("[data-import-progress-url]");
  if (!section) { return; }
  var url = section.getAttribute("data-import-progress-url");
  var bar = section.querySelector("progress");
  var text = section.querySelector("[data-import-progress-text]");
  function update() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(update, 5000); return; }
        if (data.finished) { window.location.reload(); return; }
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        if (text.textContent !== data.text) { text.textContent = data.text; }
        window.setTimeout(update, 2000);
      })
      .catch(function () { window.setTimeout(update, 5000); });
  }
  window.setTimeout(update, 1000);
})();
