// Annals live reload, injected by `annals serve` only: reloads the page after every successful
// rebuild (following an article whose address changed), and shows the errors of a failed one
// over the page until a later build succeeds or the reader dismisses them.
(function () {
  "use strict";
  var overlay = null;

  function element(tag, css, text) {
    var node = document.createElement(tag);
    node.style.cssText = css;
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function showErrors(data) {
    var errors;
    try {
      errors = JSON.parse(data).errors || [];
    } catch (error) {
      errors = [{ at: "", message: String(data) }];
    }
    if (overlay) {
      overlay.remove();
    }
    overlay = element("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:#1b1b1b;color:#f2f2f2;padding:clamp(1rem,4vw,2.5rem);" +
      "font:15px/1.5 system-ui,sans-serif;box-sizing:border-box");
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "Build errors");
    var head = element("div", "display:flex;gap:1rem;align-items:flex-start;justify-content:space-between;" +
      "flex-wrap:wrap;margin-bottom:1.25rem");
    var title = element("div", "max-width:60ch");
    title.appendChild(element("strong", "display:block;font-size:1.25rem;color:#ff8a80",
      errors.length === 1 ? "1 error" : errors.length + " errors"));
    title.appendChild(element("span", "color:#cfcfcf",
      "The last build failed. Fix the file and save: this page reloads by itself."));
    var close = element("button", "font:inherit;font-weight:600;padding:.4rem 1rem;border:1px solid #888;" +
      "border-radius:4px;background:#2c2c2c;color:#fff;cursor:pointer", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () { overlay.remove(); overlay = null; });
    head.appendChild(title);
    head.appendChild(close);
    overlay.appendChild(head);
    errors.forEach(function (error) {
      var item = element("section", "border-top:1px solid #444;padding:1rem 0");
      if (error.at) {
        item.appendChild(element("div", "font:600 14px/1.4 ui-monospace,monospace;color:#9ecbff;" +
          "overflow-wrap:anywhere", error.at));
      }
      item.appendChild(element("p", "margin:.35rem 0 .5rem;overflow-wrap:anywhere", error.message));
      if (error.line !== undefined && error.line !== null) {
        var code = error.line;
        if (error.column) {
          code += "\n" + " ".repeat(Math.max(0, error.column - 1)) + "^";
        }
        item.appendChild(element("pre", "margin:0;padding:.6rem .8rem;background:#111;border-radius:4px;" +
          "overflow-x:auto;font:13px/1.45 ui-monospace,monospace;color:#ffd27f", code));
      }
      overlay.appendChild(item);
    });
    document.body.appendChild(overlay);
    close.focus();
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
