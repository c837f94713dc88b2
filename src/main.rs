use std::process::ExitCode;

use blog_backend::Application;
use blog_backend::config::Config;
use clap::{Parser, Subcommand};

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
