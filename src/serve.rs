//! `annals serve`: a local preview. The site is built into a temporary folder (never `public/`)
//! for a loopback base URL, served over HTTP, rebuilt when a source changes, and every open page
//! reloads itself through server-sent events. A failed rebuild keeps the last good site online
//! and shows the errors over the page until a later build succeeds.

use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::content;
use crate::diagnostics::{catch_panic, counted};
use crate::live::{LiveSite, Update};
use crate::search::{self, SearchError};
use crate::site::{BuildError, BuildOptions};

/// Where the live-reload script is served; HTML responses get a `<script>` for it.
pub const RELOAD_SCRIPT_PATH: &str = "/__annals/livereload.js";
/// The server-sent events stream the script listens to.
pub const EVENTS_PATH: &str = "/__annals/events";

const RELOAD_SCRIPT: &str = include_str!("serve_livereload.js");

/// How long the watcher waits for a burst of file events (an editor's save) to settle.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// What `annals serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// The address to listen on; loopback unless asked otherwise.
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Publishes drafts too.
    pub drafts: bool,
    /// Publishes articles dated in the future too.
    pub future: bool,
}

/// What the browser is told after a rebuild.
#[derive(Debug, Clone)]
enum Notice {
    /// The site changed: reload; a page of an article that moved (old link → new link) goes to
    /// its new address.
    Reload(Vec<(String, String)>),
    /// The rebuild failed: show these errors (see [`failure_json`]).
    Failed(String),
}

struct ServeState {
    /// The folder the current site is in.
    site_dir: PathBuf,
    /// The errors of the last build, if it failed.
    last_error: Mutex<Option<String>>,
    notices: broadcast::Sender<Notice>,
}

/// Builds the site, serves it, and rebuilds on changes until interrupted.
pub fn serve(options: ServeOptions) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(options))
}

async fn run(options: ServeOptions) -> Result<(), Box<dyn std::error::Error>> {
    // Nothing to watch and nothing will come: better to say so than to serve an error for ever.
    let config = options.root.join(crate::config::CONFIG_FILE);
    if !config.is_file() {
        return Err(format!(
            "{} is not an Annals site: it has no {} (annals init makes one)",
            options.root.display(),
            crate::config::CONFIG_FILE
        )
        .into());
    }
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port)).await?;
    let address = listener.local_addr()?;
    let base_url = match address.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}", address.port()),
    };
    let workspace = tempfile::Builder::new().prefix("annals-serve-").tempdir()?;
    let build_options = BuildOptions {
        output: Some(workspace.path().join("site")),
        base_url: Some(base_url.clone()),
        drafts: options.drafts,
        future: options.future,
        // Keeps the search index's batches, so that rebuilding it after an edit indexes only
        // the batch that changed.
        cache: true,
        ..BuildOptions::new(&options.root)
    };
    let (notices, _) = broadcast::channel(16);
    let state = Arc::new(ServeState {
        site_dir: workspace.path().join("site"),
        last_error: Mutex::new(None),
        notices,
    });
    std::fs::create_dir_all(&state.site_dir)?;
    let mut live = update(None, &build_options, &[], &state);

    let watcher_state = Arc::clone(&state);
    let (events, changes) = std::sync::mpsc::channel::<WatchEvent>();
    let files = events.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        // The watcher thread is gone only when serve stops.
        let _ = files.send(WatchEvent::Files(result));
    })?;
    for source in ["content", "templates", "static", crate::config::CONFIG_FILE] {
        let path = options.root.join(source);
        if path.exists() {
            debouncer.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    std::thread::spawn(move || {
        let mut searching = false;
        while let Ok(event) = changes.recv() {
            match event {
                WatchEvent::Files(result) => {
                    let mut changed = changed_sources(result);
                    // An editor's save can arrive as several batches: one update for all of them.
                    while let Ok(WatchEvent::Files(more)) = changes.try_recv() {
                        changed.extend(changed_sources(more));
                    }
                    if !changed.is_empty() {
                        changed.sort();
                        changed.dedup();
                        live = update(live.take(), &build_options, &changed, &watcher_state);
                    }
                }
                WatchEvent::Search(built) => {
                    searching = false;
                    if let Some(site) = live.as_mut() {
                        match site.apply_search(built) {
                            Ok(0) => {}
                            Ok(n) => println!("Search index updated ({n} files changed)"),
                            Err(error) => eprintln!("{}", error_text(&error)),
                        }
                    }
                }
            }
            // The search index is built on a thread of its own, one job at a time, so that
            // pages never wait for it.
            if !searching && let Some(job) = live.as_ref().and_then(LiveSite::search_job) {
                searching = true;
                let done = events.clone();
                std::thread::spawn(move || {
                    let hash = job.hash;
                    let built = catch_panic(|| job.run())
                        .unwrap_or_else(|panic| (hash, Err(SearchError::new(panic.to_string()))));
                    let _ = done.send(WatchEvent::Search(built));
                });
            }
        }
    });

    let app = Router::new()
        .route(RELOAD_SCRIPT_PATH, get(reload_script))
        .route(EVENTS_PATH, get(events_stream))
        .fallback(get(serve_file))
        .layer(axum::middleware::from_fn(local_hosts_only))
        .with_state(state);
    // Listening for signals from before the address is announced, so that none is missed.
    let stop = stop_signal();
    tokio::pin!(stop);
    // The folder by its name, not ".": which site this is.
    let folder = options
        .root
        .canonicalize()
        .unwrap_or_else(|_| options.root.clone());
    println!(
        "Serving {} at {base_url}/ (Ctrl+C to stop)",
        folder.display()
    );
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, say: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            // A connection that sends no complete request within the timeout is closed, whether
            // new or idle between requests; open event streams are responses and stay.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    // Open connections (event streams of open tabs among them) end with the runtime; the
    // workspace is removed when it drops here.
    drop(debouncer);
    drop(workspace);
    Ok(())
}

/// How long a connection may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Listens for Ctrl+C, SIGTERM and SIGHUP from the moment it is called; the future resolves on
/// the first of them.
#[cfg(unix)]
fn stop_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{Signal, SignalKind, signal};
    async fn received(signal: &mut Option<Signal>) {
        match signal {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let mut interrupt = signal(SignalKind::interrupt()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    let mut hangup = signal(SignalKind::hangup()).ok();
    async move {
        tokio::select! {
            () = received(&mut interrupt) => {}
            () = received(&mut terminate) => {}
            () = received(&mut hangup) => {}
        }
    }
}

/// Resolves on Ctrl+C.
#[cfg(not(unix))]
fn stop_signal() -> impl std::future::Future<Output = ()> {
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        let _ = ctrl_c.await;
    }
}

/// Whether a `Host` header names this machine: `localhost` (or a name below it) or an IP
/// address, with any port. A web page from elsewhere that rebinds its own domain name to this
/// machine (DNS rebinding) sends its own name and is turned away.
pub fn is_local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<IpAddr>().is_ok()
}

/// Turns away requests for other host names (see [`is_local_host`]).
async fn local_hosts_only(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let local = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(is_local_host);
    if local {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "annals serve answers only requests for localhost or an IP address",
        )
            .into_response()
    }
}

/// The source files that file events changed (reads do not count, nor do hidden files,
/// editors' backups and swap files). A watcher error counts as a change of `site.toml`, which
/// rebuilds everything.
/// What the watcher thread hears about: files that changed, and search indexes built.
enum WatchEvent {
    Files(DebounceEventResult),
    Search(search::Built),
}

fn changed_sources(result: DebounceEventResult) -> Vec<PathBuf> {
    match result {
        Ok(events) => events
            .into_iter()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths)
            .filter(|path| !content::is_ignored(path))
            .collect(),
        Err(_) => vec![PathBuf::from(crate::config::CONFIG_FILE)],
    }
}

/// Brings the served folder up to date (a whole build when there is no good build yet) and
/// tells the open pages what happened. Returns the site to update next time.
fn update(
    live: Option<LiveSite>,
    options: &BuildOptions,
    changed: &[PathBuf],
    state: &ServeState,
) -> Option<LiveSite> {
    let started = Instant::now();
    // A bug met on the way is shown like any error, and the next change builds afresh.
    let (live, result) = catch_panic(|| match live {
        Some(mut live) => {
            let result = live.update(changed);
            (Some(live), result)
        }
        None => match LiveSite::build(options, false) {
            Ok((live, report)) => (Some(live), Ok(Update::Full(report.pages))),
            Err(error) => (None, Err(error)),
        },
    })
    .unwrap_or_else(|panic| (None, Err(BuildError::Internal(panic))));
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    let notice = match result {
        Ok(Update::Full(pages)) => {
            println!("Built {} in {elapsed:.0} ms", counted(pages, "page"));
            Notice::Reload(Vec::new())
        }
        Ok(Update::Pages {
            written,
            removed,
            moved,
        }) => {
            println!(
                "Updated {}, removed {}, in {elapsed:.1} ms",
                counted(written, "file"),
                counted(removed, "file")
            );
            for (old, new) in &moved {
                println!("moved: {old} → {new} (open pages follow it)");
            }
            Notice::Reload(moved)
        }
        Err(error) => {
            eprintln!("{}", error_text(&error));
            Notice::Failed(failure_json(&error))
        }
    };
    let failed = match &notice {
        Notice::Failed(text) => Some(text.clone()),
        Notice::Reload(_) => None,
    };
    if let Ok(mut last) = state.last_error.lock() {
        *last = failed;
    }
    // Nobody listening is fine.
    let _ = state.notices.send(notice);
    live
}

/// Every error of a failed build, one per line.
fn error_text(error: &BuildError) -> String {
    match error {
        BuildError::Input(diagnostics) => diagnostics
            .iter()
            .map(|d| format!("error: {d}"))
            .collect::<Vec<_>>()
            .join("\n"),
        other => format!("error: {other}"),
    }
}

/// The errors of a failed build for the page's overlay, as JSON: `{"errors": [{"at":
/// "content/a.md:3:8", "message": …, "line": the text of that line, "column": …}]}`.
fn failure_json(error: &BuildError) -> String {
    let errors: Vec<serde_json::Value> = match error {
        BuildError::Input(diagnostics) => diagnostics
            .iter()
            .map(|d| {
                let file = d.file.strip_prefix(".").unwrap_or(&d.file);
                let mut at = file.display().to_string();
                let source = d.line.and_then(|n| {
                    at.push_str(&format!(":{n}"));
                    let text = std::fs::read_to_string(&d.file).ok()?;
                    let line: String = text
                        .lines()
                        .nth(n.checked_sub(1)?)?
                        .chars()
                        .take(400)
                        .collect();
                    Some(line)
                });
                if let Some(column) = d.column {
                    at.push_str(&format!(":{column}"));
                }
                serde_json::json!({
                    "at": at,
                    "message": d.message,
                    "line": source,
                    "column": d.column,
                })
            })
            .collect(),
        other => vec![serde_json::json!({ "at": "", "message": other.to_string() })],
    };
    serde_json::json!({ "errors": errors }).to_string()
}

async fn reload_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        RELOAD_SCRIPT,
    )
        .into_response()
}

/// Server-sent events: `reload` after a good build, `failure` (with the errors) after a bad one.
/// A new listener first hears the current failure, if there is one.
async fn events_stream(State(state): State<Arc<ServeState>>) -> impl IntoResponse {
    let current = state
        .last_error
        .lock()
        .ok()
        .and_then(|e| e.clone())
        .map(Notice::Failed);
    let updates = BroadcastStream::new(state.notices.subscribe()).filter_map(Result::ok);
    let stream = tokio_stream::iter(current).chain(updates).map(|notice| {
        Ok::<_, std::convert::Infallible>(match notice {
            Notice::Reload(moved) => {
                let moved: serde_json::Map<String, serde_json::Value> = moved
                    .iter()
                    .map(|(old, new)| (old.clone(), new.clone().into()))
                    .collect();
                Event::default()
                    .event("reload")
                    .data(serde_json::json!({ "moved": moved }).to_string())
            }
            Notice::Failed(text) => Event::default().event("failure").data(text),
        })
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Why a request path cannot be served.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// It tries to leave the site folder or is malformed: 400.
    Rejected,
}

/// Maps a request path (percent-encoded, as sent) to a file below `root`. Anything that could
/// leave the folder is rejected: `..` segments (also percent-encoded), backslashes, NUL bytes,
/// drive prefixes, invalid UTF-8. Folders map to their `index.html`.
pub fn resolve_path(root: &Path, raw: &str) -> Result<PathBuf, PathError> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| PathError::Rejected)?;
    if decoded.contains(['\\', '\0']) {
        return Err(PathError::Rejected);
    }
    let mut path = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(PathError::Rejected),
            _ => {
                let mut components = Path::new(segment).components();
                match (components.next(), components.next()) {
                    (Some(Component::Normal(part)), None) => path.push(part),
                    _ => return Err(PathError::Rejected),
                }
            }
        }
    }
    if path.is_dir() {
        path.push("index.html");
    }
    Ok(path)
}

/// Adds the live-reload script to an HTML page.
fn with_reload_script(html: Vec<u8>) -> Vec<u8> {
    let tag = format!("<script src=\"{RELOAD_SCRIPT_PATH}\"></script>");
    let text = String::from_utf8_lossy(&html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

async fn serve_file(State(state): State<Arc<ServeState>>, uri: Uri) -> Response {
    let Ok(path) = resolve_path(&state.site_dir, uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad request path").into_response();
    };
    let (status, path) = match tokio::fs::metadata(&path).await {
        Ok(meta) if meta.is_file() => (StatusCode::OK, path),
        _ => (StatusCode::NOT_FOUND, state.site_dir.join("404.html")),
    };
    let Ok(bytes) = tokio::fs::read(&path).await else {
        // Not even a 404 page: the site has not been built yet. A page with the live-reload
        // script shows the build's errors and reloads once a build succeeds.
        let page = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not built yet</title></head><body><p>The site has not been built yet.</p></body></html>";
        let mut response = Response::new(Body::from(with_reload_script(page.as_bytes().to_vec())));
        *response.status_mut() = StatusCode::NOT_FOUND;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return response;
    };
    let kind = crate::media::content_type(&path.to_string_lossy());
    let bytes = if kind.starts_with("text/html") {
        with_reload_script(bytes)
    } else {
        bytes
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&kind)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_host_names_are_served() {
        for host in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.",
            "preview.localhost:80",
            "127.0.0.1:1111",
            "192.168.1.20",
            "[::1]:1111",
            "[fe80::1]",
        ] {
            assert!(is_local_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "127.0.0.1.evil.example",
            "",
            "localhost.evil.example",
        ] {
            assert!(!is_local_host(host), "{host}");
        }
    }

    #[test]
    fn request_paths_cannot_leave_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        assert_eq!(
            resolve_path(root, "/a/").unwrap(),
            root.join("a/index.html")
        );
        assert_eq!(
            resolve_path(root, "/a/b.css").unwrap(),
            root.join("a/b.css")
        );
        assert_eq!(
            resolve_path(root, "//etc/passwd").unwrap(),
            root.join("etc/passwd")
        );
        for bad in [
            "/../secret",
            "/a/../../secret",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/..%5csecret",
            "/a\\b",
            "/a%00b",
            "/%ff",
        ] {
            assert_eq!(resolve_path(root, bad), Err(PathError::Rejected), "{bad}");
        }
    }
}
