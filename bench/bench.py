#!/usr/bin/env python3
"""Benchmark `annals build` on generated news archives, optionally side by side with Hugo.

Generates corpora with ../shared/bench/gen_corpus.py (cached outside the repo), builds each
several times, alternating tools, and prints median wall time, user+sys CPU, peak RSS, pages
written and pages per second. See README.md, "Performance".
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"


def corpus(cache: Path, dialect: str, n: int) -> Path:
    path = cache / f"{dialect}-{n}"
    if not (path / "manifest.json").exists():
        print(f"generating {dialect} corpus of {n} articles in {path} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(GEN), "--n", str(n), "--dialect", dialect, "--out", str(path), "--force"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def variant(site: Path, settings: str) -> Path:
    """The corpus with extra site.toml lines, sharing its content and static folders."""
    name = "".join(c if c.isalnum() else "-" for c in settings).strip("-")
    path = site.parent / f"{site.name}--{name}"
    path.mkdir(exist_ok=True)
    for folder in ["content", "static"]:
        link = path / folder
        if not link.exists():
            link.symlink_to(site / folder)
    (path / "site.toml").write_text((site / "site.toml").read_text() + "\n" + settings + "\n")
    return path


def timed(cmd: list, cwd: Path) -> dict:
    """Runs cmd under /usr/bin/time -v; returns wall, cpu (s) and peak RSS (MiB)."""
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        print(f"{' '.join(cmd)} failed:\n{proc.stderr[-1500:]}", file=sys.stderr)
        return None
    stats = {}
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            parts = [float(p) for p in line.rsplit(" ", 1)[1].split(":")]
            stats["wall"] = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        elif line.startswith("User time"):
            stats["user"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("System time"):
            stats["sys"] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("Maximum resident set size"):
            stats["rss"] = int(line.rsplit(" ", 1)[1]) / 1024
    stats["cpu"] = stats["user"] + stats["sys"]
    stats["stdout"] = proc.stdout
    return stats


def warm(site: Path) -> None:
    """Reads every file of `site` once, so that no timed run is the one that brings the corpus
    back into the page cache (a machine's memory reclaim may have evicted idle files)."""
    for root, _, files in os.walk(site, followlinks=True):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 20):
                    pass


def binary_of(args, tool: str) -> Path:
    """The Annals binary a tool name stands for: the baseline's for `... @baseline`."""
    return args.baseline if tool.endswith("@baseline") else args.binary


def incremental(args, tool: str, site: Path, n: int, pages: dict) -> list:
    """Builds once with the build cache, then times builds after appending a sentence to one
    article's body (restored at the end)."""
    dest = args.out / f"incremental-{n}"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.rmtree(site / ".annals-cache", ignore_errors=True)
    cmd = [str(binary_of(args, tool)), "build", "--quiet", "--root", str(site), "--output", str(dest)]
    if timed(cmd, site) is None:
        return []
    articles = sorted((site / "content").rglob("*.md"))
    article = articles[len(articles) // 2]
    original = article.read_bytes()
    runs = []
    try:
        for i in range(args.runs):
            article.write_bytes(original + f"\nOne more sentence, number {i}.\n".encode())
            run = timed(cmd, site)
            if run is not None:
                runs.append(run)
        pages[f"{tool}, one body edited"] = count_html(dest)
    finally:
        article.write_bytes(original)
        shutil.rmtree(dest, ignore_errors=True)
        shutil.rmtree(site / ".annals-cache", ignore_errors=True)
    return runs


def count_html(path: Path) -> int:
    return sum(1 for _ in path.rglob("*.html"))


def median(runs: list, key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("/dev/shm/annals-bench"),
                    help="where builds are written (tmpfs compares engines; a disk path shows what users see)")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "annals-bench",
                    help="where generated corpora are kept")
    ap.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "annals")
    ap.add_argument("--hugo", type=Path, help="a Hugo binary to time on the same corpus")
    ap.add_argument("--baseline", type=Path,
                    help="another Annals binary (say, an earlier commit's) to time side by side, as 'annals @baseline'")
    ap.add_argument("--variant", action="append", default=[],
                    help="also time Annals with these extra site.toml lines, e.g. 'search = false'")
    ap.add_argument("--settings", default="",
                    help="site.toml lines for every Annals configuration, e.g. 'slug_from = \"file\"' "
                         "(the 100,000-article corpus has same-day articles with the same title)")
    ap.add_argument("--incremental", action="store_true",
                    help="also time each Annals configuration rebuilding after one article's body changed")
    args = ap.parse_args()

    if not args.binary.exists():
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    args.out.mkdir(parents=True, exist_ok=True)

    rows = []
    notes = []
    for n in args.sizes:
        ours = corpus(args.cache, "ours", n)
        tools = {"annals": variant(ours, args.settings) if args.settings else ours}
        for settings in args.variant:
            tools[f"annals [{settings}]"] = variant(ours, f"{args.settings}\n{settings}")
        if args.baseline:
            for tool, site in list(tools.items()):
                tools[f"{tool} @baseline"] = site
        if args.hugo:
            tools["hugo"] = corpus(args.cache, "hugo", n)
        results = {tool: [] for tool in tools}
        pages = {}
        for site in set(tools.values()):
            warm(site)
        for _ in range(args.runs):
            for tool, site in tools.items():
                dest = args.out / f"{''.join(c if c.isalnum() else '-' for c in tool)}-{n}"
                shutil.rmtree(dest, ignore_errors=True)
                shutil.rmtree(site / ".annals-cache", ignore_errors=True)
                if tool.startswith("annals"):
                    cmd = [str(binary_of(args, tool)), "build", "--quiet", "--root", str(site), "--output", str(dest)]
                else:
                    cmd = [str(args.hugo), "--quiet", "--destination", str(dest)]
                run = timed(cmd, site)
                if run is not None:
                    results[tool].append(run)
                    pages[tool] = count_html(dest)
                shutil.rmtree(dest, ignore_errors=True)
        if args.incremental:
            for tool, site in list(tools.items()):
                if tool.startswith("annals"):
                    results[f"{tool}, one body edited"] = incremental(args, tool, site, n, pages)
        hugo_wall = median(results["hugo"], "wall") if args.hugo and results["hugo"] else None
        for tool, runs in results.items():
            cold = results.get(tool.removesuffix(", one body edited"))
            if tool.endswith("one body edited") and runs and cold:
                notes.append(f"{n} articles, {tool}: {median(runs, 'wall') / median(cold, 'wall'):.1%} of the cold build")
        for tool, runs in results.items():
            if not runs:
                rows.append((n, f"{tool} (failed)", None, None, None, None, None, None))
                continue
            wall = median(runs, "wall")
            ratio = wall / hugo_wall if hugo_wall and tool != "hugo" else None
            rows.append((n, tool, wall, median(runs, "cpu"), median(runs, "rss"), pages[tool], pages[tool] / wall, ratio))

    print(f"\noutput on {args.out}, {args.runs} runs each, medians\n")
    print("| articles | tool | wall (s) | user+sys (s) | peak RSS (MiB) | HTML pages | pages/s | wall vs Hugo |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for n, tool, wall, cpu, rss, html, rate, ratio in rows:
        if wall is None:
            print(f"| {n} | {tool} | | | | | | |")
            continue
        versus = f"{ratio:.2f}" if ratio is not None else ""
        print(f"| {n} | {tool} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {html} | {rate:.0f} | {versus} |")
    if notes:
        print()
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
