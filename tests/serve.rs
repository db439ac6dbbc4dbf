//! `annals serve` on a free loopback port: pages, live reload after an edit, a bad edit that keeps
//! the server up, and requests that try to leave the site folder.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::Fixture;

/// A running `annals serve`, stopped on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(site: &Fixture) -> Server {
        Server::start_with(site, &[])
    }

    /// Starts `annals serve` with these environment variables.
    fn start_with(site: &Fixture, env: &[(&str, &Path)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(["serve", "--port", "0"])
            .envs(env.iter().copied())
            .current_dir(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start annals serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let line = lines.next().expect("serve printed its URL").expect("line");
            if let Some(url) = line.split("http://127.0.0.1:").nth(1) {
                break url
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .parse()
                    .expect("port");
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, port }
    }

    /// Sends a raw GET (the path exactly as given) and returns status and body.
    fn get(&self, path: &str) -> (u16, String) {
        self.get_from(path, "127.0.0.1")
    }

    /// Sends a raw GET for `host` and returns status and body.
    fn get_from(&self, path: &str, host: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    /// Opens the live-reload event stream; each received line arrives on the channel.
    fn events(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .write_all(b"GET /__annals/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .expect("send");
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        receiver
    }
}

impl Drop for Server {
    /// Stops the server as Ctrl+C would, so that it removes its copy of the site, and kills it
    /// if it has not stopped within 5 seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for an event line `event: NAME` and returns the data lines that follow it.
fn wait_for_event(events: &Receiver<String>, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut data = String::new();
    let mut in_event = false;
    while Instant::now() < deadline {
        let Ok(line) = events.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        if line == format!("event: {name}") {
            in_event = true;
        } else if in_event && let Some(text) = line.strip_prefix("data:") {
            data.push_str(text.trim_start());
            data.push('\n');
        } else if in_event && line.is_empty() {
            return data;
        }
    }
    panic!("no `{name}` event within 30 s");
}

fn site() -> Fixture {
    let site =
        Fixture::new("title = \"Preview\"\nbase_url = \"https://example.org\"\nsearch = false\n");
    site.article(
        "a.md",
        "First headline",
        "2024-05-01",
        "topics = [\"Tests\"]",
        "Hello.",
    )
    .file(
        "static/img/dot.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site
}

#[test]
fn serve_reloads_after_an_edit_and_survives_a_bad_one() {
    let site = site();
    let server = Server::start(&site);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("First headline"));
    assert!(
        home.contains("<script src=\"/__annals/livereload.js\"></script>"),
        "live reload injected"
    );
    assert!(
        home.contains("href=\"/2024/05/01/first-headline/\""),
        "links are local"
    );
    let (status, script) = server.get("/__annals/livereload.js");
    assert_eq!(status, 200);
    assert!(script.contains("EventSource"));

    let events = server.events();
    site.article(
        "a.md",
        "Second headline",
        "2024-05-01",
        "topics = [\"Tests\"]",
        "Hello again.",
    );
    // The corrected headline moved the article: open pages of it are told where it went.
    let data = wait_for_event(&events, "reload");
    assert!(
        data.contains(
            "{\"moved\":{\"/2024/05/01/first-headline/\":\"/2024/05/01/second-headline/\"}}"
        ),
        "{data}"
    );
    let (_, article) = server.get("/2024/05/01/second-headline/");
    assert!(article.contains("Second headline"), "{article}");

    site.file(
        "content/a.md",
        "+++\ntitle = \"Broken\ndate = 2024-05-01\n+++\n",
    );
    let errors = wait_for_event(&events, "failure");
    assert!(errors.contains("content/a.md:2"), "{errors}");
    // The overlay gets each error's place, message and the line itself, for a caret under it.
    let failure: serde_json::Value = serde_json::from_str(errors.trim()).expect("JSON");
    let first = &failure["errors"][0];
    assert!(
        first["at"].as_str().unwrap().ends_with("content/a.md:2:16"),
        "{first}"
    );
    assert_eq!(first["line"], "title = \"Broken");
    assert_eq!(first["column"], 16);
    let (status, still) = server.get("/2024/05/01/second-headline/");
    assert_eq!(status, 200, "the last good site stays online");
    assert!(still.contains("Second headline"));

    site.article("a.md", "Third headline", "2024-05-01", "", "Fixed.");
    wait_for_event(&events, "reload");
    assert!(server.get("/").1.contains("Third headline"));
}

#[test]
fn serve_never_leaves_the_site_folder_and_uses_the_404_page() {
    let site = site();
    let server = Server::start(&site);
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%5csite.toml",
        "/css/..%2f..%2fsite.toml",
        "/a%00b",
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(!body.contains("base_url"), "{path} leaked site.toml");
    }
    let (status, body) = server.get("//etc/passwd");
    assert_eq!(status, 404);
    assert!(!body.contains("root:"));
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the theme's 404 page");
    let (status, css) = server.get("/css/annals.css");
    assert_eq!(status, 200);
    assert!(css.to_ascii_lowercase().contains("content-type: text/css"));
    let (status, svg) = server.get("/img/dot.svg");
    assert_eq!(status, 200);
    assert!(
        svg.to_ascii_lowercase()
            .contains("content-type: image/svg+xml")
    );
    assert!(!site.out().exists(), "serve never writes public/");
}

#[test]
fn an_editors_save_pattern_triggers_one_update() {
    let site = site();
    let server = Server::start(&site);
    let events = server.events();
    std::thread::sleep(Duration::from_millis(300));
    // Write a swap file and a temporary file, then rename it over the article, as editors do.
    let content = site.root().join("content");
    std::fs::write(content.join(".a.md.swp"), "swap").unwrap();
    std::fs::write(
        content.join("a.md.tmp"),
        "+++\ntitle = \"Saved atomically\"\ndate = 2024-05-01\n+++\nNew text.\n",
    )
    .unwrap();
    std::fs::rename(content.join("a.md.tmp"), content.join("a.md")).unwrap();
    std::fs::write(content.join("a.md~"), "backup").unwrap();
    wait_for_event(&events, "reload");
    let deadline = Instant::now() + Duration::from_secs(1);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if let Ok(line) = events.recv_timeout(left) {
            assert!(!line.starts_with("event:"), "a second update: {line}");
        }
    }
    assert!(server.get("/").1.contains("Saved atomically"));
}

#[test]
fn a_panic_during_an_update_is_shown_and_the_next_fix_recovers() {
    let site = site();
    let server = Server::start_with(&site, &[("ANNALS_TEST_PANIC", Path::new("INJECTED-BUG"))]);
    let events = server.events();
    site.article(
        "a.md",
        "Buggy",
        "2024-05-01",
        "",
        "Text with INJECTED-BUG in it.",
    );
    let errors = wait_for_event(&events, "failure");
    assert!(errors.contains("internal error"), "{errors}");
    assert!(errors.contains("a.md"), "{errors}");
    assert!(
        server.get("/").1.contains("First headline"),
        "the last good site stays"
    );
    site.article("a.md", "Repaired", "2024-05-01", "", "Plain text.");
    wait_for_event(&events, "reload");
    assert!(server.get("/").1.contains("Repaired"));
}

/// Sends `signal` to the server while a tab listens to its event stream; the server must exit
/// soon and remove its temporary copy of the site.
fn stops_on(signal: &str) {
    let site = site();
    let temp = tempfile::tempdir().unwrap();
    let mut server = Server::start_with(&site, &[("TMPDIR", temp.path())]);
    let events = server.events();
    assert_eq!(server.get("/").0, 200);
    assert!(
        std::fs::read_dir(temp.path()).unwrap().count() > 0,
        "the workspace is in TMPDIR"
    );
    Command::new("kill")
        .args([signal, &server.child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "serve did not stop on {signal}");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(events);
    let left: Vec<_> = std::fs::read_dir(temp.path()).unwrap().collect();
    assert!(left.is_empty(), "{signal} left {left:?}");
}

#[test]
fn ctrl_c_stops_serve_while_a_tab_is_open() {
    stops_on("-INT");
}

#[test]
fn sigterm_stops_serve_and_removes_its_copy_of_the_site() {
    stops_on("-TERM");
}

#[test]
fn serving_a_folder_that_is_no_site_fails_at_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--port", "0", "--root", "/nonexistent/site"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("site.toml"));
}

#[test]
fn other_host_names_and_idle_connections_are_turned_away() {
    let site = site();
    let server = Server::start(&site);
    let port = server.port;
    assert_eq!(server.get_from("/", &format!("localhost:{port}")).0, 200);
    assert_eq!(server.get_from("/", &format!("[::1]:{port}")).0, 200);
    let (status, body) = server.get_from("/", &format!("rebound.example:{port}"));
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains("First headline"));
    // A socket that never finishes its request is closed.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: loc").unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = idle.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the idle socket was held"
    );
}

#[test]
fn an_edit_rebuilds_the_search_index_in_the_background() {
    let site = Fixture::new("title = \"Preview\"\nbase_url = \"https://example.org\"\n");
    site.article("a.md", "Old story", "1999-05-01", "", "Archive text.")
        .article("b.md", "New story", "2024-05-01", "", "First words.");
    let server = Server::start(&site);
    let manifest = || {
        let (status, text) = server.get("/search-index/index.json");
        assert_eq!(status, 200, "{text}");
        text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.get("/search-index/index.json").0 != 200 {
        assert!(Instant::now() < deadline, "the index was not built");
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = manifest();
    let postings = |manifest: &str| -> Vec<String> {
        manifest
            .split('"')
            .filter(|s| s.starts_with("p/"))
            .map(str::to_owned)
            .collect()
    };

    let events = server.events();
    site.article(
        "b.md",
        "New story",
        "2024-05-01",
        "",
        "Other words entirely.",
    );
    wait_for_event(&events, "reload");
    let deadline = Instant::now() + Duration::from_secs(30);
    while manifest() == before {
        assert!(Instant::now() < deadline, "the index was not rebuilt");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The new index's files are served, and the old one's that changed are gone.
    let after = manifest();
    for file in postings(&after) {
        assert_eq!(
            server.get(&format!("/search-index/{file}")).0,
            200,
            "{file}"
        );
    }
    let gone: Vec<String> = postings(&before)
        .into_iter()
        .filter(|f| !after.contains(f.as_str()))
        .collect();
    assert!(!gone.is_empty(), "{before}\n{after}");
    for file in gone {
        assert_eq!(
            server.get(&format!("/search-index/{file}")).0,
            404,
            "{file}"
        );
    }
}
