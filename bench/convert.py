#!/usr/bin/env python3
"""Convert a Zola, Hugo, Jekyll or Pelican site folder into an Annals site.

    python3 bench/convert.py {zola|hugo|jekyll|pelican} SRC DST [--base-url URL]

Needs Python 3.11+ (tomllib, zoneinfo) and PyYAML (`pip install pyyaml`).

Every dated Markdown post becomes an article with YAML front matter (title, date, updated, draft,
slug, summary from summary/description, authors; tags and categories become `topics`), with its
aliases and, when it differs from the Annals URL, its old URL as the source generator served it.
Unknown keys are dropped and counted. Bodies are copied byte for byte, page bundles (folders with
index.md) whole, the static folder to DST/static/. DST must be new or empty; nothing is written
outside it. Prints one summary line.
"""
import argparse, datetime as dt, json, os, re, shutil, sys, tomllib, unicodedata
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")
FRONT = re.compile(rb"(?:\xef\xbb\xbf)?(\+\+\+|---)[ \t]*\r?\n(.*?)^\1[ \t]*(?:\r?\n|\Z)", re.S | re.M)
CONFIGS = {"zola": ["config.toml"], "jekyll": ["_config.yml", "_config.yaml"], "pelican": ["pelicanconf.py"],
           "hugo": ["hugo.toml", "hugo.yaml", "config.toml", "config.yaml", "config.yml", "config.json"]}
JEKYLL_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
                 "pretty": "/:categories/:year/:month/:day/:title/",
                 "ordinal": "/:categories/:year/:y_day/:title:output_ext", "none": "/:categories/:title:output_ext"}
stats, skipped, dropped = Counter(), Counter(), Counter()


def slugify(text):
    """Pelican's (and roughly Zola's) slug: lower-case ASCII word characters and hyphens."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip()).lower()


def load_config(kind, src):
    """The source's configuration as a dict with lower-cased top-level keys ({} if none)."""
    for path in (src / name for name in CONFIGS[kind]):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":  # Pelican: only simple `NAME = 'text'` and `NAME = [...]` lines
            conf = {k.lower(): v for k, v in re.findall(r"^([A-Z_]+)\s*=\s*u?['\"]([^'\"]*)", text, re.M)}
            for k, v in re.findall(r"^([A-Z_]+)\s*=\s*\[([^\]]*)\]", text, re.M):
                conf[k.lower()] = re.findall(r"['\"]([^'\"]+)", v)
            return conf
        data = {".toml": tomllib.loads, ".json": json.loads}.get(path.suffix, yaml.safe_load)(text)
        return {k.lower(): v for k, v in (data or {}).items()}
    return {}


def read_post(raw, pelican):
    """Split a file into (metadata with lower-cased keys, body bytes), or None without metadata."""
    if pelican:  # Python-Markdown meta: `Key: value` lines, then a blank line
        m = re.match(rb"(?:\xef\xbb\xbf)?((?:[A-Za-z][\w-]*:.*\n)+)\r?\n", raw)
        pairs = re.findall(r"^([A-Za-z][\w-]*):(.*)$", m.group(1).decode("utf-8"), re.M) if m else []
        return ({k.lower(): v.strip() for k, v in pairs}, raw[m.end():]) if m else None
    m = FRONT.match(raw)
    if not m:
        return None
    text = m.group(2).decode("utf-8")
    meta = (tomllib.loads(text) if m.group(1) == b"+++" else yaml.safe_load(text)) or {}
    return ({str(k).lower(): v for k, v in meta.items()}, raw[m.end():]) if isinstance(meta, dict) else None


def parse_date(value, tz):
    """A date, or an aware datetime (naive ones get the site's zone), from TOML, YAML or text."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, dt.datetime):
        text = str(value).strip()
        for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                value = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                pass
        else:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # ValueError: bad date
        if len(text) <= 10:
            return value.date()
    return value if value.tzinfo else value.replace(tzinfo=tz)


def as_list(value, split=None):
    """A front matter value as a list of non-empty strings (`split` splits a single string)."""
    if isinstance(value, str):
        value = value.split(split) if split else [value]
    return [str(v).strip() for v in value or [] if v is not None and str(v).strip()]


def old_url(kind, meta, post, date, slug):
    """The URL path the source generator served the post at, or None when it cannot be told."""
    conf, parent, name = post["conf"], post["parent"], post["name"]
    if kind == "jekyll" and isinstance(date, dt.datetime):
        date = date.astimezone(post["tz"])  # Jekyll files a post under its day in the site's zone
    fields = {"year": f"{date:%Y}", "month": f"{date:%m}", "day": f"{date:%d}", "slug": slug, "title": slug,
              "filename": name, "section": parent.split("/")[0], "output_ext": ".html", "y_day": f"{date:%j}"}
    expand = lambda pattern: re.sub(r":(\w+)", lambda m: fields.get(m.group(1), m.group(0)), pattern)
    if kind == "zola":
        path = meta.get("path") or "/".join(slugify(p) for p in [*parent.split("/"), slug] if p)
        return "/" + str(path).strip("/") + "/"
    if kind == "hugo":
        pattern = (conf.get("permalinks") or {}).get(parent.split("/")[0])
        path = meta.get("url") or (expand(pattern) if pattern else f"{parent}/{meta.get('slug') or name}/")
        lang = "" if post["lang"] == post["default_lang"] else post["lang"]
        return re.sub("/+", "/", f"/{lang}/{path}".lower().replace(" ", "-"))
    if kind == "jekyll":
        cats = post["path_cats"] + as_list(meta.get("categories") or meta.get("category"), " ")
        fields["categories"] = "/".join(c.lower() for c in cats)
        pattern = meta.get("permalink") or JEKYLL_STYLES.get(conf.get("permalink", "date"), conf.get("permalink"))
        return re.sub("/+", "/", "/" + expand(pattern))
    default = "pages/{slug}.html" if post["page"] else "{slug}.html"
    pattern = conf.get("page_url" if post["page"] else "article_url") or default
    try:  # Pelican: a Python format string such as blog/{date:%Y}/{slug}/
        return "/" + (meta.get("url") or meta.get("save_as") or pattern.format(
            slug=slug, date=date, lang=meta.get("lang", conf.get("default_lang", "en")),
            category=slugify(meta.get("category", "misc")), author=slugify(meta.get("author", "")))).lstrip("/")
    except (KeyError, IndexError, ValueError):
        return None


def front_matter(kind, meta, post):
    """Annals front matter for one post (sets post["aliases"]), or the reason to skip it."""
    used = {"slug", "path", "url", "permalink", "save_as", "taxonomies", "extra"}
    def take(*keys):
        used.update(keys)
        return next((meta[k] for k in keys if meta.get(k) not in (None, "", [])), None)
    dated = re.match(r"(\d{4}-\d{1,2}-\d{1,2})[-_](.+)", post["name"]) if kind != "hugo" else None
    title = take("title") or (kind == "jekyll" and dated and dated.group(2).replace("-", " ").title())
    date = take("date", "publishdate", "pubdate") or (dated and dated.group(1))
    if not date and kind == "zola" and (m := re.search(r"(?:^|/)(\d{4})/(\d\d)/(\d\d)/", str(meta.get("path")))):
        date = "-".join(m.groups())
    if not title or not date:
        return "no title" if not title else "no date"
    try:
        date = parse_date(date, post["tz"])
    except ValueError:
        return "bad date"
    fm = {"title": str(title).strip(), "date": date.isoformat()}
    try:
        if updated := take("updated", "lastmod", "modified"):
            fm["updated"] = parse_date(updated, post["tz"]).isoformat()
    except ValueError:
        stats["bad updated dates dropped"] += 1
    if take("draft") in (True, "true") or str(take("status")).lower() == "draft" or take("published") is False:
        fm["draft"] = True
    if summary := take("summary", "description", "excerpt"):
        fm["summary"] = str(summary).strip()
    if authors := as_list(take("authors", "author"), "," if kind == "pelican" else None):
        fm["authors"] = authors
    taxonomies = meta["taxonomies"] if isinstance(meta.get("taxonomies"), dict) else {}
    dropped.update("taxonomies." + k for k in taxonomies if k not in ("tags", "categories"))
    split = {"pelican": ",", "jekyll": " "}.get(kind)
    terms = as_list(take("tags"), split) + as_list(take("categories", "category"), None if kind == "pelican" else split)
    terms += as_list(taxonomies.get("tags")) + as_list(taxonomies.get("categories"))
    if terms := list(dict.fromkeys(t for t in terms if any(c.isalnum() for c in t))):
        fm["topics"] = terms
    if isinstance(meta.get("extra"), dict) and meta["extra"]:
        fm["extra"] = meta["extra"]
    if meta.get("slug"):
        slug = str(meta["slug"])
    elif kind == "zola" and meta.get("path"):
        slug = str(meta["path"]).strip("/").split("/")[-1]
    else:
        slug = slugify(title) if kind == "pelican" else dated.group(2) if dated else post["name"]
    fm["slug"] = re.sub(r"[/\\?#%\s]+|\.\.+", "-", slug).strip("-") or "post"
    post["aliases"] = ["/" + a.lstrip("/") for a in as_list(take("aliases", "redirect_from"))]
    post["old"] = old_url(kind, meta, post, date, slug)
    dropped.update(k for k in meta if k not in used)
    return fm


def sources(kind, src, conf):
    """Yield a dict for every Markdown (or reStructuredText) file that may be a post."""
    top = src / "content" if kind != "jekyll" and (src / "content").is_dir() else src
    default_lang = conf.get("defaultcontentlanguage", "en")
    languages = conf.get("languages") or {}
    roots = [(src / c["contentDir"], lang) for lang, c in languages.items()
             if isinstance(c, dict) and c.get("contentDir")]
    seen = set()
    for root, lang in (roots if kind == "hugo" else []) + [(top, default_lang)]:
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("_site", "node_modules", "vendor"))
            for path in (Path(dirpath) / f for f in sorted(files) if f.lower().endswith(MARKDOWN + (".rst",))):
                if path in seen:
                    continue
                seen.add(path)
                rel = path.relative_to(root)
                bundle = rel.name == "index.md"
                name, file_lang = re.sub(r"\.[^.]+$", "", rel.parent.name if bundle else rel.name), lang
                if kind == "hugo" and (m := re.search(r"\.([\w-]+)$", name)) and m.group(1) in languages:
                    name, file_lang = name[: m.start()], m.group(1)  # about.en.md
                yield {"path": path, "rel": rel, "out": path.relative_to(top if top in path.parents else src),
                       "conf": conf, "lang": file_lang, "default_lang": default_lang, "name": name, "bundle": bundle,
                       "parent": (rel.parent.parent if bundle else rel.parent).as_posix().strip("."),
                       "page": rel.parts[0] == "pages", "in_bundle": any((root / p / "index.md").is_file()
                       for p in rel.parents if p != Path(".")) and not bundle,
                       "path_cats": list(rel.parts[: rel.parts.index("_posts")]) if "_posts" in rel.parts else None}


def safe_target(dst, rel):
    """DST/rel with its folder made, refusing any path that would leave DST."""
    target = (dst / rel).resolve()
    if dst.resolve() not in target.parents:
        raise SystemExit(f"refusing to write outside {dst}: {rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def copy_tree(folder, dst, rel_base, keep=lambda path: True):
    """Copy the regular files of folder (hidden ones and symbolic links skipped) to DST/rel_base."""
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for path in (Path(dirpath) / f for f in files if not f.startswith(".")):
            if path.is_symlink():
                skipped["symbolic link"] += 1
            elif keep(path):
                shutil.copyfile(path, safe_target(dst, Path(rel_base) / path.relative_to(folder)))
                stats["files copied"] += 1


def convert_posts(kind, src, dst, conf, tz):
    """Write every post of the source as an Annals article below DST/content/."""
    urls = set()
    for post in sources(kind, src, conf):
        post["tz"], rel = tz, post["rel"]
        if rel.suffix == ".rst":
            reason = "reStructuredText"
        elif rel.name == "_index.md" or rel == Path("index.md"):
            reason = "section index"
        elif kind == "jekyll" and post["path_cats"] is None:
            reason = "Jekyll page, not a post"
        elif post["in_bundle"]:
            reason = "Markdown file inside a bundle"
        else:
            try:
                parsed = read_post(post["path"].read_bytes(), kind == "pelican")
            except (ValueError, yaml.YAMLError):  # TOML, YAML and UTF-8 errors
                parsed = None
            reason = front_matter(kind, parsed[0], post) if parsed else "no readable front matter"
        if isinstance(reason, str):
            skipped[reason] += 1
            continue
        fm, body = reason, parsed[1]  # front_matter() returned the new front matter
        day = fm["date"][:10].replace("-", "/")  # Annals files an article under its own offset's day
        while (url := f"/{day}/{fm['slug']}/") in urls:  # same day, same slug: add -2, -3...
            fm["slug"] = re.sub(r"(?:-(\d+))?$", lambda m: f"-{int(m.group(1) or 1) + 1}", fm["slug"], count=1)
        aliases = [a for a in dict.fromkeys(post["aliases"] + ([post["old"]] if post["old"] else []))
                   if a.rstrip("/") != url.rstrip("/") and a not in urls]
        stats["unusable aliases dropped"] += sum(bool(re.search(r"[?#\\\s]|\.\.", a)) for a in aliases)
        if aliases := [a for a in aliases if not re.search(r"[?#\\\s]|\.\.", a)]:
            fm["aliases"] = aliases
        urls.update([url, *aliases])
        stats["posts"] += 1
        stats["drafts"] += bool(fm.get("draft"))
        stats["old URLs unknown"] += post["old"] is None
        out = Path("content") / post["out"].with_suffix(".md")
        if post["bundle"]:
            stats["bundles"] += 1
            copy_tree(post["path"].parent, dst, out.parent, keep=lambda p: p != post["path"])
        head = yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, width=1 << 30).encode()
        safe_target(dst, out).write_bytes(b"---\n" + head + b"---\n" + body)


def copy_static(kind, src, dst, conf):
    """Copy static files: static/ (Zola, Hugo), STATIC_PATHS (Pelican), files without front matter (Jekyll)."""
    if kind in ("zola", "hugo") and (src / "static").is_dir():
        copy_tree(src / "static", dst, "static")
    for folder in conf.get("static_paths", ["images"]) if kind == "pelican" else []:
        if (src / "content" / folder).is_dir():
            copy_tree(src / "content" / folder, dst, Path("static") / folder)
    if kind == "jekyll":
        excluded = set(conf.get("exclude") or []) | {"Gemfile", "Gemfile.lock", "node_modules", "vendor"}
        def keep(path):
            parts = path.relative_to(src).parts
            if any(p[0] in "._" or p in excluded for p in parts) or path.name.endswith(MARKDOWN):
                return False
            with open(path, "rb") as f:
                return f.read(3) != b"---"
        copy_tree(src, dst, "static", keep)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kind", choices=sorted(CONFIGS))
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--base-url")
    args = ap.parse_args()
    src, dst, kind = args.src.resolve(), args.dst, args.kind
    if dst.exists() and any(dst.iterdir()):
        sys.exit(f"{dst} is not empty")
    if src in [dst.resolve(), *dst.resolve().parents]:
        sys.exit(f"{dst} must not be inside {src}")
    dst.mkdir(parents=True, exist_ok=True)
    conf = load_config(kind, src)
    convert_posts(kind, src, dst, conf, ZoneInfo(conf.get("timezone") or "UTC"))
    copy_static(kind, src, dst, conf)
    jekyll_base = (conf.get("url") or "") + (conf.get("baseurl") or "") if kind == "jekyll" else None
    base = args.base_url or conf.get("base_url") or conf.get("siteurl") or jekyll_base or conf.get("baseurl")
    lang = str(conf.get("defaultcontentlanguage") or conf.get("default_language") or conf.get("default_lang") or "en")
    title = conf.get("title") or conf.get("sitename") or ((conf.get("languages") or {}).get(lang) or {}).get("title")
    safe_target(dst, "site.toml").write_text(
        f"# converted from {kind} by bench/convert.py\nbase_url = {json.dumps(base or 'https://example.org')}\n"
        f"title = {json.dumps(str(title or 'Converted site'), ensure_ascii=False)}\nlanguage = {json.dumps(lang)}\n",
        encoding="utf-8")
    counts = lambda c: ", ".join(f"{n} {k}" for k, n in c.most_common(8) if n) or "none"
    print(f"{kind} {src.name}: {counts(stats)}; skipped: {counts(skipped)}; "
          f"dropped {sum(dropped.values())} unknown keys: {counts(dropped)}")


if __name__ == "__main__":
    main()
