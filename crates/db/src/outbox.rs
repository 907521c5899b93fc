//! The durable e-mail outbox and the ledger of periodic jobs.
//!
//! A message is queued in the transaction of the change that causes it, so it exists exactly
//! when the change does. Workers claim rows with a conditional update on a lease
//! (`locked_until`): portable across SQLite and PostgreSQL, and two workers never hold the same
//! row. A message is marked sent right after the transport accepted it.

use crate::Result;
use crate::entity::{outbox, periodic_run};
use chrono::{DateTime, Duration, Utc};
use domain::candidate::MailMessage;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub async fn enqueue(conn: &impl ConnectionTrait, msg: &MailMessage, now: DateTime<Utc>) -> Result<i64> {
    let model = outbox::ActiveModel {
        recipient: Set(msg.to.clone()),
        subject: Set(msg.subject.clone()),
        text_body: Set(msg.text.clone()),
        html_body: Set(msg.html.clone()),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        unsubscribe_url: Set(msg.unsubscribe.clone()),
        ..Default::default()
    };
    Ok(outbox::Entity::insert(model).exec(conn).await?.last_insert_id)
}

/// Claims up to `limit` due messages for `lease`.
pub async fn claim_due(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    lease: Duration,
) -> Result<Vec<outbox::Model>> {
    let free = Condition::any().add(outbox::Column::LockedUntil.is_null()).add(outbox::Column::LockedUntil.lt(now));
    let candidates = outbox::Entity::find()
        .filter(outbox::Column::SentAt.is_null())
        .filter(outbox::Column::FailedAt.is_null())
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(free.clone())
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for m in candidates {
        let res = outbox::Entity::update_many()
            .col_expr(outbox::Column::LockedUntil, Expr::value(now + lease))
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .filter(outbox::Column::Id.eq(m.id))
            .filter(outbox::Column::SentAt.is_null())
            .filter(free.clone())
            .exec(conn)
            .await?;
        if res.rows_affected == 1 {
            claimed.push(outbox::Model { attempts: m.attempts + 1, ..m });
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<()> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox::Column::LastError, Expr::value(Option::<String>::None))
        .filter(outbox::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn mark_retry(conn: &impl ConnectionTrait, id: i64, next: DateTime<Utc>, error: &str) -> Result<()> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox::Column::LastError, Expr::value(error.chars().take(1000).collect::<String>()))
        .filter(outbox::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn mark_failed(conn: &impl ConnectionTrait, id: i64, error: &str, now: DateTime<Utc>) -> Result<()> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::FailedAt, Expr::value(now))
        .col_expr(outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox::Column::LastError, Expr::value(error.chars().take(1000).collect::<String>()))
        .filter(outbox::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Messages not yet sent nor given up.
pub async fn pending(conn: &impl ConnectionTrait) -> Result<u64> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::SentAt.is_null())
        .filter(outbox::Column::FailedAt.is_null())
        .count(conn)
        .await?)
}

pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<outbox::Model>> {
    Ok(outbox::Entity::find().order_by_asc(outbox::Column::Id).all(conn).await?)
}

/// Sent messages are kept a while for support, then deleted (they hold personal data).
pub async fn purge_sent(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(outbox::Entity::delete_many()
        .filter(Condition::any().add(outbox::Column::SentAt.lt(before)).add(outbox::Column::FailedAt.lt(before)))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Takes a periodic job's turn: `true` for exactly one caller per `key` (e.g.
/// `alertes-quotidiennes:2026-11-24`), whatever the number of instances.
pub async fn take_turn(conn: &impl ConnectionTrait, key: &str, now: DateTime<Utc>) -> Result<bool> {
    let model = periodic_run::ActiveModel { key: Set(key.to_string()), started_at: Set(now) };
    let n = periodic_run::Entity::insert(model)
        .on_conflict(OnConflict::column(periodic_run::Column::Key).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(n == 1)
}

/// Forgets the turns taken before `before`: only the current day's, week's and hour's are
/// ever asked again.
pub async fn periodic_runs_purge(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(periodic_run::Entity::delete_many()
        .filter(periodic_run::Column::StartedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
