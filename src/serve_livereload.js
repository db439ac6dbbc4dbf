// Annals live reload, injected by `annals serve` only: reloads the page after every successful
// rebuild, and shows the errors of a failed one over the page until a later build succeeds.
(function () {
  "use strict";
  var overlay = null;
  function showErrors(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "The last build failed. Fix the file and save: this page reloads by itself.";
    var errors = document.createElement("pre");
    errors.style.cssText = "white-space:pre-wrap;color:#ffb4b4;margin-top:1rem";
    errors.textContent = text;
    overlay.appendChild(title);
    overlay.appendChild(errors);
  }
  var events = new EventSource("/__annals/events");
  // An article that moved (a corrected headline) takes its open page along.
  events.addEventListener("reload", function (e) {
    var moved = {};
    try { moved = JSON.parse(e.data).moved || {}; } catch (error) { moved = {}; }
    var to = moved[window.location.pathname];
    if (to) {
      window.location.replace(to + window.location.hash);
    } else {
      window.location.reload();
    }
  });
  events.addEventListener("failure", function (e) { showErrors(e.data); });
})();
