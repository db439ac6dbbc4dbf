#!/usr/bin/env python3
"""Runs axe-core's accessibility checks on pages of a built site in headless Chromium.

    python3 tools/axe.py public/ / /countries/ /2024/06/ [--dark]

Serves the built site on 127.0.0.1 with axe-core (fetched from npm into a temporary folder)
added to every HTML page, loads each page at 1280 and 390 px wide (`--dark`: in the dark colour
scheme) and prints the WCAG 2.2 AA and best-practice violations axe finds. Exits 1 if there are
any.
"""

import argparse
import functools
import html
import http.server
import io
import json
import re
import subprocess
import tempfile
import threading
from pathlib import Path

from countries import fetch

REPORT = """<script>axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
"wcag22aa", "best-practice"]}).then(function (r) { var p = document.createElement("pre");
p.id = "axe-result"; p.textContent = JSON.stringify(r.violations.map(function (v) {
return {id: v.id, help: v.help, nodes: v.nodes.map(function (n) {
return n.target.join(" ") + ": " + (n.failureSummary || ""); })}; }));
document.body.appendChild(p); });</script>"""


class WithAxe(http.server.SimpleHTTPRequestHandler):
    """Serves files, with axe-core and the report script added to HTML pages."""

    script = ""

    def log_message(self, *_):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        body = path.read_text(encoding="utf-8").replace("</body>", self.script + "</body>")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (output folder)")
    parser.add_argument("pages", nargs="+", help="URL paths, e.g. / or /countries/")
    parser.add_argument("--dark", action="store_true", help="check the dark colour scheme")
    parser.add_argument("--axe", default="4.11.0", help="the axe-core npm package's version")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        axe = (fetch("axe-core", args.axe, Path(scratch)) / "axe.min.js").read_text()
    WithAxe.script = f"<script>{axe}</script>{REPORT}"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(WithAxe, directory=args.site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = ["--blink-settings=preferredColorScheme=0"] if args.dark else []
    failed = False
    try:
        for page in args.pages:
            for width in (1280, 390):
                dom = subprocess.run(
                    ["chromium", "--headless", "--no-sandbox", "--disable-gpu", *scheme,
                     f"--window-size={width},900", "--virtual-time-budget=20000", "--dump-dom",
                     f"http://127.0.0.1:{server.server_port}{page}"],
                    capture_output=True, text=True, timeout=120, check=True).stdout
                found = re.search(r'<pre id="axe-result">(.*?)</pre>', dom, re.S)
                if not found:
                    print(f"{page} at {width} px: axe did not report")
                    failed = True
                    continue
                violations = json.loads(html.unescape(found.group(1)))
                print(f"{page} at {width} px: {len(violations)} violations")
                for v in violations:
                    failed = True
                    print(f"  {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
                    for node in v["nodes"][:3]:
                        print(f"    {node[:300]}")
    finally:
        server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
