//! Sign-up, one-time tokens (e-mail verification, password reset), login attempts and the
//! session records that keep instances stateless.
//!
//! Tokens are random strings made by the caller; only their SHA-256 is stored, so a database
//! leak does not hand out working links.

use crate::Result;
use crate::entity::{login_attempt, session, user, user_token};
use chrono::{DateTime, Duration, Utc};
use domain::email::Email;
use domain::role::Role;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    /// The one-time sign-in link printed by `metiers user add`.
    SignIn,
}

impl TokenPurpose {
    fn code(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify",
            TokenPurpose::ResetPassword => "reset",
            TokenPurpose::SignIn => "signin",
        }
    }
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(conn).await?)
}

/// Creates a candidate account with its password hash; `Conflict` when the address is taken.
pub async fn create_candidate(
    conn: &impl ConnectionTrait,
    email: &Email,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    crate::users::create_with_password(conn, email, Some(password_hash), Role::Candidate, None, now).await
}

pub async fn insert_token(
    conn: &impl ConnectionTrait,
    user_id: i64,
    purpose: TokenPurpose,
    token: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<()> {
    let model = user_token::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.code().to_string()),
        token_hash: Set(token_hash(token)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        ..Default::default()
    };
    user_token::Entity::insert(model).exec(conn).await?;
    Ok(())
}

/// Uses a token once: the conditional update makes two concurrent uses impossible. Returns
/// the account it belongs to, or `None` when unknown, expired or already used.
pub async fn consume_token(
    conn: &impl ConnectionTrait,
    purpose: TokenPurpose,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<user::Model>> {
    let hash = token_hash(token);
    let res = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::TokenHash.eq(&hash))
        .filter(user_token::Column::Purpose.eq(purpose.code()))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    let Some(t) = user_token::Entity::find().filter(user_token::Column::TokenHash.eq(hash)).one(conn).await? else {
        return Ok(None);
    };
    by_id(conn, t.user_id).await
}

/// Uses up every outstanding token of an account (a password reset: a second reset link, or a
/// sign-in link, asked for before it must not work after it).
pub async fn revoke_tokens(conn: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<u64> {
    Ok(user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::UserId.eq(user_id))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Whether a token is still usable, without using it (the reset form is shown first).
pub async fn token_is_valid(
    conn: &impl ConnectionTrait,
    purpose: TokenPurpose,
    token: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(token_hash(token)))
        .filter(user_token::Column::Purpose.eq(purpose.code()))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .count(conn)
        .await?
        == 1)
}

pub async fn mark_verified(conn: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn set_password(conn: &impl ConnectionTrait, user_id: i64, hash: &str, now: DateTime<Utc>) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn touch_login(conn: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Reserves a sign-in attempt before the password is checked, so that parallel guesses cannot
/// all pass the count: the attempt is written as a failure first (in its own statement,
/// committed), then every failure of the window is counted, this one included. Whatever the
/// interleaving, the last of a burst to count sees every reservation committed before it, so at
/// most `max_per_account` (and `max_per_ip`) attempts get checked; a burst may refuse one
/// that came in just under the limit, never let one more through. A refused reservation is
/// withdrawn, so a locked account's lock still ends `window` after its last checked failure.
/// `Some(id)` when the attempt may be checked (a success then clears the account's failures).
pub async fn reserve_login_attempt(
    conn: &impl ConnectionTrait,
    email_key: &str,
    ip: &str,
    since: DateTime<Utc>,
    (max_per_account, max_per_ip): (u64, u64),
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let model = login_attempt::ActiveModel {
        email_key: Set(email_key.chars().take(255).collect()),
        ip: Set(ip.chars().take(64).collect()),
        at: Set(now),
        success: Set(false),
        ..Default::default()
    };
    let id = login_attempt::Entity::insert(model).exec(conn).await?.last_insert_id;
    let (by_email, by_ip) = recent_failures(conn, email_key, ip, since).await?;
    if by_email > max_per_account || by_ip > max_per_ip {
        login_attempt::Entity::delete_by_id(id).exec(conn).await?;
        return Ok(None);
    }
    Ok(Some(id))
}

/// Failed attempts since `since`, for this address and for this IP.
pub async fn recent_failures(
    conn: &impl ConnectionTrait,
    email_key: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let failed = || {
        login_attempt::Entity::find()
            .filter(login_attempt::Column::Success.eq(false))
            .filter(login_attempt::Column::At.gte(since))
    };
    let by_email = failed().filter(login_attempt::Column::EmailKey.eq(email_key)).count(conn).await?;
    let by_ip = failed().filter(login_attempt::Column::Ip.eq(ip)).count(conn).await?;
    Ok((by_email, by_ip))
}

/// A successful sign-in clears the account's failure count.
pub async fn clear_failures(conn: &impl ConnectionTrait, email_key: &str) -> Result<()> {
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::EmailKey.eq(email_key))
        .filter(login_attempt::Column::Success.eq(false))
        .exec(conn)
        .await?;
    Ok(())
}

// --- sessions ---------------------------------------------------------------------------

/// A live session's data and expiry.
pub async fn session_load(
    conn: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<(String, DateTime<Utc>)>> {
    Ok(session::Entity::find_by_id(id.to_string())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
        .map(|s| (s.data, s.expires_at)))
}

/// Inserts a new session; `false` if the id is taken (the caller draws another).
pub async fn session_create(
    conn: &impl ConnectionTrait,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    let model = session::ActiveModel {
        id: Set(id.to_string()),
        user_id: Set(user_id),
        data: Set(data.to_string()),
        expires_at: Set(expires_at),
    };
    let res = session::Entity::insert(model)
        .on_conflict(OnConflict::column(session::Column::Id).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(res == 1)
}

pub async fn session_save(
    conn: &impl ConnectionTrait,
    id: &str,
    user_id: Option<i64>,
    data: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let model = session::ActiveModel {
        id: Set(id.to_string()),
        user_id: Set(user_id),
        data: Set(data.to_string()),
        expires_at: Set(expires_at),
    };
    session::Entity::insert(model)
        .on_conflict(
            OnConflict::column(session::Column::Id)
                .update_columns([session::Column::UserId, session::Column::Data, session::Column::ExpiresAt])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn session_delete(conn: &impl ConnectionTrait, id: &str) -> Result<()> {
    session::Entity::delete_by_id(id.to_string()).exec(conn).await?;
    Ok(())
}

/// Signs a user out everywhere (after a password reset or an account deletion).
pub async fn sessions_delete_for_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<u64> {
    Ok(session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(conn).await?.rows_affected)
}

pub async fn sessions_purge_expired(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    Ok(session::Entity::delete_many().filter(session::Column::ExpiresAt.lte(now)).exec(conn).await?.rows_affected)
}

pub async fn login_attempts_purge(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
