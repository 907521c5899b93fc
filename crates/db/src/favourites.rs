//! A candidate's favourite offers.

use crate::Result;
use crate::entity::favourite;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashSet;

/// Adds or removes; returns whether the offer is now a favourite.
pub async fn set(
    conn: &impl ConnectionTrait,
    user_id: i64,
    offer_id: i64,
    on: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let existing = favourite::Entity::find_by_id((user_id, offer_id)).one(conn).await?;
    match (existing.is_some(), on) {
        (false, true) => {
            let model = favourite::ActiveModel { user_id: Set(user_id), offer_id: Set(offer_id), created_at: Set(now) };
            favourite::Entity::insert(model).exec_without_returning(conn).await?;
        }
        (true, false) => {
            favourite::Entity::delete_by_id((user_id, offer_id)).exec(conn).await?;
        }
        _ => {}
    }
    Ok(on)
}

pub async fn is_favourite(conn: &impl ConnectionTrait, user_id: i64, offer_id: i64) -> Result<bool> {
    Ok(favourite::Entity::find_by_id((user_id, offer_id)).one(conn).await?.is_some())
}

pub async fn ids(conn: &impl ConnectionTrait, user_id: i64) -> Result<HashSet<i64>> {
    Ok(favourite::Entity::find()
        .filter(favourite::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| f.offer_id)
        .collect())
}

/// Offer ids, most recently starred first.
pub async fn list(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<favourite::Model>> {
    Ok(favourite::Entity::find()
        .filter(favourite::Column::UserId.eq(user_id))
        .order_by_desc(favourite::Column::CreatedAt)
        .all(conn)
        .await?)
}
