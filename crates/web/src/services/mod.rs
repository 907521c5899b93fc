//! The service layer: every write a request starts goes through a function here, grouped by
//! domain (applications, access, accounts, offers, institutions, taxonomy…), never by audience.
//!
//! A service opens one [`Tx`], the unit of work: the transaction, the actor, the instant, and
//! what must follow the commit. Audit entries and e-mails are written in the transaction (so
//! a rollback forgets them too); caches are dropped and the taxonomy reloaded only after the
//! commit, so nobody sees a change that did not happen. `Db::begin` is refused by clippy
//! anywhere but here and in the periodic jobs.
//!
//! Error policy: services return [`AppResult`]; a refusal the caller shows next to a field
//! stays a typed `db::DbError` (see [`crate::error`]).

pub mod access;
pub mod accounts;
pub mod alerts;
pub mod applications;
pub mod files;
pub mod forum;
pub mod immersion;
pub mod institutions;
pub mod mail_templates;
pub mod newsletter;
pub mod offers;
pub mod pool;
pub mod products;
pub mod profiles;
pub mod stories;
pub mod taxonomy;

use crate::AppState;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use db::entity::user;
use domain::audit::AuditAction;
use domain::candidate::MailMessage;

/// What a committed change makes stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Cached anonymous pages (an offer, an employer page, a listing changed).
    Pages,
    /// The professions and domains (and, through them, every cached page).
    Taxonomy,
    /// The products' search snapshot (and the cached pages that show products).
    Products,
}

/// One unit of work: see the module's documentation.
pub struct Tx<'a> {
    state: &'a AppState,
    txn: db::DatabaseTransaction,
    now: DateTime<Utc>,
    actor: Option<&'a user::Model>,
    stale: Vec<Stale>,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx").field("now", &self.now).field("actor", &self.actor.map(|a| a.id)).finish_non_exhaustive()
    }
}

impl<'a> Tx<'a> {
    /// A unit of work on behalf of nobody in particular (a public form, a sign-up).
    #[expect(clippy::disallowed_methods, reason = "the service layer is where transactions start")]
    pub async fn begin(state: &'a AppState) -> AppResult<Self> {
        let txn = state.db.begin().await?;
        Ok(Self { state, txn, now: state.now(), actor: None, stale: Vec::new() })
    }

    /// A unit of work done by `actor`, whose changes are audited under their name.
    pub async fn by(state: &'a AppState, actor: &'a user::Model) -> AppResult<Self> {
        let mut tx = Self::begin(state).await?;
        tx.actor = Some(actor);
        Ok(tx)
    }

    /// The connection to read and write through.
    pub fn conn(&self) -> &db::DatabaseTransaction {
        &self.txn
    }

    /// The instant of the whole change (one value, read once from the injected clock).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn state(&self) -> &'a AppState {
        self.state
    }

    /// Records the change in the audit log under the actor's name (a change nobody signed
    /// in made is not audited: a public form).
    pub async fn audit(
        &self,
        action: AuditAction,
        target: impl Into<String>,
        before: Option<String>,
        after: Option<String>,
    ) -> AppResult<()> {
        if let Some(actor) = self.actor {
            let entry = db::backoffice::Audit { actor, action, target: target.into(), before, after };
            db::backoffice::audit(&self.txn, entry, self.now).await?;
        }
        Ok(())
    }

    /// Queues an e-mail: it leaves (through the outbox) only if the change is committed.
    pub async fn mail(&self, msg: MailMessage) -> AppResult<()> {
        db::outbox::enqueue(&self.txn, &msg, self.now).await?;
        Ok(())
    }

    /// Marks what the change makes stale, dropped once it is committed.
    pub fn invalidate(&mut self, what: Stale) {
        if !self.stale.contains(&what) {
            self.stale.push(what);
        }
    }

    /// Commits, then drops what the change made stale.
    pub async fn commit(self) -> AppResult<()> {
        self.txn.commit().await.map_err(db::DbError::from)?;
        if self.stale.contains(&Stale::Taxonomy) {
            self.state.taxonomy.reload(&self.state.db).await?;
        }
        if self.stale.contains(&Stale::Products) {
            self.state.products.invalidate().await;
        }
        if !self.stale.is_empty() {
            self.state.pages.clear();
        }
        Ok(())
    }
}
