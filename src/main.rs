//! The `annals` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use annals::site::{self, BuildError, BuildOptions};
use clap::{Args, Parser, Subcommand};

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
    },
    /// Read and check every file and render every page, without writing anything.
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
}

#[derive(Args)]
struct SiteArgs {
    /// The site folder, holding site.toml and content/
    #[arg(long, short, default_value = ".")]
    root: PathBuf,
    /// Include articles marked `draft = true`
    #[arg(long)]
    drafts: bool,
}

impl SiteArgs {
    fn options(&self) -> BuildOptions {
        BuildOptions {
            drafts: self.drafts,
            ..BuildOptions::new(&self.root)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let started = Instant::now();
    let result = match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            quiet,
        } => {
            let options = BuildOptions {
                output,
                base_url,
                ..site.options()
            };
            site::build(&options).map(|report| {
                if !quiet {
                    println!(
                        "Built {} articles into {} pages, {} static and {} search files in {} ({:.2} s)",
                        report.articles,
                        report.pages,
                        report.static_files,
                        report.search_files,
                        report.output.display(),
                        started.elapsed().as_secs_f64()
                    );
                }
            })
        }
        Command::Check { site } => site::check(&site.options()).map(|(articles, pages)| {
            println!(
                "Checked {articles} articles and {pages} pages: no errors ({:.2} s)",
                started.elapsed().as_secs_f64()
            );
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let BuildError::Input(diagnostics) = &error {
                for diagnostic in diagnostics {
                    eprintln!("error: {diagnostic}");
                }
            }
            eprintln!("annals: {error}");
            ExitCode::FAILURE
        }
    }
}
