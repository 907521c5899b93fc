//! Applications (to an offer, or spontaneous to one employer or to all) and their timeline.
//! Every stage change writes an event, so the candidate sees the whole history.

use crate::entity::{application, application_event, institution, offer, refusal_reason};
use crate::{DbError, Result};
use chrono::{DateTime, Utc};
use domain::candidate::Stage;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct NewApplication {
    pub offer_id: Option<i64>,
    pub institution_id: Option<i64>,
    pub user_id: i64,
    pub candidate_name: String,
    pub candidate_email: String,
    pub cover_letter: Option<String>,
    pub links: Option<String>,
    pub cv_file_id: Option<i64>,
}

/// An application with what the candidate's space shows beside it.
#[derive(Debug, Clone)]
pub struct ApplicationView {
    pub application: application::Model,
    pub offer: Option<offer::Model>,
    pub institution: Option<institution::Model>,
    pub events: Vec<application_event::Model>,
    /// The stage, read once from its stored code.
    stage: Stage,
}

impl ApplicationView {
    pub fn stage(&self) -> Stage {
        self.stage
    }
}

pub async fn for_offer_and_user(
    conn: &impl ConnectionTrait,
    offer_id: i64,
    user_id: i64,
) -> Result<Option<application::Model>> {
    Ok(application::Entity::find()
        .filter(application::Column::OfferId.eq(offer_id))
        .filter(application::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

/// Records an application and its first event; `Conflict` when the candidate already applied
/// to this offer (checked here and by the unique index against a double submit).
pub async fn create(
    conn: &impl ConnectionTrait,
    new: &NewApplication,
    now: DateTime<Utc>,
) -> Result<application::Model> {
    if let Some(offer_id) = new.offer_id
        && for_offer_and_user(conn, offer_id, new.user_id).await?.is_some()
    {
        return Err(DbError::Conflict(crate::Conflict::AlreadyApplied));
    }
    let model = application::ActiveModel {
        offer_id: Set(new.offer_id),
        institution_id: Set(new.institution_id),
        user_id: Set(Some(new.user_id)),
        candidate_name: Set(Some(new.candidate_name.clone())),
        candidate_email: Set(Some(new.candidate_email.clone())),
        cover_letter: Set(new.cover_letter.clone()),
        links: Set(new.links.clone()),
        cv_file_id: Set(new.cv_file_id),
        stage: Set(Stage::Received.code().to_string()),
        refusal_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        last_activity_at: Set(now),
        anonymized_at: Set(None),
        ..Default::default()
    };
    let app = application::Entity::insert(model).exec_with_returning(conn).await?;
    add_event(conn, app.id, Stage::Received, None, true, now).await?;
    Ok(app)
}

async fn add_event(
    conn: &impl ConnectionTrait,
    application_id: i64,
    stage: Stage,
    reason: Option<&str>,
    by_candidate: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let ev = application_event::ActiveModel {
        application_id: Set(application_id),
        stage: Set(stage.code().to_string()),
        reason: Set(reason.map(str::to_string)),
        by_candidate: Set(by_candidate),
        created_at: Set(now),
        ..Default::default()
    };
    application_event::Entity::insert(ev).exec(conn).await?;
    Ok(())
}

async fn views(conn: &impl ConnectionTrait, apps: Vec<application::Model>) -> Result<Vec<ApplicationView>> {
    let ids: Vec<i64> = apps.iter().map(|a| a.id).collect();
    let offer_ids: Vec<i64> = apps.iter().filter_map(|a| a.offer_id).collect();
    let offers: HashMap<i64, offer::Model> = offer::Entity::find()
        .filter(offer::Column::Id.is_in(offer_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let inst_ids: Vec<i64> = apps.iter().filter_map(|a| a.institution_id).collect();
    let institutions: HashMap<i64, institution::Model> = institution::Entity::find()
        .filter(institution::Column::Id.is_in(inst_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut events: HashMap<i64, Vec<application_event::Model>> = HashMap::new();
    for ev in application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.is_in(ids))
        .order_by_asc(application_event::Column::CreatedAt)
        .order_by_asc(application_event::Column::Id)
        .all(conn)
        .await?
    {
        events.entry(ev.application_id).or_default().push(ev);
    }
    apps.into_iter()
        .map(|a| {
            Ok(ApplicationView {
                stage: a.stage()?,
                offer: a.offer_id.and_then(|id| offers.get(&id).cloned()),
                institution: a.institution_id.and_then(|id| institutions.get(&id).cloned()),
                events: events.remove(&a.id).unwrap_or_default(),
                application: a,
            })
        })
        .collect()
}

/// A candidate's applications, newest first.
pub async fn list_for_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<ApplicationView>> {
    let apps = application::Entity::find()
        .filter(application::Column::UserId.eq(user_id))
        .order_by_desc(application::Column::CreatedAt)
        .order_by_desc(application::Column::Id)
        .all(conn)
        .await?;
    views(conn, apps).await
}

/// One application, only if it belongs to `user_id` (`NotFound` otherwise, so guessing ids
/// tells nothing).
pub async fn get_for_user(conn: &impl ConnectionTrait, id: i64, user_id: i64) -> Result<ApplicationView> {
    let app = application::Entity::find_by_id(id)
        .filter(application::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    views(conn, vec![app]).await?.pop().ok_or(DbError::NotFound)
}

pub async fn get(conn: &impl ConnectionTrait, id: i64) -> Result<ApplicationView> {
    let app = application::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    views(conn, vec![app]).await?.pop().ok_or(DbError::NotFound)
}

async fn set_stage(
    conn: &impl ConnectionTrait,
    id: i64,
    from: Stage,
    to: Stage,
    reason: Option<&str>,
    by_candidate: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    // Conditional on the stage read, so two concurrent moves cannot both apply.
    let res = application::Entity::update_many()
        .col_expr(application::Column::Stage, Expr::value(to.code()))
        .col_expr(application::Column::RefusalReason, Expr::value(reason.map(str::to_string)))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .col_expr(application::Column::LastActivityAt, Expr::value(now))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Stage.eq(from.code()))
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Err(DbError::Conflict(crate::Conflict::StageChanged));
    }
    add_event(conn, id, to, reason, by_candidate, now).await
}

/// The candidate withdraws an application still in progress.
pub async fn withdraw(
    conn: &impl ConnectionTrait,
    id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<ApplicationView> {
    let view = get_for_user(conn, id, user_id).await?;
    let from = view.stage();
    if !from.is_open() {
        return Err(DbError::Invalid(crate::Invalid::NotInProgress));
    }
    set_stage(conn, id, from, Stage::Withdrawn, None, true, now).await?;
    get_for_user(conn, id, user_id).await
}

/// A recruiter's move (the back-office calls it; the caller checks who may). A refusal needs
/// one of the active refusal reasons.
pub async fn move_stage(
    conn: &impl ConnectionTrait,
    id: i64,
    to: Stage,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ApplicationView> {
    let view = get(conn, id).await?;
    let from = view.stage();
    if !from.recruiter_may_move_to(to) {
        return Err(DbError::Invalid(crate::Invalid::Transition { from, to }));
    }
    let reason = match (to, reason) {
        (Stage::Refused, Some(code)) => {
            let known = refusal_reason::Entity::find()
                .filter(refusal_reason::Column::Code.eq(code))
                .filter(refusal_reason::Column::Active.eq(true))
                .one(conn)
                .await?;
            Some(known.ok_or(DbError::Invalid(crate::Invalid::UnknownRefusalReason))?.code)
        }
        (Stage::Refused, None) => return Err(DbError::Invalid(crate::Invalid::RefusalReasonRequired)),
        _ => None,
    };
    set_stage(conn, id, from, to, reason.as_deref(), false, now).await?;
    get(conn, id).await
}

pub async fn refusal_reasons(conn: &impl ConnectionTrait) -> Result<Vec<refusal_reason::Model>> {
    Ok(refusal_reason::Entity::find().order_by_asc(refusal_reason::Column::Position).all(conn).await?)
}

/// Account deletion: the applications stay for the recruiters' statistics, without anything
/// that identifies the candidate.
pub async fn anonymize_for_user(conn: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<u64> {
    let res = application::Entity::update_many()
        .col_expr(application::Column::UserId, Expr::value(Option::<i64>::None))
        .col_expr(application::Column::CandidateName, Expr::value(Option::<String>::None))
        .col_expr(application::Column::CandidateEmail, Expr::value(Option::<String>::None))
        .col_expr(application::Column::CoverLetter, Expr::value(Option::<String>::None))
        .col_expr(application::Column::Links, Expr::value(Option::<String>::None))
        .col_expr(application::Column::CvFileId, Expr::value(Option::<i64>::None))
        .col_expr(application::Column::AnonymizedAt, Expr::value(now))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// Deletes applications with no activity since `before` (two years, as the CNIL recommends);
/// returns the CV files they referenced so the caller can delete those no longer used.
pub async fn purge_inactive(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(u64, Vec<i64>)> {
    let old = application::Entity::find().filter(application::Column::LastActivityAt.lt(before)).all(conn).await?;
    if old.is_empty() {
        return Ok((0, Vec::new()));
    }
    let files: Vec<i64> = old.iter().filter_map(|a| a.cv_file_id).collect();
    let ids: Vec<i64> = old.iter().map(|a| a.id).collect();
    let res = application::Entity::delete_many().filter(application::Column::Id.is_in(ids)).exec(conn).await?;
    Ok((res.rows_affected, files))
}
