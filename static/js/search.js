// The search page: queries the archive's Pagefind index (one shard per period, merged in the
// browser) and keeps the query, filters and order in the URL, so that reload, Back and shared
// links show the same results.
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
const shards = JSON.parse(root.dataset.shards);
const title = document.title;
// Excerpts of about 24 words, with "…" where they cut the text.
const EXCERPTS = { excerptLength: 24, excerptEllipsis: "…" };
const PAGE = 10;
const TOP = 8;

// Filters in the site's order: its taxonomies, then the year. `name` is the URL parameter,
// `title` Pagefind's filter.
const facets = JSON.parse(root.dataset.facets)
  .map((t) => ({ name: t.name, title: t.title }))
  .concat([{ name: "year", title: "Year" }]);

let merged = null;
// Whether the filters' indexes are wanted: once a filter box is opened or a filter chosen. Until
// then a query fetches only the words' chunks of each shard, not every filter of every shard.
let counting = false;
const alone = [];
let pagefind = null;
let run = 0;
// The results being shown: how many there are, how many are shown, and where the next come from.
let total = 0;
let shown = 0;
let feed = null;
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

// A Pagefind instance on `shard` alone.
async function open(shard) {
  pagefind = pagefind || (await import(root.dataset.script));
  const instance = pagefind.createInstance({
    basePath: shard.url,
    metaCacheTag: shard.tag,
    ...EXCERPTS,
  });
  await instance.init();
  return instance;
}

// Every shard merged into one index (Pagefind's mergeIndex), for results by relevance and for
// counts.
async function index() {
  if (!merged) {
    merged = (async () => {
      const [first, ...rest] = shards;
      const instance = await open(first);
      await Promise.all(
        rest.map((s) => instance.mergeIndex(s.url, { metaCacheTag: s.tag, ...EXCERPTS }))
      );
      return instance;
    })();
  }
  return merged;
}

// Shard `n` alone, for newest first: a merged index orders results by score, which is not the
// order of time across shards.
function shardIndex(n) {
  alone[n] = alone[n] || open(shards[n]);
  return alone[n];
}

// Results in the order of relevance, as the merged index gives them.
function relevant(results) {
  let next = 0;
  return async (n) => {
    next += n;
    return results.slice(next - n, next);
  };
}

// Results newest first: shard after shard (the newest first), each sorted by date, fetched only
// as far as they are shown.
function newest(q, filters) {
  let shard = 0;
  let waiting = [];
  return async (n) => {
    while (waiting.length < n && shard < shards.length) {
      const instance = await shardIndex(shard++);
      const response = await instance.search(q || null, { filters, sort: { date: "desc" } });
      waiting = waiting.concat(response.results);
    }
    return waiting.splice(0, n);
  };
}

// Pagefind's filters for `state`, leaving out the facet named `except`.
function pagefindFilters(state, except) {
  const filters = {};
  for (const facet of facets) {
    if (facet.name === except) {
      continue;
    }
    const values = state.filters[facet.name];
    if (values && values.length) {
      filters[facet.title] = { any: values };
    }
  }
  return filters;
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
  const filters = pagefindFilters(state);
  const filtering = Object.keys(filters).length > 0;
  document.title = state.q ? state.q + " · " + title : title;
  if (!shards.length) {
    say("The archive has no articles yet.");
    return;
  }
  say("Searching…");
  let instance;
  try {
    instance = await index();
  } catch (e) {
    say("Search could not be loaded. Reload the page to try again.");
    return;
  }
  counting = counting || filtering;
  // Loading every filter's index once makes results come with counts for each filter value.
  const totals = counting ? await instance.filters() : null;
  let response;
  if (state.q || filtering) {
    response = await instance.search(state.q || null, { filters });
  } else {
    response = { results: [], filters: totals || {} };
  }
  if (mine !== run) {
    return;
  }
  // A facet whose values are chosen counts its values as if none were: choosing another adds
  // to the results ("any of").
  const counts = Object.assign({}, response.filters || {});
  for (const facet of facets) {
    if (state.filters[facet.name]) {
      const others = pagefindFilters(state, facet.name);
      const wider =
        state.q || Object.keys(others).length
          ? (await instance.search(state.q || null, { filters: others })).filters
          : totals;
      counts[facet.title] = (wider || {})[facet.title] || {};
    }
  }
  if (mine !== run) {
    return;
  }
  total = response.results.length;
  shown = 0;
  feed =
    state.sort === "newest" && total > 0
      ? newest(state.q, filters)
      : relevant(response.results);
  hits.replaceChildren();
  renderFacets(state, counts);
  empty.hidden = !(state.q || filtering) || total > 0;
  await showMore(mine);
  if (mine !== run) {
    return;
  }
  if (!state.q && !filtering) {
    say("Type words to search every article, or choose a topic, a country or a year.");
  } else {
    const what = total === 0 ? "No article" : plural(total, "article", "articles");
    const verb = total === 1 || total === 0 ? " matches “" : " match “";
    say(state.q ? what + verb + state.q + "”" : what);
  }
}

async function showMore(mine) {
  more.hidden = true;
  const next = await feed(PAGE);
  const data = await Promise.all(next.map((r) => r.data()));
  if (mine !== run) {
    return;
  }
  shown += next.length;
  for (const d of data) {
    hits.append(hit(d));
  }
  more.hidden = shown >= total;
}

// The excerpt's text with Pagefind's <mark> highlights, and nothing else of its markup.
function excerpt(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const p = document.createElement("p");
  p.className = "row-summary";
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function hit(d) {
  const li = document.createElement("li");
  li.className = "row search-hit";
  const when = document.createElement("span");
  when.className = "row-when";
  when.textContent = d.meta.date || "";
  const link = document.createElement("a");
  link.className = "row-title";
  link.href = d.url;
  link.textContent = d.meta.title || d.url;
  li.append(when, link, excerpt(d.excerpt || ""));
  const terms = facets
    .filter((f) => f.name !== "year")
    .flatMap((f) => (d.filters && d.filters[f.title]) || []);
  if (terms.length) {
    const p = document.createElement("p");
    p.className = "search-hit-terms";
    p.textContent = terms.join(" · ");
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
    let entries = Object.entries(counts[facet.title] || {}).filter(
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
