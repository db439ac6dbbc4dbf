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
    // A miss gets the site's 404 page, as static hosts answer.
    let (status, body) = match std::fs::read(&file) {
        Ok(body) if !path.contains("..") => ("200 OK", body),
        _ => match std::fs::read(root.join("archive-site/404.html")) {
            Ok(page) => {
                file = root.join("404.html");
                ("404 Not Found", page)
            }
            Err(_) => ("404 Not Found", b"not found".to_vec()),
        },
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

/// The text of the search page's results, one `date | title | href | terms` line each.
const HITS: &str = "[...document.querySelectorAll('.search-hit')].map(li => [li.querySelector('.row-when').textContent, li.querySelector('.row-title').textContent, li.querySelector('.row-title').getAttribute('href'), (li.querySelector('.search-hit-terms') || {}).textContent].join(' | ')).join('\\n')";

impl Page {
    /// Waits until the status line says something other than "Searching…", and returns the hits.
    fn settled(&mut self) -> String {
        self.wait_for(
            "(s => s && !s.startsWith('Searching') && s)(document.getElementById('search-status').textContent)",
            Duration::from_secs(20),
        );
        self.eval(HITS).as_str().unwrap_or_default().to_owned()
    }

    /// Loads `url` and waits until its document has loaded.
    fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
        let loaded = self.wait_for(
            &format!(
                "location.href === {} && document.readyState === 'complete'",
                json!(url)
            ),
            Duration::from_secs(20),
        );
        assert_eq!(loaded, true, "{url} did not load");
    }

    fn click(&mut self, selector: &str) {
        let found = self.eval(&format!(
            "(e => e ? (e.click(), true) : false)(document.querySelector({}))",
            json!(selector)
        ));
        assert_eq!(found, true, "nothing to click at {selector}");
    }
}

#[test]
fn the_search_page_queries_filters_sorts_and_keeps_its_state_in_the_url() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "SKIPPED the_search_page_queries_filters_sorts_and_keeps_its_state_in_the_url: no chromium on PATH (apt-get install chromium)"
        );
        return;
    };
    let site =
        Fixture::new("title = \"Test Archive\"\nbase_url = \"https://example.org/archive-site\"\n");
    site.article(
        "a.md",
        "Putin lands in Pyongyang",
        "2024-06-19T09:30:00+09:00",
        "topics = [\"Diplomacy\"]\ncountries = [\"North Korea\"]",
        "The motorcade crossed Kim Il Sung Square under a zeppelin of balloons. The harvest was discussed.",
    )
    .article(
        "b.md",
        "Rice harvest report",
        "2022-09-20",
        "topics = [\"Agriculture\"]\ncountries = [\"South Korea\"]",
        "Farmers reported a good harvest season, 3 of 5 this decade.",
    )
    .article(
        "c.md",
        "Harvest festival <in> Hanoi",
        "2019-10-01",
        "topics = [\"Culture\"]\ncountries = [\"Vietnam\"]",
        "Lanterns, and a harvest harvest harvest of songs.",
    )
    .article(
        "d.md",
        "Harvest moon rises",
        "2024-03-02",
        "topics = [\"Astronomy\"]",
        "The harvest moon rose early, 3.5 hours before dusk.",
    );
    site.build();
    assert!(site.exists("search-index/index.json"));
    assert!(site.exists("search-index/search.js"));

    // Serve the output below the base URL's path, as a host would.
    let served = tempfile::tempdir().unwrap();
    std::fs::rename(site.out(), served.path().join("archive-site")).unwrap();
    let port = serve(served.path().to_path_buf());
    let search = format!("http://127.0.0.1:{port}/archive-site/search/");

    let browser = Browser::start(&chromium);
    let mut page = Page::connect(&browser.page_socket());
    page.call("Page.enable", json!({}));
    for width in [1280, 390] {
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500 }),
        );
        // A query from the URL (as the header's search box sends it), in a body.
        page.goto(&format!("{search}?q=zeppelin"));
        let hits = page.settled();
        assert!(
            hits.contains("Putin lands in Pyongyang"),
            "{width}: {hits:?}"
        );
        assert!(
            hits.contains("/archive-site/2024/06/19/putin-lands-in-pyongyang/"),
            "{width}: {hits:?}"
        );
        assert!(hits.contains("North Korea"), "{width}: {hits:?}");
        assert!(!hits.contains("Rice"), "{width}: {hits:?}");
        assert_eq!(
            page.eval("document.getElementById('site-search-q').value"),
            "zeppelin"
        );

        // The beginning of a word, as the reader types it; accents do not matter.
        page.goto(&format!("{search}?q=Zeppel"));
        let hits = page.settled();
        assert!(
            hits.contains("Putin lands in Pyongyang"),
            "{width}: {hits:?}"
        );
        page.goto(&format!("{search}?q=z%C3%A9ppelins"));
        let hits = page.settled();
        assert!(
            hits.contains("Putin lands in Pyongyang"),
            "{width}: a word with the same stem: {hits:?}"
        );
        // A number with a decimal point is one word.
        page.goto(&format!("{search}?q=3.5"));
        let hits = page.settled();
        assert!(hits.contains("Harvest moon rises"), "{width}: {hits:?}");
        assert!(!hits.contains("Rice"), "{width}: {hits:?}");

        // A word in every article: best match first.
        page.eval("document.getElementById('search-q').value = 'harvest'");
        page.click(".search-form button");
        let hits = page.settled();
        assert_eq!(hits.lines().count(), 4, "{width}: {hits:?}");
        assert!(
            hits.lines()
                .next()
                .unwrap_or_default()
                .contains("Harvest festival <in> Hanoi"),
            "{width}: {hits:?}"
        );
        assert_eq!(page.eval("location.search"), "?q=harvest");

        // Newest first.
        page.click("input[name=sort][value=newest]");
        let hits = page.settled();
        let titles: Vec<&str> = hits
            .lines()
            .map(|l| l.split(" | ").nth(1).unwrap_or_default())
            .collect();
        assert_eq!(
            titles,
            [
                "Putin lands in Pyongyang",
                "Harvest moon rises",
                "Rice harvest report",
                "Harvest festival <in> Hanoi"
            ],
            "{width}"
        );
        assert_eq!(page.eval("location.search"), "?q=harvest&sort=newest");

        // A filter, from its folded box.
        let folded =
            page.eval("[...document.querySelectorAll('.search-facet')].every(d => !d.open)");
        assert_eq!(folded, true, "{width}: facets start folded");
        // Opening a box loads the filters' counts.
        page.click(".search-facet summary");
        let listed = page.wait_for(
            "!!document.querySelector('.search-facet input[type=checkbox]')",
            Duration::from_secs(20),
        );
        assert_eq!(listed, true, "{width}: the opened box lists values");
        page.click(".search-facet input[type=checkbox]");
        let chosen = page.eval(
            "document.querySelector('.search-facet input:checked').parentElement.textContent",
        );
        let hits = page.settled();
        assert_eq!(hits.lines().count(), 1, "{width}: {chosen} {hits:?}");
        let url = page.eval("location.search");
        assert!(
            url.as_str()
                .unwrap_or_default()
                .starts_with("?q=harvest&topics="),
            "{width}: {url}"
        );

        // Reload and Back restore the state.
        page.call("Page.reload", json!({}));
        let again = page.settled();
        assert_eq!(again, hits, "{width}");
        assert_eq!(
            page.eval("document.getElementById('search-q').value"),
            "harvest"
        );
        assert_eq!(
            page.eval("document.querySelector('input[name=sort]:checked').value"),
            "newest"
        );
        assert_eq!(
            page.eval("document.querySelectorAll('.search-facet input:checked').length"),
            1
        );
        page.eval("history.back()");
        let back = page.wait_for(
            "!location.search.includes('topics') && document.querySelectorAll('.search-hit').length === 4",
            Duration::from_secs(20),
        );
        assert_eq!(back, true, "{width}: Back restores the unfiltered results");

        // Nothing found: a way into the archive.
        page.goto(&format!("{search}?q=xylophone"));
        page.settled();
        assert_eq!(
            page.eval("document.querySelector('.search-empty').hidden"),
            false
        );

        // A mistyped address: its words to search for, its day, month and year.
        page.goto(&format!(
            "http://127.0.0.1:{port}/archive-site/2024/06/19/putin-land-in-pyongyang/"
        ));
        let ready = page.wait_for(
            "!document.getElementById('nearest').hidden",
            Duration::from_secs(20),
        );
        assert_eq!(ready, true, "{width}: the 404 page links the date");
        assert_eq!(
            page.eval("document.querySelector('#search-hint a').getAttribute('href')"),
            "/archive-site/search/?q=putin%20land%20in%20pyongyang"
        );
        assert_eq!(
            page.eval("Array.from(document.querySelectorAll('#nearest a')).map(a => a.getAttribute('href')).join(' ')"),
            "/archive-site/2024/06/19/ /archive-site/2024/06/ /archive-site/2024/"
        );
        // A day without articles: the nearest days that have some.
        page.goto(&format!(
            "http://127.0.0.1:{port}/archive-site/2024/05/05/gone/"
        ));
        page.wait_for(
            "!document.getElementById('nearest').hidden",
            Duration::from_secs(20),
        );
        assert_eq!(
            page.eval("Array.from(document.querySelectorAll('#nearest a')).map(a => a.getAttribute('href')).join(' ')"),
            "/archive-site/2024/03/02/ /archive-site/2024/06/19/ /archive-site/2024/"
        );
    }
}
