//! `annals deploy`: publishes the built site to an S3-compatible bucket, uploading only the files
//! whose bytes the bucket does not have and deleting the objects the site no longer has.
//!
//! The stages: [`config`] (the `[deploy]` section of `site.toml`) → [`local`] (the files the last
//! build wrote, per its record, with the bytes and headers to store) → [`credentials`] (keys from
//! the environment or `~/.aws`) → [`s3`] (list the bucket) → [`plan`] (compare by MD5) → upload
//! in parallel, pages last → delete. Nothing is deleted unless every upload succeeded, and a
//! deploy that stopped half-way finishes when run again, since what is already there is skipped.

pub mod config;
pub mod credentials;
pub mod local;
pub mod plan;
pub mod s3;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use thiserror::Error;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, counted};
use crate::output::{self, OutputError};
use crate::progress::Progress;
pub use config::DeployConfig;
use credentials::Environment;
use local::LocalFile;
use plan::{Change, Plan, Verdict};
use s3::{Client, S3Error};

/// What `annals deploy` was asked to do.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The site folder, holding `site.toml`.
    pub root: PathBuf,
    /// The built site; `public/` below the root by default.
    pub output: Option<PathBuf>,
    /// The `[[deploy.targets]]` entry's name; needed only when there are several.
    pub target: Option<String>,
    /// Only work out and report the changes.
    pub dry_run: bool,
    /// Delete more objects than `max_deletes` allows.
    pub force: bool,
    /// Overrides `deploy.max_deletes`.
    pub max_deletes: Option<usize>,
    /// Uploads every file, unchanged ones too (to store them with new headers).
    pub upload_all: bool,
}

/// Why a deploy did not happen or did not finish.
#[derive(Debug, Error)]
pub enum DeployError {
    /// `site.toml` is missing or wrong.
    #[error("site.toml has {}", counted(.0.len(), "error"))]
    Config(Vec<Diagnostic>),
    /// Something to set up first: a target, credentials, a build.
    #[error("{0}")]
    Setup(String),
    /// The output folder cannot be read.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The bucket could not be read; nothing was changed.
    #[error("{0}; nothing was changed")]
    Remote(String),
    /// The deploy would delete more objects than allowed; nothing was changed.
    #[error(
        "the bucket holds {count} objects the site does not have, more than `max_deletes` ({max}) allows: nothing was changed. Check the target with --dry-run; deploy with --force (or --max-deletes N) if they should go"
    )]
    TooManyDeletes {
        /// Objects that would be deleted.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// None of the objects below the prefix is a file of the site, and the deploy would delete
    /// them: most likely the wrong bucket or prefix.
    #[error(
        "{destination} holds {count} objects and none of them is a file of this site: deploying would delete them. Check the target's bucket and prefix (--dry-run lists them); deploy with --force if they should go"
    )]
    Unrelated {
        /// Where the site would go.
        destination: String,
        /// Objects there.
        count: usize,
    },
    /// Some requests failed; the report says what was done.
    #[error("{0}")]
    Incomplete(String),
}

/// What a deploy did, or with `--dry-run` would do.
#[derive(Debug)]
pub struct DeployReport {
    /// Where the site went: `s3://bucket/prefix at endpoint (target name)`.
    pub destination: String,
    /// The output folder deployed.
    pub output: PathBuf,
    /// Files of the site.
    pub files: usize,
    /// Files uploaded (or to upload), with their size and why.
    pub uploads: Vec<(String, u64, Change)>,
    /// Objects deleted (or to delete).
    pub deletes: Vec<String>,
    /// Files the bucket already had.
    pub unchanged: usize,
    /// Whether nothing was changed, by request.
    pub dry_run: bool,
    /// With `--dry-run`, why a real deploy would stop before changing anything.
    pub would_stop: Option<String>,
    /// Requests made: list, head, put, delete.
    pub requests: [usize; 4],
}

/// Deploys the site, reading credentials from `env` and reporting progress to `progress`.
pub fn deploy(
    options: &DeployOptions,
    env: &dyn Environment,
    progress: &dyn Progress,
) -> Result<DeployReport, DeployError> {
    let config = SiteConfig::load(&options.root).map_err(DeployError::Config)?;
    let target = config
        .deploy
        .target(options.target.as_deref())
        .map_err(DeployError::Setup)?;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    let files = built_files(&output)?;
    let rules = config
        .deploy
        .headers()
        .map_err(|e| DeployError::Setup(e.to_string()))?;
    let (keys, keys_from) =
        credentials::find(env, target.profile.as_deref()).map_err(DeployError::Setup)?;
    let local = local::read_all(&output, files, &rules, progress).map_err(DeployError::Setup)?;
    let prefix = target.key_prefix();
    let destination = format!(
        "s3://{}/{prefix} at {} (target {:?})",
        target.bucket,
        target.endpoint(),
        target.name
    );
    let client = Client::new(
        &target.endpoint(),
        target.path_style(),
        &target.bucket,
        &target.region,
        prefix,
        keys,
        config.deploy.concurrency,
    )
    .map_err(DeployError::Setup)?;
    let remote_error = |what: &str, error: S3Error| {
        let hint = if error.is_credentials() {
            format!(
                " — the service refused the keys from {keys_from}: check them, and the target's region ({:?})",
                target.region
            )
        } else if error.is_forbidden() {
            format!(
                " — the keys from {keys_from} may not do this: a deploy needs s3:ListBucket on the bucket, and s3:GetObject, s3:PutObject and s3:DeleteObject on its objects"
            )
        } else if matches!(error, S3Error::Unreachable(_)) {
            format!(
                " — no answer from {} after five tries: check the target's endpoint and the network",
                target.endpoint()
            )
        } else if matches!(&error, S3Error::Refused { code, .. } if code == "NoSuchBucket") {
            format!(
                " — there is no bucket {:?} at {}",
                target.bucket,
                target.endpoint()
            )
        } else {
            String::new()
        };
        DeployError::Remote(format!("cannot {what} {destination}: {error}{hint}"))
    };

    let remote: HashMap<String, s3::RemoteObject> = client
        .list()
        .map_err(|e| remote_error("list", e))?
        .into_iter()
        .map(|object| (object.key.clone(), object))
        .collect();
    let concurrency = config.deploy.concurrency;
    let plan = compare(
        &client,
        &local,
        &remote,
        options.upload_all,
        concurrency,
        progress,
    )
    .map_err(|(key, e)| remote_error(&format!("read (HEAD) {key} of"), e))?;

    let max = options.max_deletes.unwrap_or(config.deploy.max_deletes);
    let stop = if options.force || plan.deletes.is_empty() {
        None
    } else if plan.deletes.len() == remote.len() {
        Some(DeployError::Unrelated {
            destination: destination.clone(),
            count: remote.len(),
        })
    } else if plan.deletes.len() > max {
        Some(DeployError::TooManyDeletes {
            count: plan.deletes.len(),
            max,
        })
    } else {
        None
    };
    let mut report = DeployReport {
        destination,
        output: output.clone(),
        files: local.len(),
        uploads: plan
            .uploads
            .iter()
            .map(|&(i, change)| (local[i].path.clone(), local[i].size, change))
            .collect(),
        deletes: plan.deletes.clone(),
        unchanged: plan.unchanged,
        dry_run: options.dry_run,
        would_stop: None,
        requests: [0; 4],
    };
    if options.dry_run {
        report.would_stop = stop.map(|e| e.to_string());
        report.requests = counts(&client);
        return Ok(report);
    }
    if let Some(error) = stop {
        return Err(error);
    }

    upload(&client, &output, &local, &plan, concurrency, progress)?;
    delete(&client, &plan.deletes, plan.uploads.len())?;
    report.requests = counts(&client);
    Ok(report)
}

/// The files the last build wrote into `output`, per its record.
fn built_files(output: &Path) -> Result<Vec<String>, DeployError> {
    let Some(record) = output::read_record(output)? else {
        return Err(DeployError::Setup(format!(
            "{} holds no Annals build (it has no {}): run `annals build` first",
            output.display(),
            output::RECORD_FILE
        )));
    };
    let mut files: Vec<String> = record.into_iter().collect();
    files.sort();
    Ok(files)
}

/// Compares the site with the listing, asking the bucket for the stored MD5 of objects whose
/// ETag cannot tell. With `upload_all`, every file is uploaded.
fn compare(
    client: &Client,
    local: &[LocalFile],
    remote: &HashMap<String, s3::RemoteObject>,
    upload_all: bool,
    concurrency: usize,
    progress: &dyn Progress,
) -> Result<Plan, (String, S3Error)> {
    let mut plan = Plan {
        deletes: plan::deletes(local, remote),
        ..Plan::default()
    };
    let mut ask = Vec::new();
    for (i, file) in local.iter().enumerate() {
        match plan::verdict(file, remote.get(&file.path)) {
            Verdict::Upload(change) => plan.uploads.push((i, change)),
            _ if upload_all => plan.uploads.push((i, Change::Changed)),
            Verdict::Same => plan.unchanged += 1,
            Verdict::AskStoredMd5 => ask.push(i),
        }
    }
    progress.stage("Comparing with the bucket", ask.len());
    let stored = parallel(&ask, concurrency, |&i| {
        let md5 = client.stored_md5(&local[i].path);
        progress.advance(1);
        md5
    });
    for (&i, md5) in ask.iter().zip(stored) {
        let md5 = md5.map_err(|e| (local[i].path.clone(), e))?;
        if md5.is_some_and(|md5| md5.eq_ignore_ascii_case(&local[i].md5)) {
            plan.unchanged += 1;
        } else {
            plan.uploads.push((i, Change::Changed));
        }
    }
    plan::order_uploads(local, &mut plan.uploads);
    Ok(plan)
}

/// Uploads the plan's files, `concurrency` at a time, group by group (pages after what they
/// link to). A failure ends the deploy after its group, and at once when the service cannot be
/// reached; the report says which files were and were not uploaded, and nothing is deleted.
fn upload(
    client: &Client,
    output: &Path,
    local: &[LocalFile],
    plan: &Plan,
    concurrency: usize,
    progress: &dyn Progress,
) -> Result<(), DeployError> {
    progress.stage("Uploading", plan.uploads.len());
    let unreachable = AtomicBool::new(false);
    let mut failed: Vec<String> = Vec::new();
    let mut uploaded = 0;
    for group in plan::groups(local, &plan.uploads) {
        if !failed.is_empty() {
            break;
        }
        let results = parallel(group, concurrency, |&(i, _)| {
            if unreachable.load(Ordering::Relaxed) {
                return None;
            }
            let file = &local[i];
            let result = match file.bytes(output) {
                Ok(bytes) => client.put(&file.path, &bytes, &file.headers).map_err(|e| {
                    if matches!(e, S3Error::Unreachable(_)) {
                        unreachable.store(true, Ordering::Relaxed);
                    }
                    e.to_string()
                }),
                Err(e) => Err(e),
            };
            progress.advance(1);
            Some(result)
        });
        for (&(i, _), result) in group.iter().zip(results) {
            match result {
                Some(Ok(())) => uploaded += 1,
                Some(Err(e)) => failed.push(format!("{}: {e}", local[i].path)),
                None => {}
            }
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let total = plan.uploads.len();
    Err(DeployError::Incomplete(format!(
        "uploaded {uploaded} of {}; {} failed, {} not tried (pages wait for what they link to), and nothing was deleted:\n  {}\nRun `annals deploy` again to finish: files already uploaded are skipped",
        counted(total, "file"),
        failed.len(),
        total - uploaded - failed.len(),
        listed(&failed, 20)
    )))
}

/// Deletes the objects the site no longer has, 1,000 per request.
fn delete(client: &Client, deletes: &[String], uploaded: usize) -> Result<(), DeployError> {
    let mut failed = Vec::new();
    for batch in deletes.chunks(1000) {
        match client.delete(batch) {
            Ok(refused) => failed.extend(
                refused
                    .into_iter()
                    .map(|(key, why)| format!("{key}: {why}")),
            ),
            Err(e) => failed.extend(batch.iter().map(|key| format!("{key}: {e}"))),
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    Err(DeployError::Incomplete(format!(
        "uploaded {}, but {} of {} could not be deleted:\n  {}\nRun `annals deploy` again to retry",
        counted(uploaded, "file"),
        failed.len(),
        counted(deletes.len(), "old object"),
        listed(&failed, 20)
    )))
}

/// The first `max` lines, and how many more there are.
fn listed(lines: &[String], max: usize) -> String {
    let mut text = lines[..lines.len().min(max)].join("\n  ");
    if lines.len() > max {
        text.push_str(&format!("\n  … and {} more", lines.len() - max));
    }
    text
}

/// Runs `work` on every item with at most `threads` at a time (requests wait on the network, not
/// on the CPU), and returns the results in the items' order.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut results = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return results;
                        };
                        results.push((i, work(item)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

/// The requests the client made: list, head, put, delete.
fn counts(client: &Client) -> [usize; 4] {
    let r = &client.requests;
    [&r.list, &r.head, &r.put, &r.delete].map(|c| c.load(Ordering::Relaxed))
}

/// Bytes for people: `812 B`, `4.1 kB`, `1.2 MB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

impl fmt::Display for DeployReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes: u64 = self.uploads.iter().map(|(_, size, _)| size).sum();
        let new = self
            .uploads
            .iter()
            .filter(|(_, _, change)| *change == Change::New)
            .count();
        // A dry run lists every change; a deploy the first few.
        let shown = if self.dry_run { usize::MAX } else { 20 };
        for (path, size_of, change) in self.uploads.iter().take(shown) {
            let why = match change {
                Change::New => "new",
                Change::Changed => "changed",
            };
            writeln!(f, "  upload  {path} ({why}, {})", size(*size_of))?;
        }
        for key in self.deletes.iter().take(shown) {
            writeln!(f, "  delete  {key}")?;
        }
        let listed = self.uploads.len().min(shown) + self.deletes.len().min(shown);
        if listed < self.uploads.len() + self.deletes.len() {
            writeln!(
                f,
                "  … and {} more",
                self.uploads.len() + self.deletes.len() - listed
            )?;
        }
        let kinds: Vec<String> = ["list", "head", "put", "delete"]
            .iter()
            .zip(self.requests)
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        let (verb, delete_verb) = if self.dry_run {
            ("Dry run, nothing changed: would deploy", "would delete")
        } else {
            ("Deployed", "deleted")
        };
        writeln!(
            f,
            "{verb} {} ({}) to {}: {} {} ({}, {new} new), {delete_verb} {}, {} unchanged; {} ({})",
            self.output.display(),
            counted(self.files, "file"),
            self.destination,
            if self.dry_run {
                "would upload"
            } else {
                "uploaded"
            },
            counted(self.uploads.len(), "file"),
            size(bytes),
            counted(self.deletes.len(), "object"),
            self.unchanged,
            counted(self.requests.iter().sum(), "request"),
            kinds.join(", "),
        )?;
        if let Some(why) = &self.would_stop {
            writeln!(f, "A real deploy would stop here: {why}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_work_keeps_the_order_of_the_items() {
        let items: Vec<usize> = (0..100).collect();
        assert_eq!(
            parallel(&items, 7, |i| i * 2),
            (0..100).map(|i| i * 2).collect::<Vec<_>>()
        );
        assert!(parallel(&[] as &[usize], 8, |i| *i).is_empty());
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(size(812), "812 B");
        assert_eq!(size(4_100), "4.1 kB");
        assert_eq!(size(1_234_567), "1.2 MB");
    }
}
