#!/usr/bin/env python3
"""Screenshots of pages of a built site, to look at them the way a reader would.

    python3 tools/screenshots.py public/ /tmp/shots / /countries/ /2024/06/ --widths 1280,390

Serves the built site on 127.0.0.1 and takes one headless Chromium screenshot per page and width
(`chromium` from Debian), named after the page and width (`countries-390.png`). `--height` sets
the window height: a tall window shows a whole long page.
"""

import argparse
import functools
import http.server
import subprocess
import threading
from pathlib import Path


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request."""

    def log_message(self, *_):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (output folder)")
    parser.add_argument("out", type=Path, help="where the PNG files go")
    parser.add_argument("pages", nargs="+", help="URL paths, e.g. / or /countries/")
    parser.add_argument("--widths", default="1280,390", help="window widths in px")
    parser.add_argument("--height", type=int, default=900, help="window height in px")
    args = parser.parse_args()

    handler = functools.partial(Quiet, directory=args.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        for page in args.pages:
            name = "".join(c if c.isalnum() else "-" for c in page.strip("/")) or "home"
            for width in args.widths.split(","):
                png = args.out / f"{name}-{width}.png"
                subprocess.run(
                    ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                     "--hide-scrollbars", f"--window-size={width},{args.height}",
                     # Scripts (the search page's) get time to finish before the shot.
                     "--virtual-time-budget=5000",
                     f"--screenshot={png}",
                     f"http://127.0.0.1:{server.server_port}{page}"],
                    check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                print(png)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
