// On the 404 page: offers a search for the words of the missing address
// (/2024/06/19/putin-arives-in-pyongyang/ → "putin arives in pyongyang"), and when the address
// starts with a date (/2024/06/18/..., /2024/06/, /2024/), links that day, its month and its year
// where they have articles, else the nearest days before and after that have some, from the
// archive's list of days.
(function () {
  "use strict";
  var box = document.getElementById("nearest");
  if (!box) {
    return;
  }
  var base = box.getAttribute("data-base");
  var path = window.location.pathname;
  if (path.indexOf(base) !== 0) {
    return;
  }
  var rest = path.slice(base.length);
  try {
    rest = decodeURIComponent(rest);
  } catch (e) {
    // A malformed %-escape: the address as it is still has words to search for.
  }

  // The words of the address: its parts that are not numbers, split at - _ . and +.
  var search = box.getAttribute("data-search");
  var hint = document.getElementById("search-hint");
  var words = rest.split("/")
    .filter(function (part) { return part && !/^(\d+|index\.html?|page)$/.test(part); })
    .join(" ")
    .replace(/\.html?$/, "")
    .split(/[-_.+\s]+/)
    .filter(function (word) { return word && !/^\d+$/.test(word); })
    .slice(0, 8)
    .join(" ");
  if (search && hint && words) {
    var a = hint.querySelector("a");
    a.href = search + "?q=" + encodeURIComponent(words);
    a.textContent = "\u201c" + words + "\u201d";
    hint.hidden = false;
  }

  var match = /^(\d{4})\/(?:(\d{2})\/(?:(\d{2})\/?)?)?/.exec(rest);
  if (!match || !window.fetch) {
    return;
  }
  var year = match[1];
  var month = match[2];
  var day = match[3];
  var wanted = year + "-" + (month || "01") + "-" + (day || "01");
  var last = day ? wanted : month ? year + "-" + month + "-31" : year + "-12-31";
  var language = document.documentElement.lang || undefined;

  function label(date, parts) {
    return new Date(date + "T00:00:00Z").toLocaleDateString(language, Object.assign({ timeZone: "UTC" }, parts));
  }

  function link(url, text, note) {
    var item = document.createElement("li");
    var a = document.createElement("a");
    a.href = base + url;
    a.textContent = text;
    item.appendChild(a);
    if (note) {
      item.appendChild(document.createTextNode(" " + note));
    }
    return item;
  }

  fetch(box.getAttribute("data-days"))
    .then(function (response) { return response.ok ? response.json() : []; })
    .then(function (days) {
      var list = box.querySelector("ul");
      var has = function (prefix) {
        return days.some(function (d) { return d.indexOf(prefix) === 0; });
      };
      var dayFull = { day: "numeric", month: "long", year: "numeric" };
      if (day && has(wanted)) {
        list.appendChild(link(wanted.replace(/-/g, "/") + "/", label(wanted, dayFull), "(that day)"));
      } else {
        // Days are newest first: the first before the wanted dates, and the last after them.
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
        if (before) {
          list.appendChild(link(before.replace(/-/g, "/") + "/", label(before, dayFull), "(earlier)"));
        }
        if (after) {
          list.appendChild(link(after.replace(/-/g, "/") + "/", label(after, dayFull), "(later)"));
        }
      }
      if (month && has(year + "-" + month)) {
        list.appendChild(link(year + "/" + month + "/", label(year + "-" + month + "-01", { month: "long", year: "numeric" }), "(the month)"));
      }
      if (has(year)) {
        list.appendChild(link(year + "/", year, "(the year)"));
      }
      box.hidden = !list.children.length;
    })
    .catch(function () {});
})();
