//! The bodies of other generators' posts: their shortcodes, Liquid tags and link forms turned
//! into Annals Markdown where there is an equivalent (fenced code, images, links, `@/` links to
//! other imported posts); the rest is kept as written and reported with its line.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Format, link_marker};

/// A converted body.
#[derive(Debug, Default)]
pub(crate) struct Converted {
    pub markdown: String,
    /// (line of the body counted from 0, message, the text concerned) for what could not be
    /// converted.
    pub problems: Vec<(usize, String, String)>,
}

static HUGO_ESCAPED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}").expect("valid"));
static HUGO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{([<%])-?\s*(/?)\s*([\w./-]+)(.*?)\s*-?[>%]\}\}").expect("valid")
});
static ARGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:(\w+)\s*=\s*)?(?:"([^"]*)"|'([^']*)'|`([^`]*)`|([^\s"'=]+))"#).expect("valid")
});
static LIQUID_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{%-?\s*(\w+)\s*(.*?)\s*-?%\}").expect("valid"));
static LIQUID_OUTPUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{-?\s*(.*?)\s*-?\}\}").expect("valid"));
static ZOLA_SHORTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{\s*(\w+)\s*\((.*?)\)\s*\}\}|\{%\s*(\w+)\s*\((.*?)\)\s*%\}|\{%\s*end\s*%\}")
        .expect("valid")
});
static AT_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"@/([^\s)\]"'>]+)"#).expect("valid"));
static PELICAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[{|](filename|static|attach|tag|category|author|index)[}|]([^\s)"'>\]]*)"#)
        .expect("valid")
});

/// Converts the body of a post at `rel` (below the content folder).
pub(crate) fn convert(format: Format, body: &str, rel: &str) -> Converted {
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for (n, line) in body.split('\n').enumerate() {
        let mut report = |message: String, text: &str| problems.push((n, message, text.to_owned()));
        let converted = match format {
            Format::Hugo => hugo_line(line, &mut report),
            Format::Jekyll => jekyll_line(line, &mut report),
            Format::Zola => zola_line(line, &mut report),
            Format::Pelican => pelican_line(line, rel, &mut report),
            Format::Wordpress => line.to_owned(),
        };
        lines.push(converted);
    }
    Converted {
        markdown: lines.join("\n"),
        problems,
    }
}

/// A shortcode's arguments: positional ones, then named ones.
fn args(text: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut positional = Vec::new();
    let mut named = Vec::new();
    for c in ARGS.captures_iter(text) {
        let value = (2..=5)
            .find_map(|i| c.get(i))
            .map_or(String::new(), |m| m.as_str().to_owned());
        match c.get(1) {
            Some(name) => named.push((name.as_str().to_lowercase(), value)),
            None => positional.push(value),
        }
    }
    (positional, named)
}

fn named<'a>(named: &'a [(String, String)], key: &str) -> Option<&'a str> {
    named
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A link target of Hugo's `ref`/`relref` or Jekyll's `link`: the path below the content
/// folder, as the import's link marker.
fn content_link(path: &str) -> String {
    link_marker(path.trim_start_matches('/'))
}

/// One line of a Hugo post.
fn hugo_line(line: &str, report: &mut dyn FnMut(String, &str)) -> String {
    // `{{</* x */>}}` shows a shortcode as text.
    let line = HUGO_ESCAPED.replace_all(line, "\u{E000}$1$2$3\u{E001}");
    let converted = HUGO.replace_all(&line, |c: &Captures| {
        let closing = !c[2].is_empty();
        let name = &c[3];
        let (positional, keyed) = args(&c[4]);
        let first = positional.first().map(String::as_str).unwrap_or("");
        match (name, closing) {
            ("highlight", false) => format!("```{first}"),
            ("highlight", true) => "```".to_owned(),
            ("ref" | "relref", false) => content_link(first),
            ("figure", false) => {
                let src = named(&keyed, "src").unwrap_or(first);
                let caption = named(&keyed, "caption").or(named(&keyed, "title"));
                let alt = named(&keyed, "alt").or(caption).unwrap_or("");
                match caption {
                    Some(caption) => format!("![{alt}]({src} \"{}\")", caption.replace('"', "'")),
                    None => format!("![{alt}]({src})"),
                }
            }
            ("youtube", false) => {
                let id = named(&keyed, "id").unwrap_or(first);
                format!("[YouTube video](https://www.youtube.com/watch?v={id})")
            }
            ("vimeo", false) => {
                let id = named(&keyed, "id").unwrap_or(first);
                format!("[Vimeo video](https://vimeo.com/{id})")
            }
            ("gist", false) if positional.len() >= 2 => {
                format!(
                    "[Gist](https://gist.github.com/{}/{})",
                    positional[0], positional[1]
                )
            }
            ("x" | "twitter" | "tweet", false) => {
                let user = named(&keyed, "user").unwrap_or(first);
                let id = named(&keyed, "id")
                    .or(positional.get(1).map(String::as_str))
                    .unwrap_or("");
                format!("[Post on X](https://x.com/{user}/status/{id})")
            }
            _ => {
                if !closing {
                    report(
                        format!("Hugo shortcode {name} has no Annals equivalent; kept as text"),
                        &c[0],
                    );
                }
                c[0].to_owned()
            }
        }
    });
    converted
        .replace('\u{E000}', "{{")
        .replace('\u{E001}', "}}")
}

/// One line of a Jekyll post.
fn jekyll_line(line: &str, report: &mut dyn FnMut(String, &str)) -> String {
    let line = LIQUID_TAG.replace_all(line, |c: &Captures| {
        let (positional, _) = args(&c[2]);
        let first = positional.first().map(String::as_str).unwrap_or("");
        match &c[1] {
            "highlight" => format!("```{first}"),
            "endhighlight" => "```".to_owned(),
            "raw" | "endraw" => String::new(),
            "post_url" => link_marker(first.rsplit('/').next().unwrap_or(first)),
            "link" => {
                if first.contains("_posts/") {
                    let name = first.rsplit('/').next().unwrap_or(first);
                    link_marker(name.rsplit_once('.').map_or(name, |(stem, _)| stem))
                } else {
                    format!("/{}", first.trim_start_matches('/'))
                }
            }
            other => {
                report(
                    format!("Liquid tag {other} has no Annals equivalent; kept as text"),
                    &c[0],
                );
                c[0].to_owned()
            }
        }
    });
    LIQUID_OUTPUT
        .replace_all(&line, |c: &Captures| {
            let expr = c[1].replace(' ', "");
            if matches!(
                expr.as_str(),
                "site.baseurl" | "site.url" | "site.github.url"
            ) {
                String::new()
            } else {
                report(
                    "Liquid output tags ({{ … }}) have no Annals equivalent; kept as text".into(),
                    &c[0],
                );
                c[0].to_owned()
            }
        })
        .into_owned()
}

/// One line of a Zola post.
fn zola_line(line: &str, report: &mut dyn FnMut(String, &str)) -> String {
    for c in ZOLA_SHORTCODE.captures_iter(line) {
        if let Some(name) = c.get(1).or(c.get(3)) {
            report(
                format!(
                    "Zola shortcode {}() has no Annals equivalent; kept as text",
                    name.as_str()
                ),
                &c[0],
            );
        }
    }
    AT_LINK
        .replace_all(line, |c: &Captures| link_marker(&c[1]))
        .into_owned()
}

/// One line of a Pelican post at `rel`.
fn pelican_line(line: &str, rel: &str, report: &mut dyn FnMut(String, &str)) -> String {
    PELICAN
        .replace_all(line, |c: &Captures| {
            let target = &c[2];
            let path = if target.starts_with('/') {
                target.trim_start_matches('/').to_owned()
            } else {
                let folder = rel.rsplit_once('/').map_or("", |(d, _)| d);
                normalize(&format!("{folder}/{target}"))
            };
            match &c[1] {
                "filename" => link_marker(&path),
                "static" | "attach" => format!("/{path}"),
                other => {
                    report(
                        format!("Pelican link {{{other}}} has no Annals equivalent; kept as text"),
                        &c[0],
                    );
                    c[0].to_owned()
                }
            }
        })
        .into_owned()
}

/// A relative path with `.` and `..` segments resolved.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: Format, body: &str) -> Converted {
        convert(format, body, "posts/here.md")
    }

    #[test]
    fn hugo_shortcodes() {
        let c = run(
            Format::Hugo,
            "{{< highlight go >}}\nx\n{{< /highlight >}}\n{{< figure src=\"a.png\" caption=\"A\" >}}\n[b]({{< ref \"posts/b.md\" >}})\n{{< chart 1 >}}\n{{</* figure */>}}",
        );
        assert_eq!(
            c.markdown,
            "```go\nx\n```\n![A](a.png \"A\")\n[b](@@import:posts/b.md@@)\n{{< chart 1 >}}\n{{< figure >}}"
        );
        assert_eq!(c.problems.len(), 1);
        assert_eq!(c.problems[0].0, 5);
    }

    #[test]
    fn liquid_tags() {
        let c = run(
            Format::Jekyll,
            "[a]({% post_url 2010-07-21-name %}) ![x]({{ site.baseurl }}/i.png)\n{% highlight ruby linenos %}\n{% endhighlight %}\n{% include x.html %}",
        );
        assert_eq!(
            c.markdown,
            "[a](@@import:2010-07-21-name@@) ![x](/i.png)\n```ruby\n```\n{% include x.html %}"
        );
        assert_eq!(c.problems.len(), 1);
    }

    #[test]
    fn zola_and_pelican_links() {
        let c = run(Format::Zola, "[a](@/blog/a.md#h) {{ youtube(id=\"x\") }}");
        assert_eq!(
            c.markdown,
            "[a](@@import:blog/a.md#h@@) {{ youtube(id=\"x\") }}"
        );
        assert_eq!(c.problems.len(), 1);
        let c = run(
            Format::Pelican,
            "[a]({filename}../b.md) ![i]({static}/images/i.png) [t]({tag}x)",
        );
        assert_eq!(
            c.markdown,
            "[a](@@import:b.md@@) ![i](/images/i.png) [t]({tag}x)"
        );
        assert_eq!(c.problems.len(), 1);
    }
}
