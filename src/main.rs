use std::process::ExitCode;

use blog_backend::Application;
use blog_backend::config::Config;
use blog_backend::db::DbConn;
use blog_backend::seed::SeedPlan;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

/// A blog backend: posts, get-or-create tags and exact tag counts, over
/// SQLite or PostgreSQL. Configured from the environment (see README.md).
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the HTTP API.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Fill an empty database with a realistic data set (for benchmarks and
    /// demos): Zipf-distributed tags, ~85% published, ~10% drafts, ~5%
    /// scheduled, a few trashed.
    Seed {
        /// Posts to write.
        #[arg(long, default_value_t = 10_000)]
        posts: u64,
        /// Distinct tags.
        #[arg(long, default_value_t = 500)]
        tags: u32,
        /// Tags on each post.
        #[arg(long, default_value_t = 5)]
        tags_per_post: u32,
        /// The same seed writes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            log::error!("bad configuration: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command {
        Command::Serve => actix_web::rt::System::new().block_on(serve(config)),
        Command::Migrate => blog_backend::db::migrate(&config.database_url)
            .map(|()| log::info!("migrations applied to {}", config.database_url))
            .map_err(|error| error.to_string()),
        Command::Seed {
            posts,
            tags,
            tags_per_post,
            seed,
        } => seed_database(
            &config,
            &SeedPlan {
                posts,
                tags,
                tags_per_post,
                seed,
            },
        ),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let app = Application::build(config)
        .await
        .map_err(|error| error.to_string())?;
    app.run_until_stopped()
        .await
        .map_err(|error| error.to_string())
}

fn seed_database(config: &Config, plan: &SeedPlan) -> Result<(), String> {
    blog_backend::db::migrate(&config.database_url).map_err(|error| error.to_string())?;
    let mut conn = DbConn::establish(&config.database_url).map_err(|error| error.to_string())?;
    let bar = ProgressBar::new(plan.posts).with_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} posts ({per_sec}, {eta} left)",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let report = blog_backend::seed::seed(&mut conn, plan, |written| bar.set_position(written))
        .map_err(|error| error.to_string())?;
    bar.finish();
    log::info!(
        "seeded {} in {:.1?}: {} posts ({} published, {} drafts, {} scheduled, {} trashed), \
         {} tags, {} post-tag links",
        config.database_url,
        started.elapsed(),
        report.posts,
        report.published,
        report.drafts,
        report.scheduled,
        report.trashed,
        report.tags,
        report.links,
    );
    Ok(())
}
