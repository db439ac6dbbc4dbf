//! The `[deploy]` section of `site.toml`: where `annals deploy` publishes, and the headers each
//! file is stored with.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// How and where the site is deployed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// The buckets the site can be published to, each with a name for `--target`.
    #[serde(default)]
    pub targets: Vec<DeployTarget>,
    /// Headers by file path, the first matching entry winning; without any, [`default_matchers`].
    #[serde(default = "default_matchers")]
    pub matchers: Vec<Matcher>,
    /// The most objects one deploy deletes unless run with `--force`.
    #[serde(default = "default_max_deletes")]
    pub max_deletes: usize,
    /// How many requests run at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
}

impl Default for DeployConfig {
    fn default() -> DeployConfig {
        DeployConfig {
            targets: Vec::new(),
            matchers: default_matchers(),
            max_deletes: default_max_deletes(),
            concurrency: default_concurrency(),
        }
    }
}

/// One S3-compatible bucket to publish to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployTarget {
    /// The name `--target` picks it by.
    pub name: String,
    /// The service's URL, e.g. `https://ACCOUNT.r2.cloudflarestorage.com`; AWS S3's regional
    /// endpoint when left out.
    pub endpoint: Option<String>,
    /// The bucket's region (`auto` for Cloudflare R2).
    #[serde(default = "default_region")]
    pub region: String,
    /// The bucket's name.
    pub bucket: String,
    /// A folder inside the bucket to publish to; the site's files are below it and nothing
    /// outside it is touched.
    #[serde(default)]
    pub prefix: String,
    /// A profile of `~/.aws/credentials` to take the keys from, instead of the environment.
    pub profile: Option<String>,
    /// Addresses the bucket as `ENDPOINT/BUCKET/KEY` rather than `BUCKET.ENDPOINT/KEY`; the default
    /// is path style everywhere but on AWS.
    pub path_style: Option<bool>,
}

impl DeployTarget {
    /// The endpoint URL, AWS S3's for the region when none is given.
    pub fn endpoint(&self) -> String {
        match &self.endpoint {
            Some(endpoint) => endpoint.trim_end_matches('/').to_owned(),
            None => format!("https://s3.{}.amazonaws.com", self.region),
        }
    }

    /// Whether requests use path-style URLs: by default everywhere but on AWS, and there too for
    /// a bucket named with dots (`news.example.org`), which AWS's certificate does not cover as
    /// a host name.
    pub fn path_style(&self) -> bool {
        self.path_style.unwrap_or_else(|| {
            self.bucket.contains('.')
                || url::Url::parse(&self.endpoint())
                    .ok()
                    .and_then(|url| url.host_str().map(|h| !h.ends_with(".amazonaws.com")))
                    .unwrap_or(true)
        })
    }

    /// The prefix as keys start with it: empty, or `folder/`.
    pub fn key_prefix(&self) -> String {
        match self.prefix.trim_matches('/') {
            "" => String::new(),
            folder => format!("{folder}/"),
        }
    }
}

/// Headers for the files whose path (below the output folder, `/`-separated) matches a glob.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// A glob such as `**/*.html` or `search-index/**/*.bin` (`{a,b}` alternatives work).
    pub pattern: String,
    /// The `Cache-Control` header.
    pub cache_control: Option<String>,
    /// A `Content-Type` to use instead of the one the file's extension gives.
    pub content_type: Option<String>,
    /// Stores the file gzipped, with `Content-Encoding: gzip`.
    #[serde(default)]
    pub gzip: bool,
}

/// The headers of files no `[[deploy.matchers]]` entry was written for: the search index's
/// files named by their contents are cached for a year, and the manifest naming them is checked
/// on every use
/// (a deploy deletes the files it no longer names); images and fonts are cached for a day, and
/// everything else, whose address stays while its content changes, for five minutes.
pub fn default_matchers() -> Vec<Matcher> {
    let matcher = |pattern: &str, cache_control: &str| Matcher {
        pattern: pattern.to_owned(),
        cache_control: Some(cache_control.to_owned()),
        content_type: None,
        gzip: false,
    };
    vec![
        matcher(
            "search-index/*/*.bin",
            "public, max-age=31536000, immutable",
        ),
        matcher("search-index/index.json", "no-cache"),
        matcher(
            "**/*.{jpg,jpeg,png,gif,webp,avif,svg,ico,woff,woff2,pdf,mp3,mp4}",
            "public, max-age=86400",
        ),
        matcher("**", "public, max-age=300"),
    ]
}

fn default_max_deletes() -> usize {
    256
}

fn default_concurrency() -> usize {
    8
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

impl DeployConfig {
    /// What is wrong with the section, one sentence each.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, target) in self.targets.iter().enumerate() {
            let name = &target.name;
            if name.trim().is_empty() {
                problems.push(format!("[[deploy.targets]] number {} has no `name`", i + 1));
            }
            if self.targets[..i].iter().any(|t| &t.name == name) {
                problems.push(format!(
                    "[[deploy.targets]]: two targets are named {name:?}"
                ));
            }
            if target.bucket.trim().is_empty() {
                problems.push(format!("deploy target {name:?} has an empty `bucket`"));
            }
            match url::Url::parse(&target.endpoint()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
                _ => problems.push(format!(
                    "deploy target {name:?}: `endpoint` {:?} is not an http(s) URL",
                    target.endpoint()
                )),
            }
            if target.prefix.split('/').any(|s| s == "." || s == "..") {
                problems.push(format!(
                    "deploy target {name:?}: `prefix` may not contain `.` or `..` segments"
                ));
            }
        }
        for matcher in &self.matchers {
            for (key, value) in [
                ("cache_control", &matcher.cache_control),
                ("content_type", &matcher.content_type),
            ] {
                if value
                    .as_deref()
                    .is_some_and(|v| v.chars().any(|c| c.is_control()))
                {
                    problems.push(format!(
                        "[[deploy.matchers]] {:?}: `{key}` has a control character, which an HTTP header cannot hold",
                        matcher.pattern
                    ));
                }
            }
            if let Err(e) = glob(&matcher.pattern) {
                problems.push(format!(
                    "[[deploy.matchers]] pattern {:?} is not a glob: {}",
                    matcher.pattern,
                    e.kind()
                ));
            }
        }
        if self.concurrency == 0 || self.concurrency > 64 {
            problems.push("`deploy.concurrency` must be between 1 and 64".to_owned());
        }
        problems
    }

    /// The target named `name`, or the only one when no name is given.
    pub fn target(&self, name: Option<&str>) -> Result<&DeployTarget, String> {
        let names = || {
            self.targets
                .iter()
                .map(|t| format!("{:?}", t.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (name, self.targets.as_slice()) {
            (_, []) => Err("site.toml has no [[deploy.targets]]: add one with `name`, `bucket`, `region` and (beyond AWS) `endpoint`".to_owned()),
            (None, [only]) => Ok(only),
            (None, _) => Err(format!(
                "site.toml has several deploy targets ({}): pick one with --target NAME",
                names()
            )),
            (Some(name), targets) => targets.iter().find(|t| t.name == name).ok_or_else(|| {
                format!("no deploy target is named {name:?}; site.toml has {}", names())
            }),
        }
    }

    /// The matchers compiled, to look up a file's headers.
    pub fn headers(&self) -> Result<HeaderRules, globset::Error> {
        let mut set = GlobSetBuilder::new();
        for matcher in &self.matchers {
            set.add(glob(&matcher.pattern)?);
        }
        Ok(HeaderRules {
            set: set.build()?,
            matchers: self.matchers.clone(),
        })
    }
}

/// A matcher's pattern compiled: case does not matter (`photo.JPG` is an image too).
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).case_insensitive(true).build()
}

/// The `[[deploy.matchers]]` compiled: which one applies to a path.
#[derive(Debug)]
pub struct HeaderRules {
    set: GlobSet,
    matchers: Vec<Matcher>,
}

impl HeaderRules {
    /// The first matcher whose pattern matches `path`, if any.
    pub fn matching(&self, path: &str) -> Option<&Matcher> {
        let first = self.set.matches(path).into_iter().min()?;
        self.matchers.get(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_matchers_tell_hashed_search_files_from_pages() {
        let rules = DeployConfig::default().headers().expect("default globs");
        let cache = |path| rules.matching(path).and_then(|m| m.cache_control.clone());
        assert_eq!(
            cache("search-index/p/0a1b2c3d4e5f.bin").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(
            cache("search-index/search.js").as_deref(),
            Some("public, max-age=300")
        );
        assert_eq!(
            cache("search-index/index.json").as_deref(),
            Some("no-cache")
        );
        assert_eq!(
            cache("2024/06/19/a/photo.JPG").as_deref(),
            Some("public, max-age=86400")
        );
        assert_eq!(cache("index.html").as_deref(), Some("public, max-age=300"));
    }

    #[test]
    fn targets_default_to_aws_and_path_style_elsewhere() {
        let target = |endpoint: Option<&str>| DeployTarget {
            name: "t".into(),
            endpoint: endpoint.map(str::to_owned),
            region: "eu-west-1".into(),
            bucket: "b".into(),
            prefix: "/news/".into(),
            profile: None,
            path_style: None,
        };
        let aws = target(None);
        assert_eq!(aws.endpoint(), "https://s3.eu-west-1.amazonaws.com");
        assert!(!aws.path_style());
        assert_eq!(aws.key_prefix(), "news/");
        assert!(target(Some("http://127.0.0.1:9000/")).path_style());
        let dotted = DeployTarget {
            bucket: "news.example.org".into(),
            ..target(None)
        };
        assert!(dotted.path_style());
    }
}
