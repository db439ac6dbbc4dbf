#!/usr/bin/env python3
"""Benchmark `annals deploy` against a local S3 server (examples/s3_server.rs: s3s-fs with
signatures checked) on a generated archive built with default settings.

For each run: a first deploy into an empty bucket, a deploy of the unchanged site, and a deploy
after one article's body is edited and the site rebuilt. Prints median wall time, peak RSS, files
uploaded and requests for each. Needs `cargo build --release --bin annals --example s3_server`.
See README.md, "Deploying".
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, corpus, timed  # noqa: E402

ANNALS = REPO / "target" / "release" / "annals"
SERVER = REPO / "target" / "release" / "examples" / "s3_server"
REPORT = re.compile(r"uploaded (\d+) files? \(([^,]+),.* deleted (\d+) objects?.*; (\d+) requests? \(([^)]*)\)")


def deploy(site: Path) -> dict:
    stats = timed([str(ANNALS), "deploy", "--root", str(site)], site)
    if stats is None:
        sys.exit("deploy failed")
    match = REPORT.search(stats["stdout"])
    stats.update(uploaded=int(match[1]), size=match[2], deleted=int(match[3]), requests=int(match[4]), kinds=match[5])
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "annals-bench")
    parser.add_argument("--work", type=Path, default=Path("/dev/shm"),
                        help="where the site and the bucket live (tmpfs by default)")
    args = parser.parse_args()
    for binary in [ANNALS, SERVER]:
        if not binary.exists():
            sys.exit(f"{binary} is missing: cargo build --release --bin annals --example s3_server")

    source = corpus(args.cache, "ours", args.size)
    work = Path(tempfile.mkdtemp(prefix="annals-deploy-", dir=args.work))
    site, store = work / "site", work / "store"
    shutil.copytree(source, site)
    server = subprocess.Popen([str(SERVER), str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        endpoint = server.stdout.readline().strip().split("=", 1)[1]
        keys = dict(line.strip().split("=", 1) for line in [server.stdout.readline() for _ in range(3)])
        config = (site / "site.toml").read_text()
        (site / "site.toml").write_text(
            config + f'\n[[deploy.targets]]\nname = "bench"\nendpoint = "{endpoint}"\nbucket = "{keys["bucket"]}"\n'
        )
        os.environ["AWS_ACCESS_KEY_ID"] = keys["AWS_ACCESS_KEY_ID"]
        os.environ["AWS_SECRET_ACCESS_KEY"] = keys["AWS_SECRET_ACCESS_KEY"]
        subprocess.run([str(ANNALS), "build", "--quiet", "--root", str(site)], check=True, stderr=subprocess.DEVNULL)
        article = sorted((site / "content").rglob("*.md"))[len(list((site / "content").rglob("*.md"))) // 2]
        text = article.read_text()
        rows = {"first": [], "unchanged": [], "one edit": []}
        for run in range(args.runs):
            shutil.rmtree(store / keys["bucket"])
            (store / keys["bucket"]).mkdir()
            for leftover in store.glob(".bucket-*"):
                leftover.unlink()
            article.write_text(text)
            subprocess.run([str(ANNALS), "build", "--quiet", "--root", str(site)], check=True, stderr=subprocess.DEVNULL)
            rows["first"].append(deploy(site))
            rows["unchanged"].append(deploy(site))
            article.write_text(text + f"\nA correction, number {run + 1}.\n")
            subprocess.run([str(ANNALS), "build", "--quiet", "--root", str(site)], check=True, stderr=subprocess.DEVNULL)
            rows["one edit"].append(deploy(site))
        files = sum(1 for line in (site / "public" / ".annals-files").read_text().splitlines() if line and not line.startswith("#"))
        print(f"{args.size} articles, {files} files, {args.runs} runs, site and bucket in {args.work}")
        print(f"{'deploy':<10} {'wall s':>8} {'cpu s':>7} {'peak MiB':>9} {'uploaded':>9} {'bytes':>9} {'deleted':>8} {'requests':>9}  kinds")
        for name, stats in rows.items():
            last = stats[-1]
            print(
                f"{name:<10} {statistics.median(s['wall'] for s in stats):8.2f} "
                f"{statistics.median(s['cpu'] for s in stats):7.2f} "
                f"{statistics.median(s['rss'] for s in stats):9.0f} {last['uploaded']:9d} {last['size']:>9} "
                f"{last['deleted']:8d} {last['requests']:9d}  {last['kinds']}"
            )
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
