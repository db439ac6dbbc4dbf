// The search page: queries the archive's search index (see `search-index/search.js`) and keeps
// the query, filters and order in the URL, so that reload, Back and shared links show the same
// results.
//
// URL: ?q=words&<taxonomy>=name&year=2024&sort=newest (a filter may repeat: any of its values).

const root = document.getElementById("search");
const form = document.querySelector(".search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const hits = root.querySelector(".search-hits");
const more = root.querySelector(".search-more");
const empty = root.querySelector(".search-empty");
const facetList = root.querySelector(".search-facet-list");
const title = document.title;
const PAGE = 10;
const TOP = 8;

// Filters in the site's order: its taxonomies, then the year; `name` is the URL parameter.
const facets = JSON.parse(root.dataset.facets)
  .map((t) => ({ name: t.name, title: t.title }))
  .concat([{ name: "year", title: "Year" }]);

let client = null;
let index = null;
// Whether the facets' counts are wanted: once a filter box is opened or a filter chosen. Until
// then a query fetches only its words' chunks, not the facets' files.
let counting = false;
let run = 0;
// The results being shown: their ids in order, and how many are shown.
let results = [];
let shown = 0;
let terms = [];
const expanded = new Set();
const opened = new Set();
const narrowing = {};

function readState() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const facet of facets) {
    const values = params.getAll(facet.name).filter((v) => v !== "");
    if (values.length) {
      filters[facet.name] = values;
    }
  }
  return {
    q: (params.get("q") || "").trim(),
    sort: params.get("sort") === "newest" ? "newest" : "relevance",
    filters,
  };
}

// Puts `state` in the URL as a new history entry, so that Back returns to the previous one.
function writeState(state) {
  const params = new URLSearchParams();
  if (state.q) {
    params.set("q", state.q);
  }
  for (const facet of facets) {
    for (const value of state.filters[facet.name] || []) {
      params.append(facet.name, value);
    }
  }
  if (state.sort === "newest") {
    params.set("sort", "newest");
  }
  const query = params.toString();
  history.pushState(null, "", window.location.pathname + (query ? "?" + query : ""));
}

async function openIndex() {
  if (!index) {
    index = (async () => {
      client = await import(root.dataset.script);
      return client.open(root.dataset.index);
    })();
    index.catch(() => (index = null));
  }
  return index;
}

function say(text) {
  status.textContent = text;
}

function plural(n, one, many) {
  return n.toLocaleString() + " " + (n === 1 ? one : many);
}

async function search(state) {
  const mine = ++run;
  input.value = state.q;
  const header = document.getElementById("site-search-q");
  if (header) {
    header.value = state.q;
  }
  for (const radio of root.querySelectorAll('input[name="sort"]')) {
    radio.checked = radio.value === state.sort;
  }
  const filtering = Object.keys(state.filters).length > 0;
  document.title = state.q ? state.q + " · " + title : title;
  say("Searching…");
  let found;
  let archive;
  try {
    archive = await openIndex();
    if (!archive.articles) {
      say("The archive has no articles yet.");
      return;
    }
    counting = counting || filtering;
    found = await archive.search(state.q, {
      filters: state.filters,
      sort: state.sort,
      counts: counting,
    });
  } catch (e) {
    if (mine === run) {
      say("Search could not be loaded. Reload the page to try again.");
    }
    return;
  }
  if (mine !== run) {
    return;
  }
  results = state.q || filtering ? found.ids : [];
  terms = client.words(state.q);
  shown = 0;
  hits.replaceChildren();
  renderFacets(state, found.counts || {});
  empty.hidden = !(state.q || filtering) || results.length > 0;
  await showMore(mine);
  if (mine !== run) {
    return;
  }
  if (!state.q && !filtering) {
    say("Type words to search every article, or choose a topic, a country or a year.");
  } else {
    const total = results.length;
    const what = total === 0 ? "No article" : plural(total, "article", "articles");
    const verb = total === 1 || total === 0 ? " matches “" : " match “";
    say(state.q ? what + verb + state.q + "”" : what);
  }
}

async function showMore(mine) {
  more.hidden = true;
  const next = results.slice(shown, shown + PAGE);
  let details;
  try {
    details = await (await openIndex()).details(next);
  } catch (e) {
    say("Search could not be loaded. Reload the page to try again.");
    return;
  }
  if (mine !== run) {
    return;
  }
  shown += next.length;
  for (const d of details) {
    hits.append(hit(d));
  }
  more.hidden = shown >= results.length;
}

// The summary with the words of the query (or words they begin) marked.
function excerpt(text) {
  const p = document.createElement("p");
  p.className = "row-summary";
  let at = 0;
  for (const run of text.matchAll(/(?:[\p{Alphabetic}\p{N}\p{M}]|(?<=[0-9])\.(?=[0-9]))+/gu)) {
    const word = client.fold(run[0]);
    if (terms.some((t) => word.startsWith(t))) {
      p.append(text.slice(at, run.index));
      const mark = document.createElement("mark");
      mark.textContent = run[0];
      p.append(mark);
      at = run.index + run[0].length;
    }
  }
  p.append(text.slice(at));
  return p;
}

function hit(d) {
  const li = document.createElement("li");
  li.className = "row search-hit";
  const when = document.createElement("span");
  when.className = "row-when";
  when.textContent = d.date;
  const link = document.createElement("a");
  link.className = "row-title";
  link.href = d.url;
  link.textContent = d.title || d.url;
  li.append(when, link, excerpt(d.summary || ""));
  const values = facets
    .filter((f) => f.name !== "year")
    .flatMap((f) => d.facets[f.name] || []);
  if (values.length) {
    const p = document.createElement("p");
    p.className = "search-hit-terms";
    p.textContent = values.join(" · ");
    li.append(p);
  }
  return li;
}

function renderFacets(state, counts) {
  facetList.replaceChildren();
  const aside = root.querySelector(".search-facets");
  if (!counting) {
    // Folded boxes; opening one loads the counts.
    for (const facet of facets) {
      facetList.append(facetBox(facet, [], []));
    }
    aside.hidden = false;
    return;
  }
  for (const facet of facets) {
    const chosen = state.filters[facet.name] || [];
    let entries = Object.entries(counts[facet.name] || {}).filter(
      ([value, n]) => n > 0 || chosen.includes(value)
    );
    for (const value of chosen) {
      if (!entries.some(([v]) => v === value)) {
        entries.push([value, 0]);
      }
    }
    if (!entries.length) {
      continue;
    }
    if (facet.name === "year") {
      entries.sort((a, b) => b[0].localeCompare(a[0]));
    } else {
      entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    }
    facetList.append(facetBox(facet, entries, chosen));
  }
  aside.hidden = facetList.childElementCount === 0;
}

function facetBox(facet, entries, chosen) {
  const details = document.createElement("details");
  details.className = "search-facet";
  details.open = opened.has(facet.name) || chosen.length > 0;
  details.addEventListener("toggle", () => {
    if (details.open) {
      opened.add(facet.name);
      if (!counting) {
        counting = true;
        search(readState());
      }
    } else {
      opened.delete(facet.name);
    }
  });
  const summary = document.createElement("summary");
  summary.textContent = facet.title;
  if (chosen.length) {
    const n = document.createElement("span");
    n.className = "search-facet-chosen";
    n.textContent = chosen.length + " chosen";
    summary.append(" ", n);
  }
  details.append(summary);
  const list = document.createElement("ul");
  list.className = "search-facet-values";
  let box = null;
  if (entries.length > TOP) {
    box = document.createElement("input");
    box.type = "search";
    box.className = "search-facet-filter";
    box.placeholder = "Find in " + facet.title.toLowerCase();
    box.setAttribute("aria-label", "Find in " + facet.title.toLowerCase());
    box.value = narrowing[facet.name] || "";
    details.append(box);
  }
  details.append(list);
  const all = document.createElement("button");
  all.type = "button";
  all.className = "search-facet-all";
  details.append(all);

  const draw = () => {
    const needle = box ? box.value.trim().toLowerCase() : "";
    const full = expanded.has(facet.name) || needle !== "";
    const matching = entries.filter(([value]) => value.toLowerCase().includes(needle));
    const visible = full
      ? matching
      : matching.filter(([value], i) => i < TOP || chosen.includes(value));
    list.replaceChildren(...visible.map(([value, n]) => facetValue(facet, value, n, chosen)));
    all.hidden = needle !== "" || entries.length <= TOP;
    all.textContent = expanded.has(facet.name)
      ? "Show fewer"
      : "Show all " + entries.length.toLocaleString();
    all.setAttribute("aria-expanded", String(expanded.has(facet.name)));
  };
  all.addEventListener("click", () => {
    if (expanded.has(facet.name)) {
      expanded.delete(facet.name);
    } else {
      expanded.add(facet.name);
    }
    draw();
  });
  if (box) {
    box.addEventListener("input", () => {
      narrowing[facet.name] = box.value;
      draw();
    });
  }
  draw();
  return details;
}

function facetValue(facet, value, n, chosen) {
  const li = document.createElement("li");
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = chosen.includes(value);
  box.addEventListener("change", () => {
    const state = readState();
    const values = new Set(state.filters[facet.name] || []);
    if (box.checked) {
      values.add(value);
    } else {
      values.delete(value);
    }
    state.filters[facet.name] = [...values];
    writeState(state);
    search(state);
  });
  const count = document.createElement("span");
  count.className = "search-facet-count";
  count.textContent = n.toLocaleString();
  label.append(box, " " + value + " ", count);
  li.append(label);
  return li;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const state = readState();
  state.q = input.value.trim();
  writeState(state);
  search(state);
});

for (const radio of root.querySelectorAll('input[name="sort"]')) {
  radio.addEventListener("change", () => {
    const state = readState();
    state.sort = radio.value;
    writeState(state);
    search(state);
  });
}

more.addEventListener("click", () => showMore(run));
window.addEventListener("popstate", () => search(readState()));

root.hidden = false;
search(readState());
