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

// --- audit log --------------------------------------------------------------------------

/// One change made in a back-office: who, what, on what, before and after.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub actor: &'a user::Model,
    pub action: &'a str,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Records a change (call in the transaction that makes it).
pub async fn audit(conn: &impl ConnectionTrait, entry: Audit<'_>, now: DateTime<Utc>) -> Result<()> {
    use crate::entity::audit_entry;
    use sea_orm::ActiveValue::Set;
    let model = audit_entry::ActiveModel {
        at: Set(now),
        actor_id: Set(Some(entry.actor.id)),
        actor_email: Set(entry.actor.email.clone()),
        action: Set(entry.action.to_string()),
        target: Set(entry.target),
        before: Set(entry.before),
        after: Set(entry.after),
        ..Default::default()
    };
    audit_entry::Entity::insert(model).exec(conn).await?;
    Ok(())
}

pub async fn audit_log(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<crate::entity::audit_entry::Model>> {
    use crate::entity::audit_entry;
    use sea_orm::QuerySelect;
    Ok(audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

// --- access requests --------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewAccessRequest {
    pub name: String,
    pub email: String,
    pub institution_id: Option<i64>,
    pub institution_name: String,
    pub service: Option<String>,
    pub position: String,
}

pub async fn create_access_request(
    conn: &impl ConnectionTrait,
    new: &NewAccessRequest,
    now: DateTime<Utc>,
) -> Result<crate::entity::access_request::Model> {
    use crate::entity::access_request;
    use sea_orm::ActiveValue::Set;
    let model = access_request::ActiveModel {
        name: Set(new.name.clone()),
        email: Set(new.email.clone()),
        institution_id: Set(new.institution_id),
        institution_name: Set(new.institution_name.clone()),
        service: Set(new.service.clone()),
        position: Set(new.position.clone()),
        created_at: Set(now),
        decision: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        ..Default::default()
    };
    Ok(access_request::Entity::insert(model).exec_with_returning(conn).await?)
}

pub async fn pending_access_requests(conn: &impl ConnectionTrait) -> Result<Vec<crate::entity::access_request::Model>> {
    use crate::entity::access_request;
    Ok(access_request::Entity::find()
        .filter(access_request::Column::Decision.is_null())
        .order_by_asc(access_request::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// Records a decision once (`Conflict` if already decided, e.g. by another administrator).
pub async fn decide_access_request(
    conn: &impl ConnectionTrait,
    id: i64,
    approved: bool,
    by: i64,
    now: DateTime<Utc>,
) -> Result<crate::entity::access_request::Model> {
    use crate::entity::access_request;
    let res = access_request::Entity::update_many()
        .col_expr(access_request::Column::Decision, Expr::value(if approved { "approuvee" } else { "refusee" }))
        .col_expr(access_request::Column::DecidedAt, Expr::value(now))
        .col_expr(access_request::Column::DecidedBy, Expr::value(by))
        .filter(access_request::Column::Id.eq(id))
        .filter(access_request::Column::Decision.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Err(DbError::Conflict("cette demande a déjà été traitée".into()));
    }
    access_request::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn set_institution(
    conn: &impl ConnectionTrait,
    id: i64,
    institution_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::InstitutionId, Expr::value(institution_id))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
