//! Alerts (saved searches that may send digests) and the newsletter subscriptions. Both are
//! double opt-in when the address is not a verified account's; both carry a random token that
//! confirms and unsubscribes in one click.

use crate::entity::{alert, alert_delivery, newsletter_subscription};
use crate::{DbError, Result};
use chrono::{DateTime, Utc};
use domain::candidate::Frequency;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct NewAlert {
    pub user_id: Option<i64>,
    pub email: String,
    pub query: String,
    pub label: String,
    pub frequency: Frequency,
    pub token: String,
    /// Set when the address is already verified (an account's own alert).
    pub confirmed: bool,
}

pub async fn create(conn: &impl ConnectionTrait, new: &NewAlert, now: DateTime<Utc>) -> Result<alert::Model> {
    let model = alert::ActiveModel {
        user_id: Set(new.user_id),
        email: Set(new.email.clone()),
        query: Set(new.query.clone()),
        label: Set(new.label.clone()),
        frequency: Set(new.frequency.code().to_string()),
        token: Set(new.token.clone()),
        confirmed_at: Set(new.confirmed.then_some(now)),
        unsubscribed_at: Set(None),
        created_at: Set(now),
        last_sent_at: Set(None),
        ..Default::default()
    };
    Ok(alert::Entity::insert(model).exec_with_returning(conn).await?)
}

pub async fn list_for_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<alert::Model>> {
    Ok(alert::Entity::find()
        .filter(alert::Column::UserId.eq(user_id))
        .order_by_desc(alert::Column::CreatedAt)
        .order_by_desc(alert::Column::Id)
        .all(conn)
        .await?)
}

/// Deletes one of the user's alerts (`NotFound` when it is someone else's).
pub async fn delete_for_user(conn: &impl ConnectionTrait, id: i64, user_id: i64) -> Result<()> {
    let res = alert::Entity::delete_many()
        .filter(alert::Column::Id.eq(id))
        .filter(alert::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn by_token(conn: &impl ConnectionTrait, token: &str) -> Result<Option<alert::Model>> {
    Ok(alert::Entity::find().filter(alert::Column::Token.eq(token)).one(conn).await?)
}

pub async fn confirm(conn: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> Result<Option<alert::Model>> {
    alert::Entity::update_many()
        .col_expr(alert::Column::ConfirmedAt, Expr::value(now))
        .filter(alert::Column::Token.eq(token))
        .filter(alert::Column::ConfirmedAt.is_null())
        .exec(conn)
        .await?;
    by_token(conn, token).await
}

/// Stops (`on = false`) or restarts (the undo) an alert's e-mails.
pub async fn set_unsubscribed(
    conn: &impl ConnectionTrait,
    token: &str,
    on: bool,
    now: DateTime<Utc>,
) -> Result<Option<alert::Model>> {
    alert::Entity::update_many()
        .col_expr(alert::Column::UnsubscribedAt, Expr::value(on.then_some(now)))
        .filter(alert::Column::Token.eq(token))
        .exec(conn)
        .await?;
    by_token(conn, token).await
}

/// Confirmed, subscribed alerts of a frequency, for the digest job.
pub async fn due(conn: &impl ConnectionTrait, frequency: Frequency) -> Result<Vec<alert::Model>> {
    Ok(alert::Entity::find()
        .filter(alert::Column::Frequency.eq(frequency.code()))
        .filter(alert::Column::ConfirmedAt.is_not_null())
        .filter(alert::Column::UnsubscribedAt.is_null())
        .order_by_asc(alert::Column::Id)
        .all(conn)
        .await?)
}

pub async fn already_sent(conn: &impl ConnectionTrait, alert_id: i64) -> Result<HashSet<i64>> {
    Ok(alert_delivery::Entity::find()
        .filter(alert_delivery::Column::AlertId.eq(alert_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.offer_id)
        .collect())
}

/// Records what a digest sent (in the transaction that queues it), so no offer is sent twice.
pub async fn record_sent(
    conn: &impl ConnectionTrait,
    alert_id: i64,
    offer_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    if !offer_ids.is_empty() {
        alert_delivery::Entity::insert_many(offer_ids.iter().map(|id| alert_delivery::ActiveModel {
            alert_id: Set(alert_id),
            offer_id: Set(*id),
            sent_at: Set(now),
        }))
        .on_conflict(
            OnConflict::columns([alert_delivery::Column::AlertId, alert_delivery::Column::OfferId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    alert::Entity::update_many()
        .col_expr(alert::Column::LastSentAt, Expr::value(now))
        .filter(alert::Column::Id.eq(alert_id))
        .exec(conn)
        .await?;
    Ok(())
}

// --- newsletter -------------------------------------------------------------------------

/// Subscribes an address. Returns the subscription and whether a confirmation e-mail is due
/// (not for an address already confirmed and subscribed).
pub async fn newsletter_subscribe(
    conn: &impl ConnectionTrait,
    email: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(newsletter_subscription::Model, bool)> {
    let existing = newsletter_subscription::Entity::find()
        .filter(newsletter_subscription::Column::Email.eq(email))
        .one(conn)
        .await?;
    match existing {
        Some(s) if s.confirmed_at.is_some() && s.unsubscribed_at.is_none() => Ok((s, false)),
        Some(s) => {
            // Asked again after unsubscribing or without confirming: a new confirmation.
            newsletter_subscription::Entity::update_many()
                .col_expr(newsletter_subscription::Column::ConfirmedAt, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(newsletter_subscription::Column::UnsubscribedAt, Expr::value(Option::<DateTime<Utc>>::None))
                .filter(newsletter_subscription::Column::Id.eq(s.id))
                .exec(conn)
                .await?;
            let s = newsletter_subscription::Entity::find_by_id(s.id).one(conn).await?.ok_or(DbError::NotFound)?;
            Ok((s, true))
        }
        None => {
            let model = newsletter_subscription::ActiveModel {
                email: Set(email.to_string()),
                token: Set(token.to_string()),
                created_at: Set(now),
                confirmed_at: Set(None),
                unsubscribed_at: Set(None),
                ..Default::default()
            };
            Ok((newsletter_subscription::Entity::insert(model).exec_with_returning(conn).await?, true))
        }
    }
}

pub async fn newsletter_confirm(conn: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> Result<bool> {
    let found = newsletter_subscription::Entity::find()
        .filter(newsletter_subscription::Column::Token.eq(token))
        .one(conn)
        .await?;
    let Some(s) = found else { return Ok(false) };
    if s.confirmed_at.is_none() {
        newsletter_subscription::Entity::update_many()
            .col_expr(newsletter_subscription::Column::ConfirmedAt, Expr::value(now))
            .filter(newsletter_subscription::Column::Id.eq(s.id))
            .exec(conn)
            .await?;
    }
    Ok(true)
}

/// The confirmed subscribers who have not left: who a newsletter issue goes to.
pub async fn newsletter_readers(conn: &impl ConnectionTrait) -> Result<Vec<newsletter_subscription::Model>> {
    Ok(newsletter_subscription::Entity::find()
        .filter(newsletter_subscription::Column::ConfirmedAt.is_not_null())
        .filter(newsletter_subscription::Column::UnsubscribedAt.is_null())
        .all(conn)
        .await?)
}

pub async fn newsletter_unsubscribe(conn: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> Result<bool> {
    let res = newsletter_subscription::Entity::update_many()
        .col_expr(newsletter_subscription::Column::UnsubscribedAt, Expr::value(now))
        .filter(newsletter_subscription::Column::Token.eq(token))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn newsletter_by_email(
    conn: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<newsletter_subscription::Model>> {
    Ok(newsletter_subscription::Entity::find()
        .filter(newsletter_subscription::Column::Email.eq(email))
        .one(conn)
        .await?)
}

pub async fn newsletter_delete(conn: &impl ConnectionTrait, email: &str) -> Result<()> {
    newsletter_subscription::Entity::delete_many()
        .filter(newsletter_subscription::Column::Email.eq(email))
        .exec(conn)
        .await?;
    Ok(())
}

/// Alerts and newsletter subscriptions stopped before `before` are deleted (the undo link of
/// the unsubscribe page works until then).
pub async fn purge_unsubscribed(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    let alerts = alert::Entity::delete_many().filter(alert::Column::UnsubscribedAt.lt(before)).exec(conn).await?;
    let news = newsletter_subscription::Entity::delete_many()
        .filter(newsletter_subscription::Column::UnsubscribedAt.lt(before))
        .exec(conn)
        .await?;
    Ok(alerts.rows_affected + news.rows_affected)
}

/// Requests never confirmed are deleted after `before` (double opt-in that did not happen).
pub async fn purge_unconfirmed(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    let alerts = alert::Entity::delete_many()
        .filter(alert::Column::ConfirmedAt.is_null())
        .filter(alert::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?;
    let news = newsletter_subscription::Entity::delete_many()
        .filter(newsletter_subscription::Column::ConfirmedAt.is_null())
        .filter(newsletter_subscription::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?;
    Ok(alerts.rows_affected + news.rows_affected)
}
