// On the 404 page: when the missing address is a date (/2024/06/18/, /2024/06/, /2024/), links
// the nearest days before and after it that have articles, from the archive's list of days.
(function () {
  "use strict";
  var box = document.getElementById("nearest");
  if (!box || !window.fetch) {
    return;
  }
  var base = box.getAttribute("data-base");
  var path = window.location.pathname;
  if (path.indexOf(base) !== 0) {
    return;
  }
  var match = /^(\d{4})\/(?:(\d{2})\/(?:(\d{2})\/?)?)?/.exec(path.slice(base.length));
  if (!match) {
    return;
  }
  var year = match[1];
  var month = match[2];
  var wanted = year + "-" + (month || "01") + "-" + (match[3] || "01");
  var last = match[3] ? wanted : month ? year + "-" + month + "-31" : year + "-12-31";
  var language = document.documentElement.lang || undefined;

  function label(day) {
    var date = new Date(day + "T00:00:00Z");
    return date.toLocaleDateString(language, {
      day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
    });
  }

  function link(day, words) {
    var item = document.createElement("li");
    var a = document.createElement("a");
    a.href = base + day.replace(/-/g, "/") + "/";
    a.textContent = label(day);
    item.appendChild(a);
    item.appendChild(document.createTextNode(" " + words));
    return item;
  }

  fetch(box.getAttribute("data-days"))
    .then(function (response) { return response.ok ? response.json() : []; })
    .then(function (days) {
      // Days are newest first: the first before the wanted date, and the last after it.
      var before = null;
      var after = null;
      for (var i = 0; i < days.length; i++) {
        if (days[i] > last) {
          after = days[i];
        } else if (days[i] < wanted) {
          before = days[i];
          break;
        }
      }
      if (!before && !after) {
        return;
      }
      var list = box.querySelector("ul");
      if (before) {
        list.appendChild(link(before, "(earlier)"));
      }
      if (after) {
        list.appendChild(link(after, "(later)"));
      }
      box.hidden = false;
    })
    .catch(function () {});
})();
