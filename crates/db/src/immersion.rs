//! « Vis mon job »: campaigns, the agents' offers of a day, the students' applications and
//! the duos, their answers, agreement, reminders, feedback; statistics, export, erasure and
//! purge.
//!
//! Concurrency: a student is in one live duo at most and a host's seat is given once, by two
//! unique columns of `immersion_duos` (see the migration); every change of a duo's state is
//! one conditional `UPDATE … WHERE state = …`, so of two racing answers (or an answer and the
//! expiry) one wins and the other is told the duo changed.

use crate::entity::{
    application, candidate_profile, immersion_application, immersion_campaign, immersion_duo, immersion_offer, user,
};
use crate::{Conflict, DbError, Invalid, Result, stored};
use chrono::{DateTime, NaiveDate, Utc};
use domain::immersion::{ApplicationState, DeclineReason, DuoState, OfferState, PlaceMode, Reason, Side, StudyYear};
use domain::text::slugify_max;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};

fn json_list<T: serde::Serialize>(v: &[T]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn read_list<T: serde::de::DeserializeOwned>(what: &str, id: i64, json: &str) -> Result<Vec<T>> {
    serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("{what} {id} : {e}")))
}

/// The live states: a duo in one of them holds its student and its seat.
pub const LIVE: [DuoState; 3] = [DuoState::Draft, DuoState::Proposed, DuoState::Accepted];

fn live_codes() -> Vec<&'static str> {
    LIVE.iter().map(|s| s.code()).collect()
}

// --- campaigns ---------------------------------------------------------------------------

/// What an administrator writes about a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInput {
    pub name: String,
    pub rules: String,
    pub days: Vec<NaiveDate>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub matching_on: DateTime<Utc>,
    /// The end of the last day (computed in Paris time by the caller).
    pub ends_at: DateTime<Utc>,
    pub answer_days: i32,
    pub objective_duos: i32,
}

pub fn days_of(c: &immersion_campaign::Model) -> Result<Vec<NaiveDate>> {
    read_list("campagne", c.id, &c.days)
}

pub async fn create_campaign(conn: &impl ConnectionTrait, input: &CampaignInput, now: DateTime<Utc>) -> Result<i64> {
    let base = slugify_max(&input.name, 70);
    let base = if base.is_empty() { "vis-mon-job".to_string() } else { base };
    let mut slug = base.clone();
    let mut n = 2;
    while immersion_campaign::Entity::find()
        .filter(immersion_campaign::Column::Slug.eq(&slug))
        .one(conn)
        .await?
        .is_some()
    {
        slug = format!("{base}-{n}");
        n += 1;
    }
    let row = immersion_campaign::ActiveModel {
        id: NotSet,
        slug: Set(slug),
        name: Set(input.name.clone()),
        rules: Set(input.rules.clone()),
        days: Set(json_list(&input.days)),
        opens_at: Set(input.opens_at),
        closes_at: Set(input.closes_at),
        matching_on: Set(input.matching_on),
        ends_at: Set(input.ends_at),
        answer_days: Set(input.answer_days),
        objective_duos: Set(input.objective_duos),
        confirmed_at: Set(None),
        purged_at: Set(None),
        archived_counts: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(immersion_campaign::Entity::insert(row).exec(conn).await?.last_insert_id)
}

pub async fn update_campaign(
    conn: &impl ConnectionTrait,
    id: i64,
    input: &CampaignInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = immersion_campaign::Entity::update_many()
        .col_expr(immersion_campaign::Column::Name, Expr::value(input.name.clone()))
        .col_expr(immersion_campaign::Column::Rules, Expr::value(input.rules.clone()))
        .col_expr(immersion_campaign::Column::Days, Expr::value(json_list(&input.days)))
        .col_expr(immersion_campaign::Column::OpensAt, Expr::value(input.opens_at))
        .col_expr(immersion_campaign::Column::ClosesAt, Expr::value(input.closes_at))
        .col_expr(immersion_campaign::Column::MatchingOn, Expr::value(input.matching_on))
        .col_expr(immersion_campaign::Column::EndsAt, Expr::value(input.ends_at))
        .col_expr(immersion_campaign::Column::AnswerDays, Expr::value(input.answer_days))
        .col_expr(immersion_campaign::Column::ObjectiveDuos, Expr::value(input.objective_duos))
        .col_expr(immersion_campaign::Column::UpdatedAt, Expr::value(now))
        .filter(immersion_campaign::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn campaigns(conn: &impl ConnectionTrait) -> Result<Vec<immersion_campaign::Model>> {
    Ok(immersion_campaign::Entity::find().order_by_desc(immersion_campaign::Column::OpensAt).all(conn).await?)
}

pub async fn campaign(conn: &impl ConnectionTrait, id: i64) -> Result<immersion_campaign::Model> {
    immersion_campaign::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

/// The campaign people take part in now: the earliest one not over yet.
pub async fn current_campaign(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<immersion_campaign::Model>> {
    Ok(immersion_campaign::Entity::find()
        .filter(immersion_campaign::Column::EndsAt.gt(now))
        .order_by_asc(immersion_campaign::Column::OpensAt)
        .one(conn)
        .await?)
}

/// Campaigns over, latest first (their figures on the public page).
pub async fn past_campaigns(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<immersion_campaign::Model>> {
    Ok(immersion_campaign::Entity::find()
        .filter(immersion_campaign::Column::EndsAt.lte(now))
        .order_by_desc(immersion_campaign::Column::EndsAt)
        .all(conn)
        .await?)
}

/// Records that the matching was confirmed; `false` when it already was (two clicks).
pub async fn mark_confirmed(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let res = immersion_campaign::Entity::update_many()
        .col_expr(immersion_campaign::Column::ConfirmedAt, Expr::value(Some(now)))
        .filter(immersion_campaign::Column::Id.eq(id))
        .filter(immersion_campaign::Column::ConfirmedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

// --- offers ------------------------------------------------------------------------------

/// What an agent writes about their day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferInput {
    pub employer: String,
    pub service: String,
    pub job_title: String,
    pub profession: String,
    pub domain: Option<String>,
    pub mode: PlaceMode,
    pub commune_code: Option<String>,
    pub region_code: Option<String>,
    pub days: Vec<NaiveDate>,
    pub seats: i32,
    pub description: String,
    pub accessibility: String,
}

/// Live duos of an offer (its seats given).
async fn live_of_offer(conn: &impl ConnectionTrait, offer_id: i64) -> Result<Vec<immersion_duo::Model>> {
    Ok(immersion_duo::Entity::find()
        .filter(immersion_duo::Column::OfferId.eq(offer_id))
        .filter(immersion_duo::Column::State.is_in(live_codes()))
        .all(conn)
        .await?)
}

/// Creates or updates the agent's offer of the campaign (one per agent): its id.
pub async fn save_offer(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
    institution_id: Option<i64>,
    input: &OfferInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let existing = offer_of(conn, campaign_id, user_id).await?;
    if let Some(o) = &existing {
        let duos = live_of_offer(conn, o.id).await?.len() as i32;
        if input.seats < duos {
            return Err(DbError::Invalid(Invalid::SeatsBelowDuos { duos }));
        }
    }
    let mut row = immersion_offer::ActiveModel {
        id: NotSet,
        campaign_id: Set(campaign_id),
        user_id: Set(user_id),
        institution_id: Set(institution_id),
        employer: Set(input.employer.clone()),
        service: Set(input.service.clone()),
        job_title: Set(input.job_title.clone()),
        profession: Set(input.profession.clone()),
        domain: Set(input.domain.clone()),
        mode: Set(input.mode.code().into()),
        commune_code: Set(input.commune_code.clone()),
        region_code: Set(input.region_code.clone()),
        days: Set(json_list(&input.days)),
        seats: Set(input.seats),
        description: Set(input.description.clone()),
        accessibility: Set(input.accessibility.clone()),
        state: Set(OfferState::Open.code().into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match existing {
        Some(o) => {
            row.id = Set(o.id);
            row.state = Set(o.state);
            row.created_at = Set(o.created_at);
            immersion_offer::Entity::update(row).exec(conn).await?;
            Ok(o.id)
        }
        None => Ok(immersion_offer::Entity::insert(row).exec(conn).await?.last_insert_id),
    }
}

pub async fn offer_of(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
) -> Result<Option<immersion_offer::Model>> {
    Ok(immersion_offer::Entity::find()
        .filter(immersion_offer::Column::CampaignId.eq(campaign_id))
        .filter(immersion_offer::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

pub async fn offer(conn: &impl ConnectionTrait, id: i64) -> Result<immersion_offer::Model> {
    immersion_offer::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn offers_of(conn: &impl ConnectionTrait, campaign_id: i64) -> Result<Vec<immersion_offer::Model>> {
    Ok(immersion_offer::Entity::find()
        .filter(immersion_offer::Column::CampaignId.eq(campaign_id))
        .order_by_asc(immersion_offer::Column::Id)
        .all(conn)
        .await?)
}

pub fn offer_days(o: &immersion_offer::Model) -> Result<Vec<NaiveDate>> {
    read_list("offre d’immersion", o.id, &o.days)
}

pub async fn set_offer_state(
    conn: &impl ConnectionTrait,
    id: i64,
    state: OfferState,
    now: DateTime<Utc>,
) -> Result<()> {
    immersion_offer::Entity::update_many()
        .col_expr(immersion_offer::Column::State, Expr::value(state.code()))
        .col_expr(immersion_offer::Column::UpdatedAt, Expr::value(now))
        .filter(immersion_offer::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

// --- applications ------------------------------------------------------------------------

/// What a student writes in their application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationInput {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub school: String,
    pub programme: String,
    pub year: StudyYear,
    pub professions: Vec<String>,
    pub domains: Vec<String>,
    pub regions: Vec<String>,
    pub remote_ok: bool,
    pub motivation: String,
    pub days: Vec<NaiveDate>,
}

/// Creates or updates the student's application of the campaign (one per student): its id.
pub async fn save_application(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
    input: &ApplicationInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let existing = application_of(conn, campaign_id, user_id).await?;
    let mut row = immersion_application::ActiveModel {
        id: NotSet,
        campaign_id: Set(campaign_id),
        user_id: Set(user_id),
        first_name: Set(input.first_name.clone()),
        last_name: Set(input.last_name.clone()),
        phone: Set(input.phone.clone()),
        school: Set(input.school.clone()),
        programme: Set(input.programme.clone()),
        year: Set(input.year.code().into()),
        professions: Set(json_list(&input.professions)),
        domains: Set(json_list(&input.domains)),
        regions: Set(json_list(&input.regions)),
        remote_ok: Set(input.remote_ok),
        motivation: Set(input.motivation.clone()),
        days: Set(json_list(&input.days)),
        state: Set(ApplicationState::Active.code().into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match existing {
        Some(a) => {
            row.id = Set(a.id);
            row.created_at = Set(a.created_at);
            immersion_application::Entity::update(row).exec(conn).await?;
            Ok(a.id)
        }
        None => Ok(immersion_application::Entity::insert(row).exec(conn).await?.last_insert_id),
    }
}

pub async fn application_of(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    user_id: i64,
) -> Result<Option<immersion_application::Model>> {
    Ok(immersion_application::Entity::find()
        .filter(immersion_application::Column::CampaignId.eq(campaign_id))
        .filter(immersion_application::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

pub async fn application(conn: &impl ConnectionTrait, id: i64) -> Result<immersion_application::Model> {
    immersion_application::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn applications_of(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Vec<immersion_application::Model>> {
    Ok(immersion_application::Entity::find()
        .filter(immersion_application::Column::CampaignId.eq(campaign_id))
        .order_by_asc(immersion_application::Column::Id)
        .all(conn)
        .await?)
}

/// An application's lists, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wishes {
    pub professions: Vec<String>,
    pub domains: Vec<String>,
    pub regions: Vec<String>,
    pub days: Vec<NaiveDate>,
}

pub fn wishes(a: &immersion_application::Model) -> Result<Wishes> {
    Ok(Wishes {
        professions: read_list("candidature d’immersion", a.id, &a.professions)?,
        domains: read_list("candidature d’immersion", a.id, &a.domains)?,
        regions: read_list("candidature d’immersion", a.id, &a.regions)?,
        days: read_list("candidature d’immersion", a.id, &a.days)?,
    })
}

pub async fn set_application_state(
    conn: &impl ConnectionTrait,
    id: i64,
    state: ApplicationState,
    now: DateTime<Utc>,
) -> Result<()> {
    immersion_application::Entity::update_many()
        .col_expr(immersion_application::Column::State, Expr::value(state.code()))
        .col_expr(immersion_application::Column::UpdatedAt, Expr::value(now))
        .filter(immersion_application::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

// --- duos --------------------------------------------------------------------------------

/// A duo with both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct DuoView {
    pub duo: immersion_duo::Model,
    pub state: DuoState,
    pub reasons: Vec<Reason>,
    pub offer: immersion_offer::Model,
    pub application: immersion_application::Model,
    pub host: user::Model,
    pub student: user::Model,
    pub campaign_name: String,
}

impl DuoView {
    pub fn accepted_by(&self, side: Side) -> Option<DateTime<Utc>> {
        match side {
            Side::Student => self.duo.student_accepted_at,
            Side::Host => self.duo.host_accepted_at,
        }
    }

    pub fn agreed_by(&self, side: Side) -> Option<DateTime<Utc>> {
        match side {
            Side::Student => self.duo.student_agreed_at,
            Side::Host => self.duo.host_agreed_at,
        }
    }

    /// Which side `user_id` is on (`None`: neither).
    pub fn side_of(&self, user_id: i64) -> Option<Side> {
        if self.student.id == user_id {
            Some(Side::Student)
        } else if self.host.id == user_id {
            Some(Side::Host)
        } else {
            None
        }
    }

    pub fn feedback_given(&self, side: Side) -> bool {
        match side {
            Side::Student => self.duo.student_rating.is_some(),
            Side::Host => self.duo.host_rating.is_some(),
        }
    }
}

async fn views(conn: &impl ConnectionTrait, duos: Vec<immersion_duo::Model>) -> Result<Vec<DuoView>> {
    let offer_ids: Vec<i64> = duos.iter().map(|d| d.offer_id).collect();
    let app_ids: Vec<i64> = duos.iter().map(|d| d.application_id).collect();
    let offers: HashMap<i64, immersion_offer::Model> = immersion_offer::Entity::find()
        .filter(immersion_offer::Column::Id.is_in(offer_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let apps: HashMap<i64, immersion_application::Model> = immersion_application::Entity::find()
        .filter(immersion_application::Column::Id.is_in(app_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let campaign_ids: Vec<i64> = duos.iter().map(|d| d.campaign_id).collect();
    let names: HashMap<i64, String> = immersion_campaign::Entity::find()
        .filter(immersion_campaign::Column::Id.is_in(campaign_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let user_ids: Vec<i64> = offers.values().map(|o| o.user_id).chain(apps.values().map(|a| a.user_id)).collect();
    let users: HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut out = Vec::with_capacity(duos.len());
    for duo in duos {
        let (Some(offer), Some(application)) = (offers.get(&duo.offer_id), apps.get(&duo.application_id)) else {
            return Err(DbError::Corrupt(format!("duo {} : offre ou candidature absente", duo.id)));
        };
        let (Some(host), Some(student)) = (users.get(&offer.user_id), users.get(&application.user_id)) else {
            return Err(DbError::Corrupt(format!("duo {} : compte absent", duo.id)));
        };
        let state = stored("duo", duo.id, &duo.state)?;
        let reasons = duo.reasons.split(',').filter_map(Reason::parse).collect();
        out.push(DuoView {
            state,
            reasons,
            offer: offer.clone(),
            application: application.clone(),
            host: host.clone(),
            student: student.clone(),
            campaign_name: names.get(&duo.campaign_id).cloned().unwrap_or_default(),
            duo,
        });
    }
    Ok(out)
}

pub async fn duo(conn: &impl ConnectionTrait, id: i64) -> Result<DuoView> {
    let d = immersion_duo::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    views(conn, vec![d]).await?.pop().ok_or(DbError::NotFound)
}

pub async fn duos_of(conn: &impl ConnectionTrait, campaign_id: i64) -> Result<Vec<DuoView>> {
    let duos = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::CampaignId.eq(campaign_id))
        .order_by_asc(immersion_duo::Column::Id)
        .all(conn)
        .await?;
    views(conn, duos).await
}

/// The duos an account is part of, on either side (newest first); drafts are not shown to
/// the sides.
pub async fn duos_of_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<DuoView>> {
    let offers: Vec<i64> = immersion_offer::Entity::find()
        .filter(immersion_offer::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let apps: Vec<i64> = immersion_application::Entity::find()
        .filter(immersion_application::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let duos = immersion_duo::Entity::find()
        .filter(
            Condition::any()
                .add(immersion_duo::Column::OfferId.is_in(offers))
                .add(immersion_duo::Column::ApplicationId.is_in(apps)),
        )
        .filter(immersion_duo::Column::State.ne(DuoState::Draft.code()))
        .order_by_desc(immersion_duo::Column::Id)
        .all(conn)
        .await?;
    views(conn, duos).await
}

/// A pair to record: who, which day, how well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDuo {
    pub offer_id: i64,
    pub application_id: i64,
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub remote: bool,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

/// Records a duo in `state` (a draft of the proposal, or a proposal sent at once), on the
/// host's first free seat. Refused when the student is already in a live duo, or every seat is
/// given (also when a concurrent insert took it: the unique keys decide).
pub async fn insert_duo(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    new: &NewDuo,
    state: DuoState,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let offer = offer(conn, new.offer_id).await?;
    let app = application(conn, new.application_id).await?;
    if offer.campaign_id != campaign_id || app.campaign_id != campaign_id {
        return Err(DbError::NotFound);
    }
    if offer.state != OfferState::Open.code() || app.state != ApplicationState::Active.code() {
        return Err(DbError::Invalid(Invalid::NotAvailable));
    }
    let taken: HashSet<String> = live_of_offer(conn, offer.id).await?.into_iter().filter_map(|d| d.seat_key).collect();
    let Some(seat) = (0..offer.seats).map(|n| format!("{}:{n}", offer.id)).find(|k| !taken.contains(k)) else {
        return Err(DbError::Conflict(Conflict::NoSeatLeft));
    };
    let live = immersion_duo::Entity::find().filter(immersion_duo::Column::StudentKey.eq(app.id)).one(conn).await?;
    if live.is_some() {
        return Err(DbError::Conflict(Conflict::AlreadyInDuo));
    }
    let proposed = state == DuoState::Proposed;
    let row = immersion_duo::ActiveModel {
        id: NotSet,
        campaign_id: Set(campaign_id),
        offer_id: Set(offer.id),
        application_id: Set(app.id),
        day: Set(new.day),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        remote: Set(new.remote),
        score: Set(new.score),
        reasons: Set(new.reasons.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")),
        state: Set(state.code().into()),
        student_key: Set(Some(app.id)),
        seat_key: Set(Some(seat)),
        proposed_at: Set(proposed.then_some(now)),
        expires_at: Set(if proposed { expires_at } else { None }),
        answer_reminded_at: Set(None),
        student_accepted_at: Set(None),
        host_accepted_at: Set(None),
        declined_by: Set(None),
        decline_reason: Set(None),
        place: Set(None),
        online_url: Set(None),
        programme: Set(String::new()),
        manager_name: Set(None),
        student_agreed_at: Set(None),
        host_agreed_at: Set(None),
        week_reminded_at: Set(None),
        eve_reminded_at: Set(None),
        feedback_asked_at: Set(None),
        student_rating: Set(None),
        student_recommends: Set(None),
        student_discovered: Set(None),
        student_comment: Set(None),
        host_rating: Set(None),
        host_recommends: Set(None),
        host_comment: Set(None),
        kept_in_touch_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match immersion_duo::Entity::insert(row).exec(conn).await {
        Ok(r) => Ok(r.last_insert_id),
        Err(e) => match DbError::from(e) {
            // The checks above ran before a concurrent insert committed: the keys decide.
            DbError::Conflict(Conflict::Duplicate) => Err(DbError::Conflict(Conflict::AlreadyInDuo)),
            other => Err(other),
        },
    }
}

/// Deletes the campaign's draft proposal (before computing another).
pub async fn clear_drafts(conn: &impl ConnectionTrait, campaign_id: i64) -> Result<u64> {
    Ok(immersion_duo::Entity::delete_many()
        .filter(immersion_duo::Column::CampaignId.eq(campaign_id))
        .filter(immersion_duo::Column::State.eq(DuoState::Draft.code()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Removes one pair of the draft proposal.
pub async fn remove_draft(conn: &impl ConnectionTrait, id: i64) -> Result<()> {
    let res = immersion_duo::Entity::delete_many()
        .filter(immersion_duo::Column::Id.eq(id))
        .filter(immersion_duo::Column::State.eq(DuoState::Draft.code()))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::Conflict(Conflict::DuoChanged));
    }
    Ok(())
}

/// Sends the draft proposal: every draft becomes a proposal to answer before `expires_at`.
/// The ids of the duos sent.
pub async fn send_drafts(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::CampaignId.eq(campaign_id))
        .filter(immersion_duo::Column::State.eq(DuoState::Draft.code()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    immersion_duo::Entity::update_many()
        .col_expr(immersion_duo::Column::State, Expr::value(DuoState::Proposed.code()))
        .col_expr(immersion_duo::Column::ProposedAt, Expr::value(Some(now)))
        .col_expr(immersion_duo::Column::ExpiresAt, Expr::value(Some(expires_at)))
        .col_expr(immersion_duo::Column::UpdatedAt, Expr::value(now))
        .filter(immersion_duo::Column::Id.is_in(ids.clone()))
        .exec(conn)
        .await?;
    Ok(ids)
}

/// Ends a live duo (`Declined`, `Expired` or `Cancelled`): frees its student and its seat.
/// `false` when it was no longer in `from` (answered or ended meanwhile).
async fn end_duo(
    conn: &impl ConnectionTrait,
    id: i64,
    from: DuoState,
    to: DuoState,
    declined: Option<(Side, DeclineReason)>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let res = immersion_duo::Entity::update_many()
        .col_expr(immersion_duo::Column::State, Expr::value(to.code()))
        .col_expr(immersion_duo::Column::StudentKey, Expr::value(Option::<i64>::None))
        .col_expr(immersion_duo::Column::SeatKey, Expr::value(Option::<String>::None))
        .col_expr(immersion_duo::Column::DeclinedBy, Expr::value(declined.map(|(s, _)| s.code())))
        .col_expr(immersion_duo::Column::DeclineReason, Expr::value(declined.map(|(_, r)| r.code())))
        .col_expr(immersion_duo::Column::UpdatedAt, Expr::value(now))
        .filter(immersion_duo::Column::Id.eq(id))
        .filter(immersion_duo::Column::State.eq(from.code()))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// What an answer gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// This side accepted; the other has not answered yet.
    Waiting,
    /// Both sides accepted now (this answer was the second).
    Accepted,
    Declined,
}

/// A side's answer to a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Decline(DeclineReason),
}

/// One side's answer to a proposal, before it expires.
pub async fn answer(
    conn: &impl ConnectionTrait,
    id: i64,
    side: Side,
    decision: Decision,
    now: DateTime<Utc>,
) -> Result<Answered> {
    let d = immersion_duo::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    if d.state != DuoState::Proposed.code() {
        return Err(DbError::Conflict(Conflict::DuoChanged));
    }
    if d.expires_at.is_some_and(|e| now >= e) {
        return Err(DbError::Invalid(Invalid::AnswerClosed));
    }
    if let Decision::Decline(reason) = decision {
        return if end_duo(conn, id, DuoState::Proposed, DuoState::Declined, Some((side, reason)), now).await? {
            Ok(Answered::Declined)
        } else {
            Err(DbError::Conflict(Conflict::DuoChanged))
        };
    }
    let column = match side {
        Side::Student => immersion_duo::Column::StudentAcceptedAt,
        Side::Host => immersion_duo::Column::HostAcceptedAt,
    };
    let res = immersion_duo::Entity::update_many()
        .col_expr(column, Expr::value(Some(now)))
        .col_expr(immersion_duo::Column::UpdatedAt, Expr::value(now))
        .filter(immersion_duo::Column::Id.eq(id))
        .filter(immersion_duo::Column::State.eq(DuoState::Proposed.code()))
        .filter(column.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::Conflict(Conflict::DuoChanged));
    }
    // Both answers in: the duo is formed, once (the second of two racing answers does it).
    let res = immersion_duo::Entity::update_many()
        .col_expr(immersion_duo::Column::State, Expr::value(DuoState::Accepted.code()))
        .filter(immersion_duo::Column::Id.eq(id))
        .filter(immersion_duo::Column::State.eq(DuoState::Proposed.code()))
        .filter(immersion_duo::Column::StudentAcceptedAt.is_not_null())
        .filter(immersion_duo::Column::HostAcceptedAt.is_not_null())
        .exec(conn)
        .await?;
    Ok(if res.rows_affected == 1 { Answered::Accepted } else { Answered::Waiting })
}

/// Cancels a duo (an administrator, or a side withdrawing): frees both sides.
pub async fn cancel_duo(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    for from in [DuoState::Proposed, DuoState::Accepted] {
        if end_duo(conn, id, from, DuoState::Cancelled, None, now).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Proposals whose time to answer is over at `now`.
pub async fn expiring(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<DuoView>> {
    let duos = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::State.eq(DuoState::Proposed.code()))
        .filter(immersion_duo::Column::ExpiresAt.lte(now))
        .all(conn)
        .await?;
    views(conn, duos).await
}

/// Expires a proposal: frees both sides, and pauses the side(s) that did not answer (the one
/// that did is proposed again). `false` when it was answered meanwhile.
pub async fn expire(conn: &impl ConnectionTrait, d: &DuoView, now: DateTime<Utc>) -> Result<bool> {
    if !end_duo(conn, d.duo.id, DuoState::Proposed, DuoState::Expired, None, now).await? {
        return Ok(false);
    }
    if d.duo.host_accepted_at.is_none() {
        set_offer_state(conn, d.offer.id, OfferState::Paused, now).await?;
    }
    if d.duo.student_accepted_at.is_none() {
        set_application_state(conn, d.application.id, ApplicationState::Paused, now).await?;
    }
    Ok(true)
}

/// Proposals to remind (halfway through the time to answer, once).
pub async fn answer_reminders_due(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<DuoView>> {
    let duos = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::State.eq(DuoState::Proposed.code()))
        .filter(immersion_duo::Column::AnswerRemindedAt.is_null())
        .filter(immersion_duo::Column::ExpiresAt.gt(now))
        .all(conn)
        .await?
        .into_iter()
        .filter(|d| match (d.proposed_at, d.expires_at) {
            (Some(p), Some(e)) => domain::immersion::answer_reminder_due(p, e, now),
            _ => false,
        })
        .collect();
    views(conn, duos).await
}

/// Marks a column of the duo as done at `now`, once: `false` when it already was.
async fn mark_once(
    conn: &impl ConnectionTrait,
    id: i64,
    column: immersion_duo::Column,
    now: DateTime<Utc>,
) -> Result<bool> {
    let res = immersion_duo::Entity::update_many()
        .col_expr(column, Expr::value(Some(now)))
        .filter(immersion_duo::Column::Id.eq(id))
        .filter(column.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn mark_answer_reminded(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    mark_once(conn, id, immersion_duo::Column::AnswerRemindedAt, now).await
}

/// Accepted duos whose day is still to come.
pub async fn accepted_upcoming(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<DuoView>> {
    let duos = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::State.eq(DuoState::Accepted.code()))
        .filter(immersion_duo::Column::StartsAt.gt(now))
        .all(conn)
        .await?;
    views(conn, duos).await
}

pub async fn mark_day_reminded(
    conn: &impl ConnectionTrait,
    id: i64,
    reminder: domain::immersion::DayReminder,
    now: DateTime<Utc>,
) -> Result<bool> {
    // The eve's reminder stands for the week's too when the duo was formed late.
    let column = match reminder {
        domain::immersion::DayReminder::Week => immersion_duo::Column::WeekRemindedAt,
        domain::immersion::DayReminder::Eve => immersion_duo::Column::EveRemindedAt,
    };
    mark_once(conn, id, column, now).await
}

/// Accepted duos whose day is over and whose sides were not yet asked for their feedback.
pub async fn feedback_due(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<DuoView>> {
    let duos = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::State.eq(DuoState::Accepted.code()))
        .filter(immersion_duo::Column::EndsAt.lte(now))
        .filter(immersion_duo::Column::FeedbackAskedAt.is_null())
        .all(conn)
        .await?;
    views(conn, duos).await
}

pub async fn mark_feedback_asked(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    mark_once(conn, id, immersion_duo::Column::FeedbackAskedAt, now).await
}

/// Pairs that were proposed and did not happen (declined, unanswered, cancelled): never
/// proposed again. (offer id, application id)
pub async fn excluded_pairs(conn: &impl ConnectionTrait, campaign_id: i64) -> Result<HashSet<(i64, i64)>> {
    Ok(immersion_duo::Entity::find()
        .filter(immersion_duo::Column::CampaignId.eq(campaign_id))
        .filter(immersion_duo::Column::State.is_not_in(live_codes()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.offer_id, d.application_id))
        .collect())
}

/// Live duos of a campaign per offer (seats given) and the applications already paired.
pub async fn live_counts(conn: &impl ConnectionTrait, campaign_id: i64) -> Result<(HashMap<i64, u32>, HashSet<i64>)> {
    let live = immersion_duo::Entity::find()
        .filter(immersion_duo::Column::CampaignId.eq(campaign_id))
        .filter(immersion_duo::Column::State.is_in(live_codes()))
        .all(conn)
        .await?;
    let mut per_offer = HashMap::new();
    let mut apps = HashSet::new();
    for d in live {
        *per_offer.entry(d.offer_id).or_insert(0) += 1;
        apps.insert(d.application_id);
    }
    Ok((per_offer, apps))
}

/// The agreement: a side agrees by a dated click, once the duo is accepted.
pub async fn agree(conn: &impl ConnectionTrait, id: i64, side: Side, now: DateTime<Utc>) -> Result<bool> {
    let d = duo(conn, id).await?;
    if d.state != DuoState::Accepted {
        return Err(DbError::Invalid(Invalid::DuoNotAccepted));
    }
    let column = match side {
        Side::Student => immersion_duo::Column::StudentAgreedAt,
        Side::Host => immersion_duo::Column::HostAgreedAt,
    };
    mark_once(conn, id, column, now).await
}

/// What the host writes about the day once the duo is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub programme: String,
    pub manager_name: Option<String>,
}

/// Saves the day's organisation. Changing it after an agreement asks both sides to agree
/// again (they agreed to something else).
pub async fn organise(conn: &impl ConnectionTrait, id: i64, o: &Organisation, now: DateTime<Utc>) -> Result<bool> {
    let d = duo(conn, id).await?;
    if d.state != DuoState::Accepted {
        return Err(DbError::Invalid(Invalid::DuoNotAccepted));
    }
    let changed = d.duo.place != o.place
        || d.duo.online_url != o.online_url
        || d.duo.programme != o.programme
        || d.duo.manager_name != o.manager_name;
    let mut q = immersion_duo::Entity::update_many()
        .col_expr(immersion_duo::Column::Place, Expr::value(o.place.clone()))
        .col_expr(immersion_duo::Column::OnlineUrl, Expr::value(o.online_url.clone()))
        .col_expr(immersion_duo::Column::Programme, Expr::value(o.programme.clone()))
        .col_expr(immersion_duo::Column::ManagerName, Expr::value(o.manager_name.clone()))
        .col_expr(immersion_duo::Column::UpdatedAt, Expr::value(now));
    let reset = changed && (d.duo.student_agreed_at.is_some() || d.duo.host_agreed_at.is_some());
    if reset {
        q = q
            .col_expr(immersion_duo::Column::StudentAgreedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(immersion_duo::Column::HostAgreedAt, Expr::value(Option::<DateTime<Utc>>::None));
    }
    q.filter(immersion_duo::Column::Id.eq(id)).exec(conn).await?;
    Ok(reset)
}

/// A side's feedback on the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// 1 to 5.
    pub rating: i32,
    pub recommends: bool,
    /// The student's only: did they discover a profession.
    pub discovered: Option<bool>,
    pub comment: Option<String>,
}

/// Saves a side's feedback, after the day (given again, it replaces the first).
pub async fn save_feedback(
    conn: &impl ConnectionTrait,
    id: i64,
    side: Side,
    f: &Feedback,
    now: DateTime<Utc>,
) -> Result<()> {
    let d = duo(conn, id).await?;
    if d.state != DuoState::Accepted {
        return Err(DbError::Invalid(Invalid::DuoNotAccepted));
    }
    if now < d.duo.ends_at {
        return Err(DbError::Invalid(Invalid::DayNotOver));
    }
    let q = immersion_duo::Entity::update_many().col_expr(immersion_duo::Column::UpdatedAt, Expr::value(now));
    let q = match side {
        Side::Student => q
            .col_expr(immersion_duo::Column::StudentRating, Expr::value(Some(f.rating)))
            .col_expr(immersion_duo::Column::StudentRecommends, Expr::value(Some(f.recommends)))
            .col_expr(immersion_duo::Column::StudentDiscovered, Expr::value(f.discovered))
            .col_expr(immersion_duo::Column::StudentComment, Expr::value(f.comment.clone())),
        Side::Host => q
            .col_expr(immersion_duo::Column::HostRating, Expr::value(Some(f.rating)))
            .col_expr(immersion_duo::Column::HostRecommends, Expr::value(Some(f.recommends)))
            .col_expr(immersion_duo::Column::HostComment, Expr::value(f.comment.clone())),
    };
    q.filter(immersion_duo::Column::Id.eq(id)).exec(conn).await?;
    Ok(())
}

/// « Garder le contact »: the student joins the talent pool (a profile is made from the
/// application when they have none). `false` when they had already asked.
pub async fn keep_in_touch(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    // Read again inside the caller's transaction: the view the page showed may be stale.
    let d = &duo(conn, id).await?;
    if d.state != DuoState::Accepted {
        return Err(DbError::Invalid(Invalid::DuoNotAccepted));
    }
    if !mark_once(conn, d.duo.id, immersion_duo::Column::KeptInTouchAt, now).await? {
        return Ok(false);
    }
    let user_id = d.student.id;
    match candidate_profile::Entity::find_by_id(user_id).one(conn).await? {
        Some(_) => {
            candidate_profile::Entity::update_many()
                .col_expr(candidate_profile::Column::TalentPool, Expr::value(true))
                .col_expr(candidate_profile::Column::UpdatedAt, Expr::value(now))
                .filter(candidate_profile::Column::UserId.eq(user_id))
                .exec(conn)
                .await?;
        }
        None => {
            let a = &d.application;
            let row = candidate_profile::ActiveModel {
                user_id: Set(user_id),
                first_name: Set(a.first_name.clone()),
                last_name: Set(a.last_name.clone()),
                phone: Set(a.phone.clone()),
                current_position: Set(Some(format!("Étudiant·e, {}", a.programme))),
                years_experience: Set(None),
                remote: Set(None),
                linkedin_url: Set(None),
                github_url: Set(None),
                portfolio_url: Set(None),
                languages: Set(None),
                talent_pool: Set(true),
                cv_file_id: Set(None),
                updated_at: Set(now),
            };
            candidate_profile::Entity::insert(row).exec(conn).await?;
        }
    }
    Ok(true)
}

// --- statistics, personal data, retention -------------------------------------------------

/// A campaign's figures (what the statistics show beside the objective).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignStats {
    /// Offers not withdrawn, and their seats.
    pub offers: u64,
    pub seats: u64,
    /// Applications not withdrawn.
    pub applications: u64,
    /// Proposals sent to both sides.
    pub proposed: u64,
    pub accepted: u64,
    pub declined: u64,
    pub expired: u64,
    /// Accepted duos whose day is over.
    pub completed: u64,
    pub feedback: u64,
    /// Mean rating ×10, both sides (one decimal without floats).
    pub rating_tenths: Option<u64>,
    pub recommend: u64,
    pub discovered: u64,
    /// Students of accepted duos in the talent pool, who applied to an offer after their day,
    /// who were hired.
    pub joined_pool: u64,
    pub applied: u64,
    pub hired: u64,
    pub objective: u64,
}

/// The figures of a campaign: counted from its rows, or read back once they were purged.
pub async fn stats(
    conn: &impl ConnectionTrait,
    c: &immersion_campaign::Model,
    now: DateTime<Utc>,
) -> Result<CampaignStats> {
    if let Some(json) = &c.archived_counts {
        return serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("campagne {} : {e}", c.id)));
    }
    let mut st = CampaignStats { objective: u64::try_from(c.objective_duos).unwrap_or(0), ..Default::default() };
    for o in offers_of(conn, c.id).await? {
        if o.state != OfferState::Withdrawn.code() {
            st.offers += 1;
            st.seats += u64::try_from(o.seats).unwrap_or(0);
        }
    }
    st.applications = immersion_application::Entity::find()
        .filter(immersion_application::Column::CampaignId.eq(c.id))
        .filter(immersion_application::Column::State.ne(ApplicationState::Withdrawn.code()))
        .count(conn)
        .await?;
    let duos = duos_of(conn, c.id).await?;
    let mut ratings = Vec::new();
    let mut students = Vec::new();
    for d in &duos {
        match d.state {
            DuoState::Draft => continue,
            DuoState::Declined => st.declined += 1,
            DuoState::Expired => st.expired += 1,
            DuoState::Accepted => {
                st.accepted += 1;
                students.push((d.student.id, d.duo.ends_at));
                if d.duo.ends_at <= now {
                    st.completed += 1;
                }
            }
            _ => {}
        }
        st.proposed += 1;
        for (rating, recommends) in
            [(d.duo.student_rating, d.duo.student_recommends), (d.duo.host_rating, d.duo.host_recommends)]
        {
            if let Some(r) = rating {
                ratings.push(u64::try_from(r).unwrap_or(0));
                st.feedback += 1;
            }
            if recommends == Some(true) {
                st.recommend += 1;
            }
        }
        if d.duo.student_discovered == Some(true) {
            st.discovered += 1;
        }
    }
    if !ratings.is_empty() {
        st.rating_tenths = Some(ratings.iter().sum::<u64>() * 10 / ratings.len() as u64);
    }
    let ids: Vec<i64> = students.iter().map(|(u, _)| *u).collect();
    st.joined_pool = candidate_profile::Entity::find()
        .filter(candidate_profile::Column::UserId.is_in(ids.clone()))
        .filter(candidate_profile::Column::TalentPool.eq(true))
        .count(conn)
        .await?;
    let apps = application::Entity::find().filter(application::Column::UserId.is_in(ids)).all(conn).await?;
    let mut applied = HashSet::new();
    let mut hired = HashSet::new();
    for (user_id, day_ended) in &students {
        for a in apps.iter().filter(|a| a.user_id == Some(*user_id) && a.created_at >= *day_ended) {
            applied.insert(*user_id);
            if a.stage == domain::candidate::Stage::Accepted.code() {
                hired.insert(*user_id);
            }
        }
    }
    st.applied = applied.len() as u64;
    st.hired = hired.len() as u64;
    Ok(st)
}

/// What « Vis mon job » holds about an account, for its export.
pub async fn export_of(conn: &impl ConnectionTrait, user_id: i64) -> Result<serde_json::Value> {
    use serde_json::json;
    let apps = immersion_application::Entity::find()
        .filter(immersion_application::Column::UserId.eq(user_id))
        .all(conn)
        .await?;
    let offers = immersion_offer::Entity::find().filter(immersion_offer::Column::UserId.eq(user_id)).all(conn).await?;
    let duos = duos_of_user(conn, user_id).await?;
    Ok(json!({
        "candidatures": apps.iter().map(|a| json!({
            "campagne": a.campaign_id,
            "prenom": a.first_name,
            "nom": a.last_name,
            "telephone": a.phone,
            "etablissement": a.school,
            "formation": a.programme,
            "annee": a.year,
            "metiers": a.professions,
            "domaines": a.domains,
            "regions": a.regions,
            "distance_acceptee": a.remote_ok,
            "motivation": a.motivation,
            "jours": a.days,
            "etat": a.state,
            "creee_le": a.created_at,
        })).collect::<Vec<_>>(),
        "offres": offers.iter().map(|o| json!({
            "campagne": o.campaign_id,
            "employeur": o.employer,
            "service": o.service,
            "poste": o.job_title,
            "metier": o.profession,
            "lieu": o.mode,
            "commune": o.commune_code,
            "jours": o.days,
            "places": o.seats,
            "journee": o.description,
            "accessibilite": o.accessibility,
            "etat": o.state,
        })).collect::<Vec<_>>(),
        "duos": duos.iter().map(|d| {
            let side = d.side_of(user_id);
            json!({
                "jour": d.duo.day,
                "etat": d.state.code(),
                "cote": side.map(|s| s.code()),
                "accepte_le": side.and_then(|s| d.accepted_by(s)),
                "convention_acceptee_le": side.and_then(|s| d.agreed_by(s)),
                "note": match side { Some(Side::Student) => d.duo.student_rating, Some(Side::Host) => d.duo.host_rating, None => None },
                "commentaire": match side { Some(Side::Student) => d.duo.student_comment.clone(), Some(Side::Host) => d.duo.host_comment.clone(), None => None },
            })
        }).collect::<Vec<_>>(),
    }))
}

/// Erases an account's applications and offers (their duos go with them, freeing the other
/// side): the live duos that ended, for the other side to be told.
pub async fn erase_user(conn: &impl ConnectionTrait, user_id: i64, now: DateTime<Utc>) -> Result<Vec<DuoView>> {
    let ended: Vec<DuoView> = duos_of_user(conn, user_id)
        .await?
        .into_iter()
        .filter(|d| matches!(d.state, DuoState::Proposed | DuoState::Accepted) && d.duo.ends_at > now)
        .collect();
    immersion_application::Entity::delete_many()
        .filter(immersion_application::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    immersion_offer::Entity::delete_many().filter(immersion_offer::Column::UserId.eq(user_id)).exec(conn).await?;
    Ok(ended)
}

/// Purges the personal data of campaigns over before `before`: applications, offers and duos
/// (the figures are kept on the campaign first). How many campaigns were purged.
pub async fn purge_ended(conn: &impl ConnectionTrait, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
    let ended = immersion_campaign::Entity::find()
        .filter(immersion_campaign::Column::EndsAt.lt(before))
        .filter(immersion_campaign::Column::PurgedAt.is_null())
        .all(conn)
        .await?;
    let mut n = 0;
    for c in ended {
        let figures = stats(conn, &c, now).await?;
        let json = serde_json::to_string(&figures).map_err(|e| DbError::Corrupt(e.to_string()))?;
        immersion_duo::Entity::delete_many().filter(immersion_duo::Column::CampaignId.eq(c.id)).exec(conn).await?;
        immersion_application::Entity::delete_many()
            .filter(immersion_application::Column::CampaignId.eq(c.id))
            .exec(conn)
            .await?;
        immersion_offer::Entity::delete_many().filter(immersion_offer::Column::CampaignId.eq(c.id)).exec(conn).await?;
        immersion_campaign::Entity::update_many()
            .col_expr(immersion_campaign::Column::ArchivedCounts, Expr::value(Some(json)))
            .col_expr(immersion_campaign::Column::PurgedAt, Expr::value(Some(now)))
            .filter(immersion_campaign::Column::Id.eq(c.id))
            .exec(conn)
            .await?;
        n += 1;
    }
    Ok(n)
}

/// The candidate's year, read back.
pub fn year_of(a: &immersion_application::Model) -> Result<StudyYear> {
    stored("candidature d’immersion", a.id, &a.year)
}

pub fn mode_of(o: &immersion_offer::Model) -> Result<PlaceMode> {
    stored("offre d’immersion", o.id, &o.mode)
}

pub fn offer_state_of(o: &immersion_offer::Model) -> Result<OfferState> {
    stored("offre d’immersion", o.id, &o.state)
}

pub fn application_state_of(a: &immersion_application::Model) -> Result<ApplicationState> {
    stored("candidature d’immersion", a.id, &a.state)
}
