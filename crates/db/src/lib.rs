//! Persistence: SeaORM entities, migrations and every query the application runs. Handlers and
//! importers never build SQL; they call the functions of this crate.
//!
//! Error policy: every function returns `Result<_, DbError>`. `DbError::Database` wraps driver
//! errors and is a bug or an outage (callers log it and answer 500 / stop the command);
//! `NotFound`, `Conflict` and `Invalid` are expected outcomes that callers turn into messages.

pub mod accounts;
pub mod alerts;
pub mod applications;
pub mod backoffice;
pub mod bench;
pub mod entity;
pub mod favourites;
pub mod institutions;
pub mod listing;
pub mod mail_templates;
pub mod migration;
pub mod offers;
pub mod outbox;
pub mod personal_data;
pub mod profiles;
pub mod reference;
pub mod runs;
pub mod seed;
pub mod stats;
pub mod users;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("erreur de base de données : {0}")]
    Database(#[from] DbErr),
    #[error("introuvable")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = DbError> = std::result::Result<T, E>;

/// A connection pool to SQLite or PostgreSQL; cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
}

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10)).acquire_timeout(Duration::from_secs(30));
        if url.starts_with("sqlite:") {
            // WAL lets readers go on during an import; the busy timeout makes concurrent
            // writers wait instead of failing.
            opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
        } else {
            opts.max_connections(16);
        }
        let conn = sea_orm::Database::connect(opts).await?;
        Ok(Self { conn })
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Applies pending migrations, then loads the reference lists (geography, taxonomy).
    pub async fn migrate(&self) -> Result<()> {
        migration::Migrator::up(&self.conn, None).await?;
        reference::ensure_loaded(self).await
    }

    /// A round trip to the database, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        let backend = self.backend();
        self.conn.query_one_raw(Statement::from_string(backend, "SELECT 1")).await?;
        Ok(())
    }

    pub async fn begin(&self) -> Result<DatabaseTransaction> {
        Ok(self.conn.begin().await?)
    }

    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}
