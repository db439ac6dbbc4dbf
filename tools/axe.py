#!/usr/bin/env python3
"""Runs axe-core's accessibility checks on pages of a built site in headless Chromium.

    python3 tools/axe.py public/ / /countries/ /2024/06/ [--dark]

Serves the built site on 127.0.0.1, loads each page at 1280 and 390 px wide (`--dark`: in the
dark colour scheme) in headless Chromium, waits for `--wait` (a JavaScript expression, e.g. for
the search page's results), runs axe-core (fetched from npm into a temporary folder) in it and
prints the WCAG 2.2 AA and best-practice violations axe finds. Exits 1 if there are any.
"""

import argparse
import functools
import http.server
import json
import tempfile
import threading
from pathlib import Path

from countries import fetch
from screenshots import Chromium

RUN = """axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
"best-practice"]}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, help: v.help,
nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || ""))}))))"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request."""

    def log_message(self, *_):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (output folder)")
    parser.add_argument("pages", nargs="+", help="URL paths, e.g. / or /countries/")
    parser.add_argument("--dark", action="store_true", help="check the dark colour scheme")
    parser.add_argument("--axe", default="4.11.0", help="the axe-core npm package's version")
    parser.add_argument("--wait", default="true",
                        help="a JavaScript expression to wait for before checking a page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        axe = (fetch("axe-core", args.axe, Path(scratch)) / "axe.min.js").read_text()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=args.site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = Chromium()
    failed = False
    try:
        if args.dark:
            browser.call("Emulation.setEmulatedMedia",
                         {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        for page in args.pages:
            for width in (1280, 390):
                url = f"http://127.0.0.1:{server.server_port}{page}"
                browser.load(url, width, 900, args.wait)
                browser.eval(axe)
                result = browser.call("Runtime.evaluate", {
                    "expression": RUN, "awaitPromise": True, "returnByValue": True})
                report = result.get("result", {}).get("value")
                if not report:
                    print(f"{page} at {width} px: axe did not report")
                    failed = True
                    continue
                violations = json.loads(report)
                print(f"{page} at {width} px: {len(violations)} violations")
                for v in violations:
                    failed = True
                    print(f"  {v['id']}: {v['help']} ({len(v['nodes'])} elements)")
                    for node in v["nodes"][:3]:
                        print(f"    {node[:300]}")
    finally:
        browser.close()
        server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
