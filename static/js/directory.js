// The directory's filters apply as soon as they change: the page fetches the filtered list and
// swaps in its parts ([data-directory-part], matched by id), keeps the focus where it was and
// announces the new count. Without JavaScript the form's "Show results" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("directory-filters");
  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams || !window.history.pushState) { return; }
  var status = document.getElementById("directory-status");
  var DELAY = 400;
  // Every change bumps the generation: a response to an older state of the form is dropped.
  var generation = 0;
  var timer = null;

  form.classList.add("auto-apply");

  function addressOf() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim()) { params.append(name, value); }
    });
    var query = params.toString();
    return form.action.split("?")[0] + (query ? "?" + query : "");
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var focusedId = document.activeElement ? document.activeElement.id : "";
    document.querySelectorAll("[data-directory-part]").forEach(function (part) {
      var replacement = fresh.getElementById(part.id);
      if (replacement) { part.replaceWith(document.importNode(replacement, true)); }
    });
    var next = document.querySelector(".language-switcher input[name=next]");
    if (next) { next.value = window.location.pathname + window.location.search; }
    if (focusedId && document.activeElement !== document.getElementById(focusedId)) {
      var again = document.getElementById(focusedId);
      if (again) { again.focus({ preventScroll: true }); }
    }
    var heading = document.getElementById("results-heading");
    if (status && heading) {
      status.textContent = "";
      // A separate task, so the same count said twice is still announced.
      window.setTimeout(function () { status.textContent = heading.textContent; }, 50);
    }
  }

  function load(url, push) {
    var mine = generation;
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== generation) { return; }
        if (push) { window.history.pushState({ directory: true }, "", url); }
        swap(html);
      })
      .catch(function () { window.location.assign(url); });
  }

  form.addEventListener("change", function () {
    generation += 1;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { load(addressOf(), true); }, DELAY);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    generation += 1;
    window.clearTimeout(timer);
    load(addressOf(), true);
  });

  window.history.replaceState({ directory: true }, "");
  window.addEventListener("popstate", function (event) {
    if (!event.state || !event.state.directory) { return; }
    generation += 1;
    load(window.location.href, false);
  });
}());
