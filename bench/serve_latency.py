#!/usr/bin/env python3
"""Time from saving one article to `annals serve` having written the affected pages.

Copies a generated corpus (see bench.py) to a scratch folder, starts `annals serve` on it, listens
to its live-reload events, then edits one article's body several times and measures, for each
save, the time until the server announces the reload (pages written). Prints the median, and the
server's own figure for the update (without the file watcher's debounce).
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from bench import corpus  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=9)
    ap.add_argument("--scratch", type=Path, default=Path("/dev/shm/annals-serve-latency"))
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "annals-bench")
    ap.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "annals")
    args = ap.parse_args()
    if not args.binary.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)

    source = corpus(args.cache, "ours", args.size)
    shutil.rmtree(args.scratch, ignore_errors=True)
    shutil.copytree(source, args.scratch, symlinks=True)
    article = sorted((args.scratch / "content").rglob("*.md"))[len(list((args.scratch / "content").rglob("*.md"))) // 2]
    original = article.read_text()

    server = subprocess.Popen(
        [str(args.binary), "serve", "--port", "0", "--root", str(args.scratch)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    try:
        started = time.monotonic()
        port = None
        for line in server.stdout:
            match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        print(f"initial build and start: {time.monotonic() - started:.1f} s", file=sys.stderr)
        events = socket.create_connection(("127.0.0.1", port))
        events.sendall(b"GET /__annals/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        events.settimeout(60)
        reader = events.makefile("r", encoding="utf-8", newline="\n")
        while reader.readline().strip():
            pass  # response headers

        latencies, server_ms = [], []
        for n in range(args.edits):
            time.sleep(0.3)
            saved = time.monotonic()
            article.write_text(original + f"\n\nEdit number {n}.\n")
            while True:
                line = reader.readline()
                if line.startswith("event: reload"):
                    break
                if line.startswith("event: failure"):
                    sys.exit("the update failed")
            latencies.append((time.monotonic() - saved) * 1000)
            report = server.stdout.readline()
            match = re.search(r"Updated (\d+) files?, removed \d+ files?, in ([\d.]+) ms", report)
            if match:
                server_ms.append(float(match.group(2)))
                pages = int(match.group(1))
        print(f"{args.size} articles, {args.edits} body edits of {article.relative_to(args.scratch)}")
        print(f"save to pages written (median): {statistics.median(latencies):.0f} ms "
              f"(min {min(latencies):.0f}, max {max(latencies):.0f}), including the watcher's debounce")
        if server_ms:
            print(f"update inside the server (median): {statistics.median(server_ms):.1f} ms, {pages} pages written")
    finally:
        server.terminate()
        server.wait()
        article.write_text(original)


if __name__ == "__main__":
    main()
