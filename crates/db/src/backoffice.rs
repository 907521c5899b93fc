//! What the recruiters' and administrators' back-offices read and change.

use crate::entity::{application, offer, user};
use crate::{DbError, Result};
use chrono::{DateTime, Utc};
use domain::role::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// An institution's offers (every state but deleted), newest first, with their applications.
pub async fn institution_offers(
    conn: &impl ConnectionTrait,
    institution_id: Option<i64>,
) -> Result<Vec<(offer::Model, u64)>> {
    let mut q = offer::Entity::find().filter(offer::Column::DeletedAt.is_null());
    if let Some(id) = institution_id {
        q = q.filter(offer::Column::InstitutionId.eq(id));
    }
    let offers = q.order_by_desc(offer::Column::PublishedAt).order_by_desc(offer::Column::Id).all(conn).await?;
    let ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
    let mut counts: HashMap<i64, u64> = HashMap::new();
    for a in application::Entity::find().filter(application::Column::OfferId.is_in(ids)).all(conn).await? {
        if let Some(id) = a.offer_id {
            *counts.entry(id).or_default() += 1;
        }
    }
    Ok(offers.into_iter().map(|o| (counts.get(&o.id).copied().unwrap_or(0), o)).map(|(n, o)| (o, n)).collect())
}

/// An offer, if the caller may manage it (`institution_id` `None` = administrator).
pub async fn managed_offer(conn: &impl ConnectionTrait, id: i64, institution_id: Option<i64>) -> Result<offer::Model> {
    let o = offer::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    match institution_id {
        Some(inst) if inst != o.institution_id => Err(DbError::NotFound),
        _ => Ok(o),
    }
}

/// The applications to an offer, oldest first.
pub async fn offer_applications(conn: &impl ConnectionTrait, offer_id: i64) -> Result<Vec<application::Model>> {
    Ok(application::Entity::find()
        .filter(application::Column::OfferId.eq(offer_id))
        .order_by_asc(application::Column::CreatedAt)
        .order_by_asc(application::Column::Id)
        .all(conn)
        .await?)
}

pub async fn users(conn: &impl ConnectionTrait) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find().order_by_asc(user::Column::Email).all(conn).await?)
}

pub async fn set_active(conn: &impl ConnectionTrait, id: i64, active: bool, now: DateTime<Utc>) -> Result<()> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    if !active {
        crate::accounts::sessions_delete_for_user(conn, id).await?;
    }
    Ok(())
}

pub async fn set_role_by_id(conn: &impl ConnectionTrait, id: i64, role: Role, now: DateTime<Utc>) -> Result<()> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role.code()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Platform counts for the administrators' home.
pub async fn platform_counts(conn: &impl ConnectionTrait) -> Result<(u64, u64, u64)> {
    let users = user::Entity::find().count(conn).await?;
    let applications = application::Entity::find().count(conn).await?;
    let offers = offer::Entity::find().filter(offer::Column::DeletedAt.is_null()).count(conn).await?;
    Ok((users, applications, offers))
}

/// An application, if the caller may manage it: it was sent to their institution (or to every
/// employer, for a spontaneous one). `institution_id` `None` = administrator.
pub async fn managed_application(
    conn: &impl ConnectionTrait,
    id: i64,
    institution_id: Option<i64>,
) -> Result<application::Model> {
    let a = application::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    match (institution_id, a.institution_id) {
        (Some(mine), Some(theirs)) if mine != theirs => Err(DbError::NotFound),
        _ => Ok(a),
    }
}

/// Changes an offer's state. Publishing checks what a public offer needs.
pub async fn set_offer_state(
    conn: &impl ConnectionTrait,
    offer: &offer::Model,
    to: domain::offer::OfferState,
    now: DateTime<Utc>,
) -> Result<()> {
    use domain::offer::OfferState;
    if to == OfferState::Published {
        let mut missing = Vec::new();
        if offer.mission.as_deref().is_none_or(|m| m.trim().is_empty()) {
            missing.push("les missions");
        }
        if offer.region_code.is_none() {
            missing.push("la région");
        }
        if !missing.is_empty() {
            return Err(DbError::Invalid(format!("Pour publier, renseignez {}.", missing.join(" et "))));
        }
        if offer.expires_at.is_some_and(|e| e <= now) {
            return Err(DbError::Invalid(
                "La date limite de candidature est passée : choisissez une date future.".into(),
            ));
        }
    }
    let mut q = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(to.code()))
        .col_expr(offer::Column::UpdatedAt, Expr::value(now));
    if to == OfferState::Published && offer.state == OfferState::Draft.code() {
        q = q.col_expr(offer::Column::PublishedAt, Expr::value(now));
    }
    q.filter(offer::Column::Id.eq(offer.id)).exec(conn).await?;
    Ok(())
}
