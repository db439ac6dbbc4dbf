//! The `annals` command line: a thin layer over the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use annals::deploy;
use annals::diagnostics::counted;
use annals::import;
use annals::progress::Progress;
use annals::scaffold;
use annals::serve::{self, ServeOptions};
use annals::site::{self, BuildError, BuildOptions};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// mimalloc: builds allocate many small strings from several threads, and measured 12% (full
/// builds) to 33% (incremental builds) faster with it than with the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e` of mimalloc 2 and 3, which
/// `libmimalloc-sys` does not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps memory a build frees before giving it back to the system, in ms
/// (its default: 1,000).
const PURGE_DELAY_MS: std::ffi::c_long = 3_000;

/// Keeps the memory a build frees for the build's next allocations a while longer: pages and
/// feeds are large buffers made and dropped by the thousand, and each page of memory given back
/// costs a fault and zeroing when it is taken again. Never giving it back measured 5–9% faster
/// at 10,000 and 100,000 articles (ten seconds: the same at 10,000) but held 0.9 GB more at a
/// million, where reading the articles frees much that later work does not reuse; three seconds
/// outlasts a 10,000-article build and peaked at 3.6 GiB at a million. `serve` keeps mimalloc's
/// default, as it lives long after its builds.
fn keep_freed_memory() {
    // SAFETY: `mi_option_set` stores an integer in mimalloc's option table and reads no
    // pointer; it is not thread safe, and is called before the build starts any thread.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

/// Annals builds a static news-archive website from Markdown articles.
#[derive(Parser)]
#[command(name = "annals", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Where to write the site [default: ROOT/public]
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Use this base URL instead of the one in site.toml
        #[arg(long)]
        base_url: Option<String>,
        /// Print only errors
        #[arg(long, short)]
        quiet: bool,
        /// Build everything afresh, without reading or leaving a build cache in .annals-cache/
        #[arg(long)]
        no_cache: bool,
        /// Write into an output folder that holds files Annals did not write: files of the site
        /// replace files at the same paths, nothing else is removed
        #[arg(long)]
        force: bool,
    },
    /// Read and check every file and render every page, without writing anything.
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Build the site into a temporary folder and serve it locally, rebuilding and reloading
    /// open pages on every change.
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// The port to listen on (0 picks a free one)
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// The address to listen on; the default is this machine only
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Start a new archive in DIR: site.toml, an example article, no templates needed.
    Init {
        /// The folder to create
        dir: PathBuf,
        /// The site's name (site.toml's `title`)
        #[arg(long)]
        title: Option<String>,
        /// Also copy the default templates and static files, to customise them
        #[arg(long)]
        theme: bool,
    },
    /// Write a new article dated now, at the `new_path` pattern of site.toml.
    New {
        /// The headline
        title: String,
        /// The site folder
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
        /// A term of a taxonomy, as TAXONOMY=TERM (repeatable): --term people="Kim Jong Un"
        #[arg(long, value_parser = parse_term)]
        term: Vec<(String, String)>,
        /// Topics, separated by commas (short for --term topics=...)
        #[arg(long, value_delimiter = ',')]
        topics: Vec<String>,
        /// Countries, separated by commas (short for --term countries=...)
        #[arg(long, value_delimiter = ',')]
        countries: Vec<String>,
    },
    /// Bring an archive over from WordPress or another generator: its posts become articles
    /// below content/, their old URLs aliases. Never replaces a file.
    Import {
        /// What the archive was made with
        #[arg(value_enum)]
        from: ImportFrom,
        /// The WordPress export file (Tools → Export), or the other generator's site folder
        source: PathBuf,
        /// The Annals site folder to import into
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
        /// Only print what would be imported
        #[arg(long)]
        dry_run: bool,
        /// Import drafts too (they keep `draft = true`)
        #[arg(long)]
        drafts: bool,
        /// WordPress: a copy of the old site's wp-content/uploads folder, to copy the images
        /// and files the posts use into their bundles
        #[arg(long)]
        uploads: Option<PathBuf>,
    },
    /// Publish the built site to an S3-compatible bucket (AWS S3, Cloudflare R2, Backblaze B2,
    /// MinIO, Garage): uploads only files whose bytes changed, deletes what the site no longer has.
    Deploy {
        /// The site folder, holding site.toml
        #[arg(long, short, default_value = ".")]
        root: PathBuf,
        /// The built site [default: ROOT/public]
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The [[deploy.targets]] entry to publish to (needed when site.toml has several)
        #[arg(long, short)]
        target: Option<String>,
        /// Only print what would be uploaded and deleted
        #[arg(long)]
        dry_run: bool,
        /// Delete more old objects than max_deletes allows
        #[arg(long)]
        force: bool,
        /// The most old objects to delete without --force [default: deploy.max_deletes, 256]
        #[arg(long)]
        max_deletes: Option<usize>,
        /// Upload every file, unchanged ones too (after changing the headers of matchers)
        #[arg(long)]
        upload_all: bool,
    },
}

/// The sources `annals import` reads.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ImportFrom {
    Wordpress,
    Hugo,
    Jekyll,
    Zola,
    Pelican,
}

impl From<ImportFrom> for import::Format {
    fn from(from: ImportFrom) -> import::Format {
        match from {
            ImportFrom::Wordpress => import::Format::Wordpress,
            ImportFrom::Hugo => import::Format::Hugo,
            ImportFrom::Jekyll => import::Format::Jekyll,
            ImportFrom::Zola => import::Format::Zola,
            ImportFrom::Pelican => import::Format::Pelican,
        }
    }
}

#[derive(Args)]
struct SiteArgs {
    /// The site folder, holding site.toml and content/
    #[arg(long, short, default_value = ".")]
    root: PathBuf,
    /// Include articles marked `draft = true`
    #[arg(long)]
    drafts: bool,
    /// Include articles dated in the future (otherwise they wait, scheduled)
    #[arg(long)]
    future: bool,
    /// Fail on warnings too
    #[arg(long)]
    strict: bool,
}

impl SiteArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            drafts: self.drafts,
            future: self.future,
            strict: self.strict,
            ..BuildOptions::new(&self.root)
        }
    }
}

fn print_warnings(warnings: &[annals::diagnostics::Diagnostic]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    annals::diagnostics::quiet_panics();
    annals::diagnostics::catch_panic(|| run(cli)).unwrap_or_else(|panic| {
        eprintln!("annals: {panic}");
        ExitCode::FAILURE
    })
}

/// Runs one command.
fn run(cli: Cli) -> ExitCode {
    let started = Instant::now();
    let result = match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            quiet,
            no_cache,
            force,
        } => {
            keep_freed_memory();
            let bar = (!quiet && std::io::stderr().is_terminal()).then(|| Arc::new(Bar::new()));
            let options = BuildOptions {
                output,
                base_url,
                progress: bar.clone().map(|b| b as Arc<dyn Progress>),
                cache: !no_cache,
                force,
                ..site.options()
            };
            let result = site::build(&options);
            if let Some(bar) = bar {
                bar.bar.finish_and_clear();
            }
            result.map(|report| {
                print_warnings(&report.warnings);
                for moved in &report.moved {
                    println!(
                        "moved: content/{}: {} → {} (the old URL redirects)",
                        moved.rel, moved.from, moved.to
                    );
                }
                if !quiet {
                    let changed = if report.rendered < report.pages {
                        format!(" ({} changed)", report.rendered)
                    } else {
                        String::new()
                    };
                    println!(
                        "Built {} into {}, {}{changed}, {} and {} in {} ({:.2} s)",
                        counted(report.articles, "article"),
                        counted(report.html_pages, "HTML page"),
                        match report.pages - report.html_pages {
                            1 => "1 feed or sitemap".to_owned(),
                            n => format!("{n} feeds, sitemaps and other files"),
                        },
                        counted(report.static_files, "static file"),
                        counted(report.search_files, "search file"),
                        report.output.display(),
                        started.elapsed().as_secs_f64()
                    );
                }
            })
        }
        Command::Check { site } => site::check(&site.options()).and_then(|report| {
            print_warnings(&report.warnings);
            if !report.errors.is_empty() {
                return Err(BuildError::Input(report.errors));
            }
            println!(
                "Checked {} and {}, every internal link: no errors, {} ({:.2} s)",
                counted(report.articles, "article"),
                counted(report.pages, "page"),
                counted(report.warnings.len(), "warning"),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }),
        Command::Serve { site, port, bind } => {
            let options = ServeOptions {
                root: site.root,
                bind,
                port,
                drafts: site.drafts,
                future: site.future,
            };
            return simple(serve::serve(options));
        }
        Command::Init { dir, title, theme } => {
            return simple(
                scaffold::init(&dir, title.as_deref(), theme, now()).map(|files| {
                    for file in files {
                        println!("created {}", file.display());
                    }
                    println!(
                        "Next: cd {} && annals serve (or annals build)",
                        dir.display()
                    );
                }),
            );
        }
        Command::New {
            title,
            root,
            mut term,
            topics,
            countries,
        } => {
            let shorthands = [("topics", topics), ("countries", countries)];
            for (taxonomy, names) in shorthands {
                term.extend(names.into_iter().map(|name| (taxonomy.to_owned(), name)));
            }
            return simple(
                scaffold::new_article(&root, &title, &term, now()).map(|new| {
                    println!("created {} (a draft)", new.path.display());
                    println!(
                        "once published (remove `draft = true`), its URL will be {}",
                        new.url
                    );
                }),
            );
        }
        Command::Import {
            from,
            source,
            root,
            dry_run,
            drafts,
            uploads,
        } => {
            let options = import::ImportOptions {
                root,
                format: from.into(),
                source,
                dry_run,
                drafts,
                uploads,
            };
            let result = with_progress(|progress| import::import(&options, progress));
            return simple(result.map(|report| {
                print!("{report}");
                println!("({:.2} s)", started.elapsed().as_secs_f64());
            }));
        }
        Command::Deploy {
            root,
            output,
            target,
            dry_run,
            force,
            max_deletes,
            upload_all,
        } => {
            let options = deploy::DeployOptions {
                root,
                output,
                target,
                dry_run,
                force,
                max_deletes,
                upload_all,
            };
            let environment = deploy::credentials::ProcessEnvironment;
            let result = with_progress(|progress| deploy::deploy(&options, &environment, progress));
            if let Err(deploy::DeployError::Config(diagnostics)) = &result {
                for diagnostic in diagnostics {
                    eprintln!("error: {diagnostic}");
                }
            }
            return simple(result.map(|report| {
                print!("{report}");
                println!("({:.2} s)", started.elapsed().as_secs_f64());
            }));
        }
    };
    report(result)
}

/// Runs `work` with a progress bar on a terminal (shown once it takes a second), or none.
fn with_progress<T>(work: impl FnOnce(&dyn Progress) -> T) -> T {
    let bar = std::io::stderr().is_terminal().then(Bar::new);
    let result = match &bar {
        Some(bar) => work(bar),
        None => work(&annals::progress::Silent),
    };
    if let Some(bar) = &bar {
        bar.bar.finish_and_clear();
    }
    result
}

/// A `--term` value: `TAXONOMY=TERM`.
fn parse_term(value: &str) -> Result<(String, String), String> {
    match value.split_once('=') {
        Some((taxonomy, term)) if !taxonomy.trim().is_empty() && !term.trim().is_empty() => {
            Ok((taxonomy.trim().to_owned(), term.trim().to_owned()))
        }
        _ => Err(format!(
            "{value:?} is not TAXONOMY=TERM, like people=\"Kim Jong Un\""
        )),
    }
}

/// Prints a command's errors, each with its file and line, and picks the exit code.
fn report(result: Result<(), BuildError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            match &error {
                BuildError::Input(diagnostics) => {
                    for diagnostic in diagnostics {
                        eprintln!("error: {diagnostic}");
                    }
                }
                BuildError::Strict(warnings) => print_warnings(warnings),
                _ => {}
            }
            eprintln!("annals: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The exit code of a command whose error is one message.
fn simple<E: std::fmt::Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("annals: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Now, in this machine's offset.
fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// A progress bar on the terminal that appears only once a build has taken a second.
#[derive(Debug)]
struct Bar {
    bar: ProgressBar,
    started: Instant,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{msg:32} [{bar:30}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        Bar {
            bar,
            started: Instant::now(),
        }
    }

    fn show_if_slow(&self) {
        if self.bar.is_hidden() && self.started.elapsed().as_secs_f64() > 1.0 {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, total: usize) {
        self.bar.set_message(name);
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
        self.show_if_slow();
    }

    fn advance(&self, steps: usize) {
        self.bar.inc(steps as u64);
        self.show_if_slow();
    }
}
