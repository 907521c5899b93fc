//! Persistence: SeaORM entities, migrations and every query the application runs. Handlers and
//! importers never build SQL; they call the functions of this crate.
//!
//! Error policy: every function returns `Result<_, DbError>`. `DbError::Database` wraps driver
//! errors and is a bug or an outage (callers log it and answer 500 / stop the command), as is
//! `Corrupt` (a stored or shipped value that does not parse). `NotFound`, `Gone`,
//! `Conflict` and `Invalid` are expected outcomes, typed ([`Conflict`], [`Invalid`]) and without any text for
//! users: the web layer words them in French. A unique-constraint violation, on SQLite or
//! PostgreSQL, becomes `Conflict(Conflict::Duplicate)` in one place ([`From<DbErr>`]), so two
//! racing writes give one row and a conflict, never a 500.

/// Reads a closed-list value (`code_enum!`) back from its column. An unknown code is
/// `Corrupt`, reported as an outage by whoever meets it, never silently turned into a default.
pub fn stored<T: std::str::FromStr>(what: &str, id: i64, code: &str) -> Result<T> {
    code.parse().map_err(|_| DbError::Corrupt(format!("{what} {id} : valeur enregistrée inconnue « {code} »")))
}

/// [`stored`] for a column that may be empty.
pub fn stored_opt<T: std::str::FromStr>(what: &str, id: i64, code: Option<&str>) -> Result<Option<T>> {
    code.map(|c| stored(what, id, c)).transpose()
}

pub mod accounts;
pub mod alerts;
pub mod applications;
pub mod backoffice;
pub mod bench;
pub mod entity;
pub mod favourites;
pub mod forum;
pub mod immersion;
pub mod institutions;
pub mod listing;
pub mod mail_requests;
pub mod mail_templates;
pub mod migration;
pub mod offers;
pub mod outbox;
pub mod personal_data;
pub mod products;
pub mod profiles;
pub mod reference;
pub mod runs;
pub mod seed;
pub mod stats;
pub mod stories;
pub mod users;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

pub use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error")]
    Database(#[source] DbErr),
    #[error("not found")]
    NotFound,
    /// It existed and was deleted (an offer: the public sees a 410).
    #[error("gone")]
    Gone,
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("refused: {0:?}")]
    Invalid(Invalid),
    #[error("unreadable data: {0}")]
    Corrupt(String),
}

/// A write refused because of what is already stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    EmailTaken {
        email: String,
    },
    InstitutionNameTaken {
        name: String,
    },
    SiretTaken {
        siret: String,
        owner: String,
    },
    EmailDomainTaken {
        domain: String,
        owner: String,
    },
    AlreadyApplied,
    /// The access request was approved or refused meanwhile.
    AlreadyDecided,
    /// The application moved meanwhile (another recruiter, another tab).
    StageChanged,
    RefusalReasonExists,
    DomainLabelTaken {
        label: String,
    },
    ProfessionLabelTaken {
        label: String,
    },
    /// A unique constraint caught what no check did first: a concurrent identical write.
    Duplicate,
    /// Already registered to this session (or waiting, or to confirm).
    AlreadyRegistered {
        status: domain::forum::RegistrationStatus,
    },
    /// The employer already has a booth at this edition.
    BoothExists,
    /// Somebody else booked this slot first.
    SlotTaken,
    /// The candidate already has a slot at this booth.
    AlreadyBookedAtBooth,
    /// The slot overlaps another of the candidate's bookings (the one starting then).
    OverlappingBooking {
        starts_at: chrono::DateTime<chrono::Utc>,
    },
    /// The student is already in a live duo of this campaign.
    AlreadyInDuo,
    /// Every seat of the host is given.
    NoSeatLeft,
    /// The duo was answered, expired or changed meanwhile.
    DuoChanged,
}

/// What a publishable offer still lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Mission,
    Region,
    Deadline,
}

/// A write refused by a rule on the values given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    NotPublishable(Vec<Missing>),
    DeadlinePassed,
    UnknownDomain,
    /// The application is no longer in progress.
    NotInProgress,
    Transition {
        from: domain::candidate::Stage,
        to: domain::candidate::Stage,
    },
    UnknownRefusalReason,
    RefusalReasonRequired,
    /// What a story lacks to be published (French wording from `domain::story`).
    StoryNotPublishable(Vec<&'static str>),
    /// A technology merged into itself (or into one already merged into it).
    MergeIntoItself,
    /// The technology was merged meanwhile: it is no longer edited on its own.
    AlreadyMerged,
    /// The new name is another technology's: merge them instead.
    TechnologyNameTaken {
        name: String,
    },
    /// A session's capacity below the seats already given.
    CapacityBelowTaken {
        taken: i32,
    },
    /// A job-dating slot about another employer's offer.
    OfferOfAnotherEmployer,
    /// Outside the edition's registration window (or the session is over or cancelled).
    RegistrationClosed,
    /// Outside the slot's booking window.
    BookingClosed,
    /// Feedback is for registered participants, once the session is over.
    FeedbackNotOpen,
    /// A cancelled session stays cancelled.
    SessionCancelled,
    /// A session with people registered or waiting is cancelled, not put back in draft.
    SessionHasRegistrations,
    /// Job dating needs a confirmed address (the recruiter writes to it).
    AccountNotVerified,
    /// A slot series starting in the past.
    SlotInThePast,
    /// Outside the campaign's window for offers and applications (or after matching).
    CampaignClosed,
    /// The matching was confirmed: the proposal is no longer recomputed or edited.
    MatchingConfirmed,
    /// The proposal is prepared between the close of entries and the campaign's days.
    MatchingNotNow,
    /// A pair that breaks a hard constraint (no common day, no possible place).
    PairNotPossible,
    /// An offer or application paused or withdrawn is not matched.
    NotAvailable,
    /// Fewer seats than students already paired with the host.
    SeatsBelowDuos {
        duos: i32,
    },
    /// The time to answer the proposal is over.
    AnswerClosed,
    /// The agreement and the day's organisation come once both sides accepted.
    DuoNotAccepted,
    /// Feedback on the day is given once it is over.
    DayNotOver,
}

impl From<DbErr> for DbError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(what)) => {
                tracing::debug!(constraint = %what, "unique constraint violated");
                DbError::Conflict(Conflict::Duplicate)
            }
            _ => DbError::Database(e),
        }
    }
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

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a deferred transaction that read first could not take it later while another writer
    /// holds it and would fail at once ("database is locked") instead of waiting its turn.
    /// PostgreSQL ignores the mode.
    pub async fn begin(&self) -> Result<DatabaseTransaction> {
        let options = sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok(self.conn.begin_with_options(options).await?)
    }

    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}
