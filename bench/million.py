#!/usr/bin/env python3
"""Build an archive of a million articles (or COPIES times any generated size) once, and report
wall time, CPU, peak RSS and the RSS over time (which stage holds what).

The archive is a generated corpus (see bench.py) ten times over: each article file hard-linked
under nine more names (`…-k1.md` … `…-k9.md`, the original keeping its name so that `@/` links
still resolve), so ten times as many articles a day and no extra disk for the Markdown. The output
goes where --out says (on disk by default: a million articles make about 36 GB of site). See
README.md, "Performance".
"""

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402


def linked_corpus(source: Path, dest: Path, copies: int) -> None:
    """`copies` names for every article of `source` under `dest`, hard-linked."""
    if (dest / "site.toml").exists():
        return
    print(f"linking {copies} copies of {source} into {dest} ...", file=sys.stderr)
    for root, _, files in os.walk(source / "content"):
        out = dest / "content" / Path(root).relative_to(source / "content")
        out.mkdir(parents=True, exist_ok=True)
        for name in files:
            names = [name]
            if name.endswith(".md"):
                names += [f"{name[:-3]}-k{k}.md" for k in range(1, copies)]
            for linked in names:
                os.link(Path(root) / name, out / linked)
    shutil.copytree(source / "static", dest / "static")
    # Same-titled articles on one day are common at this size: slugs come from file names.
    (dest / "site.toml").write_text((source / "site.toml").read_text() + '\nslug_from = "file"\n')


def sample_rss(pid: int, samples: list, done: threading.Event) -> None:
    """Appends (seconds, MiB) of the annals process below `pid` every two seconds."""
    start = time.monotonic()
    while not done.wait(2):
        children = Path(f"/proc/{pid}/task/{pid}/children")
        try:
            child = children.read_text().split()[0]
            status = Path(f"/proc/{child}/status").read_text()
        except (OSError, IndexError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                samples.append((time.monotonic() - start, int(line.split()[1]) / 1024))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=100000, help="the generated corpus to copy")
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--where", type=Path, default=Path.home() / "annals-million",
                    help="where the linked archive and its output go (same file system as the cache)")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "annals-bench")
    ap.add_argument("--binary", type=Path, default=bench.REPO / "target" / "release" / "annals")
    args = ap.parse_args()

    site = args.where
    linked_corpus(bench.corpus(args.cache, "ours", args.size), site, args.copies)
    # A cold build: no output, build cache or URL ledger of an earlier one.
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".annals-cache", ignore_errors=True)
    (site / "permalinks.txt").unlink(missing_ok=True)
    proc = subprocess.Popen(["/usr/bin/time", "-v", str(args.binary), "build"], cwd=site,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples, done = [], threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(proc.pid, samples, done))
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"the build failed:\n{err[-2000:]}")
    print(out.strip().splitlines()[-1] if out.strip() else "")
    for line in err.splitlines():
        line = line.strip()
        if line.startswith(("Elapsed (wall clock)", "User time", "System time", "Maximum resident")):
            print(line)
    print("RSS over time (s: MiB):", " ".join(f"{t:.0f}:{m:.0f}" for t, m in samples[::max(1, len(samples) // 40)]))


if __name__ == "__main__":
    main()
