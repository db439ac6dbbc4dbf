// The search index of an Annals archive, read in the browser: `open(manifestUrl)` gives an
// index whose `search` finds articles by their words and facets, and whose `details` gives what
// a result shows. Files are fetched as a query needs them and kept for the next one.
//
// The layouts are described in Annals' `src/search/inverted.rs`; the word rules in
// `src/search/words.rs`, which `words` below follows.

const decoder = new TextDecoder();

// Chinese characters, Hiragana and Katakana are words by themselves.
function isIdeograph(c) {
  return (
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0x31f0 && c <= 0x31ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x20000 && c <= 0x3ffff)
  );
}

// One run of letters and digits as the index spells it: lowercased, without accents.
export function fold(text) {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/ς/g, "σ");
}

// The words of `text` as the index holds them, in order.
export function words(text) {
  const found = [];
  // Runs of letters and digits, with a dot between two digits kept (`3.5`, `v1.2`).
  for (const run of fold(text).matchAll(/(?:[\p{Alphabetic}\p{N}]|(?<=[0-9])\.(?=[0-9]))+/gu)) {
    let word = "";
    for (const c of run[0]) {
      if (isIdeograph(c.codePointAt(0))) {
        if (word) found.push(word);
        found.push(c);
        word = "";
      } else {
        word += c;
      }
    }
    if (word) found.push(word);
  }
  return found;
}

// Strings in the order of their UTF-8 bytes (code points), as the index sorts them.
function compare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

// The position of the chunk whose first key is the last one not after `key`.
function chunkOf(directory, key) {
  let low = 0;
  let high = directory.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (compare(directory[middle][0], key) <= 0) low = middle;
    else high = middle - 1;
  }
  return low;
}

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.at = 0;
  }
  done() {
    return this.at >= this.bytes.length;
  }
  varint() {
    let n = 0;
    let scale = 1;
    let b;
    do {
      b = this.bytes[this.at++];
      n += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return n;
  }
  slice(length) {
    const part = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return part;
  }
  string() {
    return decoder.decode(this.slice(this.varint()));
  }
}

// The bytes of a file of the index, ungzipped (unless the server already did).
async function load(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: ${response.status}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    return bytes;
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Opens the index whose manifest is at `url`.
export async function open(url) {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: ${response.status}`);
  }
  return new Index(new URL(url, document.baseURI), await response.json());
}

// How many words of a query are looked up as the beginning of longer words too (the last one,
// which the reader may still be typing), and at most how many such words.
const PREFIX_WORDS = 32;
// How much a longer word found by its beginning counts against the word itself.
const PREFIX_WEIGHT = 0.6;
// How far back from where a word missing from the index would be its other forms are sought,
// and how much they count.
const NEAR_WORDS = 64;
const FORM_WEIGHT = 0.8;
// The most words of a query that count.
const QUERY_WORDS = 24;

class Index {
  constructor(base, manifest) {
    this.base = base;
    this.manifest = manifest;
    this.articles = manifest.articles;
    this.facets = manifest.facets.map((f) => ({ name: f.name, title: f.title }));
    this.files = new Map();
  }

  // A file of the index, fetched once and turned into what `parse` makes of its bytes.
  file(name, parse) {
    if (!this.files.has(name)) {
      const loading = load(new URL(name, this.base)).then(parse);
      // A failed fetch is tried again next time.
      loading.catch(() => this.files.delete(name));
      this.files.set(name, loading);
    }
    return this.files.get(name);
  }

  wordsChunk(n) {
    return this.file(this.manifest.words[n][1], (bytes) => {
      const reader = new Reader(bytes);
      const words = [];
      const stems = [];
      while (!reader.done()) {
        const word = reader.slice(reader.varint());
        const shared = reader.varint();
        const rest = reader.slice(reader.varint());
        const stem = new Uint8Array(shared + rest.length);
        stem.set(word.subarray(0, shared));
        stem.set(rest, shared);
        words.push(decoder.decode(word));
        stems.push(decoder.decode(stem));
      }
      return { words, stems };
    });
  }

  postingsChunk(n) {
    return this.file(this.manifest.postings[n][1], (bytes) => {
      const reader = new Reader(bytes);
      const entries = new Map();
      while (!reader.done()) {
        const stem = reader.string();
        const count = reader.varint();
        const bytes = reader.slice(reader.varint());
        entries.set(stem, { count, bytes });
      }
      return entries;
    });
  }

  facetFile(f) {
    return this.file(this.manifest.facets[f].file, (bytes) => {
      const reader = new Reader(bytes);
      const values = new Map();
      while (!reader.done()) {
        const value = reader.string();
        const ids = new Uint32Array(reader.varint());
        let id = 0;
        for (let k = 0; k < ids.length; k++) {
          id += reader.varint();
          ids[k] = id;
        }
        values.set(value, ids);
      }
      return values;
    });
  }

  // The stems of `word`, each with how much it counts: its own, and with `prefix` those of the
  // words it begins.
  async stemsOf(word, prefix) {
    const directory = this.manifest.words;
    if (!directory.length) return [];
    const found = new Map();
    let n = chunkOf(directory, word);
    while (n < directory.length) {
      const chunk = await this.wordsChunk(n);
      let low = 0;
      let high = chunk.words.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (compare(chunk.words[middle], word) < 0) low = middle + 1;
        else high = middle;
      }
      let k = low;
      for (; k < chunk.words.length && found.size < PREFIX_WORDS; k++) {
        const other = chunk.words[k];
        const weight = other === word ? 1 : prefix && other.startsWith(word) ? PREFIX_WEIGHT : 0;
        if (!weight) break;
        const stem = chunk.stems[k];
        found.set(stem, Math.max(found.get(stem) || 0, weight));
      }
      if (!found.size) {
        // A form of a word the archive has only in other forms ("zeppelins" for "zeppelin"):
        // the stems of the words just before it that begin it, when the stem does too.
        for (let j = low - 1; j >= 0 && low - j <= NEAR_WORDS; j--) {
          const other = chunk.words[j];
          const stem = chunk.stems[j];
          if (word.startsWith(other) && word.startsWith(stem) && stem.length >= 3) {
            found.set(stem, Math.max(found.get(stem) || 0, FORM_WEIGHT));
          }
        }
      }
      // Words beginning with `word` may go on in the next chunk.
      if (!prefix || k < chunk.words.length || found.size >= PREFIX_WORDS) break;
      n++;
    }
    return [...found];
  }

  // The articles with `stem`: ids rising, with weights.
  async postings(stem) {
    const directory = this.manifest.postings;
    if (!directory.length) return null;
    const entry = (await this.postingsChunk(chunkOf(directory, stem))).get(stem);
    if (!entry) return null;
    if (!entry.ids) {
      const reader = new Reader(entry.bytes);
      entry.ids = new Uint32Array(entry.count);
      entry.weights = new Uint8Array(entry.count);
      let id = 0;
      for (let k = 0; k < entry.count; k++) {
        id += reader.varint();
        entry.ids[k] = id;
        entry.weights[k] = entry.bytes[reader.at++];
      }
    }
    return entry;
  }

  // The articles matching every word of `query` (all of them without words) and, for each
  // facet named in `filters`, any of its values there. `sort` is "relevance" or "newest".
  // With `counts`, also how many of them each facet value has, counting a facet's values as
  // if none of its own were chosen. Gives `{ ids, counts }`, ids in the order asked.
  async search(query, { filters = {}, sort = "relevance", counts = false } = {}) {
    const total = this.articles;
    const terms = [...new Set(words(query || ""))].slice(0, QUERY_WORDS);
    const trailing = query && !/\s$/.test(query);
    // Every term's stems, looked up at once.
    const lookups = await Promise.all(
      terms.map((term, t) => this.stemsOf(term, trailing && t === terms.length - 1))
    );
    const found = await Promise.all(
      lookups.map((stems) =>
        Promise.all(stems.map(async ([stem, weight]) => [await this.postings(stem), weight]))
      )
    );
    let scores = null;
    let matched = null;
    if (terms.length) {
      scores = new Float32Array(total);
      matched = new Uint8Array(total);
      const best = new Float32Array(total);
      found.forEach((stems, t) => {
        const touched = [];
        for (const [entry, weight] of stems) {
          if (!entry) continue;
          const idf = Math.log(1 + (total - entry.count + 0.5) / (entry.count + 0.5));
          for (let k = 0; k < entry.ids.length; k++) {
            const id = entry.ids[k];
            const score = (weight * idf * entry.weights[k]) / 255;
            if (best[id] === 0) touched.push(id);
            if (score > best[id]) best[id] = score;
          }
        }
        for (const id of touched) {
          if (matched[id] === t) {
            matched[id] = t + 1;
            scores[id] += best[id];
          }
          best[id] = 0;
        }
      });
    }
    const need = terms.length;
    // Which chosen facets each article satisfies, one bit per facet.
    const chosen = [];
    this.facets.forEach((facet, f) => {
      const values = filters[facet.name];
      if (values && values.length) chosen.push([f, values]);
    });
    const wanted = chosen.reduce((mask, [f]) => mask | (1 << f), 0);
    const satisfied = chosen.length ? new Uint32Array(total) : null;
    for (const [f, values] of chosen) {
      const file = await this.facetFile(f);
      for (const value of values) {
        for (const id of file.get(value) || []) satisfied[id] |= 1 << f;
      }
    }
    const candidates = [];
    if (matched) {
      for (let id = 0; id < total; id++) if (matched[id] === need) candidates.push(id);
    } else if (chosen.length) {
      for (let id = 0; id < total; id++) if (satisfied[id]) candidates.push(id);
    }
    const ids = satisfied
      ? candidates.filter((id) => (satisfied[id] & wanted) === wanted)
      : candidates;
    if (sort === "newest" || !scores) {
      ids.sort((a, b) => b - a);
    } else {
      ids.sort((a, b) => scores[b] - scores[a] || b - a);
    }
    const result = { ids, counts: null };
    if (counts) {
      result.counts = {};
      const inQuery = (id) => !matched || matched[id] === need;
      for (let f = 0; f < this.facets.length; f++) {
        const file = await this.facetFile(f);
        const others = wanted & ~(1 << f);
        const counted = {};
        for (const [value, valueIds] of file) {
          let n = 0;
          for (const id of valueIds) {
            if (inQuery(id) && (!satisfied || (satisfied[id] & others) === others)) n++;
          }
          if (n) counted[value] = n;
        }
        result.counts[this.facets[f].name] = counted;
      }
    }
    return result;
  }

  // What results show of the articles `ids`: `{ url, title, date, summary, facets }`, facets
  // by name.
  async details(ids) {
    const per = this.manifest.per_file;
    return Promise.all(
      ids.map(async (id) => {
        const group = await this.file(this.manifest.details[Math.floor(id / per)], (bytes) =>
          JSON.parse(decoder.decode(bytes))
        );
        const [url, title, date, summary, values] = group[id % per];
        const facets = {};
        this.facets.forEach((facet, f) => (facets[facet.name] = values[f]));
        return { url, title, date, summary, facets };
      })
    );
  }
}
