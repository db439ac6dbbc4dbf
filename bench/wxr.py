#!/usr/bin/env python3
"""Write a WordPress export (WXR 1.2) of a generated Annals corpus, to time `annals import`.

    python3 bench/wxr.py CORPUS_DIR OUT.xml

CORPUS_DIR is a corpus of ../shared/bench/gen_corpus.py (`--dialect ours`, TOML front matter).
Bodies are written as the classic editor stores them: paragraphs separated by blank lines with no
<p>, headings, lists and quotes as HTML, emphasis as <strong>/<em>. Topics become categories,
countries tags, authors logins with display names; the summary is the excerpt and the link the
post's permalink under https://example.com/. Needs Python 3.11+ (tomllib).
"""
import datetime as dt
import re
import sys
import tomllib
from pathlib import Path
from xml.sax.saxutils import escape


def cdata(text):
    """A CDATA section; "]]>" is split as WordPress splits it."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def classic_html(markdown):
    """Markdown of the corpus as classic-editor HTML (no <p>: WordPress adds them on display)."""
    blocks = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = block.split("\n")
        if block.startswith("## "):
            blocks.append(f"<h2>{block[3:]}</h2>")
        elif all(line.startswith("- ") for line in lines):
            blocks.append("<ul>\n" + "\n".join(f"<li>{line[2:]}</li>" for line in lines) + "\n</ul>")
        elif all(line.startswith(">") for line in lines):
            inner = "\n".join(line.lstrip("> ") for line in lines)
            blocks.append(f"<blockquote>{inner}</blockquote>")
        else:
            blocks.append(block)
    html = "\n\n".join(blocks)
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", html)


def main():
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    authors, items = {}, []
    for path in sorted(corpus.glob("content/**/*.md")):
        text = path.read_text(encoding="utf-8")
        _, head, body = text.split("+++", 2)
        meta = tomllib.loads(head)
        date = meta["date"]
        if not isinstance(date, dt.datetime):
            date = dt.datetime.fromisoformat(str(date))
        if date.tzinfo is None:
            date = date.replace(tzinfo=dt.timezone.utc)
        slug = path.stem
        login = []
        for name in meta.get("authors", []):
            user = re.sub(r"\W+", "", name.lower())
            authors[user] = name
            login.append(user)
        terms = [f'<category domain="category" nicename="{escape(t.lower())}">{cdata(t)}</category>'
                 for t in meta.get("topics", [])]
        terms += [f'<category domain="post_tag" nicename="{escape(t.lower())}">{cdata(t)}</category>'
                  for t in meta.get("countries", [])]
        link = f"https://example.com/{date:%Y/%m/%d}/{slug}/"
        items.append(f"""	<item>
		<title>{escape(meta["title"])}</title>
		<link>{escape(link)}</link>
		<dc:creator>{cdata(login[0] if login else "admin")}</dc:creator>
		<content:encoded>{cdata(classic_html(body))}</content:encoded>
		<excerpt:encoded>{cdata(meta.get("summary", ""))}</excerpt:encoded>
		<wp:post_id>{len(items) + 1}</wp:post_id>
		<wp:post_date>{cdata(f"{date:%Y-%m-%d %H:%M:%S}")}</wp:post_date>
		<wp:post_date_gmt>{cdata(f"{date.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S}")}</wp:post_date_gmt>
		<wp:post_name>{cdata(slug)}</wp:post_name>
		<wp:status>{cdata("publish")}</wp:status>
		<wp:post_type>{cdata("post")}</wp:post_type>
		<wp:post_password>{cdata("")}</wp:post_password>
		{"".join(terms)}
	</item>
""")
    people = "".join(
        f"\t<wp:author><wp:author_login>{cdata(user)}</wp:author_login>"
        f"<wp:author_display_name>{cdata(name)}</wp:author_display_name></wp:author>\n"
        for user, name in sorted(authors.items()))
    out.write_text(f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Generated archive</title>
	<link>https://example.com</link>
	<description>A generated archive of {len(items)} posts</description>
	<wp:wxr_version>1.2</wp:wxr_version>
{people}{"".join(items)}</channel>
</rss>
""", encoding="utf-8")
    print(f"{out}: {len(items)} posts, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
