//! The inverted index: for each stem, the articles whose words have it, with a weight; built a
//! batch of articles at a time (in parallel), then merged and cut into chunk files.
//!
//! Binary layouts (every number an unsigned LEB128 varint, every string UTF-8 with its byte
//! length before it):
//! - a postings chunk is entries `stem, articles, byte length, postings`, stems in byte order;
//!   postings are `(id, weight)` pairs by rising id, the first id whole and the others as the
//!   difference from the one before, each weight one byte (1–255);
//! - a words chunk is entries `word, shared, rest`, words in byte order, whose stem is the
//!   first `shared` bytes of the word followed by `rest`;
//! - a facet file is entries `value, articles, ids` (ids as in postings, without weights).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::Read;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::words::{Stems, each_word};

/// How much a word of the title counts against one of the text.
const TITLE_WEIGHT: u32 = 4;
/// BM25's saturation of repeated words and its normalisation by the article's length.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Appends `n` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The varint at the start of `bytes` and its length.
fn varint(bytes: &[u8]) -> (u64, usize) {
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        n |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            return (n, i + 1);
        }
    }
    (n, bytes.len())
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// The postings of one stem in one batch, ids local to the batch.
#[derive(Default)]
struct Postings {
    articles: u32,
    /// The last id, which the next one is written against.
    last: u32,
    bytes: Vec<u8>,
}

/// The index of one batch of consecutive articles, while they are added.
pub struct Batch {
    /// The id of its first article.
    start: u32,
    /// Each word with the position of its stem in `stems`.
    words: FxHashMap<Box<str>, u32>,
    /// Each stem with its postings.
    stems: Vec<(Box<str>, Postings)>,
    stem_ids: FxHashMap<Box<str>, u32>,
    /// Each article's stems with how often they occur (title words counting more), and its
    /// number of words, until the batch's average length is known.
    pending: Vec<(Vec<(u32, u32)>, u32)>,
    /// How often each stem (by position) occurs in the article being added.
    counts: Vec<u32>,
    /// The stems of the article being added, in the order first seen.
    seen: Vec<u32>,
}

/// The words of a finished batch, each with its stem.
#[derive(Serialize, Deserialize)]
pub struct BatchWords {
    /// The id of the batch's first article.
    pub start: u32,
    words: Vec<(Box<str>, Box<str>)>,
}

impl Batch {
    /// An empty batch whose first article has id `start`.
    pub fn new(start: u32) -> Batch {
        Batch {
            start,
            words: FxHashMap::default(),
            stems: Vec::new(),
            stem_ids: FxHashMap::default(),
            pending: Vec::new(),
            counts: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// Adds the next article, with its `title` and `text`.
    pub fn add(&mut self, stems: &Stems, title: &str, text: &str) {
        let mut length = 0;
        for (part, weight) in [(title, TITLE_WEIGHT), (text, 1)] {
            each_word(part, |word| {
                let stem = self.stem_of(stems, word);
                let count = &mut self.counts[stem as usize];
                if *count == 0 {
                    self.seen.push(stem);
                }
                *count += weight;
                length += 1;
            });
        }
        let counts: Vec<(u32, u32)> = self
            .seen
            .drain(..)
            .map(|stem| (stem, std::mem::take(&mut self.counts[stem as usize])))
            .collect();
        self.pending.push((counts, length));
    }

    fn stem_of(&mut self, stems: &Stems, word: &str) -> u32 {
        if let Some(&id) = self.words.get(word) {
            return id;
        }
        let stem = stems.stem(word);
        let id = match self.stem_ids.get(stem.as_ref()) {
            Some(&id) => id,
            None => {
                let id = self.stems.len() as u32;
                self.stems.push((stem.as_ref().into(), Postings::default()));
                self.counts.push(0);
                self.stem_ids.insert(stem.as_ref().into(), id);
                id
            }
        };
        self.words.insert(word.into(), id);
        id
    }

    /// Turns the articles' counts into postings, weighted by BM25 against the batch's average
    /// length. Gives the batch's words, and its postings as a section (entries `stem, articles,
    /// last id, byte length, postings`, stems in byte order, ids local to the batch) that
    /// [`postings_chunks`] reads back.
    pub fn finish(mut self) -> (BatchWords, Vec<u8>) {
        let total: u64 = self.pending.iter().map(|(_, l)| u64::from(*l)).sum();
        let average = (total as f64 / self.pending.len().max(1) as f64).max(1.0);
        for (local, (counts, length)) in self.pending.drain(..).enumerate() {
            let local = local as u32;
            let norm = K1 * (1.0 - B + B * f64::from(length) / average);
            for (stem, count) in counts {
                let tf = f64::from(count);
                let weight = tf * (K1 + 1.0) / (tf + norm) / (K1 + 1.0);
                let postings = &mut self.stems[stem as usize].1;
                let gap = if postings.articles == 0 {
                    local
                } else {
                    local - postings.last
                };
                put_varint(&mut postings.bytes, u64::from(gap));
                postings
                    .bytes
                    .push((weight * 255.0).round().clamp(1.0, 255.0) as u8);
                postings.articles += 1;
                postings.last = local;
            }
        }
        let words = self
            .words
            .into_iter()
            .map(|(word, stem)| (word, self.stems[stem as usize].0.clone()))
            .collect();
        self.stems.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut section = Vec::new();
        for (stem, postings) in &self.stems {
            put_str(&mut section, stem);
            put_varint(&mut section, u64::from(postings.articles));
            put_varint(&mut section, u64::from(postings.last));
            put_varint(&mut section, postings.bytes.len() as u64);
            section.extend_from_slice(&postings.bytes);
        }
        let words = BatchWords {
            start: self.start,
            words,
        };
        (words, section)
    }
}

/// One entry of a batch's postings section.
struct Entry {
    stem: String,
    articles: u32,
    last: u32,
    bytes: Vec<u8>,
}

/// Reads the entries of a postings section in order.
struct SectionReader<R> {
    /// The id of the batch's first article.
    start: u32,
    input: R,
}

impl<R: Read> SectionReader<R> {
    /// The next varint, or none at the end of the section.
    fn varint(&mut self) -> std::io::Result<Option<u64>> {
        let mut n = 0;
        for i in 0..10 {
            let mut byte = [0];
            if self.input.read(&mut byte)? == 0 {
                return if i == 0 {
                    Ok(None)
                } else {
                    Err(std::io::ErrorKind::UnexpectedEof.into())
                };
            }
            n |= u64::from(byte[0] & 0x7f) << (7 * i);
            if byte[0] < 0x80 {
                return Ok(Some(n));
            }
        }
        Err(std::io::Error::other("a number longer than 64 bits"))
    }

    fn number(&mut self) -> std::io::Result<u64> {
        self.varint()?
            .ok_or_else(|| std::io::ErrorKind::UnexpectedEof.into())
    }

    fn bytes(&mut self) -> std::io::Result<Vec<u8>> {
        let length = self.number()?;
        let mut bytes = Vec::new();
        (&mut self.input).take(length).read_to_end(&mut bytes)?;
        if bytes.len() as u64 != length {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(bytes)
    }

    fn next(&mut self) -> std::io::Result<Option<Entry>> {
        let Some(length) = self.varint()? else {
            return Ok(None);
        };
        let mut stem = Vec::new();
        (&mut self.input).take(length).read_to_end(&mut stem)?;
        let stem = String::from_utf8(stem).map_err(std::io::Error::other)?;
        let articles = self.number()? as u32;
        let last = self.number()? as u32;
        let bytes = self.bytes()?;
        Ok(Some(Entry {
            stem,
            articles,
            last,
            bytes,
        }))
    }
}

/// Files cut where their keys say, so that adding a key changes one chunk and leaves the others'
/// bounds alone: a chunk ends before a key whose hash ends in three zero bits once it holds
/// `target` bytes, and anyway at twice that.
pub struct Chunks {
    target: usize,
    /// Each chunk's first key and bytes.
    pub chunks: Vec<(String, Vec<u8>)>,
}

impl Chunks {
    /// Chunks of about `target` bytes.
    pub fn new(target: usize) -> Chunks {
        Chunks {
            target,
            chunks: Vec::new(),
        }
    }

    /// The chunk that `key`'s entry goes in.
    fn open(&mut self, key: &str) -> &mut Vec<u8> {
        let cut = self.chunks.last().is_none_or(|(_, bytes)| {
            bytes.len() >= 2 * self.target
                || (bytes.len() >= self.target && crate::hash::stable_hash(key) & 7 == 0)
        });
        if cut {
            self.chunks.push((key.to_owned(), Vec::new()));
        }
        &mut self.chunks.last_mut().expect("a chunk is open").1
    }
}

/// A chunk size between `least` and the one that makes about `files` chunks of `total` bytes,
/// as a power of two, so that it changes seldom as the archive grows.
pub fn chunk_size(total: usize, files: usize, least: usize) -> usize {
    total.div_ceil(files.max(1)).max(least).next_power_of_two()
}

/// The words of every batch with their stems, cut into chunks.
pub fn word_chunks(batches: &[&BatchWords], target_files: usize) -> Chunks {
    let mut words: BTreeMap<&str, &str> = BTreeMap::new();
    for batch in batches {
        for (word, stem) in &batch.words {
            words.insert(word, stem);
        }
    }
    let total: usize = words.keys().map(|w| w.len() + 4).sum();
    let mut chunks = Chunks::new(chunk_size(total, target_files, 8 << 10));
    for (word, stem) in words {
        let shared = word
            .bytes()
            .zip(stem.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let out = chunks.open(word);
        put_str(out, word);
        put_varint(out, shared as u64);
        put_varint(out, (stem.len() - shared) as u64);
        out.extend_from_slice(&stem.as_bytes()[shared..]);
    }
    chunks
}

/// How many complete postings chunks [`postings_chunks`] gathers before handing them on.
const CHUNKS_AT_ONCE: usize = 64;

/// The postings of every stem over all batches, merged from the batches' postings `sections`
/// (each with the id of its batch's first article, in the order of ids; `total` bytes in all)
/// and cut into chunks, which are handed to `done` a few at a time, in order, as soon as they
/// are complete. Only one entry of each section is in memory at a time.
pub fn postings_chunks<E: From<std::io::Error>>(
    sections: Vec<(u32, impl Read)>,
    total: usize,
    target_files: usize,
    mut done: impl FnMut(Vec<(String, Vec<u8>)>) -> Result<(), E>,
) -> Result<(), E> {
    let mut readers: Vec<SectionReader<_>> = sections
        .into_iter()
        .map(|(start, input)| SectionReader { start, input })
        .collect();
    // The next entry of each section, smallest stem (then earliest batch) first.
    let mut heads: Vec<Option<Entry>> = Vec::with_capacity(readers.len());
    let mut queue = BinaryHeap::new();
    for (b, reader) in readers.iter_mut().enumerate() {
        let head = reader.next()?;
        if let Some(entry) = &head {
            queue.push(Reverse((entry.stem.clone(), b)));
        }
        heads.push(head);
    }
    let mut chunks = Chunks::new(chunk_size(total, target_files, 16 << 10));
    let mut entry = Vec::new();
    while let Some(Reverse((stem, first))) = queue.pop() {
        let mut batches = vec![first];
        while queue.peek().is_some_and(|Reverse((next, _))| *next == stem) {
            if let Some(Reverse((_, b))) = queue.pop() {
                batches.push(b);
            }
        }
        entry.clear();
        let mut articles = 0;
        let mut last: Option<u32> = None;
        for b in batches {
            let start = readers[b].start;
            if let Some(postings) = heads[b].take() {
                // The batch's first id is written against the last one of the batch before it.
                let (first, length) = varint(&postings.bytes);
                let first = start + first as u32;
                put_varint(&mut entry, u64::from(first - last.unwrap_or(0)));
                entry.extend_from_slice(&postings.bytes[length..]);
                articles += postings.articles;
                last = Some(start + postings.last);
            }
            heads[b] = readers[b].next()?;
            if let Some(next) = &heads[b] {
                queue.push(Reverse((next.stem.clone(), b)));
            }
        }
        let out = chunks.open(&stem);
        put_str(out, &stem);
        put_varint(out, u64::from(articles));
        put_varint(out, entry.len() as u64);
        out.extend_from_slice(&entry);
        // All but the open chunk are complete.
        if chunks.chunks.len() > CHUNKS_AT_ONCE {
            let open = chunks.chunks.pop();
            done(std::mem::take(&mut chunks.chunks))?;
            chunks.chunks.extend(open);
        }
    }
    done(chunks.chunks)
}

/// A facet file: each value with its articles' ids.
pub fn facet_file(values: &BTreeMap<&str, Vec<u32>>) -> Vec<u8> {
    let mut out = Vec::new();
    for (value, ids) in values {
        put_str(&mut out, value);
        put_varint(&mut out, ids.len() as u64);
        let mut last = 0;
        for &id in ids {
            put_varint(&mut out, u64::from(id - last));
            last = id;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entries of a postings chunk: stem, then (id, weight) pairs.
    fn read_postings(mut bytes: &[u8]) -> Vec<(String, Vec<(u64, u8)>)> {
        let mut entries = Vec::new();
        let next = |bytes: &mut &[u8]| {
            let (n, l) = varint(bytes);
            *bytes = &bytes[l..];
            n
        };
        while !bytes.is_empty() {
            let len = next(&mut bytes) as usize;
            let stem = String::from_utf8(bytes[..len].to_vec()).unwrap();
            bytes = &bytes[len..];
            let count = next(&mut bytes);
            let _ = next(&mut bytes);
            let mut id = 0;
            let mut postings = Vec::new();
            for _ in 0..count {
                id += next(&mut bytes);
                postings.push((id, bytes[0]));
                bytes = &bytes[1..];
            }
            entries.push((stem, postings));
        }
        entries
    }

    #[test]
    fn postings_merge_batches_in_id_order_with_title_words_weighing_more() {
        let stems = Stems::of("en");
        let mut first = Batch::new(0);
        first.add(&stems, "Elections", "Voters went to the polls.");
        first.add(&stems, "Weather", "Rain after the elected mayor spoke.");
        let (first_words, first) = first.finish();
        let mut second = Batch::new(2);
        second.add(&stems, "Sport", "Nothing about it.");
        second.add(&stems, "Mayor", "The election of a mayor.");
        let (second_words, second) = second.finish();
        let total = first.len() + second.len();
        let sections = vec![(0, first.as_slice()), (2, second.as_slice())];
        let mut chunks = Vec::new();
        postings_chunks(sections, total, 10, |done| {
            chunks.extend(done);
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
        assert_eq!(chunks.len(), 1);
        let entries = read_postings(&chunks[0].1);
        let elect = entries.iter().find(|(s, _)| s == "elect").unwrap();
        let ids: Vec<u64> = elect.1.iter().map(|p| p.0).collect();
        assert_eq!(ids, [0, 1, 3]);
        // In the title of article 0, in the text of article 1.
        assert!(elect.1[0].1 > elect.1[1].1);
        let stems_in_order: Vec<&str> = entries.iter().map(|(s, _)| s.as_str()).collect();
        let mut sorted = stems_in_order.clone();
        sorted.sort_unstable();
        assert_eq!(stems_in_order, sorted);

        let words = word_chunks(&[&first_words, &second_words], 10);
        let bytes = &words.chunks[0].1;
        let (len, l) = varint(bytes);
        assert_eq!(&bytes[l..l + len as usize], b"a");
    }

    #[test]
    fn a_damaged_section_is_an_error() {
        let stems = Stems::of("en");
        let mut batch = Batch::new(0);
        batch.add(&stems, "Elections", "Voters went to the polls.");
        let (_, section) = batch.finish();
        for cut in [1, section.len() / 2, section.len() - 1] {
            let sections = vec![(0, &section[..cut])];
            let merged = postings_chunks(sections, cut, 10, |_| Ok::<_, std::io::Error>(()));
            assert!(merged.is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn chunk_bounds_stay_when_a_key_is_added() {
        let keys: Vec<String> = (0..2000).map(|n| format!("key{n:05}")).collect();
        let bounds = |keys: &[String]| {
            let mut chunks = Chunks::new(64);
            for key in keys {
                chunks.open(key).extend_from_slice(&[0; 10]);
            }
            chunks
                .chunks
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        let before = bounds(&keys);
        let mut more = keys.clone();
        more.insert(1000, "key01000a".to_owned());
        let after = bounds(&more);
        let changed = before.iter().filter(|k| !after.contains(k)).count();
        assert!(before.len() > 100);
        assert!(changed <= 2, "{changed} bounds moved");
    }
}
