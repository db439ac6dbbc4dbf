//! A real S3-compatible server on 127.0.0.1 for deploy tests and the deploy benchmark: `s3s-fs`
//! (objects as files in a folder) with signature checking on, behind a thin layer that records
//! what each PUT stored and can make requests fail.
//!
//! The layer answers listings itself: `s3s-fs` leaves the ETag out of them, where AWS S3, R2, B2
//! and MinIO give every object's, and reads the whole bucket through one blocking task per file
//! for every page (15 s for a 12,000-object bucket), which would make a benchmark time the test
//! server. Its listings give ETags (the stored file's MD5) unless told not to, so that the path
//! real services take is the one tested, and the HEAD fallback separately.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use md5::{Digest, Md5};
use s3s::dto::{
    DeleteObjectsInput, DeleteObjectsOutput, ETag, HeadObjectInput, HeadObjectOutput,
    ListObjectsV2Input, ListObjectsV2Output, Object, PutObjectInput, PutObjectOutput,
};
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

pub const ACCESS_KEY: &str = "AKIDANNALSTEST";
pub const SECRET_KEY: &str = "annals/test+secret";
pub const BUCKET: &str = "archive";
pub const REGION: &str = "us-east-1";

/// The headers a PUT stored an object with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
    pub content_encoding: Option<String>,
    pub md5_metadata: Option<String>,
}

/// What the server saw and how it misbehaves, shared with the test.
#[derive(Debug, Default)]
pub struct Log {
    /// Headers of every object PUT, by key.
    pub stored: Mutex<HashMap<String, Stored>>,
    /// Requests by operation, since the last [`Log::reset`].
    pub puts: AtomicUsize,
    pub lists: AtomicUsize,
    pub heads: AtomicUsize,
    pub deletes: AtomicUsize,
    /// Keys per listing page when not 0: fewer than asked, as a service may send.
    pub page_size: AtomicUsize,
    /// Listings leave ETags out, as `s3s-fs` itself does.
    pub no_etags_in_listings: AtomicBool,
    /// Keys whose PUT fails with `503 SlowDown` this many more times.
    pub slow_down: Mutex<HashMap<String, usize>>,
    /// Keys whose PUT is refused with `403 AccessDenied`.
    pub deny: Mutex<Vec<String>>,
}

impl Log {
    pub fn reset(&self) {
        for counter in [&self.puts, &self.lists, &self.heads, &self.deletes] {
            counter.store(0, Ordering::Relaxed);
        }
    }

    pub fn puts(&self) -> usize {
        self.puts.load(Ordering::Relaxed)
    }

    pub fn stored(&self, key: &str) -> Option<Stored> {
        self.stored.lock().expect("log").get(key).cloned()
    }
}

struct Logged {
    inner: s3s_fs::FileSystem,
    root: PathBuf,
    log: Arc<Log>,
    /// Every key of the bucket, sorted, as read for the listing under way.
    keys: Mutex<Option<Vec<String>>>,
}

#[async_trait::async_trait]
impl S3 for Logged {
    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.log.lists.fetch_add(1, Ordering::Relaxed);
        let input = req.input;
        if input.delimiter.is_some() {
            return Err(s3_error!(
                NotImplemented,
                "the test server lists without delimiters"
            ));
        }
        let folder = self.root.join(&input.bucket);
        let prefix = input.prefix.clone().unwrap_or_default();
        let after = input
            .continuation_token
            .clone()
            .or_else(|| input.start_after.clone())
            .unwrap_or_default();
        let max_keys = match self.log.page_size.load(Ordering::Relaxed) {
            0 => usize::try_from(input.max_keys.unwrap_or(1000)).unwrap_or(1000),
            size => size,
        };
        // The bucket is read once per listing (at its first page); later pages use that read.
        let mut cache = self.keys.lock().expect("keys");
        if input.continuation_token.is_none() || cache.is_none() {
            let mut all: Vec<String> = files_below(&folder)
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            all.sort();
            *cache = Some(all);
        }
        let all = cache.as_deref().unwrap_or_default();
        let start = all
            .partition_point(|key| key.as_str() <= after.as_str())
            .max(all.partition_point(|key| key.as_str() < prefix.as_str()));
        let mut keys: Vec<(String, PathBuf)> = all[start..]
            .iter()
            .take_while(|key| key.starts_with(&prefix))
            .take(max_keys + 1)
            .map(|key| (key.clone(), folder.join(key)))
            .collect();
        drop(cache);
        let truncated = keys.len() > max_keys;
        keys.truncate(max_keys);
        let etags = !self.log.no_etags_in_listings.load(Ordering::Relaxed);
        let contents: Vec<Object> = keys
            .iter()
            .map(|(key, path)| {
                let bytes = std::fs::read(path).unwrap_or_default();
                Object {
                    key: Some(key.clone()),
                    size: Some(bytes.len() as i64),
                    e_tag: etags.then(|| ETag::Strong(hex(&Md5::digest(&bytes)))),
                    ..Default::default()
                }
            })
            .collect();
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: input.prefix,
            max_keys: input.max_keys,
            key_count: Some(contents.len() as i32),
            is_truncated: Some(truncated),
            next_continuation_token: truncated
                .then(|| keys.last().map(|k| k.0.clone()))
                .flatten(),
            contents: Some(contents),
            ..Default::default()
        }))
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.log.heads.fetch_add(1, Ordering::Relaxed);
        self.inner.head_object(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.log.puts.fetch_add(1, Ordering::Relaxed);
        let key = req.input.key.clone();
        if self.log.deny.lock().expect("log").contains(&key) {
            return Err(s3_error!(AccessDenied, "this key is refused by the test"));
        }
        if let Some(left) = self.log.slow_down.lock().expect("log").get_mut(&key)
            && *left > 0
        {
            *left -= 1;
            return Err(s3_error!(SlowDown));
        }
        let stored = Stored {
            content_type: req.input.content_type.clone(),
            cache_control: req.input.cache_control.clone(),
            content_encoding: req.input.content_encoding.clone(),
            md5_metadata: req
                .input
                .metadata
                .as_ref()
                .and_then(|m| m.get("md5").cloned()),
        };
        let response = self.inner.put_object(req).await?;
        self.log.stored.lock().expect("log").insert(key, stored);
        Ok(response)
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.log.deletes.fetch_add(1, Ordering::Relaxed);
        self.inner.delete_objects(req).await
    }
}

/// The server, running until the process ends.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The folder holding the bucket's folder.
    pub root: PathBuf,
    pub log: Arc<Log>,
}

impl S3Server {
    /// Starts a server storing objects below `root`, with the bucket [`BUCKET`] created.
    pub fn start(root: &Path) -> S3Server {
        std::fs::create_dir_all(root.join(BUCKET)).expect("bucket folder");
        let log = Arc::new(Log::default());
        let layer = Logged {
            inner: s3s_fs::FileSystem::new(root).expect("s3s-fs"),
            root: root.to_path_buf(),
            log: log.clone(),
            keys: Mutex::new(None),
        };
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let service = {
                    let mut builder = s3s::service::S3ServiceBuilder::new(layer);
                    builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
                    builder.build()
                };
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                sender
                    .send(listener.local_addr().expect("address"))
                    .expect("send");
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        continue;
                    };
                    let service = service.clone();
                    tokio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(hyper_util::rt::TokioIo::new(socket), service)
                            .await;
                    });
                }
            });
        });
        let address = receiver.recv().expect("server address");
        S3Server {
            endpoint: format!("http://{address}"),
            root: root.to_path_buf(),
            log,
        }
    }

    /// Every object of the bucket with its bytes.
    pub fn objects(&self) -> BTreeMap<String, Vec<u8>> {
        let bucket = self.root.join(BUCKET);
        files_below(&bucket)
            .into_iter()
            .map(|(key, path)| (key, std::fs::read(path).expect("object")))
            .collect()
    }

    /// A `site.toml` `[[deploy.targets]]` entry for this server.
    pub fn target(&self, name: &str, prefix: &str) -> String {
        format!(
            "[[deploy.targets]]\nname = \"{name}\"\nendpoint = \"{}\"\nregion = \"{REGION}\"\nbucket = \"{BUCKET}\"\nprefix = \"{prefix}\"\n",
            self.endpoint
        )
    }
}

/// Every file below `folder`: its path there with `/` separators (the key), and its path.
fn files_below(folder: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(folder)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let key = e
                .path()
                .strip_prefix(folder)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((key, e.path().to_path_buf()))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
