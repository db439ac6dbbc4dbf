//! End to end: a built fixture site served on 127.0.0.1, searched in headless Chromium driven over
//! the DevTools protocol. Skips, saying so, when no Chromium is installed.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Fixture;
use serde_json::{Value, json};

/// Serves files below `root` over HTTP/1.0 on a free loopback port; returns the port.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(stream, &root));
        }
    });
    port
}

fn respond(mut stream: TcpStream, root: &Path) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let mut file = root.join(path);
    if path.is_empty() || path.ends_with('/') {
        file = file.join("index.html");
    }
    let (status, body) = match std::fs::read(&file) {
        Ok(body) if !path.contains("..") => ("200 OK", body),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

fn find_chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
}

/// Headless Chromium with its DevTools endpoint; killed on drop.
struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    port: u16,
}

impl Browser {
    fn start(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let port_file = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Some(port) = text.lines().next().and_then(|l| l.parse().ok())
            {
                break port;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromium did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        Browser {
            child,
            _profile: profile,
            port,
        }
    }

    /// The WebSocket URL of the first page target.
    fn page_socket(&self) -> String {
        let started = Instant::now();
        loop {
            if let Some(body) = self.get_json_list()
                && let Ok(targets) = serde_json::from_str::<Vec<Value>>(&body)
                && let Some(url) = targets
                    .iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            {
                return url.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no page target"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Browser {
    /// `GET /json/list` from the DevTools endpoint, which answers HTTP/1.1 and keeps the
    /// connection open, so the body is read by its length.
    fn get_json_list(&self) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let request = format!(
            "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).ok()?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok()?;
            }
        }
        let mut body = vec![0; length];
        std::io::Read::read_exact(&mut reader, &mut body).ok()?;
        String::from_utf8(body).ok()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DevTools protocol session on one page.
struct Page {
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl Page {
    fn connect(url: &str) -> Page {
        let (socket, _) = tungstenite::connect(url).expect("devtools websocket");
        Page { socket, next_id: 0 }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        self.socket.send(message.into()).expect("send");
        loop {
            let reply = self.socket.read().expect("read");
            if let Ok(reply) = serde_json::from_str::<Value>(reply.to_text().unwrap_or_default())
                && reply["id"] == id
            {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        )["result"]["value"]
            .clone()
    }

    /// Polls `expression` until it is truthy, or gives up after `limit`.
    fn wait_for(&mut self, expression: &str, limit: Duration) -> Value {
        let started = Instant::now();
        loop {
            let value = self.eval(expression);
            if !(value.is_null() || value == false || value == "") || started.elapsed() > limit {
                return value;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn typing_a_query_in_the_browser_finds_the_article() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "SKIPPED typing_a_query_in_the_browser_finds_the_article: no chromium on PATH (apt-get install chromium)"
        );
        return;
    };
    let site = Fixture::with_base("https://example.org/archive-site", 20);
    site.article(
        "a.md",
        "Putin lands in Pyongyang",
        "2024-06-19T09:30:00+09:00",
        "topics = [\"Diplomacy\"]\ncountries = [\"North Korea\"]",
        "The motorcade crossed Kim Il Sung Square under a zeppelin of balloons.",
    )
    .article(
        "b.md",
        "Rice harvest report",
        "2024-06-20",
        "topics = [\"Agriculture\"]",
        "Farmers reported a good season.",
    );
    site.build();

    // Serve the output below the base URL's path, as a host would.
    let served = tempfile::tempdir().unwrap();
    std::fs::rename(site.out(), served.path().join("archive-site")).unwrap();
    let port = serve(served.path().to_path_buf());

    let browser = Browser::start(&chromium);
    let mut page = Page::connect(&browser.page_socket());
    page.call("Page.enable", json!({}));
    page.call(
        "Page.navigate",
        json!({ "url": format!("http://127.0.0.1:{port}/archive-site/search/") }),
    );
    let ready = page.wait_for(
        "!!document.querySelector('.pagefind-ui__search-input')",
        Duration::from_secs(20),
    );
    assert_eq!(ready, true, "the search box did not appear");
    page.eval("document.querySelector('.pagefind-ui__search-input').focus()");
    page.call("Input.insertText", json!({ "text": "zeppelin" }));
    let results = page.wait_for(
        "[...document.querySelectorAll('.pagefind-ui__result-link')].map(a => a.textContent + ' ' + a.getAttribute('href')).join('\\n')",
        Duration::from_secs(20),
    );
    let results = results.as_str().unwrap_or_default().to_owned();
    assert!(
        results.contains("Putin lands in Pyongyang"),
        "results: {results:?}"
    );
    assert!(
        results.contains("/archive-site/2024/06/19/putin-lands-in-pyongyang/"),
        "results: {results:?}"
    );
    assert!(!results.contains("Rice harvest"), "results: {results:?}");
}
