#!/usr/bin/env python3
"""Convert a Zola, Hugo, Jekyll or Pelican site folder into an Annals site.

    python3 bench/convert.py {zola|hugo|jekyll|pelican} SRC DST [--base-url URL]

Needs Python 3.11+ (tomllib, zoneinfo) and PyYAML (`pip install pyyaml`).

Every dated Markdown post becomes an article with YAML front matter: title, date, updated, draft,
slug, summary (or description), authors; tags and categories become `topics`; aliases are kept,
and the post's old URL (as the source generator served it, when it can be told) is added as an
alias when it differs from the Annals URL. Unknown keys are dropped and counted. Bodies are copied
byte for byte; page bundles (folders with index.md) are copied whole, the static folder to
DST/static/. DST must be new or empty; nothing is ever written outside it.
"""
import argparse, datetime as dt, json, os, re, shutil, sys, tomllib, unicodedata
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
FRONT = re.compile(rb"(?:\xef\xbb\xbf)?(\+\+\+|---)[ \t]*\r?\n(.*?)^\1[ \t]*(?:\r?\n|\Z)", re.S | re.M)
JEKYLL_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
                 "pretty": "/:categories/:year/:month/:day/:title/",
                 "ordinal": "/:categories/:year/:y_day/:title:output_ext", "none": "/:categories/:title:output_ext"}
stats, skipped, dropped = Counter(), Counter(), Counter()


def slugify(text, keep_case=False):
    """Pelican/Zola-style slug: ASCII, word characters and hyphens."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip())
    return text if keep_case else text.lower()


def load_config(kind, src):
    """Read the source's configuration into a plain dict (keys lower-cased)."""
    names = {"zola": ["config.toml"], "hugo": ["hugo.toml", "hugo.yaml", "config.toml", "config.yaml",
             "config.yml", "hugo.json", "config.json"], "jekyll": ["_config.yml", "_config.yaml"],
             "pelican": ["pelicanconf.py"]}[kind]
    for name in names:
        path = src / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if name.endswith(".py"):  # only simple `NAME = 'string'` / `NAME = [...]` lines
            conf = {k.lower(): v for k, v in re.findall(r"^([A-Z_]+)\s*=\s*u?['\"]([^'\"]*)", text, re.M)}
            for k, v in re.findall(r"^([A-Z_]+)\s*=\s*\[([^\]]*)\]", text, re.M):
                conf[k.lower()] = re.findall(r"['\"]([^'\"]+)", v)
            return conf
        data = tomllib.loads(text) if name.endswith(".toml") else (
            json.loads(text) if name.endswith(".json") else yaml.safe_load(text))
        return {k.lower(): v for k, v in (data or {}).items()}
    return {}


def read_post(raw, pelican):
    """Split a file into (metadata dict, body bytes); None when there is no front matter."""
    if pelican:  # Python-Markdown meta: `Key: value` lines up to the first blank line
        meta, key, pos = {}, None, 0
        for line in raw.splitlines(keepends=True):
            text = line.decode("utf-8-sig").rstrip("\r\n")
            if not text.strip():
                pos += len(line)
                break
            m = re.match(r"([A-Za-z][\w-]*):\s*(.*)$", text)
            if m:
                key = m.group(1).lower()
                meta[key] = m.group(2).strip()
            elif key and text[:1] in " \t":
                meta[key] += " " + text.strip()
            else:
                return None
            pos += len(line)
        return (meta, raw[pos:]) if meta else None
    m = FRONT.match(raw)
    if not m:
        return None
    text = m.group(2).decode("utf-8")
    meta = tomllib.loads(text) if m.group(1) == b"+++" else yaml.safe_load(text)
    return ({str(k).lower(): v for k, v in (meta or {}).items()}, raw[m.end():])


def parse_date(value, tz):
    """A date or datetime (naive ones get the site's time zone) from TOML, YAML or text."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            value = dt.datetime.strptime(text, fmt)
            break
        except ValueError:
            pass
    else:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # ValueError: caller skips
    if value.time() == dt.time() and len(text) <= 10:
        return value.date()
    return value if value.tzinfo else value.replace(tzinfo=tz)


def as_list(value, split=None):
    """A front matter value as a list of non-empty strings (`split` splits a string)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v.strip() for v in (value.split(split) if split else [value]) if v.strip()]
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def old_url(kind, meta, ctx, date, slug):
    """The URL path the source generator served the post at, or None when it cannot be told."""
    conf, rel = ctx["conf"], ctx["rel"]  # rel: post path relative to the content folder
    name = rel.parent.name if rel.name == "index.md" else re.sub(r"\.[^.]+$", "", rel.name)
    parent = (rel.parent.parent if rel.name == "index.md" else rel.parent).as_posix().strip(".")
    if kind == "jekyll" and isinstance(date, dt.datetime):
        date = date.astimezone(ctx["tz"])  # Jekyll files posts under the day in the site's time zone
    parts = {"year": "%04d" % date.year, "month": "%02d" % date.month, "day": "%02d" % date.day}
    if kind == "zola":
        if meta.get("path"):
            return "/" + str(meta["path"]).strip("/") + "/"
        return "/" + "/".join(slugify(p) for p in [*parent.split("/"), slug] if p) + "/"
    if kind == "hugo":
        if meta.get("url"):
            return "/" + str(meta["url"]).lstrip("/")
        name = re.sub(r"\.%s$" % ctx["lang"], "", name)
        pattern = (conf.get("permalinks") or {}).get(parent.split("/")[0]) if parent else None
        if pattern:
            repl = dict(parts, slug=str(meta.get("slug") or name), filename=name, contentbasename=name,
                        title=slugify(meta.get("title", "")), section=parent.split("/")[0])
            path = re.sub(r":(\w+)", lambda m: repl.get(m.group(1), m.group(0)), pattern)
        else:
            path = "/".join(p for p in [parent, str(meta.get("slug") or name)] if p) + "/"
        prefix = "" if ctx["lang"] == ctx["default_lang"] else ctx["lang"] + "/"
        return ("/" + prefix + path.lstrip("/")).lower().replace(" ", "-")
    if kind == "jekyll":
        if meta.get("permalink"):
            return "/" + str(meta["permalink"]).lstrip("/")
        pattern = conf.get("permalink") or "date"
        cats = [c.lower() for c in ctx["path_cats"] + as_list(meta.get("categories") or meta.get("category"), " ")]
        repl = dict(parts, categories="/".join(cats), title=slug, slug=slug, output_ext=".html",
                    y_day="%03d" % date.timetuple().tm_yday, short_year="%02d" % (date.year % 100))
        path = re.sub(r":(\w+)", lambda m: repl.get(m.group(1), m.group(0)), JEKYLL_STYLES.get(pattern, pattern))
        return re.sub("/+", "/", "/" + path)
    url = meta.get("url") or meta.get("save_as")  # pelican
    if not url:
        pattern = conf.get("page_url" if ctx["page"] else "article_url") or ("pages/{slug}.html" if ctx["page"] else "{slug}.html")
        fields = dict(slug=slug, date=date, lang=meta.get("lang", conf.get("default_lang", "en")),
                      category=slugify(meta.get("category", "misc")),
                      author=slugify((as_list(meta.get("author"), ",") or [""])[0]))
        try:
            url = pattern.format(**fields)
        except (KeyError, IndexError, ValueError):
            return None
    return "/" + url.lstrip("/")


def convert(kind, meta, ctx, tz):
    """Map source front matter to Annals keys; returns (front matter dict, date) or a skip reason."""
    rel, used, ctx["tz"] = ctx["rel"], set(), tz
    def take(*keys):
        used.update(keys)
        return next((meta[k] for k in keys if meta.get(k) not in (None, "", [])), None)
    name = rel.parent.name if rel.name == "index.md" else re.sub(r"\.[^.]+$", "", rel.name)
    m = re.match(r"(\d{4}-\d{1,2}-\d{1,2})[-_](.*)", name)
    title = take("title") or (m and kind == "jekyll" and m.group(2).replace("-", " ").title())
    if not title:
        return "no title"
    date = take("date", "publishdate", "pubdate")
    if date is None and kind == "zola" and re.search(r"(^|/)(\d{4})/(\d\d)/(\d\d)/", str(meta.get("path", ""))):
        date = "-".join(re.search(r"(\d{4})/(\d\d)/(\d\d)/", str(meta["path"])).groups())
    date = date or (m and m.group(1))
    if not date:
        return "no date"
    try:
        date = parse_date(date, tz)
        updated = take("updated", "lastmod", "modified")
        updated = updated and parse_date(updated, tz)
    except ValueError:
        return "bad date"
    if kind == "pelican" and not meta.get("slug"):
        slug = slugify(title)
    elif kind == "zola" and meta.get("path") and not meta.get("slug"):
        slug = str(meta["path"]).strip("/").split("/")[-1]
    else:
        slug = str(take("slug") or (m.group(2) if m and kind != "hugo" else name))
    used.update(["slug", "path", "url", "permalink", "save_as"])
    fm = {"title": str(title).strip(), "date": date.isoformat()}
    if updated:
        fm["updated"] = updated.isoformat()
    draft = take("draft") in (True, "true") or str(take("status")).lower() == "draft" or take("published") is False
    if draft:
        fm["draft"] = True
    summary = take("summary", "description", "excerpt")
    if summary:
        fm["summary"] = str(summary).strip()
    authors = as_list(take("authors", "author"), "," if kind == "pelican" else None)
    if authors:
        fm["authors"] = authors
    taxonomies = meta.get("taxonomies") if isinstance(meta.get("taxonomies"), dict) else {}
    dropped.update("taxonomies." + k for k in taxonomies if k not in ("tags", "categories"))
    split = "," if kind == "pelican" else (" " if kind == "jekyll" else None)
    terms = as_list(take("tags"), split) + as_list(take("categories", "category"), split if kind != "pelican" else None)
    terms += as_list(taxonomies.get("tags")) + as_list(taxonomies.get("categories"))
    terms = list(dict.fromkeys(t for t in terms if any(c.isalnum() for c in t)))
    if terms:
        fm["topics"] = terms
    used.update(["taxonomies", "extra"])
    if isinstance(meta.get("extra"), dict) and meta["extra"]:
        fm["extra"] = meta["extra"]
    fm["slug"] = re.sub(r"[/\\?#%\s]+|\.\.+", "-", slug).strip("-") or slugify(title) or "post"
    ctx["aliases"] = as_list(take("aliases", "redirect_from"))
    ctx["old"] = old_url(kind, meta, ctx, date, slug)
    dropped.update(k for k in meta if k not in used)
    return fm, date


def sources(kind, src, conf):
    """Yield (path, content_dir, context) for every candidate Markdown file of the source."""
    content = src / "content" if kind != "jekyll" and (src / "content").is_dir() else src
    roots = [(content, conf.get("defaultcontentlanguage", "en"))]
    if kind == "hugo":
        for lang, lc in (conf.get("languages") or {}).items():
            if isinstance(lc, dict) and lc.get("contentDir"):
                roots.insert(0, (src / lc["contentDir"], lang))
    seen = set()
    for root, lang in roots:
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("_site", "node_modules", "vendor"))
            for f in sorted(files):
                path = Path(dirpath) / f
                if path in seen or not f.lower().endswith(MARKDOWN + (".rst",)):
                    continue
                seen.add(path)
                rel = path.relative_to(root)
                parts = rel.parts
                if kind == "jekyll" and "_posts" not in parts:
                    continue  # Jekyll pages are not posts
                m = re.search(r"\.([a-z]{2}(?:-[A-Za-z]+)?)\.\w+$", f)
                ctx = {"rel": rel, "conf": conf, "page": "pages" in parts[:1], "default_lang": roots[-1][1],
                       "lang": m.group(1) if kind == "hugo" and m and m.group(1) in (conf.get("languages") or {}) else lang,
                       "path_cats": list(parts[:parts.index("_posts")]) if "_posts" in parts else []}
                yield path, root, ctx


def safe_target(dst, rel):
    """DST/rel, refusing any path that would leave DST."""
    target = (dst / rel).resolve()
    if dst.resolve() not in target.parents:
        raise SystemExit(f"refusing to write outside {dst}: {rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def copy_tree(src_dir, dst, rel_base, skip=()):
    """Copy the regular files of src_dir to DST/rel_base (symbolic links are skipped)."""
    for dirpath, dirs, files in os.walk(src_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            path = Path(dirpath) / f
            if path in skip or f.startswith("."):
                continue
            if path.is_symlink():
                skipped["symbolic link"] += 1
                continue
            shutil.copyfile(path, safe_target(dst, Path(rel_base) / path.relative_to(src_dir)))
            stats["files"] += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=["zola", "hugo", "jekyll", "pelican"])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--base-url")
    args = ap.parse_args()
    src, dst, kind = args.src.resolve(), args.dst, args.kind
    if dst.exists() and any(dst.iterdir()):
        sys.exit(f"{dst} is not empty")
    dst.mkdir(parents=True, exist_ok=True)
    conf = load_config(kind, src)
    tz = ZoneInfo(conf.get("timezone") or "UTC")
    jekyll_base = (conf.get("url") or "") + (conf.get("baseurl") or "") if kind == "jekyll" else None
    base = args.base_url or conf.get("base_url") or conf.get("siteurl") or jekyll_base or conf.get("baseurl") or "https://example.org"
    urls, bundles_done = set(), set()
    for path, root, ctx in sources(kind, src, conf):
        rel = ctx["rel"]
        if path.suffix == ".rst":
            skipped["reStructuredText"] += 1
        elif rel.name == "_index.md" or rel == Path("index.md"):
            skipped["section index"] += 1
        elif kind == "jekyll" and "_drafts" in rel.parts:
            skipped["jekyll _drafts"] += 1
        elif any((root / p / "index.md").is_file() for p in rel.parents if p != Path(".")) and rel.name != "index.md":
            skipped["Markdown file inside a bundle"] += 1
        else:
            post = read_post(path.read_bytes(), kind == "pelican")
            result = convert(kind, post[0], ctx, tz) if post else "no front matter"
            if isinstance(result, str):
                skipped[result] += 1
                continue
            fm, date = result
            while (url := "/%s/%s/" % (f"{date:%Y/%m/%d}", fm["slug"])) in urls:  # same day, same slug
                fm["slug"] = re.sub(r"(-(\d+))?$", lambda m: "-%d" % (int(m.group(2) or 1) + 1), fm["slug"], count=1)
            urls.add(url)
            aliases = ["/" + a.lstrip("/") for a in ctx["aliases"]] + ([ctx["old"]] if ctx["old"] else [])
            aliases = [a for a in dict.fromkeys(aliases) if a.rstrip("/") != url.rstrip("/") and a not in urls]
            stats["aliases dropped"] += sum(1 for a in aliases if re.search(r"[?#\\\s]|\.\.", a))
            aliases = [a for a in aliases if not re.search(r"[?#\\\s]|\.\.", a)]
            stats["old URL unknown"] += ctx["old"] is None
            urls.update(aliases)
            if aliases:
                fm["aliases"] = aliases
            stats["posts"] += 1
            stats["drafts"] += bool(fm.get("draft"))
            out_rel = Path("content") / rel.with_suffix(".md")
            if rel.name == "index.md":
                stats["bundles"] += 1
                copy_tree(path.parent, dst, out_rel.parent, skip={path})
            head = yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, width=1 << 30)
            safe_target(dst, out_rel).write_bytes(b"---\n" + head.encode() + b"---\n" + post[1])
    static = [src / "static"] if kind in ("zola", "hugo") else [src / "content" / p for p in conf.get("static_paths", ["images"])] if kind == "pelican" else []
    for folder in static:
        if folder.is_dir():
            copy_tree(folder, dst, Path("static") / (folder.name if kind == "pelican" else ""))
    if kind == "jekyll":  # files without front matter outside _folders are Jekyll's static files
        excluded = set(conf.get("exclude") or []) | {"Gemfile", "Gemfile.lock", "node_modules", "vendor"}
        for dirpath, dirs, files in os.walk(src):
            dirs[:] = [d for d in dirs if d[0] not in "._" and d not in excluded]
            for f in files:
                p = Path(dirpath) / f
                if f[0] not in "._" and f not in excluded and not p.is_symlink() and not f.endswith(MARKDOWN):
                    with open(p, "rb") as fh:
                        has_front_matter = fh.read(3) == b"---"
                    if not has_front_matter:
                        shutil.copyfile(p, safe_target(dst, Path("static") / p.relative_to(src)))
                        stats["files"] += 1
    lang = conf.get("defaultcontentlanguage") or conf.get("default_language") or conf.get("default_lang") or conf.get("lang") or "en"
    lang_conf = (conf.get("languages") or {}).get(lang) or {}
    title = conf.get("title") or conf.get("sitename") or lang_conf.get("title") or "Converted site"
    safe_target(dst, "site.toml").write_text(
        f"# converted from {kind} by bench/convert.py\nbase_url = {json.dumps(base)}\n"
        f"title = {json.dumps(str(title), ensure_ascii=False)}\nlanguage = {json.dumps(str(lang))}\n", encoding="utf-8")
    print(f"{kind} {src.name}: {stats['posts']} posts ({stats['drafts']} drafts, {stats['bundles']} bundles), "
          f"{stats['files']} files copied, {stats['old URL unknown']} old URLs unknown; skipped: "
          + (", ".join(f"{n} {why}" for why, n in skipped.most_common()) or "none")
          + f"; dropped keys: {sum(dropped.values())} (" + ", ".join(f"{k}×{n}" for k, n in dropped.most_common(6)) + ")")


if __name__ == "__main__":
    main()
