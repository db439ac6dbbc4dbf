//! The requests a deploy makes of an S3-compatible service: list, head, put and delete, signed
//! with AWS Signature V4 (`rusty-s3`) and sent over HTTP (`ureq`), retrying what may pass.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;
use rusty_s3::actions::{DeleteObjectsResponse, ListObjectsV2, ObjectIdentifier};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use thiserror::Error;
use ureq::Agent;
use ureq::http::Response;

/// How long a signed request stays valid: longer than any retry sequence.
const SIGNATURE_TTL: Duration = Duration::from_secs(15 * 60);

/// How often a request that failed for a passing reason is tried in all.
const ATTEMPTS: u32 = 5;

/// The metadata header holding an object's MD5, for services whose ETag is not one.
pub const MD5_HEADER: &str = "x-amz-meta-md5";

/// A request the service refused or that could not be made.
#[derive(Debug, Error)]
pub enum S3Error {
    /// The service answered with an error.
    #[error("{status} {code}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Refused {
        /// The HTTP status.
        status: u16,
        /// S3's error code, e.g. `SignatureDoesNotMatch`, or the status's reason.
        code: String,
        /// S3's explanation.
        message: String,
    },
    /// No answer, for a reason that may pass: the connection failed, was dropped or timed out.
    #[error("{0}")]
    Unreachable(String),
    /// A request that cannot be made as it is (a certificate the system does not trust, a
    /// header value HTTP does not allow).
    #[error("{0}")]
    Request(String),
    /// An answer that is not what S3 sends.
    #[error("an answer that is not S3's: {0}")]
    Unreadable(String),
}

impl S3Error {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            S3Error::Refused { status, code, .. } => {
                matches!(status, 429 | 500 | 502 | 503 | 504)
                    || matches!(code.as_str(), "RequestTimeout" | "SlowDown")
            }
            S3Error::Unreachable(_) => true,
            S3Error::Request(_) | S3Error::Unreadable(_) => false,
        }
    }

    /// Whether the service refused the keys themselves (not what they may do).
    pub fn is_credentials(&self) -> bool {
        matches!(self, S3Error::Refused { code, .. } if matches!(code.as_str(),
            "SignatureDoesNotMatch" | "InvalidAccessKeyId" | "InvalidToken" | "ExpiredToken"
                | "TokenRefreshRequired" | "InvalidSecurity" | "Unauthorized"))
            || matches!(self, S3Error::Refused { status: 401, .. })
    }

    /// Whether the keys are known but not allowed to do this.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, S3Error::Refused { status: 403, .. }) && !self.is_credentials()
    }
}

impl From<ureq::Error> for S3Error {
    fn from(error: ureq::Error) -> S3Error {
        match error {
            ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::BodyStalled
            | ureq::Error::Protocol(_) => S3Error::Unreachable(error.to_string()),
            _ => S3Error::Request(error.to_string()),
        }
    }
}

/// An object listed in the bucket, its key relative to the target's prefix.
#[derive(Debug, Clone)]
pub struct RemoteObject {
    /// The key below the prefix.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// The ETag without quotes, when the service gave one.
    pub etag: Option<String>,
}

/// The requests made, by kind, for the report.
#[derive(Debug, Default)]
pub struct RequestCounts {
    /// ListObjectsV2 pages.
    pub list: AtomicUsize,
    /// HEAD requests for the MD5 of objects whose ETag is not one.
    pub head: AtomicUsize,
    /// PUT requests (retries included).
    pub put: AtomicUsize,
    /// DeleteObjects requests.
    pub delete: AtomicUsize,
}

/// A bucket below a prefix, with the keys to sign requests for it.
pub struct Client {
    bucket: Bucket,
    credentials: Credentials,
    prefix: String,
    agent: Agent,
    /// The requests made so far.
    pub requests: RequestCounts,
}

impl Client {
    /// A client for `bucket` at `endpoint`; `prefix` is empty or ends in `/`.
    pub fn new(
        endpoint: &str,
        path_style: bool,
        bucket: &str,
        region: &str,
        prefix: String,
        credentials: Credentials,
        concurrency: usize,
    ) -> Result<Client, String> {
        let endpoint = endpoint
            .parse()
            .map_err(|e| format!("endpoint {endpoint:?}: {e}"))?;
        let style = if path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(endpoint, style, bucket.to_owned(), region.to_owned())
            .map_err(|e| format!("bucket {bucket:?}: {e}"))?;
        // No limit on a whole request, whose time grows with the file; a service that stops
        // answering is caught by the others. A redirect is reported, not followed: a signed
        // request cannot go elsewhere, and a PUT must not become a GET.
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .max_idle_connections_per_host(concurrency)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_recv_body(Some(Duration::from_secs(120)))
            .timeout_send_body(Some(Duration::from_secs(30 * 60)))
            .build()
            .into();
        Ok(Client {
            bucket,
            credentials,
            prefix,
            agent,
            requests: RequestCounts::default(),
        })
    }

    /// Every object below the prefix, page by page.
    pub fn list(&self) -> Result<Vec<RemoteObject>, S3Error> {
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let text = self.retried(&self.requests.list, || {
                let mut action = ListObjectsV2::new(&self.bucket, Some(&self.credentials));
                if !self.prefix.is_empty() {
                    action.with_prefix(self.prefix.as_str());
                }
                if let Some(token) = &token {
                    action.with_continuation_token(token.as_str());
                }
                let url = action.sign(SIGNATURE_TTL);
                read_text(&mut answer(self.agent.get(url.as_str()).call())?)
            })?;
            let page = ListObjectsV2::parse_response(&text)
                .map_err(|e| S3Error::Unreadable(format!("listing: {e}")))?;
            for object in page.contents {
                // Keys are below the prefix, as asked; a service that ignores the prefix must not
                // make a deploy touch anything else.
                let Some(key) = object.key.strip_prefix(&self.prefix) else {
                    continue;
                };
                objects.push(RemoteObject {
                    key: key.to_owned(),
                    size: object.size.unwrap_or_default(),
                    etag: object
                        .etag
                        .map(|e| e.trim_matches('"').to_owned())
                        .filter(|e| !e.is_empty()),
                });
            }
            match page.next_continuation_token {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(objects),
            }
        }
    }

    /// The MD5 an object was stored with (its `x-amz-meta-md5`), if it has one and still exists.
    pub fn stored_md5(&self, key: &str) -> Result<Option<String>, S3Error> {
        let key = self.key(key);
        self.retried(&self.requests.head, || {
            let url = self
                .bucket
                .head_object(Some(&self.credentials), &key)
                .sign(SIGNATURE_TTL);
            match answer(self.agent.head(url.as_str()).call()) {
                Ok(response) => Ok(response
                    .headers()
                    .get(MD5_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)),
                // Deleted since the listing: it will be uploaded.
                Err(S3Error::Refused { status: 404, .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    /// Stores `body` at `key` with these headers (names in lower case).
    pub fn put(&self, key: &str, body: &[u8], headers: &[(&str, String)]) -> Result<(), S3Error> {
        let key = self.key(key);
        self.retried(&self.requests.put, || {
            let mut action = self.bucket.put_object(Some(&self.credentials), &key);
            for (name, value) in headers {
                action.headers_mut().insert(*name, value.clone());
            }
            let url = action.sign(SIGNATURE_TTL);
            let mut request = self.agent.put(url.as_str());
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            answer(request.send(body)).map(drop)
        })
    }

    /// Deletes up to 1,000 objects in one request; returns the keys the service could not delete,
    /// each with its reason.
    pub fn delete(&self, keys: &[String]) -> Result<Vec<(String, String)>, S3Error> {
        let objects: Vec<ObjectIdentifier> = keys
            .iter()
            .map(|key| ObjectIdentifier::new(self.key(key)))
            .collect();
        let text = self.retried(&self.requests.delete, || {
            let mut action = self
                .bucket
                .delete_objects(Some(&self.credentials), objects.iter());
            action.set_quiet(true);
            let url = action.sign(SIGNATURE_TTL);
            let (body, md5) = action.body_with_md5();
            let request = self
                .agent
                .post(url.as_str())
                .header("content-md5", &md5)
                .header("content-type", "application/xml");
            read_text(&mut answer(request.send(body.as_bytes()))?)
        })?;
        let result = DeleteObjectsResponse::parse(&text)
            .map_err(|e| S3Error::Unreadable(format!("deleting: {e}")))?;
        Ok(result
            .errors
            .into_iter()
            .map(|e| {
                let key = e
                    .key
                    .strip_prefix(&self.prefix)
                    .unwrap_or(&e.key)
                    .to_owned();
                (key, format!("{}: {}", e.code, e.message))
            })
            .collect())
    }

    /// The full key of a path below the prefix.
    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Makes a request (signed afresh each time, its answer read whole), counting it, and tries
    /// again after a pause while it fails for a reason that may pass (a dropped connection, a
    /// timeout, `503 SlowDown`).
    fn retried<T>(
        &self,
        count: &AtomicUsize,
        request: impl Fn() -> Result<T, S3Error>,
    ) -> Result<T, S3Error> {
        let mut attempt = 1;
        loop {
            count.fetch_add(1, Ordering::Relaxed);
            let error = match request() {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if attempt == ATTEMPTS || !error.is_transient() {
                return Err(error);
            }
            std::thread::sleep(Duration::from_millis(200 << attempt));
            attempt += 1;
        }
    }
}

/// A response if successful, else the error it carries.
fn answer(
    result: Result<Response<ureq::Body>, ureq::Error>,
) -> Result<Response<ureq::Body>, S3Error> {
    let mut response = result?;
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(refusal(&mut response))
    }
}

/// The body of a response as text.
fn read_text(response: &mut Response<ureq::Body>) -> Result<String, S3Error> {
    response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(S3Error::from)
}

/// The error an unsuccessful response carries: S3's `<Error><Code>…<Message>…` body, or just the
/// status (HEAD answers have no body).
fn refusal(response: &mut Response<ureq::Body>) -> S3Error {
    let status = response.status();
    let body = read_text(response).unwrap_or_default();
    let field = |name: &str| -> Option<String> {
        let mut reader = quick_xml::Reader::from_str(&body);
        let mut value: Option<String> = None;
        loop {
            match (reader.read_event().ok()?, value.as_mut()) {
                (Event::Start(start), None) if start.local_name().into_inner() == name => {
                    value = Some(String::new());
                }
                (Event::Text(text), Some(value)) => value.push_str(&text.html_content()),
                (Event::GeneralRef(entity), Some(value)) => match entity.resolve_char_ref() {
                    Ok(Some(c)) => value.push(c),
                    _ => {
                        value.push_str(resolve_xml_entity(&entity.into_inner()).unwrap_or_default())
                    }
                },
                (Event::End(_), Some(_)) => return value.map(|v| v.trim().to_owned()),
                (Event::Eof, _) => return None,
                _ => {}
            }
        }
    };
    let mut message = field("Message").unwrap_or_default();
    if status.is_redirection() {
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(to) = field("Endpoint").or(location) {
            message.push_str(&format!(
                " (the service points to {to}: correct the target's endpoint or region)"
            ));
        }
    }
    S3Error::Refused {
        status: status.as_u16(),
        code: field("Code")
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned()),
        message,
    }
}
