//! `metiers`: the one binary of Métiers du numérique.
//!
//! Error policy: commands return `anyhow::Result`; an error is printed in French on stderr and
//! the process exits with status 1. Every option also reads an environment variable, and every
//! default works on a fresh machine.

mod bench;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// mimalloc rather than glibc's malloc: each Argon2 hash takes 19 MiB, and glibc kept what
/// its threads had freed (its mmap threshold rises after the first free), so 20 sign-ins took
/// the server from 75 to 380 MiB for good; mimalloc gives large blocks back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "metiers", version, about = "Métiers du numérique : la plateforme des emplois numériques de l’État")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
struct Common {
    /// Folder of the embedded database, uploaded files and outgoing mail.
    #[arg(long, env = "DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to SQLite under the data folder.
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Outgoing mail: `file` (one .eml per message under DATA_DIR/mail), or an `smtp://host:port`
    /// / `smtps://user:password@host` URL.
    #[arg(long, env = "MAIL_URL", default_value = "file", global = true)]
    mail_url: String,
    /// Sender of every e-mail.
    #[arg(
        long,
        env = "MAIL_FROM",
        default_value = "Métiers du numérique <ne-pas-repondre@metiers-numerique.gouv.fr>",
        global = true
    )]
    mail_from: String,
    /// Seconds between two runs of the worker (outbox, alerts, purges).
    #[arg(long, env = "WORKER_TICK", default_value_t = 5, global = true)]
    worker_tick: u64,
    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true)]
    log_format: LogFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the site (the default command).
    Serve(ServeArgs),
    /// Run only the background worker (e-mail outbox, alert digests, purges).
    Worker(ServeArgs),
    /// Apply the database migrations and load the reference lists.
    Migrate,
    /// Import a file of job offers.
    Import(ImportArgs),
    /// Write the demo catalogue (employers, products, stories, the forum and offers).
    Seed,
    /// Rebuild the search index from the database.
    Reindex,
    /// Benchmark the search (generated offers; see BENCHMARKS.md).
    Bench {
        /// Catalogue sizes.
        #[arg(long, value_delimiter = ',', default_values_t = [1_000u64, 10_000, 100_000])]
        sizes: Vec<u64>,
        /// Runs of the query mix per size.
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// A PostgreSQL URL to compare with the previous platform's ILIKE search.
        #[arg(long, env = "BENCH_POSTGRES")]
        postgres: Option<String>,
        /// Benchmark the products' search (`/projets`) at this many generated products instead.
        #[arg(long)]
        products: Option<u64>,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Args, Debug, Default)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Public base URL of the site (`https://…` turns on HSTS).
    #[arg(long, env = "PUBLIC_URL")]
    public_url: Option<String>,
    /// Do not run the background worker in this process (run `metiers worker` elsewhere).
    #[arg(long, env = "NO_WORKER", default_value_t = false, num_args = 0..=1, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    no_worker: bool,
    /// Do not write the demo catalogue into an empty database.
    #[arg(long, env = "NO_DEMO", default_value_t = false, num_args = 0..=1, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    no_demo: bool,
    /// Behind a reverse proxy: take the client's address from the last `X-Forwarded-For`
    /// entry (for the sign-in limits per address).
    #[arg(long, env = "TRUST_PROXY", default_value_t = false, num_args = 0..=1, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    trust_proxy: bool,
    /// ProConnect issuer URL (agents' sign-in); needs the client id and secret too.
    #[arg(long, env = "PROCONNECT_ISSUER")]
    proconnect_issuer: Option<String>,
    /// ProConnect client id of the platform.
    #[arg(long, env = "PROCONNECT_CLIENT_ID")]
    proconnect_client_id: Option<String>,
    /// ProConnect client secret of the platform.
    #[arg(long, env = "PROCONNECT_CLIENT_SECRET", hide_env_values = true)]
    proconnect_client_secret: Option<String>,
}

/// ProConnect is on when its three settings are given, off when none is; anything in between
/// is a mistake worth stopping for.
fn proconnect(args: &ServeArgs, public_url: &str) -> Result<Option<Arc<proconnect::ProConnect>>> {
    let base = public_url.trim_end_matches('/');
    match (&args.proconnect_issuer, &args.proconnect_client_id, &args.proconnect_client_secret) {
        (None, None, None) => Ok(None),
        (Some(issuer), Some(id), Some(secret)) => {
            let settings = proconnect::Settings {
                issuer: issuer.clone(),
                client_id: id.clone(),
                client_secret: secret.clone(),
                redirect_url: format!("{base}/connexion/proconnect/retour"),
                post_logout_url: format!("{base}/"),
            };
            Ok(Some(Arc::new(proconnect::ProConnect::new(settings).context("configuration de ProConnect")?)))
        }
        _ => anyhow::bail!(
            "ProConnect : PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID et PROCONNECT_CLIENT_SECRET vont ensemble"
        ),
    }
}

#[derive(Args, Debug)]
struct ImportArgs {
    /// csp-csv (Choisir le service public open data), pep-json or pep-csv (PEP exports), or
    /// betagouv (the State's product catalogue: a folder holding startups/); detected when omitted.
    #[arg(long, env = "IMPORT_FORMAT")]
    format: Option<String>,
    /// Archive the offers of the same source that are not in the file.
    #[arg(long)]
    full: bool,
    /// Keep only the offers of digital professions.
    #[arg(long)]
    numerique_only: bool,
    /// The file to import (or the catalogue's folder).
    file: PathBuf,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account.
    Add {
        /// candidate, recruiter or administrator.
        #[arg(long, default_value = "candidate")]
        role: String,
        /// Slug of the institution of a recruiter.
        #[arg(long)]
        institution: Option<String>,
        /// Public base URL of the site, for the printed sign-in link; by default the one the
        /// server takes (`http://` + `BIND`).
        #[arg(long, env = "PUBLIC_URL")]
        public_url: Option<String>,
        /// The server's listening address, when `PUBLIC_URL` is not set.
        #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        email: String,
    },
    /// Change the role of an account.
    SetRole { email: String, role: String },
    /// List the accounts.
    List,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.common.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Erreur : démarrage impossible : {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Erreur : {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(cli: Cli) -> Result<()> {
    let common = cli.common;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::parse_default())) {
        Command::Serve(args) => serve(&common, args).await,
        Command::Worker(args) => worker(&common, args).await,
        Command::Migrate => {
            let db = open(&common).await?;
            println!("Base de données à jour.");
            db.close().await?;
            Ok(())
        }
        Command::Import(args) => import(&common, args).await,
        Command::Seed => {
            let db = open(&common).await?;
            let r = db::seed::seed_demo(&db, system_clock().now()).await?;
            files(&common)?.put_demo_files().await?;
            println!(
                "Catalogue de démonstration : {} employeurs, {} produits, {} témoignages, {} sessions du forum, {} offres créées, {} mises à jour, {} inchangées.",
                r.institutions, r.products, r.stories, r.sessions, r.created, r.updated, r.unchanged
            );
            db.close().await?;
            Ok(())
        }
        Command::User(cmd) => user(&common, cmd).await,
        Command::Reindex => reindex(&common).await,
        Command::Bench { products: Some(n), iterations, .. } => bench::products(n, iterations),
        Command::Bench { sizes, iterations, postgres, .. } => bench::run(&sizes, iterations, postgres.as_deref()).await,
    }
}

impl ServeArgs {
    /// `metiers` alone serves, with the same environment variables as `metiers serve`.
    fn parse_default() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::try_parse_from(["metiers"]).map(|o| o.serve).unwrap_or_default()
    }
}

fn database_url(common: &Common) -> String {
    common
        .database_url
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| format!("sqlite://{}", common.data_dir.join("metiers.db").display()))
}

/// Connects and migrates.
async fn open(common: &Common) -> Result<db::Db> {
    std::fs::create_dir_all(&common.data_dir)
        .with_context(|| format!("création du dossier de données {}", common.data_dir.display()))?;
    let url = database_url(common);
    let db = db::Db::connect(&url).await.context("connexion à la base de données")?;
    db.migrate().await.context("migration de la base de données")?;
    Ok(db)
}

fn files(common: &Common) -> Result<web::storage::FileStore> {
    web::storage::FileStore::local(&common.data_dir.join("files")).context("dossier des fichiers")
}

async fn serve(common: &Common, args: ServeArgs) -> Result<()> {
    let db = open(common).await?;
    if !args.no_demo && db::offers::count_all(db.conn()).await? == 0 {
        let r = db::seed::seed_demo(&db, system_clock().now()).await?;
        tracing::info!(offers = r.created, employers = r.institutions, "empty database: demo catalogue written");
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("écoute sur {} impossible", args.bind))?;
    let local = listener.local_addr()?;
    let public_url = args.public_url.clone().unwrap_or_else(|| default_public_url(&local.to_string()));
    let mut config = web::WebConfig::new(public_url.clone());
    config.proconnect = proconnect(&args, &public_url)?;
    config.trust_proxy = args.trust_proxy;
    let state = web::AppState::build(web::Parts {
        db: db.clone(),
        clock: system_clock(),
        config,
        search: web::offer_search::SearchService::open(&index_dir(common))?,
        files: files(common)?,
        mailer: mail::Mailer::from_config(&common.mail_url, &common.mail_from, common.data_dir.join("mail"))?,
    })
    .await?;
    if !args.no_demo {
        // The demo stories' videos, wherever the demo was seeded from.
        state.files.put_demo_files().await?;
    }
    tracing::info!(indexed = state.search.backend().len(), "search index up to date");
    state.follow_database(std::time::Duration::from_secs(2));
    if !args.no_worker {
        web::jobs::spawn(state.clone(), worker_config(common));
    }
    tracing::info!(address = %local, url = %public_url, "Métiers du numérique is listening");
    web::serve(listener, state).await.context("serveur HTTP")?;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

fn worker_config(common: &Common) -> web::jobs::WorkerConfig {
    web::jobs::WorkerConfig { tick: std::time::Duration::from_secs(common.worker_tick.max(1)), ..Default::default() }
}

/// `metiers worker`: the background jobs alone, until SIGTERM.
async fn worker(common: &Common, args: ServeArgs) -> Result<()> {
    let db = open(common).await?;
    let public_url = args.public_url.unwrap_or_else(|| default_public_url(&args.bind));
    let state = web::AppState::build(web::Parts {
        db: db.clone(),
        clock: system_clock(),
        config: web::WebConfig::new(public_url),
        search: web::offer_search::SearchService::open(&common.data_dir.join("index-worker"))?,
        files: files(common)?,
        mailer: mail::Mailer::from_config(&common.mail_url, &common.mail_from, common.data_dir.join("mail"))?,
    })
    .await?;
    state.follow_database(std::time::Duration::from_secs(2));
    let handle = web::jobs::spawn(state, worker_config(common));
    tokio::signal::ctrl_c().await.ok();
    handle.abort();
    Ok(())
}

/// The system's time, read here only: every rule below takes "now" from this clock, and
/// the tests give the same code a clock of their own.
fn system_clock() -> Arc<dyn domain::Clock> {
    Arc::new(domain::SystemClock)
}

fn index_dir(common: &Common) -> PathBuf {
    common.data_dir.join("index")
}

async fn reindex(common: &Common) -> Result<()> {
    let db = open(common).await?;
    let taxonomy = web::offer_search::Taxonomy::load(&db).await?;
    let search = web::offer_search::SearchService::open(&index_dir(common))?;
    let total = db::offers::count_all(db.conn()).await?;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(total)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let read = search.rebuild(&db, &taxonomy, system_clock().now(), |n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    println!("Index de recherche reconstruit : {read} offres lues, {} offres indexées.", search.backend().len());
    db.close().await?;
    Ok(())
}

async fn import(common: &Common, args: ImportArgs) -> Result<()> {
    let catalogue = args.format.as_deref() == Some("betagouv") || import::betagouv::is_catalogue(&args.file);
    if catalogue {
        if !import::betagouv::is_catalogue(&args.file) {
            bail!(
                "{} n’est pas un dossier du catalogue beta.gouv.fr (dossier startups/ manquant)",
                args.file.display()
            );
        }
        let db = open(common).await?;
        let report =
            import::betagouv::run_catalogue(&db, &args.file, std::io::stderr().is_terminal(), &*system_clock()).await?;
        println!("{}", report.summary());
        db.close().await?;
        return Ok(());
    }
    let format = match args.format.as_deref() {
        Some(code) => Some(import::Format::parse(code).map_err(anyhow::Error::msg)?),
        None => None,
    };
    if !args.file.is_file() {
        bail!("fichier introuvable : {}", args.file.display());
    }
    let db = open(common).await?;
    let opts = import::ImportOptions {
        format,
        full: args.full,
        numerique_only: args.numerique_only,
        progress: std::io::stderr().is_terminal(),
    };
    let report = import::run(&db, &args.file, &opts, &*system_clock()).await?;
    println!("{}", report.summary());
    db.close().await?;
    Ok(())
}

/// The site's address when `PUBLIC_URL` is not given: where the server listens. The same rule
/// for `serve`, `worker` and the links `user add` prints.
fn default_public_url(bind: &str) -> String {
    format!("http://{bind}")
}

async fn user(common: &Common, cmd: UserCommand) -> Result<()> {
    let db = open(common).await?;
    let now = system_clock().now();
    match cmd {
        UserCommand::Add { role, institution, public_url, bind, email } => {
            let public_url = public_url.unwrap_or_else(|| default_public_url(&bind));
            let role: domain::role::Role = role.parse().map_err(|e: domain::ParseError| anyhow::anyhow!("{e}"))?;
            let email = domain::email::Email::parse(&email)?;
            let institution_id = match institution {
                Some(slug) => Some(
                    db::institutions::by_slug(db.conn(), &slug)
                        .await
                        .with_context(|| format!("employeur « {slug} » introuvable"))?
                        .id,
                ),
                None => None,
            };
            let u = db::users::create(db.conn(), &email, role, institution_id, now).await.map_err(|e| {
                match web::error::refusal_text(&e) {
                    Some(text) => anyhow::anyhow!(text),
                    None => e.into(),
                }
            })?;
            // No default password: the account's owner signs in once with this link.
            let token = web::auth::random_token().map_err(|e| anyhow::anyhow!("{e}"))?;
            db::accounts::insert_token(
                db.conn(),
                u.id,
                db::accounts::TokenPurpose::SignIn,
                &token,
                chrono::Duration::hours(24),
                now,
            )
            .await?;
            println!("Compte créé : {} ({}).", u.email, role.label());
            println!(
                "Lien de connexion à usage unique, valable 24 heures : {}/connexion/lien/{token}",
                public_url.trim_end_matches('/')
            );
        }
        UserCommand::SetRole { email, role } => {
            let role: domain::role::Role = role.parse().map_err(|e: domain::ParseError| anyhow::anyhow!("{e}"))?;
            let email = domain::email::Email::parse(&email)?;
            let u = db::users::set_role(db.conn(), &email, role, now).await.map_err(|e| match e {
                db::DbError::NotFound => anyhow::anyhow!("aucun compte pour {email}"),
                other => other.into(),
            })?;
            println!("Rôle de {} : {}.", u.email, role.label());
        }
        UserCommand::List => {
            for u in db::users::list(db.conn()).await? {
                println!("{}\t{}\t{}", u.email, u.role, if u.active { "actif" } else { "désactivé" });
            }
        }
    }
    db.close().await?;
    Ok(())
}
