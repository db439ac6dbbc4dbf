// Starts the Pagefind search UI on the search page and runs the query from ?q= (the search
// box in every page's header submits there).
(function () {
  "use strict";
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") {
    return;
  }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: element.getAttribute("data-bundle"),
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    // Filters start open on wide screens; on phones they stay folded above the results.
    openFilters: window.matchMedia("(min-width: 50em)").matches ? ["Topics", "Countries", "Year"] : []
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
})();
