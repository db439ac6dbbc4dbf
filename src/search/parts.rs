//! The index a batch of consecutive articles at a time: each batch is indexed into a [`Part`]
//! (its postings, the details results show, its facet values), and parts are kept between builds
//! in a [`PartCache`], so that after an edit only the batches whose articles changed are indexed
//! again and the rest are read back.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::inverted::Batch;
use super::words::Stems;
use super::{Record, Records, SearchError, Settings};
use crate::config::ArticleText;
use crate::content;
use crate::hash::StableHasher;

/// Changes whenever a part's layout or the way it is made does, so that parts of another
/// version are not read.
const FORMAT: &str = concat!("annals-search-part-1-", env!("CARGO_PKG_VERSION"));

/// What indexing one batch of articles gives.
#[derive(Serialize, Deserialize)]
pub struct Part {
    pub batch: Batch,
    /// The details files of its articles (uncompressed JSON).
    pub details: Vec<Vec<u8>>,
    /// For each facet, each value with the ids of the batch's articles that have it.
    pub facets: Vec<BTreeMap<String, Vec<u32>>>,
}

/// What a result shows of an article: URL, title, date, summary and facet values.
type Details<'a> = (
    Cow<'a, str>,
    Cow<'a, str>,
    Cow<'a, str>,
    Cow<'a, str>,
    Vec<Vec<Cow<'a, str>>>,
);

/// Feeds what the index holds of `record` into `h`: everything but the text when only summaries
/// are indexed (the summary is in the details either way).
pub fn hash_record(settings: &Settings, record: Record, h: &mut StableHasher) {
    match settings.scope {
        ArticleText::Full => (record, 0u8).hash(h),
        ArticleText::Summary => (
            Record {
                digest: 0,
                ..record
            },
            1u8,
        )
            .hash(h),
    }
}

/// Parts of the index kept in a folder between builds, each in a file named by a fingerprint of
/// everything it was made from.
pub struct PartCache {
    dir: PathBuf,
    /// The parts this build used or made, which [`PartCache::prune`] keeps.
    used: Mutex<HashSet<u64>>,
}

impl PartCache {
    /// The parts kept in `dir` (made when the first part is saved).
    pub fn new(dir: PathBuf) -> PartCache {
        PartCache {
            dir,
            used: Mutex::new(HashSet::new()),
        }
    }

    fn file(&self, key: u64) -> PathBuf {
        self.dir.join(format!("part-{key:016x}.bin"))
    }

    fn get(&self, key: u64) -> Option<Part> {
        let bytes = std::fs::read(self.file(key)).ok()?;
        postcard::from_bytes(&bytes).ok()
    }

    /// Keeps `part` for the next build. A part that cannot be saved is made again then, so
    /// failing here costs only time.
    fn put(&self, key: u64, part: &Part) {
        let Ok(bytes) = postcard::to_allocvec(part) else {
            return;
        };
        let _ = std::fs::create_dir_all(&self.dir).and_then(|()| {
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            std::io::Write::write_all(&mut file, &bytes)?;
            file.persist(self.file(key)).map_err(|e| e.error)?;
            Ok(())
        });
    }

    fn mark_used(&self, key: u64) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    /// Deletes the parts that this build did not use: those of articles since changed.
    pub fn prune(&self) {
        let Ok(used) = self.used.lock() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let key = name
                .to_str()
                .and_then(|n| n.strip_prefix("part-"))
                .and_then(|n| n.strip_suffix(".bin"))
                .filter(|hex| hex.len() == 16)
                .and_then(|hex| u64::from_str_radix(hex, 16).ok());
            if key.is_some_and(|key| !used.contains(&key)) {
                // Another build may have removed it already.
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// What indexing any batch of an archive takes.
pub struct Indexing<'a> {
    pub settings: &'a Settings,
    pub stems: Stems,
    /// How many facets articles have.
    pub facets: usize,
    pub records: &'a dyn Records,
    /// Articles per details file.
    pub per_file: usize,
}

impl Indexing<'_> {
    /// Everything the part of the articles `ids` is made from.
    fn key(&self, ids: &Range<usize>) -> u64 {
        let mut h = StableHasher::default();
        // The word rules change with the search script, which follows them.
        let made_with = (FORMAT, super::script_hash(), self.settings);
        (made_with, self.facets, ids, self.per_file).hash(&mut h);
        for id in ids.clone() {
            hash_record(self.settings, self.records.record(id), &mut h);
        }
        h.finish()
    }

    /// The part of the articles `ids`, read back from `cache` when it has it, else indexed (and
    /// left there).
    pub fn part(&self, ids: Range<usize>, cache: Option<&PartCache>) -> Result<Part, SearchError> {
        let Some(cache) = cache else {
            return self.index(ids);
        };
        let key = self.key(&ids);
        cache.mark_used(key);
        if let Some(part) = cache.get(key) {
            return Ok(part);
        }
        let part = self.index(ids)?;
        cache.put(key, &part);
        Ok(part)
    }

    /// Indexes the articles `ids` (whole details files) into a [`Part`].
    fn index(&self, ids: Range<usize>) -> Result<Part, SearchError> {
        let (settings, stems, records) = (self.settings, &self.stems, self.records);
        let mut batch = Batch::new(ids.start as u32);
        let mut details = Vec::new();
        let mut values = vec![BTreeMap::<String, Vec<u32>>::new(); self.facets];
        let mut group: Vec<Details> = Vec::new();
        for id in ids {
            let record = records.record(id);
            let text = match settings.scope {
                ArticleText::Full => {
                    let (body, _) = content::read_body(&record.source)
                        .map_err(|d| SearchError::new(d.to_string()))?;
                    Cow::Owned(crate::markdown::search_text(&body, settings.raw_html))
                }
                ArticleText::Summary => record.summary.clone(),
            };
            batch.add(stems, &record.title, &text);
            for (f, facet) in record.facets.iter().enumerate() {
                for value in facet {
                    values[f]
                        .entry(value.to_string())
                        .or_default()
                        .push(id as u32);
                }
            }
            let Record {
                url,
                title,
                date,
                summary,
                facets,
                ..
            } = record;
            group.push((url, title, date, summary, facets));
            if group.len() == self.per_file {
                details
                    .push(serde_json::to_vec(&group).map_err(|e| SearchError::new(e.to_string()))?);
                group.clear();
            }
        }
        if !group.is_empty() {
            details.push(serde_json::to_vec(&group).map_err(|e| SearchError::new(e.to_string()))?);
        }
        batch.finish();
        Ok(Part {
            batch,
            details,
            facets: values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawHtml;

    fn settings() -> Settings {
        Settings {
            language: "en".to_owned(),
            scope: ArticleText::Full,
            raw_html: RawHtml::Keep,
        }
    }

    /// Articles whose files in `dir` hold `bodies`.
    fn records(dir: &std::path::Path, bodies: &[&str]) -> Vec<Record<'static>> {
        bodies
            .iter()
            .enumerate()
            .map(|(n, body)| {
                let source = dir.join(format!("{n}.md"));
                std::fs::write(&source, format!("+++\ntitle = \"T{n}\"\n+++\n{body}\n")).unwrap();
                Record {
                    url: Cow::Owned(format!("/{n}/")),
                    title: Cow::Owned(format!("T{n}")),
                    date: Cow::Borrowed("1 May 2024"),
                    summary: Cow::Borrowed(""),
                    source: Cow::Owned(source),
                    digest: crate::hash::stable_hash(body),
                    facets: vec![vec![Cow::Borrowed("Chad")]],
                }
            })
            .collect()
    }

    /// What the index files made of `part` hold (its words map has no fixed order).
    fn bytes(part: &Part) -> Vec<Vec<u8>> {
        let batch = [&part.batch];
        let mut chunks = crate::search::inverted::word_chunks(&batch, 1).chunks;
        crate::search::inverted::postings_chunks(&batch, 1, |done| {
            chunks.extend(done);
            Ok::<_, ()>(())
        })
        .unwrap();
        let facets = serde_json::to_vec(&part.facets).unwrap();
        chunks
            .into_iter()
            .map(|(_, bytes)| bytes)
            .chain(part.details.iter().cloned())
            .chain([facets])
            .collect()
    }

    #[test]
    fn a_kept_part_is_read_back_until_its_articles_change() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("parts");
        let settings = settings();
        let records = records(dir.path(), &["Zeppelins over Lyon.", "A quiet day."]);
        let settings = &settings;
        fn indexing<'a>(settings: &'a Settings, records: &'a dyn Records) -> Indexing<'a> {
            Indexing {
                settings,
                stems: Stems::of("en"),
                facets: 1,
                records,
                per_file: 32,
            }
        }
        let make = |records: &Vec<Record<'static>>, cache: &PartCache| {
            indexing(settings, records).part(0..2, Some(cache))
        };
        let cache = PartCache::new(kept.clone());
        let first = make(&records, &cache).unwrap();
        let fresh = indexing(settings, &records).index(0..2).unwrap();
        assert_eq!(bytes(&first), bytes(&fresh));

        // Without the articles' files, the part can only come from the cache.
        std::fs::remove_file(records[0].source.as_ref()).unwrap();
        let cache = PartCache::new(kept.clone());
        let again = make(&records, &cache).expect("read back");
        assert_eq!(bytes(&again), bytes(&first));

        // A changed text is indexed again, and the old part is pruned.
        let changed = self::records(dir.path(), &["Zeppelins over Paris.", "A quiet day."]);
        let cache = PartCache::new(kept.clone());
        let other = make(&changed, &cache).unwrap();
        assert_ne!(bytes(&other), bytes(&first));
        assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 2);
        cache.prune();
        assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 1);

        // A damaged part is made again.
        for entry in std::fs::read_dir(&kept).unwrap() {
            std::fs::write(entry.unwrap().path(), b"\xff\xff").unwrap();
        }
        let cache = PartCache::new(kept);
        assert_eq!(bytes(&make(&changed, &cache).unwrap()), bytes(&other));
    }
}
