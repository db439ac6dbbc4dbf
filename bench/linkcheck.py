#!/usr/bin/env python3
"""Compare `annals check` with the independent link checker LinkChecker on one Annals site.

    python3 bench/linkcheck.py SITE_DIR [--annals PATH] [--linkchecker PATH] [--all] [--own-host-internal]

Builds SITE_DIR with Annals into a temporary folder (base_url replaced by http://127.0.0.1:PORT
plus the same base path, so that every page keeps its path), serves it with Python's http.server
(under the base path, directory listings off), and runs LinkChecker (`pip install linkchecker`;
default /tmp/lc/bin/linkchecker or `linkchecker` on PATH) on internal links only, with its
AnchorCheck plugin, CSV output and robots.txt ignored. Besides the home page it starts from a
list of every HTML file of the build, so that pages nothing links to (alias redirects) are
checked too. Then it runs `annals check --root SITE_DIR` and prints LinkChecker's broken links,
which of them annals check reported (same page and link), and the ones it missed, then the ones
only annals check reports. Exit status 1 when LinkChecker found a broken internal link that
annals check did not report on that page. --own-host-internal also makes absolute links to
base_url's host (which annals check treats as internal) root-relative in the served copy, so that
LinkChecker checks them too. Needs Python 3.11+.
"""
import argparse, csv, html, os, re, shutil, subprocess, sys, tempfile, threading, time, tomllib
from collections import Counter, defaultdict
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

SHOW_ALL = False
ANNALS_LINK = re.compile(r"^error: (?P<file>.+?)(?::(?P<line>\d+)(?::\d+)?)?: (?P<page>/\S*) links to (?P<link>.+?)"
                         r"(?:, which is not a page or file of the site|, but \S+ has no element with the id .*"
                         r"|, outside the site's base path .*)$")


class Handler(SimpleHTTPRequestHandler):
    """A static file server like a plain web host: no directory listings, no request log.
    The `LinkChecker` header lets LinkChecker exceed its default of 10 requests a second."""
    def end_headers(self):
        self.send_header("LinkChecker", "local")
        super().end_headers()

    def list_directory(self, path):
        self.send_error(404)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    """The threaded server, quiet about clients that hang up."""
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # LinkChecker hangs up on large files
            super().handle_error(request, client_address)


def key(url, base, keep_fragment):
    """(path, fragment) of a URL resolved against `base`, percent-decoded, for matching."""
    parts = urlsplit(urljoin(base, url))
    fragment = "#" + unquote(parts.fragment) if keep_fragment and parts.fragment else ""
    return unquote(re.sub(r"/index\.html?$", "/", parts.path)) + fragment


def run_linkchecker(lc, origin, start_urls, tmp):
    """Run LinkChecker; return (broken internal links as dicts, other invalid rows, seconds)."""
    conf = Path(tmp) / "lc" / "linkcheckerrc"
    conf.parent.mkdir()
    conf.write_text(f"[checking]\nmaxrequestspersecond=1000\n\n[filtering]\ninternlinks=^{re.escape(origin)}/\n"
                    "checkextern=0\n\n[AnchorCheck]\n")
    os.chmod(tmp, 0o755), os.chmod(conf.parent, 0o755), os.chmod(conf, 0o644)  # it drops root to `nobody`
    cmd = [lc, "-f", str(conf), "--no-status", "--no-robots", "-o", "csv", "-t", "16", "--timeout", "60",
           "--ignore-url", "^mailto:", *start_urls]
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    seconds = time.monotonic() - started
    rows = csv.DictReader((l for l in out.splitlines() if l and not l.startswith("#")), delimiter=";")
    broken, other = [], []
    for row in rows:
        url, page = row.get("url") or "", row.get("parentname") or ""
        anchor = "Anchor `" in (row.get("warningstring") or "")
        if row.get("valid") == "True" and not anchor:
            continue
        # the link as written, resolved against its page (`url` is where a redirect ended)
        link = key(row["urlname"], row.get("base") or page or origin, anchor)
        item = {"page": key(page, page, False), "link": link,
                "raw": row["urlname"], "kind": "anchor" if anchor else "missing",
                "why": ((row.get("warningstring") if anchor else row.get("result")) or "-").splitlines()[0][:120]}
        (broken if url.startswith(origin + "/") else other).append(item)
    unique = {(i["page"], i["link"], i["kind"]): i for i in broken}  # a page may be reached as /x/ and /x/index.html
    return list(unique.values()), other, seconds


def run_annals_check(annals, site, base_url):
    """Run `annals check`; return (link errors as dicts, other error lines, warnings, seconds)."""
    started = time.monotonic()
    proc = subprocess.run([annals, "check", "--root", str(site)], capture_output=True, text=True)
    seconds = time.monotonic() - started
    links, other, warnings = [], [], 0
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    for line in (proc.stdout + proc.stderr).splitlines():
        warnings += line.startswith("warning:")
        m = ANNALS_LINK.match(line)
        if m:
            page, link = m["page"], m["link"]
            kind = ("anchor" if "has no element with the id" in line
                    else "outside" if "outside the site's base" in line else "missing")
            file = os.path.relpath(m["file"], site) if os.path.isabs(m["file"]) else m["file"]
            links.append({"page": key(page, origin, False), "link": key(link, origin + page, kind == "anchor"),
                          "raw": link, "kind": kind, "file": f"{file}:{m['line'] or '-'}",
                          "more_pages": " more page" in line})  # a template's link, reported once for many pages
        elif line.startswith("error:"):
            other.append(line)
    return links, other, warnings, seconds


def show(title, items, limit=25):
    limit = None if SHOW_ALL else limit
    print(f"\n{title}: {len(items)}")
    for it in items[:limit]:
        where = it.get("file") or it["page"]
        print(f"  [{it['kind']}] {where}: {it['raw']}" + (f"  ({it['why']})" if it.get("why") else ""))
    if limit and len(items) > limit:
        print(f"  ... and {len(items) - limit} more")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--annals", default=str(Path(__file__).resolve().parent.parent / "target/release/annals"))
    ap.add_argument("--linkchecker", default=shutil.which("linkchecker") or "/tmp/lc/bin/linkchecker")
    ap.add_argument("--all", action="store_true", help="list every item, not the first ones")
    ap.add_argument("--own-host-internal", action="store_true",
                    help="rewrite href/src links to base_url's host in the served copy into root-relative ones, "
                         "so that LinkChecker checks them too (annals check treats them as internal)")
    args = ap.parse_args()
    global SHOW_ALL
    SHOW_ALL = args.all
    site = args.site.resolve()
    base_url = tomllib.loads((site / "site.toml").read_text(encoding="utf-8"))["base_url"]
    prefix = urlsplit(base_url).path.rstrip("/")
    tmp = tempfile.mkdtemp(prefix="annals-linkcheck-")
    root = Path(tmp) / "www"
    server = Server(("127.0.0.1", 0), partial(Handler, directory=str(root)))  # the port is needed for the build
    origin = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        out = root / prefix.lstrip("/")
        started = time.monotonic()
        build = subprocess.run([args.annals, "build", "--root", str(site), "--output", str(out),
                                "--base-url", origin + prefix, "--quiet"], capture_output=True, text=True)
        print(f"annals build: exit {build.returncode}, {time.monotonic() - started:.1f} s, "
              f"{build.stderr.count('warning:')} warnings, {build.stderr.count('error:')} errors")
        if build.returncode:
            sys.exit(build.stderr[-3000:])
        if args.own_host_internal:
            own = re.escape("{0.scheme}://{0.netloc}".format(urlsplit(base_url)))
            for page in root.rglob("*.html"):
                text = page.read_text(encoding="utf-8", errors="surrogateescape")
                new = re.sub(r'(\s(?:href|src)=")' + own + r'(/|(?="))', r"\1/", text, flags=re.I)
                if new != text:
                    page.write_text(new, encoding="utf-8", errors="surrogateescape")
        pages = sorted(re.sub(r"(^|/)index\.html$", r"\1", p.relative_to(root).as_posix())
                       for p in root.rglob("*.html"))
        (root / "__all_pages__.html").write_text("<!DOCTYPE html><title>all pages</title>" + "".join(
            f'<a href="/{html.escape(p)}">{html.escape(p)}</a>\n' for p in pages))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        start_urls = [origin + prefix + "/", origin + "/__all_pages__.html"]
        lc_broken, lc_other, lc_secs = run_linkchecker(args.linkchecker, origin, start_urls, tmp)
        server.shutdown()
    finally:
        server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)
    an_links, an_other, an_warn, an_secs = run_annals_check(args.annals, site, base_url)
    print(f"LinkChecker: {lc_secs:.1f} s over {len(pages)} HTML files, {len(lc_broken)} broken internal links "
          f"({dict(Counter(i['kind'] for i in lc_broken))}), {len(lc_other)} other invalid URLs")
    print(f"annals check: {an_secs:.1f} s, {len(an_links)} link errors "
          f"({dict(Counter(i['kind'] for i in an_links))}), "
          f"{len(an_other)} other errors, {an_warn} warnings")

    def link_key(it):  # missing targets compare without fragment; anchors with it
        return it["link"] if it["kind"] == "anchor" else it["link"].split("#")[0]
    annals_pairs = {(i["page"], l) for i in an_links for l in (i["link"], i["link"].split("#")[0])}
    annals_pairs |= {("*", link_key(i)) for i in an_links if i["more_pages"]}
    reported = lambda i: (i["page"], link_key(i)) in annals_pairs or ("*", link_key(i)) in annals_pairs
    annals_targets = defaultdict(list)
    for i in an_links:
        annals_targets[link_key(i)].append(i)
    lc_pairs = {(i["page"], link_key(i)) for i in lc_broken}
    found = [i for i in lc_broken if reported(i)]
    missed = [i for i in lc_broken if not reported(i)]
    for i in missed:
        if annals_targets.get(link_key(i)):
            i["why"] += " | annals reported this target on other pages only"
    only_annals = [i for i in an_links if (i["page"], link_key(i)) not in lc_pairs]
    lc_links = {link_key(i) for i in lc_broken}

    def why_only_annals(i):
        if i["raw"].startswith("#"):
            return "same-page #fragment (LinkChecker does not check these)"
        if link_key(i) in lc_links:
            return "LinkChecker reported this link on another page only"
        if i["raw"].lower().startswith(("http:", "https:")) and not args.own_host_internal:
            return "absolute URL on the base_url host (external to LinkChecker)"
        return i["kind"]
    show("LinkChecker broken internal links (all)", lc_broken, 10)
    show("  ... also reported by annals check (same page and link)", found, 10)
    show("  ... MISSED by annals check", missed, 40)
    show("LinkChecker: other invalid URLs (not internal, not compared)", lc_other, 10)
    show("Reported only by annals check", only_annals, 25)
    reasons = Counter(map(why_only_annals, only_annals)).most_common()
    print("  by reason: " + ", ".join(f"{k}: {n}" for k, n in reasons))
    if an_other:
        print(f"\nOther annals check errors: {len(an_other)}\n  " + "\n  ".join(an_other[:5]))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
