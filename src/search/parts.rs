//! The index a batch of consecutive articles at a time: each batch is indexed into a [`Part`]
//! (its words, the details results show, its facet values, and its postings, which wait in its
//! file for the merge), and parts are kept between builds in a [`PartCache`], so that after an
//! edit only the batches whose articles changed are indexed again and the rest are read back.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::inverted::{Batch, BatchWords};
use super::words::Stems;
use super::{Record, Records, SearchError, Settings};
use crate::config::ArticleText;
use crate::content;
use crate::hash::StableHasher;

/// Changes whenever a part's layout or the way it is made does, so that parts of another
/// version are not read.
const FORMAT: &str = concat!("annals-search-part-1-", env!("CARGO_PKG_VERSION"));

/// What indexing one batch of articles gives: what is held until the index is written, and
/// where its postings are (they are read back from there while all batches are merged).
#[derive(Serialize, Deserialize)]
pub struct Part {
    pub words: BatchWords,
    /// The details files of its articles (uncompressed JSON).
    pub details: Vec<Vec<u8>>,
    /// For each facet, each value with the ids of the batch's articles that have it.
    pub facets: Vec<BTreeMap<String, Vec<u32>>>,
    #[serde(skip)]
    pub postings: Section,
}

/// Where in its file a part's postings section is.
#[derive(Default)]
pub struct Section {
    path: PathBuf,
    offset: u64,
    /// Its length in bytes.
    pub len: u64,
}

impl Section {
    /// A reader of the section.
    pub fn open(&self) -> std::io::Result<impl Read + use<>> {
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(self.offset))?;
        Ok(BufReader::with_capacity(64 << 10, file.take(self.len)))
    }
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

/// Parts of the index in a folder, each in a file named by a fingerprint of everything it was
/// made from: the head (postcard), after its length as 8 bytes, then the postings section.
/// Kept between builds in the build cache, or in a temporary folder for one build.
pub struct PartCache {
    dir: PathBuf,
    /// The temporary folder, removed with the cache.
    _temporary: Option<tempfile::TempDir>,
    /// The parts this build used or made, which [`PartCache::prune`] keeps.
    used: Mutex<HashSet<u64>>,
    /// Parts not used by this build and older than this are pruned.
    keep_since: SystemTime,
}

/// How long a part another build used (`serve` next to `annals build`, or another output folder
/// with other settings) is kept although this one did not use it.
const KEEP_UNUSED: Duration = Duration::from_secs(3600);

impl PartCache {
    /// The parts kept in `dir` (made when the first part is saved).
    pub fn new(dir: PathBuf) -> PartCache {
        PartCache {
            dir,
            _temporary: None,
            used: Mutex::new(HashSet::new()),
            keep_since: SystemTime::now() - KEEP_UNUSED,
        }
    }

    /// Parts for one build only, in a temporary folder.
    pub fn temporary() -> Result<PartCache, SearchError> {
        let temporary = tempfile::Builder::new()
            .prefix("annals-search-")
            .tempdir()
            .map_err(|e| SearchError::new(format!("cannot make a temporary folder: {e}")))?;
        Ok(PartCache {
            dir: temporary.path().to_path_buf(),
            _temporary: Some(temporary),
            ..PartCache::new(PathBuf::new())
        })
    }

    fn file(&self, key: u64) -> PathBuf {
        self.dir.join(format!("part-{key:016x}.bin"))
    }

    /// The part kept under `key`, its file marked as used now.
    fn get(&self, key: u64) -> Option<Part> {
        let path = self.file(key);
        let mut file = File::options().read(true).write(true).open(&path).ok()?;
        let size = file.metadata().ok()?.len();
        let mut length = [0; 8];
        file.read_exact(&mut length).ok()?;
        let length = u64::from_le_bytes(length);
        let mut head = Vec::new();
        (&mut file).take(length).read_to_end(&mut head).ok()?;
        let mut part: Part = postcard::from_bytes(&head).ok()?;
        let offset = 8 + length;
        part.postings = Section {
            len: size.checked_sub(offset)?,
            offset,
            path,
        };
        // Not pruned by another build for a while.
        file.set_modified(SystemTime::now()).ok()?;
        Some(part)
    }

    /// Writes `part` with its postings `section` under `key`, in one step.
    fn put(&self, key: u64, mut part: Part, section: &[u8]) -> Result<Part, SearchError> {
        let path = self.file(key);
        let failed =
            |e: std::io::Error| SearchError::new(format!("cannot write {}: {e}", path.display()));
        let head = postcard::to_allocvec(&part).map_err(|e| SearchError::new(e.to_string()))?;
        std::fs::create_dir_all(&self.dir).map_err(failed)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir).map_err(failed)?;
        file.write_all(&(head.len() as u64).to_le_bytes())
            .and_then(|()| file.write_all(&head))
            .and_then(|()| file.write_all(section))
            .map_err(failed)?;
        file.persist(&path).map_err(|e| failed(e.error))?;
        part.postings = Section {
            path,
            offset: 8 + head.len() as u64,
            len: section.len() as u64,
        };
        Ok(part)
    }

    fn mark_used(&self, key: u64) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    /// Deletes the kept parts that neither this build nor another one lately used: those of
    /// articles since changed.
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
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified < self.keep_since);
            if key.is_some_and(|key| !used.contains(&key)) && stale {
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

    /// The part of the articles `ids`, read back from `cache` when it has it, else indexed into
    /// it.
    pub fn part(&self, ids: Range<usize>, cache: &PartCache) -> Result<Part, SearchError> {
        let key = self.key(&ids);
        cache.mark_used(key);
        if let Some(part) = cache.get(key) {
            return Ok(part);
        }
        let (part, section) = self.index(ids)?;
        cache.put(key, part, &section)
    }

    /// Indexes the articles `ids` (whole details files) into a [`Part`] and its postings section.
    fn index(&self, ids: Range<usize>) -> Result<(Part, Vec<u8>), SearchError> {
        let (settings, stems, records) = (self.settings, &self.stems, self.records);
        let mut batch = Batch::new(ids.start as u32);
        let mut details = Vec::new();
        let mut values = vec![BTreeMap::<String, Vec<u32>>::new(); self.facets];
        let mut group: Vec<Details> = Vec::new();
        for id in ids {
            let record = records.record(id);
            let body;
            let text = match settings.scope {
                ArticleText::Full => {
                    match record.kept.as_ref().and_then(|k| k.search_text.as_ref()) {
                        Some(text) => Cow::Borrowed(text.as_str()),
                        None => {
                            body = content::markdown(&record.source, record.kept.as_deref())
                                .map_err(|d| SearchError::new(d.to_string()))?;
                            Cow::Owned(crate::markdown::search_text(&body.text, settings.raw_html))
                        }
                    }
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
        let (words, section) = batch.finish();
        let part = Part {
            words,
            details,
            facets: values,
            postings: Section::default(),
        };
        Ok((part, section))
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
                    kept: None,
                    digest: crate::hash::stable_hash(body),
                    facets: vec![vec![Cow::Borrowed("Chad")]],
                }
            })
            .collect()
    }

    /// What the index files made of `part` hold.
    fn bytes(part: &Part) -> Vec<Vec<u8>> {
        let mut chunks = crate::search::inverted::word_chunks(&[&part.words], 1).chunks;
        let section = vec![(part.words.start, part.postings.open().unwrap())];
        crate::search::inverted::postings_chunks(section, part.postings.len as usize, 1, |done| {
            chunks.extend(done);
            Ok::<_, std::io::Error>(())
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

    /// Makes every file in `dir` look last used two hours ago.
    fn age(dir: &std::path::Path) {
        let then = SystemTime::now() - Duration::from_secs(7200);
        for entry in std::fs::read_dir(dir).unwrap() {
            let file = File::options()
                .write(true)
                .open(entry.unwrap().path())
                .unwrap();
            file.set_modified(then).unwrap();
        }
    }

    #[test]
    fn a_kept_part_is_read_back_until_its_articles_change() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("parts");
        let settings = settings();
        let records = records(dir.path(), &["Zeppelins over Lyon.", "A quiet day."]);
        let settings = &settings;
        let make = |records: &Vec<Record<'static>>, cache: &PartCache| {
            let indexing = Indexing {
                settings,
                stems: Stems::of("en"),
                facets: 1,
                records,
                per_file: 32,
            };
            indexing.part(0..2, cache)
        };
        let cache = PartCache::new(kept.clone());
        let first = make(&records, &cache).unwrap();
        let temporary = PartCache::temporary().unwrap();
        let fresh = make(&records, &temporary).unwrap();
        assert_eq!(bytes(&first), bytes(&fresh));

        // Without the articles' files, the part can only come from the cache.
        std::fs::remove_file(records[0].source.as_ref()).unwrap();
        let cache = PartCache::new(kept.clone());
        let again = make(&records, &cache).expect("read back");
        assert_eq!(bytes(&again), bytes(&first));

        // A changed text is indexed again. The old part stays while another build may still
        // use it, and goes once it has not been used for a while.
        let changed = self::records(dir.path(), &["Zeppelins over Paris.", "A quiet day."]);
        let cache = PartCache::new(kept.clone());
        let other = make(&changed, &cache).unwrap();
        assert_ne!(bytes(&other), bytes(&first));
        cache.prune();
        assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 2);
        age(&kept);
        let cache = PartCache::new(kept.clone());
        make(&changed, &cache).unwrap();
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
