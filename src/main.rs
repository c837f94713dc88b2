use std::io::IsTerminal;
use std::process::ExitCode;

use blog_backend::Application;
use blog_backend::config::Config;
use blog_backend::db::DbConn;
use blog_backend::operator;
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
    /// Manage staff users: the first administrator needs no ADMIN_TOKEN.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create a user. The password is read from standard input (its first
    /// line) when that is not a terminal; otherwise one is generated and
    /// printed, this once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// contributor, author, editor or administrator.
        #[arg(long)]
        role: String,
    },
    /// Set a user's password, read from standard input as for `create`; the
    /// user's sessions end. The owner has no email until given one: name
    /// it by its slug, `owner`.
    SetPassword {
        /// The user's email (or slug).
        email: String,
    },
    /// List every user: slug, role, email, name.
    List,
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
        Command::Users { command } => users_command(&config, command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

fn users_command(config: &Config, command: UsersCommand) -> Result<(), String> {
    match command {
        UsersCommand::Create { email, name, role } => {
            let (password, generated) = password_from_stdin()?;
            let user = operator::create_user(config, &email, &name, &role, &password)?;
            println!("created {} ({}, {})", user.slug, user.role, email);
            if generated {
                println!("password (shown this once): {password}");
            }
            Ok(())
        }
        UsersCommand::SetPassword { email } => {
            let (password, generated) = password_from_stdin()?;
            let user = operator::set_password(config, &email, &password)?;
            println!("password set for {}; their sessions have ended", user.slug);
            if generated {
                println!("password (shown this once): {password}");
            }
            Ok(())
        }
        UsersCommand::List => {
            for user in operator::list_users(config)? {
                let email = user.email.as_deref().unwrap_or("-");
                println!("{}\t{}\t{}\t{}", user.slug, user.role, email, user.name);
            }
            Ok(())
        }
    }
}

/// The first line of standard input when it is not a terminal (the line
/// break removed, nothing else), or a generated password: and whether it
/// was generated.
fn password_from_stdin() -> Result<(String, bool), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((operator::generated_password(), true));
    }
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .map_err(|error| format!("could not read the password: {error}"))?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    match password.is_empty() {
        true => Ok((operator::generated_password(), true)),
        false => Ok((password.to_owned(), false)),
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
