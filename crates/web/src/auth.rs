//! Who is asking: database-backed sessions (tower-sessions), the signed-in user, password
//! hashing, random tokens.
//!
//! The session cookie carries only a random id; the record lives in the `sessions` table so
//! any instance can serve any request. The user is loaded once per request by [`load_user`] and
//! reaches handlers through the [`MaybeUser`] / [`CandidateUser`] extractors, and the layout
//! through a task-local (so every page's header shows the account without each handler
//! passing it).

use crate::AppState;
use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use db::entity::user;
use domain::Clock;
use domain::role::Role;
use std::sync::Arc;
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

pub const SESSION_USER: &str = "user_id";
/// Sessions last two weeks without activity, then the user signs in again.
pub const SESSION_DAYS: i64 = 14;

/// Sessions in the database, their expiry judged by the application's clock.
///
/// tower-sessions stamps a record's `expiry_date` from the system time; the store ignores it
/// and writes "now + [`SESSION_DAYS`]" from the injected clock, so that sessions expire by the
/// same "now" as every other rule (the cookie itself carries a `Max-Age`, not a date).
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: db::Db,
    clock: Arc<dyn Clock>,
}

impl DbSessionStore {
    pub fn new(db: db::Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    fn record_parts(&self, record: &Record) -> session_store::Result<(String, Option<i64>, DateTime<Utc>)> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let user_id = record.data.get(SESSION_USER).and_then(serde_json::Value::as_i64);
        Ok((data, user_id, self.clock.now() + chrono::Duration::days(SESSION_DAYS)))
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, user_id, expires) = self.record_parts(record)?;
        // A fresh id is 128 random bits; redraw on the (theoretical) collision.
        while !db::accounts::session_create(self.db.conn(), &record.id.to_string(), user_id, &data, expires)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, user_id, expires) = self.record_parts(record)?;
        db::accounts::session_save(self.db.conn(), &record.id.to_string(), user_id, &data, expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let found =
            db::accounts::session_load(self.db.conn(), &id.to_string(), self.clock.now()).await.map_err(backend)?;
        let Some((data, expires_at)) = found else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = tower_sessions::cookie::time::OffsetDateTime::from_unix_timestamp(expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        db::accounts::session_delete(self.db.conn(), &id.to_string()).await.map_err(backend)
    }
}

/// What the layout shows of the signed-in account.
#[derive(Debug, Clone)]
pub struct AccountNav {
    pub email: String,
    pub role: Role,
    /// Staff who came in with a one-time link have none yet: their home invites them to
    /// choose one.
    pub has_password: bool,
}

impl AccountNav {
    /// The account's own home: candidate space, recruiter space or administration.
    pub fn home(&self) -> &'static str {
        home_of(self.role)
    }
}

tokio::task_local! {
    static ACCOUNT: Option<AccountNav>;
}

/// The signed-in account of the request being rendered, for the header.
pub fn current_account() -> Option<AccountNav> {
    ACCOUNT.try_with(Clone::clone).ok().flatten()
}

/// Loads the session's user (active accounts only) into the request.
pub async fn load_user(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    let user = match session.get::<i64>(SESSION_USER).await {
        Ok(Some(id)) => match db::accounts::by_id(state.db.conn(), id).await {
            Ok(Some(u)) if u.active => match u.role() {
                Ok(_) => Some(Arc::new(u)),
                // Signed in as nobody rather than as whatever a default would make of it.
                Err(e) => {
                    tracing::error!(error = %e, user = u.id, "account with an unknown role");
                    None
                }
            },
            Ok(_) => None,
            Err(e) => return AppError::from(e).into_response(),
        },
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable session");
            None
        }
    };
    let nav = user.as_ref().and_then(|u| {
        Some(AccountNav { email: u.email.clone(), role: u.role().ok()?, has_password: u.password_hash.is_some() })
    });
    req.extensions_mut().insert(CurrentUser(user));
    ACCOUNT.scope(nav, next.run(req)).await
}

#[derive(Debug, Clone)]
struct CurrentUser(Option<Arc<user::Model>>);

/// The signed-in user, if any.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Arc<user::Model>>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().and_then(|c| c.0.clone())))
    }
}

/// The signed-in user if their role passes `allowed`; anonymous visitors are sent to the
/// sign-in page (and back here afterwards), other roles get a 403.
fn require(parts: &Parts, allowed: impl Fn(Role) -> bool) -> Result<Arc<user::Model>, Response> {
    match parts.extensions.get::<CurrentUser>().and_then(|c| c.0.clone()) {
        Some(u) => match u.role() {
            Ok(role) if allowed(role) => Ok(u),
            Ok(_) => Err(AppError::Forbidden.into_response()),
            // `load_user` lets no such account in; refused all the same.
            Err(e) => Err(AppError::from(e).into_response()),
        },
        None => {
            let back = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
            Err(Redirect::to(&format!("/connexion?suivant={next}")).into_response())
        }
    }
}

/// Any signed-in account (its own settings); anonymous visitors go to the sign-in page.
#[derive(Debug, Clone)]
pub struct SignedInUser(pub Arc<user::Model>);

impl<S: Send + Sync> FromRequestParts<S> for SignedInUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        require(parts, |_| true).map(SignedInUser)
    }
}

/// A signed-in candidate.
#[derive(Debug, Clone)]
pub struct CandidateUser(pub Arc<user::Model>);

impl<S: Send + Sync> FromRequestParts<S> for CandidateUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        require(parts, |r| r == Role::Candidate).map(CandidateUser)
    }
}

/// A recruiter (scoped to their institution) or an administrator (scope: everything).
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub user: Arc<user::Model>,
    /// `None` for administrators: every institution.
    pub institution_id: Option<i64>,
}

impl<S: Send + Sync> FromRequestParts<S> for StaffUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let user = require(parts, |r| r != Role::Candidate)?;
        match user.role().map_err(|e| AppError::from(e).into_response())? {
            Role::Administrator => Ok(StaffUser { user, institution_id: None }),
            // A recruiter without an institution sees nothing rather than everything.
            _ => match user.institution_id {
                Some(id) => Ok(StaffUser { institution_id: Some(id), user }),
                None => Err(AppError::Forbidden.into_response()),
            },
        }
    }
}

/// An administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub Arc<user::Model>);

impl<S: Send + Sync> FromRequestParts<S> for AdminUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        require(parts, |r| r == Role::Administrator).map(AdminUser)
    }
}

/// Where a user goes after signing in without a destination.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Candidate => "/espace-candidat",
        Role::Recruiter => "/recruteur",
        Role::Administrator => "/admin",
    }
}

/// A local path to go back to after signing in; anything else (another site, `//host`)
/// becomes the candidate space, so the parameter cannot send people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_path).unwrap_or_else(|| "/espace-candidat".to_string())
}

/// `p` as a path of this site, or `None`. Read as a browser reads it: the URL parser drops
/// tabs and line breaks and turns `\\` into `/`, so `/\t/evil.example` is `//evil.example`,
/// another host. What comes out is re-serialised (percent-encoded), so it is always a valid
/// `Location` header.
pub fn local_path(p: &str) -> Option<String> {
    if !p.starts_with('/') || p.len() >= 2000 {
        return None;
    }
    let base = url::Url::parse("http://ce-site.invalid/").ok()?;
    let joined = base.join(p).ok()?;
    if joined.origin() != base.origin() {
        return None;
    }
    let path = &joined[url::Position::BeforePath..];
    // The parser may keep a path that starts with `//` (`/.//evil`): a browser would read it
    // as a host.
    (!path.starts_with("//")).then(|| path.to_string())
}

/// Signs `user_id` in on this browser under a new session id, so that an id planted before
/// cannot be reused (fixation).
pub async fn sign_in(session: &tower_sessions::Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(|e| AppError::Internal(e.into()))?;
    session.insert(SESSION_USER, user_id).await.map_err(|e| AppError::Internal(e.into()))
}

/// 32 random bytes, URL-safe: e-mail links, alert tokens, file keys.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("aléa indisponible : {e}").into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Argon2id with the crate's defaults (OWASP's minimum: 19 MiB, 2 passes), off the async
/// threads and under the bound of [`crate::bounded`].
pub async fn hash_password(password: String) -> Result<String, AppError> {
    crate::bounded::run(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.into()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.into()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.into()))
    })
    .await?
}

/// A hash of a password nobody has, verified when the account does not exist so that the
/// answer takes as long either way.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

/// Whether `password` matches `hash` (`None`: no account, the dummy hash is checked instead).
/// `Err(Busy)` when too many checks are queued: nothing was checked.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    crate::bounded::run(move || {
        let exists = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && exists
    })
    .await
}
