//! The forum: editions, sessions, participants and their registrations (with the waiting
//! list), booths, job-dating slots and bookings.
//!
//! Concurrency: a seat is taken by one conditional `UPDATE` of the session's counter
//! (`taken < capacity`), which also locks the session's row on PostgreSQL, so promotions from
//! the waiting list are decided one at a time; a slot is booked once because `slot_id` is
//! unique in `forum_bookings`; a candidate's overlapping bookings are checked after their
//! account's row is taken, so two bookings of one candidate are decided one after the other.

use crate::entity::{
    forum_booking, forum_booth, forum_edition, forum_participant, forum_registration, forum_session, forum_slot,
    forum_speaker, institution, offer, user,
};
use crate::{Conflict, DbError, Invalid, Result, stored};
use chrono::{DateTime, Utc};
use domain::forum::{BookingOutcome, RegistrationStatus, SessionKind, SessionState};
use domain::text::slugify_max;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

// --- editions ----------------------------------------------------------------------------

/// What an administrator writes about an edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionInput {
    pub name: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub booking_opens_at: DateTime<Utc>,
    pub booking_closes_minutes: i32,
    pub objective_participants: i32,
    pub objective_services: i32,
    pub objective_posts: i32,
}

async fn free_slug<E, C>(conn: &impl ConnectionTrait, base: &str, fallback: &str, column: C) -> Result<String>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let base = if base.is_empty() { fallback } else { base };
    let mut candidate = base.to_string();
    let mut n = 2;
    while E::find().filter(column.eq(&candidate)).one(conn).await?.is_some() {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

pub async fn create_edition(conn: &impl ConnectionTrait, input: &EditionInput, now: DateTime<Utc>) -> Result<i64> {
    let slug = free_slug::<forum_edition::Entity, _>(
        conn,
        &slugify_max(&input.name, 70),
        "forum",
        forum_edition::Column::Slug,
    )
    .await?;
    let model = forum_edition::ActiveModel {
        id: NotSet,
        slug: Set(slug),
        name: Set(input.name.clone()),
        description: Set(input.description.clone()),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        registration_opens_at: Set(input.registration_opens_at),
        registration_closes_at: Set(input.registration_closes_at),
        booking_opens_at: Set(input.booking_opens_at),
        booking_closes_minutes: Set(input.booking_closes_minutes),
        objective_participants: Set(input.objective_participants),
        objective_services: Set(input.objective_services),
        objective_posts: Set(input.objective_posts),
        purged_at: Set(None),
        archived_counts: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(forum_edition::Entity::insert(model).exec(conn).await?.last_insert_id)
}

pub async fn update_edition(
    conn: &impl ConnectionTrait,
    id: i64,
    input: &EditionInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = forum_edition::Entity::update_many()
        .col_expr(forum_edition::Column::Name, Expr::value(input.name.clone()))
        .col_expr(forum_edition::Column::Description, Expr::value(input.description.clone()))
        .col_expr(forum_edition::Column::StartsAt, Expr::value(input.starts_at))
        .col_expr(forum_edition::Column::EndsAt, Expr::value(input.ends_at))
        .col_expr(forum_edition::Column::RegistrationOpensAt, Expr::value(input.registration_opens_at))
        .col_expr(forum_edition::Column::RegistrationClosesAt, Expr::value(input.registration_closes_at))
        .col_expr(forum_edition::Column::BookingOpensAt, Expr::value(input.booking_opens_at))
        .col_expr(forum_edition::Column::BookingClosesMinutes, Expr::value(input.booking_closes_minutes))
        .col_expr(forum_edition::Column::ObjectiveParticipants, Expr::value(input.objective_participants))
        .col_expr(forum_edition::Column::ObjectiveServices, Expr::value(input.objective_services))
        .col_expr(forum_edition::Column::ObjectivePosts, Expr::value(input.objective_posts))
        .col_expr(forum_edition::Column::UpdatedAt, Expr::value(now))
        .filter(forum_edition::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn editions(conn: &impl ConnectionTrait) -> Result<Vec<forum_edition::Model>> {
    Ok(forum_edition::Entity::find().order_by_desc(forum_edition::Column::StartsAt).all(conn).await?)
}

pub async fn edition(conn: &impl ConnectionTrait, id: i64) -> Result<forum_edition::Model> {
    forum_edition::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn edition_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<forum_edition::Model> {
    forum_edition::Entity::find().filter(forum_edition::Column::Slug.eq(slug)).one(conn).await?.ok_or(DbError::NotFound)
}

/// The edition `/forum` shows: the next or ongoing one, else the latest that ended.
pub async fn current_edition(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Option<forum_edition::Model>> {
    let next = forum_edition::Entity::find()
        .filter(forum_edition::Column::EndsAt.gt(now))
        .order_by_asc(forum_edition::Column::StartsAt)
        .one(conn)
        .await?;
    if next.is_some() {
        return Ok(next);
    }
    Ok(forum_edition::Entity::find().order_by_desc(forum_edition::Column::EndsAt).one(conn).await?)
}

// --- sessions ----------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerInput {
    pub name: String,
    pub job_title: String,
    pub institution_id: Option<i64>,
    pub story_id: Option<i64>,
}

/// What an administrator writes about a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub kind: SessionKind,
    pub title: String,
    pub description: String,
    pub institution_id: Option<i64>,
    pub story_id: Option<i64>,
    pub themes: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub online_url: String,
    pub place: Option<String>,
    pub capacity: i32,
    pub speakers: Vec<SpeakerInput>,
}

/// A session with what its pages show beside it.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: forum_session::Model,
    pub kind: SessionKind,
    pub state: SessionState,
    pub institution: Option<institution::Model>,
    pub speakers: Vec<forum_speaker::Model>,
    /// People on its waiting list.
    pub waiting: u64,
}

impl SessionView {
    pub fn remaining(&self) -> i32 {
        std::cmp::max(self.session.capacity - self.session.taken, 0)
    }

    pub fn themes(&self) -> Vec<String> {
        domain::forum::themes_of(&self.session.themes)
    }
}

async fn write_speakers(conn: &impl ConnectionTrait, session_id: i64, speakers: &[SpeakerInput]) -> Result<()> {
    forum_speaker::Entity::delete_many().filter(forum_speaker::Column::SessionId.eq(session_id)).exec(conn).await?;
    for (i, s) in speakers.iter().enumerate() {
        let model = forum_speaker::ActiveModel {
            id: NotSet,
            session_id: Set(session_id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            name: Set(s.name.clone()),
            job_title: Set(s.job_title.clone()),
            institution_id: Set(s.institution_id),
            story_id: Set(s.story_id),
        };
        forum_speaker::Entity::insert(model).exec(conn).await?;
    }
    Ok(())
}

pub async fn create_session(
    conn: &impl ConnectionTrait,
    edition_id: i64,
    input: &SessionInput,
    state: SessionState,
    now: DateTime<Utc>,
) -> Result<i64> {
    edition(conn, edition_id).await?;
    let slug = free_slug::<forum_session::Entity, _>(
        conn,
        &slugify_max(&input.title, 120),
        "session",
        forum_session::Column::Slug,
    )
    .await?;
    let model = forum_session::ActiveModel {
        id: NotSet,
        edition_id: Set(edition_id),
        slug: Set(slug),
        kind: Set(input.kind.code().to_string()),
        title: Set(input.title.clone()),
        description: Set(input.description.clone()),
        institution_id: Set(input.institution_id),
        story_id: Set(input.story_id),
        themes: Set(input.themes.join(", ")),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        online_url: Set(input.online_url.clone()),
        place: Set(input.place.clone()),
        capacity: Set(input.capacity),
        taken: Set(0),
        state: Set(state.code().to_string()),
        replay_key: Set(None),
        replay_type: Set(None),
        replay_captions: Set(None),
        replay_transcript: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = forum_session::Entity::insert(model).exec(conn).await?.last_insert_id;
    write_speakers(conn, id, &input.speakers).await?;
    Ok(id)
}

/// Saves an edit. The capacity may not go below the seats already taken (those people keep
/// their place); raised, it frees seats the caller gives to the waiting list.
pub async fn update_session(
    conn: &impl ConnectionTrait,
    id: i64,
    input: &SessionInput,
    now: DateTime<Utc>,
) -> Result<forum_session::Model> {
    let before = session_for_change(conn, id, now).await?;
    if input.capacity < before.taken {
        return Err(DbError::Invalid(Invalid::CapacityBelowTaken { taken: before.taken }));
    }
    forum_session::Entity::update_many()
        .col_expr(forum_session::Column::Kind, Expr::value(input.kind.code()))
        .col_expr(forum_session::Column::Title, Expr::value(input.title.clone()))
        .col_expr(forum_session::Column::Description, Expr::value(input.description.clone()))
        .col_expr(forum_session::Column::InstitutionId, Expr::value(input.institution_id))
        .col_expr(forum_session::Column::StoryId, Expr::value(input.story_id))
        .col_expr(forum_session::Column::Themes, Expr::value(input.themes.join(", ")))
        .col_expr(forum_session::Column::StartsAt, Expr::value(input.starts_at))
        .col_expr(forum_session::Column::EndsAt, Expr::value(input.ends_at))
        .col_expr(forum_session::Column::OnlineUrl, Expr::value(input.online_url.clone()))
        .col_expr(forum_session::Column::Place, Expr::value(input.place.clone()))
        .col_expr(forum_session::Column::Capacity, Expr::value(input.capacity))
        .filter(forum_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    write_speakers(conn, id, &input.speakers).await?;
    Ok(before)
}

pub async fn set_session_state(
    conn: &impl ConnectionTrait,
    id: i64,
    state: SessionState,
    now: DateTime<Utc>,
) -> Result<SessionState> {
    let before = session_for_change(conn, id, now).await?;
    let was: SessionState = stored("session", id, &before.state)?;
    // A cancellation was told to everyone: it is final. A session with people registered or
    // waiting is cancelled (they are told), never silently taken off the programme.
    if was == SessionState::Cancelled && state != SessionState::Cancelled {
        return Err(DbError::Invalid(Invalid::SessionCancelled));
    }
    if state == SessionState::Draft && was == SessionState::Published {
        let holders = forum_registration::Entity::find()
            .filter(forum_registration::Column::SessionId.eq(id))
            .filter(
                forum_registration::Column::Status
                    .is_in([RegistrationStatus::Registered.code(), RegistrationStatus::Waiting.code()]),
            )
            .count(conn)
            .await?;
        if holders > 0 {
            return Err(DbError::Invalid(Invalid::SessionHasRegistrations));
        }
    }
    forum_session::Entity::update_many()
        .col_expr(forum_session::Column::State, Expr::value(state.code()))
        .filter(forum_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    stored("session", id, &before.state)
}

/// The replay of a past session: its video (key in the file store), captions, transcript.
pub async fn set_replay(
    conn: &impl ConnectionTrait,
    id: i64,
    video: Option<(&str, &str)>,
    captions: &str,
    transcript: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let before = session_for_change(conn, id, now).await?;
    forum_session::Entity::update_many()
        .col_expr(forum_session::Column::ReplayKey, Expr::value(video.map(|v| v.0.to_string())))
        .col_expr(forum_session::Column::ReplayType, Expr::value(video.map(|v| v.1.to_string())))
        .col_expr(forum_session::Column::ReplayCaptions, Expr::value(Some(captions.to_string())))
        .col_expr(forum_session::Column::ReplayTranscript, Expr::value(Some(transcript.to_string())))
        .filter(forum_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(before.replay_key)
}

/// The session's row, taken for a change (its `updated_at` written first, which locks it on
/// PostgreSQL until the transaction ends).
async fn session_for_change(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<forum_session::Model> {
    forum_session::Entity::update_many()
        .col_expr(forum_session::Column::UpdatedAt, Expr::value(now))
        .filter(forum_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    session(conn, id).await
}

pub async fn session(conn: &impl ConnectionTrait, id: i64) -> Result<forum_session::Model> {
    forum_session::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

async fn views(conn: &impl ConnectionTrait, sessions: Vec<forum_session::Model>) -> Result<Vec<SessionView>> {
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let inst_ids: Vec<i64> = sessions.iter().filter_map(|s| s.institution_id).collect();
    let institutions: HashMap<i64, institution::Model> =
        crate::institutions::by_ids(conn, &inst_ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let mut speakers: HashMap<i64, Vec<forum_speaker::Model>> = HashMap::new();
    for s in forum_speaker::Entity::find()
        .filter(forum_speaker::Column::SessionId.is_in(ids.clone()))
        .order_by_asc(forum_speaker::Column::Position)
        .all(conn)
        .await?
    {
        speakers.entry(s.session_id).or_default().push(s);
    }
    let mut waiting: HashMap<i64, u64> = HashMap::new();
    for r in forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.is_in(ids))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Waiting.code()))
        .all(conn)
        .await?
    {
        *waiting.entry(r.session_id).or_default() += 1;
    }
    sessions
        .into_iter()
        .map(|s| {
            Ok(SessionView {
                kind: stored("session", s.id, &s.kind)?,
                state: stored("session", s.id, &s.state)?,
                institution: s.institution_id.and_then(|i| institutions.get(&i).cloned()),
                speakers: speakers.remove(&s.id).unwrap_or_default(),
                waiting: waiting.get(&s.id).copied().unwrap_or(0),
                session: s,
            })
        })
        .collect()
}

fn public_states() -> Vec<&'static str> {
    vec![SessionState::Published.code(), SessionState::Cancelled.code()]
}

/// An edition's sessions in order of start; `public`: only those shown (published or
/// cancelled), as every public page and the API read them.
pub async fn sessions_of(conn: &impl ConnectionTrait, edition_id: i64, public: bool) -> Result<Vec<SessionView>> {
    let mut q = forum_session::Entity::find().filter(forum_session::Column::EditionId.eq(edition_id));
    if public {
        q = q.filter(forum_session::Column::State.is_in(public_states()));
    }
    let rows =
        q.order_by_asc(forum_session::Column::StartsAt).order_by_asc(forum_session::Column::Id).all(conn).await?;
    views(conn, rows).await
}

/// A session by its address; a draft is as unknown as nothing.
pub async fn public_session(conn: &impl ConnectionTrait, slug: &str) -> Result<SessionView> {
    let s = forum_session::Entity::find()
        .filter(forum_session::Column::Slug.eq(slug))
        .filter(forum_session::Column::State.is_in(public_states()))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    views(conn, vec![s]).await?.pop().ok_or(DbError::NotFound)
}

pub async fn session_view(conn: &impl ConnectionTrait, id: i64) -> Result<SessionView> {
    let s = session(conn, id).await?;
    views(conn, vec![s]).await?.pop().ok_or(DbError::NotFound)
}

// --- participants and registrations ------------------------------------------------------

/// The participant of an e-mail address, created on first use with `agenda_token`; a
/// signed-in account is attached to it.
pub async fn participant_for(
    conn: &impl ConnectionTrait,
    email: &str,
    user_id: Option<i64>,
    agenda_token: &str,
    now: DateTime<Utc>,
) -> Result<forum_participant::Model> {
    let model = forum_participant::ActiveModel {
        id: NotSet,
        email: Set(email.to_string()),
        user_id: Set(user_id),
        agenda_token: Set(agenda_token.to_string()),
        announcements_stopped_at: Set(None),
        created_at: Set(now),
    };
    // Two first registrations of one address at once: the second finds the first's row.
    forum_participant::Entity::insert(model)
        .on_conflict(OnConflict::column(forum_participant::Column::Email).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    let p = forum_participant::Entity::find()
        .filter(forum_participant::Column::Email.eq(email))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    if user_id.is_some() && p.user_id.is_none() {
        forum_participant::Entity::update_many()
            .col_expr(forum_participant::Column::UserId, Expr::value(user_id))
            .filter(forum_participant::Column::Id.eq(p.id))
            .exec(conn)
            .await?;
        return Ok(forum_participant::Model { user_id, ..p });
    }
    Ok(p)
}

pub async fn participant(conn: &impl ConnectionTrait, id: i64) -> Result<forum_participant::Model> {
    forum_participant::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn participant_by_agenda(conn: &impl ConnectionTrait, token: &str) -> Result<forum_participant::Model> {
    forum_participant::Entity::find()
        .filter(forum_participant::Column::AgendaToken.eq(token))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)
}

pub async fn participant_of_user(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<forum_participant::Model>> {
    Ok(forum_participant::Entity::find().filter(forum_participant::Column::UserId.eq(user_id)).one(conn).await?)
}

/// What a registration gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    Registered,
    /// On the waiting list, at this position.
    Waiting(u64),
    /// Waiting for the e-mail's confirmation link.
    Pending,
}

/// Takes a seat of `session_id` when one is free: one statement, so two people never get the
/// last seat.
async fn take_seat(conn: &impl ConnectionTrait, session_id: i64) -> Result<bool> {
    let res = forum_session::Entity::update_many()
        .col_expr(forum_session::Column::Taken, Expr::col(forum_session::Column::Taken).add(1))
        .filter(forum_session::Column::Id.eq(session_id))
        .filter(Expr::col(forum_session::Column::Taken).lt(Expr::col(forum_session::Column::Capacity)))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

async fn waiting_position(conn: &impl ConnectionTrait, r: &forum_registration::Model) -> Result<u64> {
    let since = r.waiting_since.unwrap_or(r.created_at);
    let ahead = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.eq(r.session_id))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Waiting.code()))
        .filter(
            Condition::any().add(forum_registration::Column::WaitingSince.lt(since)).add(
                Condition::all()
                    .add(forum_registration::Column::WaitingSince.eq(since))
                    .add(forum_registration::Column::Id.lt(r.id)),
            ),
        )
        .count(conn)
        .await?;
    Ok(ahead + 1)
}

/// Gives `r` a seat, or a place at the end of the waiting list.
async fn place(conn: &impl ConnectionTrait, r: &forum_registration::Model, now: DateTime<Utc>) -> Result<Placed> {
    // A refused seat locks nothing on PostgreSQL: before joining the list, take the session's
    // row and look again, so a seat freed meanwhile (with nobody waiting) is not left empty.
    let seat = take_seat(conn, r.session_id).await? || {
        session_for_change(conn, r.session_id, now).await?;
        take_seat(conn, r.session_id).await?
    };
    let (status, waiting_since) =
        if seat { (RegistrationStatus::Registered, None) } else { (RegistrationStatus::Waiting, Some(now)) };
    forum_registration::Entity::update_many()
        .col_expr(forum_registration::Column::Status, Expr::value(status.code()))
        .col_expr(forum_registration::Column::WaitingSince, Expr::value(waiting_since))
        .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
        .filter(forum_registration::Column::Id.eq(r.id))
        .exec(conn)
        .await?;
    Ok(match status {
        RegistrationStatus::Registered => Placed::Registered,
        _ => Placed::Waiting(
            waiting_position(
                conn,
                &forum_registration::Model { waiting_since, status: status.code().into(), ..r.clone() },
            )
            .await?,
        ),
    })
}

/// Registers a participant (`confirmed`: their address is known to be theirs; otherwise the
/// registration waits for its link). Someone already registered, waiting or pending is told
/// so; a cancelled registration is taken up again with a new token.
pub async fn register(
    conn: &impl ConnectionTrait,
    session_id: i64,
    participant_id: i64,
    confirmed: bool,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(forum_registration::Model, Placed)> {
    let existing = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.eq(session_id))
        .filter(forum_registration::Column::ParticipantId.eq(participant_id))
        .one(conn)
        .await?;
    let r = match existing {
        // A confirmed account takes up the registration it left pending by e-mail.
        Some(r) if confirmed && r.status == RegistrationStatus::Pending.code() => {
            let res = forum_registration::Entity::update_many()
                .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
                .filter(forum_registration::Column::Id.eq(r.id))
                .filter(forum_registration::Column::Status.eq(RegistrationStatus::Pending.code()))
                .exec(conn)
                .await?;
            if res.rows_affected == 0 {
                return Err(DbError::Conflict(Conflict::Duplicate));
            }
            r
        }
        Some(r) if r.status != RegistrationStatus::Cancelled.code() => {
            let status: RegistrationStatus = stored("inscription", r.id, &r.status)?;
            return Err(DbError::Conflict(Conflict::AlreadyRegistered { status }));
        }
        Some(r) => {
            // Taken up again from scratch: a new token, nothing kept of the earlier one.
            let none_at = Option::<DateTime<Utc>>::None;
            let res = forum_registration::Entity::update_many()
                .col_expr(forum_registration::Column::Status, Expr::value(RegistrationStatus::Pending.code()))
                .col_expr(forum_registration::Column::Token, Expr::value(token))
                .col_expr(forum_registration::Column::WaitingSince, Expr::value(none_at))
                .col_expr(forum_registration::Column::RemindedDayFor, Expr::value(none_at))
                .col_expr(forum_registration::Column::RemindedHourFor, Expr::value(none_at))
                .col_expr(forum_registration::Column::AttendedAt, Expr::value(none_at))
                .col_expr(forum_registration::Column::FeedbackAskedAt, Expr::value(none_at))
                .col_expr(forum_registration::Column::FeedbackRating, Expr::value(Option::<i32>::None))
                .col_expr(forum_registration::Column::FeedbackComment, Expr::value(Option::<String>::None))
                .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
                .filter(forum_registration::Column::Id.eq(r.id))
                .filter(forum_registration::Column::Status.eq(RegistrationStatus::Cancelled.code()))
                .exec(conn)
                .await?;
            // Two at once: the second finds it taken up already.
            if res.rows_affected == 0 {
                return Err(DbError::Conflict(Conflict::Duplicate));
            }
            registration(conn, r.id).await?
        }
        None => {
            let model = forum_registration::ActiveModel {
                id: NotSet,
                session_id: Set(session_id),
                participant_id: Set(participant_id),
                status: Set(RegistrationStatus::Pending.code().to_string()),
                token: Set(token.to_string()),
                waiting_since: Set(None),
                reminded_day_for: Set(None),
                reminded_hour_for: Set(None),
                attended_at: Set(None),
                feedback_asked_at: Set(None),
                feedback_rating: Set(None),
                feedback_comment: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            };
            let id = forum_registration::Entity::insert(model).exec(conn).await?.last_insert_id;
            registration(conn, id).await?
        }
    };
    let placed = if confirmed { place(conn, &r, now).await? } else { Placed::Pending };
    Ok((registration(conn, r.id).await?, placed))
}

/// A participant's registration to one session, whatever its status.
pub async fn registration_of(
    conn: &impl ConnectionTrait,
    session_id: i64,
    participant_id: i64,
) -> Result<Option<forum_registration::Model>> {
    Ok(forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.eq(session_id))
        .filter(forum_registration::Column::ParticipantId.eq(participant_id))
        .one(conn)
        .await?)
}

/// Records the feedback of a registered participant after the session (once: a second
/// answer replaces the first).
pub async fn save_feedback(
    conn: &impl ConnectionTrait,
    token: &str,
    rating: i32,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let r = registration_by_token(conn, token).await?;
    let s = session(conn, r.session_id).await?;
    if r.status != RegistrationStatus::Registered.code() || s.ends_at > now || s.state != SessionState::Published.code()
    {
        return Err(DbError::Invalid(Invalid::FeedbackNotOpen));
    }
    forum_registration::Entity::update_many()
        .col_expr(forum_registration::Column::FeedbackRating, Expr::value(Some(rating)))
        .col_expr(forum_registration::Column::FeedbackComment, Expr::value(Some(comment.to_string())))
        .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
        .filter(forum_registration::Column::Id.eq(r.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Registered participants of sessions that ended before `now` and were not yet asked for
/// their feedback.
pub async fn feedback_due(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<RegistrationView>> {
    let sessions: Vec<i64> = forum_session::Entity::find()
        .filter(forum_session::Column::State.eq(SessionState::Published.code()))
        .filter(forum_session::Column::EndsAt.lte(now))
        .filter(forum_session::Column::EndsAt.gt(now - chrono::Duration::days(7)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let rows = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.is_in(sessions))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Registered.code()))
        .filter(forum_registration::Column::FeedbackAskedAt.is_null())
        .all(conn)
        .await?;
    registration_views(conn, rows).await
}

/// Marks the feedback e-mail sent; `false` when another instance did first.
pub async fn mark_feedback_asked(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let res = forum_registration::Entity::update_many()
        .col_expr(forum_registration::Column::FeedbackAskedAt, Expr::value(Some(now)))
        .filter(forum_registration::Column::Id.eq(id))
        .filter(forum_registration::Column::FeedbackAskedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn registration(conn: &impl ConnectionTrait, id: i64) -> Result<forum_registration::Model> {
    forum_registration::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn registration_by_token(conn: &impl ConnectionTrait, token: &str) -> Result<forum_registration::Model> {
    forum_registration::Entity::find()
        .filter(forum_registration::Column::Token.eq(token))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)
}

/// Follows the confirmation link of a pending registration; `None` when it was confirmed
/// (or cancelled) before.
pub async fn confirm(conn: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> Result<Option<Placed>> {
    let r = registration_by_token(conn, token).await?;
    // The session's row first, as a cancellation takes it: the two never wait on each other.
    session_for_change(conn, r.session_id, now).await?;
    // Two clicks at once: only one moves it out of « pending ».
    let res = forum_registration::Entity::update_many()
        .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
        .filter(forum_registration::Column::Id.eq(r.id))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Pending.code()))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    Ok(Some(place(conn, &r, now).await?))
}

/// Someone the waiting list gave a seat to.
#[derive(Debug, Clone)]
pub struct Promoted {
    pub registration: forum_registration::Model,
    pub email: String,
}

/// Gives free seats of `session_id` to the first people waiting, in order.
pub async fn promote_waiting(
    conn: &impl ConnectionTrait,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Promoted>> {
    let mut out = Vec::new();
    // Nobody is promoted into a session that is cancelled, unpublished or already started.
    let s = session(conn, session_id).await?;
    if s.state != SessionState::Published.code() || s.starts_at <= now {
        return Ok(out);
    }
    loop {
        let Some(first) = forum_registration::Entity::find()
            .filter(forum_registration::Column::SessionId.eq(session_id))
            .filter(forum_registration::Column::Status.eq(RegistrationStatus::Waiting.code()))
            .order_by_asc(forum_registration::Column::WaitingSince)
            .order_by_asc(forum_registration::Column::Id)
            .one(conn)
            .await?
        else {
            break;
        };
        if !take_seat(conn, session_id).await? {
            break;
        }
        let res = forum_registration::Entity::update_many()
            .col_expr(forum_registration::Column::Status, Expr::value(RegistrationStatus::Registered.code()))
            .col_expr(forum_registration::Column::WaitingSince, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
            .filter(forum_registration::Column::Id.eq(first.id))
            .filter(forum_registration::Column::Status.eq(RegistrationStatus::Waiting.code()))
            .exec(conn)
            .await?;
        if res.rows_affected == 0 {
            // Left the list meanwhile: the seat goes back, and the next one is asked.
            forum_session::Entity::update_many()
                .col_expr(forum_session::Column::Taken, Expr::col(forum_session::Column::Taken).sub(1))
                .filter(forum_session::Column::Id.eq(session_id))
                .exec(conn)
                .await?;
            continue;
        }
        let p =
            forum_participant::Entity::find_by_id(first.participant_id).one(conn).await?.ok_or(DbError::NotFound)?;
        out.push(Promoted { registration: registration(conn, first.id).await?, email: p.email });
    }
    Ok(out)
}

/// Cancels the registration of `token`: its status before, and who took the freed seat.
/// `None` when it was already cancelled.
pub async fn cancel(
    conn: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(RegistrationStatus, Vec<Promoted>)>> {
    let r = registration_by_token(conn, token).await?;
    // The session's row first: every seat of this session is then decided after this one.
    session_for_change(conn, r.session_id, now).await?;
    let r = registration(conn, r.id).await?;
    let before: RegistrationStatus = stored("inscription", r.id, &r.status)?;
    if before == RegistrationStatus::Cancelled {
        return Ok(None);
    }
    forum_registration::Entity::update_many()
        .col_expr(forum_registration::Column::Status, Expr::value(RegistrationStatus::Cancelled.code()))
        .col_expr(forum_registration::Column::WaitingSince, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(forum_registration::Column::UpdatedAt, Expr::value(now))
        .filter(forum_registration::Column::Id.eq(r.id))
        .exec(conn)
        .await?;
    let mut promoted = Vec::new();
    if before == RegistrationStatus::Registered {
        forum_session::Entity::update_many()
            .col_expr(forum_session::Column::Taken, Expr::col(forum_session::Column::Taken).sub(1))
            .filter(forum_session::Column::Id.eq(r.session_id))
            .filter(forum_session::Column::Taken.gt(0))
            .exec(conn)
            .await?;
        promoted = promote_waiting(conn, r.session_id, now).await?;
    }
    Ok(Some((before, promoted)))
}

/// A registration with its session and its participant's address.
#[derive(Debug, Clone)]
pub struct RegistrationView {
    pub registration: forum_registration::Model,
    pub status: RegistrationStatus,
    pub session: SessionView,
    pub email: String,
}

async fn registration_views(
    conn: &impl ConnectionTrait,
    rows: Vec<forum_registration::Model>,
) -> Result<Vec<RegistrationView>> {
    let session_ids: Vec<i64> = rows.iter().map(|r| r.session_id).collect();
    let sessions = forum_session::Entity::find().filter(forum_session::Column::Id.is_in(session_ids)).all(conn).await?;
    let sessions: HashMap<i64, SessionView> =
        views(conn, sessions).await?.into_iter().map(|v| (v.session.id, v)).collect();
    let participant_ids: Vec<i64> = rows.iter().map(|r| r.participant_id).collect();
    let emails: HashMap<i64, String> = forum_participant::Entity::find()
        .filter(forum_participant::Column::Id.is_in(participant_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.email))
        .collect();
    let mut out = Vec::new();
    for r in rows {
        let Some(session) = sessions.get(&r.session_id).cloned() else { continue };
        out.push(RegistrationView {
            status: stored("inscription", r.id, &r.status)?,
            email: emails.get(&r.participant_id).cloned().unwrap_or_default(),
            session,
            registration: r,
        });
    }
    out.sort_by_key(|v| (v.session.session.starts_at, v.registration.id));
    Ok(out)
}

/// A participant's registrations (cancelled ones included: their calendar says so).
pub async fn registrations_of(conn: &impl ConnectionTrait, participant_id: i64) -> Result<Vec<RegistrationView>> {
    let rows = forum_registration::Entity::find()
        .filter(forum_registration::Column::ParticipantId.eq(participant_id))
        .all(conn)
        .await?;
    registration_views(conn, rows).await
}

/// A session's registrations of one status, in order (the waiting list's order for `Waiting`).
pub async fn registrations_of_session(
    conn: &impl ConnectionTrait,
    session_id: i64,
    status: RegistrationStatus,
) -> Result<Vec<RegistrationView>> {
    let rows = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.eq(session_id))
        .filter(forum_registration::Column::Status.eq(status.code()))
        .order_by_asc(forum_registration::Column::WaitingSince)
        .order_by_asc(forum_registration::Column::Id)
        .all(conn)
        .await?;
    let mut v = registration_views(conn, rows).await?;
    v.sort_by_key(|r| (r.registration.waiting_since, r.registration.id));
    Ok(v)
}

/// Registered participants of a published session starting between `from` and `to`.
pub async fn registered_starting(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RegistrationView>> {
    let sessions: Vec<i64> = forum_session::Entity::find()
        .filter(forum_session::Column::State.eq(SessionState::Published.code()))
        .filter(forum_session::Column::StartsAt.gt(from))
        .filter(forum_session::Column::StartsAt.lte(to))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let rows = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.is_in(sessions))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Registered.code()))
        .all(conn)
        .await?;
    registration_views(conn, rows).await
}

/// Marks a reminder sent for the session's start `start`; `false` when it already was (by
/// another instance, or at a previous tick), so each goes once per start.
pub async fn mark_reminded(
    conn: &impl ConnectionTrait,
    id: i64,
    reminder: domain::forum::Reminder,
    start: DateTime<Utc>,
) -> Result<bool> {
    let col = match reminder {
        domain::forum::Reminder::DayBefore => forum_registration::Column::RemindedDayFor,
        domain::forum::Reminder::HourBefore => forum_registration::Column::RemindedHourFor,
    };
    let res = forum_registration::Entity::update_many()
        .col_expr(col, Expr::value(Some(start)))
        .filter(forum_registration::Column::Id.eq(id))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Registered.code()))
        .filter(Condition::any().add(col.is_null()).add(col.ne(start)))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records attendance (check-in by the organiser, or the online link followed).
pub async fn mark_attended(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<bool> {
    let res = forum_registration::Entity::update_many()
        .col_expr(forum_registration::Column::AttendedAt, Expr::value(Some(now)))
        .filter(forum_registration::Column::Id.eq(id))
        .filter(forum_registration::Column::Status.eq(RegistrationStatus::Registered.code()))
        .filter(forum_registration::Column::AttendedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Participants of an edition with at least one registration (not cancelled) who did not
/// stop the announcements: whom an announcement goes to.
pub async fn announcement_recipients(
    conn: &impl ConnectionTrait,
    edition_id: i64,
) -> Result<Vec<forum_participant::Model>> {
    let sessions: Vec<i64> = forum_session::Entity::find()
        .filter(forum_session::Column::EditionId.eq(edition_id))
        .filter(forum_session::Column::State.eq(SessionState::Published.code()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let ids: std::collections::BTreeSet<i64> = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.is_in(sessions))
        .filter(
            forum_registration::Column::Status
                .is_in([RegistrationStatus::Registered.code(), RegistrationStatus::Waiting.code()]),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.participant_id)
        .collect();
    Ok(forum_participant::Entity::find()
        .filter(forum_participant::Column::Id.is_in(ids))
        .filter(forum_participant::Column::AnnouncementsStoppedAt.is_null())
        .order_by_asc(forum_participant::Column::Id)
        .all(conn)
        .await?)
}

/// Stops (or, `stop: false`, resumes) the announcements of the participant of `agenda_token`.
pub async fn set_announcements(
    conn: &impl ConnectionTrait,
    agenda_token: &str,
    stop: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let res = forum_participant::Entity::update_many()
        .col_expr(forum_participant::Column::AnnouncementsStoppedAt, Expr::value(stop.then_some(now)))
        .filter(forum_participant::Column::AgendaToken.eq(agenda_token))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

// --- booths ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct BoothView {
    pub booth: forum_booth::Model,
    pub institution: institution::Model,
    pub slots: u64,
    pub free_slots: u64,
}

pub async fn create_booth(
    conn: &impl ConnectionTrait,
    edition_id: i64,
    institution_id: i64,
    presentation: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let e = edition(conn, edition_id).await?;
    let inst = crate::institutions::by_id(conn, institution_id).await?;
    // « dinum-2027 »: the employer and the edition's year, numbered if taken.
    let base = slugify_max(&format!("{} {}", inst.slug, e.starts_at.format("%Y")), 130);
    let slug = free_slug::<forum_booth::Entity, _>(conn, &base, "stand", forum_booth::Column::Slug).await?;
    let model = forum_booth::ActiveModel {
        id: NotSet,
        edition_id: Set(edition_id),
        institution_id: Set(institution_id),
        slug: Set(slug),
        presentation: Set(presentation.to_string()),
        session_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match forum_booth::Entity::insert(model).exec(conn).await {
        Ok(r) => Ok(r.last_insert_id),
        Err(e) => match DbError::from(e) {
            DbError::Conflict(Conflict::Duplicate) => Err(DbError::Conflict(Conflict::BoothExists)),
            other => Err(other),
        },
    }
}

pub async fn update_booth(
    conn: &impl ConnectionTrait,
    id: i64,
    presentation: &str,
    session_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    forum_booth::Entity::update_many()
        .col_expr(forum_booth::Column::Presentation, Expr::value(presentation))
        .col_expr(forum_booth::Column::SessionId, Expr::value(session_id))
        .col_expr(forum_booth::Column::UpdatedAt, Expr::value(now))
        .filter(forum_booth::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

async fn booth_views(conn: &impl ConnectionTrait, booths: Vec<forum_booth::Model>) -> Result<Vec<BoothView>> {
    let inst_ids: Vec<i64> = booths.iter().map(|b| b.institution_id).collect();
    let institutions: HashMap<i64, institution::Model> =
        crate::institutions::by_ids(conn, &inst_ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let ids: Vec<i64> = booths.iter().map(|b| b.id).collect();
    let slots = forum_slot::Entity::find().filter(forum_slot::Column::BoothId.is_in(ids.clone())).all(conn).await?;
    let booked: std::collections::HashSet<i64> = forum_booking::Entity::find()
        .filter(forum_booking::Column::BoothId.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.slot_id)
        .collect();
    let mut out = Vec::new();
    for b in booths {
        let Some(institution) = institutions.get(&b.institution_id).cloned() else { continue };
        let mine: Vec<&forum_slot::Model> = slots.iter().filter(|s| s.booth_id == b.id).collect();
        out.push(BoothView {
            slots: mine.len() as u64,
            free_slots: mine.iter().filter(|s| !booked.contains(&s.id)).count() as u64,
            institution,
            booth: b,
        });
    }
    out.sort_by_key(|v| domain::text::match_key(&v.institution.name));
    Ok(out)
}

pub async fn booth(conn: &impl ConnectionTrait, id: i64) -> Result<forum_booth::Model> {
    forum_booth::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

/// An offer a slot is about (for « proposer de candidater »).
pub async fn offer(conn: &impl ConnectionTrait, id: i64) -> Result<offer::Model> {
    offer::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn booths_of(conn: &impl ConnectionTrait, edition_id: i64) -> Result<Vec<BoothView>> {
    let rows = forum_booth::Entity::find().filter(forum_booth::Column::EditionId.eq(edition_id)).all(conn).await?;
    booth_views(conn, rows).await
}

pub async fn booth_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<BoothView> {
    let b = forum_booth::Entity::find()
        .filter(forum_booth::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    booth_views(conn, vec![b]).await?.pop().ok_or(DbError::NotFound)
}

/// The booth of `institution_id` at an edition.
pub async fn booth_of(conn: &impl ConnectionTrait, edition_id: i64, institution_id: i64) -> Result<Option<BoothView>> {
    let b = forum_booth::Entity::find()
        .filter(forum_booth::Column::EditionId.eq(edition_id))
        .filter(forum_booth::Column::InstitutionId.eq(institution_id))
        .one(conn)
        .await?;
    match b {
        Some(b) => Ok(booth_views(conn, vec![b]).await?.pop()),
        None => Ok(None),
    }
}

// --- slots and bookings ------------------------------------------------------------------

/// A series of slots a recruiter publishes.
#[derive(Debug, Clone)]
pub struct SlotSeries {
    pub spans: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub buffer_minutes: i32,
    pub online_url: String,
    pub question: Option<String>,
    pub offer_ids: Vec<i64>,
}

/// Publishes a series for `booth_id`; the offers must be the booth's employer's.
pub async fn create_slots(
    conn: &impl ConnectionTrait,
    booth: &forum_booth::Model,
    series: &SlotSeries,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut wanted = series.offer_ids.clone();
    wanted.sort_unstable();
    wanted.dedup();
    if !wanted.is_empty() {
        let own = offer::Entity::find()
            .filter(offer::Column::Id.is_in(wanted.clone()))
            .filter(offer::Column::InstitutionId.eq(booth.institution_id))
            .count(conn)
            .await?;
        if own != wanted.len() as u64 {
            return Err(DbError::Invalid(Invalid::OfferOfAnotherEmployer));
        }
    }
    let ids: Vec<String> = wanted.iter().map(ToString::to_string).collect();
    for (start, end) in &series.spans {
        let model = forum_slot::ActiveModel {
            id: NotSet,
            booth_id: Set(booth.id),
            starts_at: Set(*start),
            ends_at: Set(*end),
            buffer_minutes: Set(series.buffer_minutes),
            online_url: Set(series.online_url.clone()),
            question: Set(series.question.clone()),
            offer_ids: Set(ids.join(",")),
            created_by: Set(created_by),
            created_at: Set(now),
        };
        forum_slot::Entity::insert(model).exec(conn).await?;
    }
    Ok(series.spans.len())
}

pub async fn slot(conn: &impl ConnectionTrait, id: i64) -> Result<forum_slot::Model> {
    forum_slot::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

/// The offers a slot is about.
pub fn slot_offer_ids(s: &forum_slot::Model) -> Vec<i64> {
    s.offer_ids.split(',').filter_map(|i| i.trim().parse().ok()).collect()
}

/// A slot and its booking, if any.
#[derive(Debug, Clone)]
pub struct SlotView {
    pub slot: forum_slot::Model,
    pub booking: Option<forum_booking::Model>,
}

pub async fn slots_of_booth(conn: &impl ConnectionTrait, booth_id: i64) -> Result<Vec<SlotView>> {
    let slots = forum_slot::Entity::find()
        .filter(forum_slot::Column::BoothId.eq(booth_id))
        .order_by_asc(forum_slot::Column::StartsAt)
        .order_by_asc(forum_slot::Column::Id)
        .all(conn)
        .await?;
    let mut bookings: HashMap<i64, forum_booking::Model> = forum_booking::Entity::find()
        .filter(forum_booking::Column::BoothId.eq(booth_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.slot_id, b))
        .collect();
    Ok(slots.into_iter().map(|s| SlotView { booking: bookings.remove(&s.id), slot: s }).collect())
}

/// Books `slot_id` for `user_id`. Refused: a slot already booked (the unique constraint
/// decides between two at once), a second slot at the same booth, a slot overlapping one of
/// the candidate's bookings.
pub async fn book(
    conn: &impl ConnectionTrait,
    slot_id: i64,
    user_id: i64,
    answer: Option<String>,
    now: DateTime<Utc>,
) -> Result<forum_booking::Model> {
    // The candidate's row first: their own bookings are then decided one at a time.
    user::Entity::update_many()
        .col_expr(user::Column::Id, Expr::col(user::Column::Id))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    let s = slot(conn, slot_id).await?;
    let mine = forum_booking::Entity::find().filter(forum_booking::Column::UserId.eq(user_id)).all(conn).await?;
    if mine.iter().any(|b| b.booth_id == s.booth_id) {
        return Err(DbError::Conflict(Conflict::AlreadyBookedAtBooth));
    }
    let my_slots = forum_slot::Entity::find()
        .filter(forum_slot::Column::Id.is_in(mine.iter().map(|b| b.slot_id)))
        .all(conn)
        .await?;
    if let Some(o) =
        my_slots.iter().find(|o| domain::forum::overlaps((o.starts_at, o.ends_at), (s.starts_at, s.ends_at)))
    {
        return Err(DbError::Conflict(Conflict::OverlappingBooking { starts_at: o.starts_at }));
    }
    let model = forum_booking::ActiveModel {
        id: NotSet,
        slot_id: Set(slot_id),
        booth_id: Set(s.booth_id),
        user_id: Set(user_id),
        answer: Set(answer),
        attended: Set(None),
        notes: Set(String::new()),
        outcome: Set(None),
        application_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match forum_booking::Entity::insert(model).exec(conn).await {
        Ok(r) => booking(conn, r.last_insert_id).await,
        // The booth's rule was checked above under the candidate's lock: the one unique
        // constraint left is the slot's.
        Err(e) => match DbError::from(e) {
            DbError::Conflict(Conflict::Duplicate) => Err(DbError::Conflict(Conflict::SlotTaken)),
            other => Err(other),
        },
    }
}

pub async fn booking(conn: &impl ConnectionTrait, id: i64) -> Result<forum_booking::Model> {
    forum_booking::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

/// Cancels a booking of `user_id` (another's is not found); the slot is free again.
pub async fn cancel_booking(conn: &impl ConnectionTrait, id: i64, user_id: i64) -> Result<forum_booking::Model> {
    let b = forum_booking::Entity::find_by_id(id)
        .filter(forum_booking::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    forum_booking::Entity::delete_many().filter(forum_booking::Column::Id.eq(b.id)).exec(conn).await?;
    Ok(b)
}

/// Removes a slot of `booth_id`: its booking, if any, goes with it (the caller tells them).
pub async fn remove_slot(
    conn: &impl ConnectionTrait,
    id: i64,
    booth_id: i64,
) -> Result<(forum_slot::Model, Option<forum_booking::Model>)> {
    use sea_orm::QuerySelect;
    // The slot's row locked first: a booking being inserted (which must see its slot) waits,
    // so the booking read below is the one the deletion takes, and its candidate is told.
    let s = forum_slot::Entity::find_by_id(id)
        .filter(forum_slot::Column::BoothId.eq(booth_id))
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    let b = forum_booking::Entity::find().filter(forum_booking::Column::SlotId.eq(id)).one(conn).await?;
    forum_slot::Entity::delete_many().filter(forum_slot::Column::Id.eq(id)).exec(conn).await?;
    Ok((s, b))
}

/// Whether `file` is the profile CV of a candidate who booked a slot at a booth of
/// `institution_id`: the recruiters there read it before the meeting.
pub async fn cv_shown_to_booth(
    conn: &impl ConnectionTrait,
    file: &crate::entity::file::Model,
    institution_id: i64,
) -> Result<bool> {
    let Some(owner) = file.owner_user_id else { return Ok(false) };
    let is_profile_cv = crate::entity::candidate_profile::Entity::find()
        .filter(crate::entity::candidate_profile::Column::UserId.eq(owner))
        .filter(crate::entity::candidate_profile::Column::CvFileId.eq(file.id))
        .count(conn)
        .await?
        > 0;
    if !is_profile_cv {
        return Ok(false);
    }
    let booths: Vec<i64> = forum_booth::Entity::find()
        .filter(forum_booth::Column::InstitutionId.eq(institution_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    Ok(forum_booking::Entity::find()
        .filter(forum_booking::Column::UserId.eq(owner))
        .filter(forum_booking::Column::BoothId.is_in(booths))
        .count(conn)
        .await?
        > 0)
}

/// A booking with its slot and booth.
#[derive(Debug, Clone)]
pub struct BookingView {
    pub booking: forum_booking::Model,
    pub slot: forum_slot::Model,
    pub booth: forum_booth::Model,
    pub institution: institution::Model,
}

pub async fn bookings_of_user(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<BookingView>> {
    let bookings = forum_booking::Entity::find().filter(forum_booking::Column::UserId.eq(user_id)).all(conn).await?;
    let slots: HashMap<i64, forum_slot::Model> = forum_slot::Entity::find()
        .filter(forum_slot::Column::Id.is_in(bookings.iter().map(|b| b.slot_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let booths: HashMap<i64, BoothView> = booth_views(
        conn,
        forum_booth::Entity::find()
            .filter(forum_booth::Column::Id.is_in(bookings.iter().map(|b| b.booth_id)))
            .all(conn)
            .await?,
    )
    .await?
    .into_iter()
    .map(|b| (b.booth.id, b))
    .collect();
    let mut out: Vec<BookingView> = bookings
        .into_iter()
        .filter_map(|b| {
            let slot = slots.get(&b.slot_id)?.clone();
            let booth = booths.get(&b.booth_id)?.clone();
            Some(BookingView { booking: b, slot, booth: booth.booth, institution: booth.institution })
        })
        .collect();
    out.sort_by_key(|v| v.slot.starts_at);
    Ok(out)
}

/// What the recruiter writes after a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRecord {
    pub attended: Option<bool>,
    pub notes: String,
    pub outcome: Option<BookingOutcome>,
}

/// Records a meeting of `booth_id` (another booth's booking is not found).
pub async fn record_meeting(
    conn: &impl ConnectionTrait,
    id: i64,
    booth_id: i64,
    record: &MeetingRecord,
    application_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<forum_booking::Model> {
    let b = forum_booking::Entity::find_by_id(id)
        .filter(forum_booking::Column::BoothId.eq(booth_id))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    forum_booking::Entity::update_many()
        .col_expr(forum_booking::Column::Attended, Expr::value(record.attended))
        .col_expr(forum_booking::Column::Notes, Expr::value(record.notes.clone()))
        .col_expr(forum_booking::Column::Outcome, Expr::value(record.outcome.map(|o| o.code().to_string())))
        .col_expr(forum_booking::Column::ApplicationId, Expr::value(application_id.or(b.application_id)))
        .col_expr(forum_booking::Column::UpdatedAt, Expr::value(now))
        .filter(forum_booking::Column::Id.eq(id))
        .exec(conn)
        .await?;
    booking(conn, id).await
}

/// What the forum holds about an account, for its export: registrations (with feedback)
/// and job-dating bookings (with the answer given; the recruiter's notes are theirs).
pub async fn export_of(conn: &impl ConnectionTrait, user_id: i64, email: &str) -> Result<serde_json::Value> {
    use serde_json::json;
    let participant = forum_participant::Entity::find()
        .filter(
            Condition::any()
                .add(forum_participant::Column::UserId.eq(user_id))
                .add(forum_participant::Column::Email.eq(email)),
        )
        .one(conn)
        .await?;
    let registrations = match &participant {
        Some(p) => registrations_of(conn, p.id).await?,
        None => Vec::new(),
    };
    let bookings = bookings_of_user(conn, user_id).await?;
    Ok(json!({
        "inscriptions": registrations.iter().map(|r| json!({
            "session": r.session.session.title,
            "debut": r.session.session.starts_at,
            "etat": r.status.code(),
            "inscrit_le": r.registration.created_at,
            "present_le": r.registration.attended_at,
            "note": r.registration.feedback_rating,
            "commentaire": r.registration.feedback_comment,
        })).collect::<Vec<_>>(),
        "rendez_vous": bookings.iter().map(|b| json!({
            "stand": b.institution.name,
            "debut": b.slot.starts_at,
            "fin": b.slot.ends_at,
            "reponse": b.booking.answer,
            "present": b.booking.attended,
            "suite": b.booking.outcome,
            "reserve_le": b.booking.created_at,
        })).collect::<Vec<_>>(),
        "annonces_arretees_le": participant.as_ref().and_then(|p| p.announcements_stopped_at),
    }))
}

// --- personal data -----------------------------------------------------------------------

/// Erases the forum's rows of an account (its participant, their registrations, its
/// bookings), freeing their seats for the waiting lists: who the freed seats went to.
pub async fn erase_user(
    conn: &impl ConnectionTrait,
    user_id: i64,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Promoted>> {
    forum_booking::Entity::delete_many().filter(forum_booking::Column::UserId.eq(user_id)).exec(conn).await?;
    let participants = forum_participant::Entity::find()
        .filter(
            Condition::any()
                .add(forum_participant::Column::UserId.eq(user_id))
                .add(forum_participant::Column::Email.eq(email)),
        )
        .all(conn)
        .await?;
    let mut freed = Vec::new();
    for p in participants {
        for r in forum_registration::Entity::find()
            .filter(forum_registration::Column::ParticipantId.eq(p.id))
            .filter(forum_registration::Column::Status.eq(RegistrationStatus::Registered.code()))
            .all(conn)
            .await?
        {
            if let Some((_, promoted)) = cancel(conn, &r.token, now).await? {
                freed.extend(promoted);
            }
        }
        forum_participant::Entity::delete_many().filter(forum_participant::Column::Id.eq(p.id)).exec(conn).await?;
    }
    Ok(freed)
}

// --- statistics and retention ------------------------------------------------------------

/// One booth's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BoothStats {
    pub booth_id: i64,
    pub employer: String,
    pub slots: u64,
    pub booked: u64,
    pub attended: u64,
    pub no_shows: u64,
    pub applications: u64,
    pub hires: u64,
}

/// An edition's figures (what the statistics page shows beside the objectives).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EditionStats {
    /// Distinct people with a registration or a booking.
    pub participants: u64,
    pub registrations: u64,
    pub attended: u64,
    pub waiting: u64,
    pub cancelled: u64,
    pub services: u64,
    /// Open offers of the booths' employers.
    pub posts: u64,
    pub slots: u64,
    pub booked: u64,
    pub no_shows: u64,
    pub applications: u64,
    pub hires: u64,
    pub feedback: u64,
    /// Mean rating ×10 (one decimal without floats).
    pub rating_tenths: Option<u64>,
    pub booths: Vec<BoothStats>,
}

/// The figures of an edition: counted from its rows, or read back once they were purged.
pub async fn stats(conn: &impl ConnectionTrait, e: &forum_edition::Model, now: DateTime<Utc>) -> Result<EditionStats> {
    if let Some(json) = &e.archived_counts {
        return serde_json::from_str(json).map_err(|err| DbError::Corrupt(format!("édition {} : {err}", e.id)));
    }
    let sessions: Vec<i64> = forum_session::Entity::find()
        .filter(forum_session::Column::EditionId.eq(e.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let regs = forum_registration::Entity::find()
        .filter(forum_registration::Column::SessionId.is_in(sessions))
        .all(conn)
        .await?;
    let mut st = EditionStats::default();
    let mut people: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut ratings = Vec::new();
    for r in &regs {
        match r.status.as_str() {
            s if s == RegistrationStatus::Registered.code() => {
                st.registrations += 1;
                people.insert(format!("p{}", r.participant_id));
            }
            s if s == RegistrationStatus::Waiting.code() => st.waiting += 1,
            s if s == RegistrationStatus::Cancelled.code() => st.cancelled += 1,
            _ => {}
        }
        if r.attended_at.is_some() {
            st.attended += 1;
        }
        if let Some(rating) = r.feedback_rating {
            ratings.push(u64::try_from(rating).unwrap_or(0));
        }
    }
    st.feedback = ratings.len() as u64;
    if !ratings.is_empty() {
        st.rating_tenths = Some(ratings.iter().sum::<u64>() * 10 / ratings.len() as u64);
    }
    let booths = booths_of(conn, e.id).await?;
    st.services = booths.len() as u64;
    let inst_ids: Vec<i64> = booths.iter().map(|b| b.institution.id).collect();
    st.posts = offer::Entity::find()
        .filter(offer::Column::InstitutionId.is_in(inst_ids))
        .filter(offer::Column::State.eq(domain::offer::OfferState::Published.code()))
        .filter(offer::Column::DeletedAt.is_null())
        .filter(Condition::any().add(offer::Column::ExpiresAt.is_null()).add(offer::Column::ExpiresAt.gt(now)))
        .count(conn)
        .await?;
    // A person is their participant row when they have one, else their account.
    let participant_of_user: HashMap<i64, i64> = forum_participant::Entity::find()
        .filter(forum_participant::Column::UserId.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| p.user_id.map(|u| (u, p.id)))
        .collect();
    for b in booths {
        let slots = slots_of_booth(conn, b.booth.id).await?;
        let mut bs = BoothStats { booth_id: b.booth.id, employer: b.institution.name.clone(), ..Default::default() };
        bs.slots = slots.len() as u64;
        let mut application_ids = Vec::new();
        for v in &slots {
            let Some(bk) = &v.booking else { continue };
            bs.booked += 1;
            people.insert(match participant_of_user.get(&bk.user_id) {
                Some(p) => format!("p{p}"),
                None => format!("u{}", bk.user_id),
            });
            match bk.attended {
                Some(true) => bs.attended += 1,
                Some(false) => bs.no_shows += 1,
                None => {}
            }
            if let Some(a) = bk.application_id {
                application_ids.push(a);
            }
        }
        bs.applications = application_ids.len() as u64;
        bs.hires = crate::entity::application::Entity::find()
            .filter(crate::entity::application::Column::Id.is_in(application_ids))
            .filter(crate::entity::application::Column::Stage.eq(domain::candidate::Stage::Accepted.code()))
            .count(conn)
            .await?;
        st.slots += bs.slots;
        st.booked += bs.booked;
        st.no_shows += bs.no_shows;
        st.applications += bs.applications;
        st.hires += bs.hires;
        st.booths.push(bs);
    }
    st.participants = people.len() as u64;
    Ok(st)
}

/// Purges the participants' data of editions that ended before `before`: registrations,
/// bookings, and participants left with nothing; the figures are kept on the edition first.
/// How many editions were purged.
pub async fn purge_ended(conn: &impl ConnectionTrait, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
    let ended = forum_edition::Entity::find()
        .filter(forum_edition::Column::EndsAt.lt(before))
        .filter(forum_edition::Column::PurgedAt.is_null())
        .all(conn)
        .await?;
    let mut n = 0;
    for e in ended {
        let figures = stats(conn, &e, now).await?;
        let json = serde_json::to_string(&figures).map_err(|err| DbError::Corrupt(err.to_string()))?;
        let sessions: Vec<i64> = forum_session::Entity::find()
            .filter(forum_session::Column::EditionId.eq(e.id))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        forum_registration::Entity::delete_many()
            .filter(forum_registration::Column::SessionId.is_in(sessions))
            .exec(conn)
            .await?;
        let booths: Vec<i64> = forum_booth::Entity::find()
            .filter(forum_booth::Column::EditionId.eq(e.id))
            .all(conn)
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect();
        forum_booking::Entity::delete_many().filter(forum_booking::Column::BoothId.is_in(booths)).exec(conn).await?;
        forum_edition::Entity::update_many()
            .col_expr(forum_edition::Column::ArchivedCounts, Expr::value(Some(json)))
            .col_expr(forum_edition::Column::PurgedAt, Expr::value(Some(now)))
            .filter(forum_edition::Column::Id.eq(e.id))
            .exec(conn)
            .await?;
        n += 1;
    }
    // Participants with neither registration nor account: nothing is kept about them.
    let with_registrations = sea_orm::sea_query::Query::select()
        .column(forum_registration::Column::ParticipantId)
        .from(forum_registration::Entity)
        .to_owned();
    forum_participant::Entity::delete_many()
        .filter(forum_participant::Column::Id.not_in_subquery(with_registrations))
        .filter(forum_participant::Column::UserId.is_null())
        .exec(conn)
        .await?;
    Ok(n)
}
