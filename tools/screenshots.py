#!/usr/bin/env python3
"""Screenshots of pages of a built site, to look at them the way a reader would.

    python3 tools/screenshots.py public/ /tmp/shots / /countries/ /2024/06/ --widths 1280,390
    python3 tools/screenshots.py public/ /tmp/shots "/search/?q=sanctions" --dark \\
        --wait "document.querySelector('.search-hit')"

Serves the built site on 127.0.0.1 and takes one headless Chromium screenshot per page and width
(`chromium` from Debian), named after the page and width (`countries-390.png`). Chromium is
driven over the DevTools protocol on a pipe, so a page's scripts can finish first: `--wait` is a
JavaScript expression to wait for (up to 20 s) before the shot. `--height` sets the window
height (a tall window shows a whole long page); `--dark` asks for the dark colour scheme.
"""

import argparse
import base64
import functools
import http.server
import json
import os
import subprocess
import threading
import time
from pathlib import Path


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request."""

    def log_message(self, *_):
        pass


class Chromium:
    """Headless Chromium spoken to over --remote-debugging-pipe (NUL-separated JSON)."""

    def __init__(self):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        def to_fds_3_and_4():
            # Chromium reads commands on fd 3 and writes replies on fd 4; copies first, so that
            # neither pipe end is overwritten if it already was fd 3 or 4.
            commands, replies = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self.process = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--no-first-run", "about:blank"],
            close_fds=False,
            preexec_fn=to_fds_3_and_4,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": page["targetId"], "flatten": True})["sessionId"]

    def call(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and hasattr(self, "session"):
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed its pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def eval(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def load(self, url, width, height, wait="true"):
        """Loads `url` in a window `width` × `height` px and waits (up to 20 s) until it has
        loaded and the JavaScript expression `wait` is true."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": width < 500})
        self.call("Page.navigate", {"url": url})
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.eval(f"location.href === {json.dumps(url)} && "
                         f"document.readyState === 'complete' && !!({wait})"):
                return
            time.sleep(0.2)

    def close(self):
        self.process.kill()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built site (output folder)")
    parser.add_argument("out", type=Path, help="where the PNG files go")
    parser.add_argument("pages", nargs="+", help="URL paths, e.g. / or /countries/")
    parser.add_argument("--widths", default="1280,390", help="window widths in px")
    parser.add_argument("--height", type=int, default=900, help="window height in px")
    parser.add_argument("--dark", action="store_true", help="the dark colour scheme")
    parser.add_argument("--wait", default="true",
                        help="a JavaScript expression to wait for before each shot")
    args = parser.parse_args()

    handler = functools.partial(Quiet, directory=args.site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args.out.mkdir(parents=True, exist_ok=True)
    browser = Chromium()
    try:
        if args.dark:
            browser.call("Emulation.setEmulatedMedia",
                         {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        for page in args.pages:
            name = "".join(c if c.isalnum() else "-" for c in page.strip("/")) or "home"
            for width in args.widths.split(","):
                width = int(width)
                url = f"http://127.0.0.1:{server.server_port}{page}"
                browser.load(url, width, args.height, args.wait)
                # Fonts and layout settle.
                time.sleep(0.3)
                shot = browser.call("Page.captureScreenshot", {"format": "png"})
                png = args.out / f"{name}{'-dark' if args.dark else ''}-{width}.png"
                png.write_bytes(base64.b64decode(shot["data"]))
                print(png)
    finally:
        browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
