//! « Vis mon job »: campaigns (administrators), the agents' offers of a day, the students'
//! applications, the matching (a draft reviewed then confirmed), both sides' answers, the
//! agreement and the day's organisation, feedback and « garder le contact »; and the periodic
//! turn: expiry of unanswered proposals, re-matching of whoever was freed, reminders.
//! Every e-mail leaves through the outbox with the change that caused it.

use super::Tx;
use crate::AppState;
use crate::error::AppResult;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use db::entity::{immersion_application, immersion_campaign, immersion_offer, user};
use db::immersion::{Answered, Decision, DuoView, Feedback, NewDuo, Organisation};
use db::{DbError, Invalid};
use domain::audit::AuditAction;
use domain::immersion::{ApplicationState, DuoState, Host, OfferState, Phase, Side, Student};

/// The hours of a day of immersion, Paris time.
pub fn day_bounds(day: NaiveDate) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    let at =
        |h| crate::format::paris_at(day, h, 0, 0).ok_or_else(|| DbError::Corrupt(format!("jour sans heure : {day}")));
    Ok((at(domain::immersion::DAY_STARTS_HOUR)?, at(domain::immersion::DAY_ENDS_HOUR)?))
}

pub fn phase(c: &immersion_campaign::Model, now: DateTime<Utc>) -> Phase {
    domain::immersion::phase(c.opens_at, c.closes_at, c.confirmed_at, c.ends_at, now)
}

/// The page of a duo (what every e-mail links to).
pub fn duo_url(state: &AppState, id: i64) -> String {
    state.url(&format!("/vis-mon-job/duos/{id}"))
}

/// Who the host is, as the student reads it before both accepted (no name, no contact).
pub fn host_described(o: &immersion_offer::Model) -> String {
    format!("un·e agent·e « {} » ({}, {})", o.job_title, o.employer, o.service)
}

/// Who the student is, as the host reads it before both accepted.
pub fn student_described(a: &immersion_application::Model) -> String {
    let year = db::immersion::year_of(a).map(|y| y.label()).unwrap_or("");
    format!("un·e étudiant·e ({year}, {} à {})", a.programme, a.school)
}

fn mail_to(
    state: &AppState,
    d: &DuoView,
    side: Side,
    build: impl Fn(&str, &mail::messages::DuoRef<'_>) -> domain::candidate::MailMessage,
) -> domain::candidate::MailMessage {
    let (to, other) = match side {
        Side::Student => (&d.student.email, host_described(&d.offer)),
        Side::Host => (&d.host.email, student_described(&d.application)),
    };
    let day = crate::format::weekday_date(d.duo.starts_at);
    let url = duo_url(state, d.duo.id);
    build(to, &mail::messages::DuoRef { campaign: &d.campaign_name, day: &day, other: &other, url: &url })
}

// --- campaigns ---------------------------------------------------------------------------

/// Creates (`id` = None) or updates a campaign.
pub async fn save_campaign(
    state: &AppState,
    admin: &user::Model,
    id: Option<i64>,
    input: &db::immersion::CampaignInput,
) -> AppResult<i64> {
    let tx = Tx::by(state, admin).await?;
    let id = match id {
        Some(id) => {
            db::immersion::update_campaign(tx.conn(), id, input, tx.now()).await?;
            id
        }
        None => db::immersion::create_campaign(tx.conn(), input, tx.now()).await?,
    };
    tx.audit(AuditAction::ImmersionCampaignSaved, format!("campagne:{id}"), None, Some(input.name.clone())).await?;
    tx.commit().await?;
    Ok(id)
}

fn open_for_entries(c: &immersion_campaign::Model, now: DateTime<Utc>) -> AppResult<()> {
    if phase(c, now) != Phase::Open {
        return Err(DbError::Invalid(Invalid::CampaignClosed).into());
    }
    Ok(())
}

// --- offers and applications ----------------------------------------------------------------

/// Saves the agent's offer of a day while the campaign is open (a confirmation the first time).
pub async fn save_offer(
    state: &AppState,
    agent: &user::Model,
    c: &immersion_campaign::Model,
    input: &db::immersion::OfferInput,
) -> AppResult<i64> {
    open_for_entries(c, state.now())?;
    let tx = Tx::begin(state).await?;
    let first = db::immersion::offer_of(tx.conn(), c.id, agent.id).await?.is_none();
    let id = db::immersion::save_offer(tx.conn(), c.id, agent.id, agent.institution_id, input, tx.now()).await?;
    if first {
        let url = state.url("/vis-mon-job/accueillir");
        let on = crate::format::weekday_date(c.matching_on);
        tx.mail(mail::messages::immersion_offer_saved(&agent.email, &c.name, &on, &url)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Saves the student's application while the campaign is open.
pub async fn save_application(
    state: &AppState,
    student: &user::Model,
    c: &immersion_campaign::Model,
    input: &db::immersion::ApplicationInput,
) -> AppResult<i64> {
    open_for_entries(c, state.now())?;
    let tx = Tx::begin(state).await?;
    let first = db::immersion::application_of(tx.conn(), c.id, student.id).await?.is_none();
    let id = db::immersion::save_application(tx.conn(), c.id, student.id, input, tx.now()).await?;
    if first {
        let url = state.url("/vis-mon-job/candidater");
        let on = crate::format::weekday_date(c.matching_on);
        tx.mail(mail::messages::immersion_application_saved(&student.email, &c.name, &on, &url)).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Ends the live duos of a withdrawn offer or application, telling the other side.
async fn end_live(tx: &Tx<'_>, duos: Vec<DuoView>, freed: Side) -> AppResult<()> {
    let state = tx.state();
    for d in duos.into_iter().filter(|d| matches!(d.state, DuoState::Draft | DuoState::Proposed | DuoState::Accepted)) {
        if d.state == DuoState::Draft {
            db::immersion::remove_draft(tx.conn(), d.duo.id).await?;
        } else if db::immersion::cancel_duo(tx.conn(), d.duo.id, tx.now()).await? {
            let space = space_url(state, freed);
            tx.mail(mail_to(state, &d, freed, |to, r| mail::messages::immersion_freed(to, r, &space))).await?;
        }
    }
    Ok(())
}

fn space_url(state: &AppState, side: Side) -> String {
    state.url(match side {
        Side::Student => "/vis-mon-job/candidater",
        Side::Host => "/vis-mon-job/accueillir",
    })
}

/// Pauses, resumes or withdraws the agent's offer. Withdrawing it cancels its duos (the
/// students are told, and proposed again).
pub async fn set_offer_state(
    state: &AppState,
    agent: &user::Model,
    c: &immersion_campaign::Model,
    to: OfferState,
) -> AppResult<()> {
    if phase(c, state.now()) == Phase::Over {
        return Err(DbError::Invalid(Invalid::CampaignClosed).into());
    }
    let tx = Tx::begin(state).await?;
    let o = db::immersion::offer_of(tx.conn(), c.id, agent.id).await?.ok_or(DbError::NotFound)?;
    db::immersion::set_offer_state(tx.conn(), o.id, to, tx.now()).await?;
    if to == OfferState::Withdrawn {
        let duos = db::immersion::duos_of(tx.conn(), c.id).await?.into_iter().filter(|d| d.offer.id == o.id).collect();
        end_live(&tx, duos, Side::Student).await?;
    }
    tx.commit().await
}

/// Pauses, resumes or withdraws the student's application; withdrawing cancels their duo.
pub async fn set_application_state(
    state: &AppState,
    student: &user::Model,
    c: &immersion_campaign::Model,
    to: ApplicationState,
) -> AppResult<()> {
    if phase(c, state.now()) == Phase::Over {
        return Err(DbError::Invalid(Invalid::CampaignClosed).into());
    }
    let tx = Tx::begin(state).await?;
    let a = db::immersion::application_of(tx.conn(), c.id, student.id).await?.ok_or(DbError::NotFound)?;
    db::immersion::set_application_state(tx.conn(), a.id, to, tx.now()).await?;
    if to == ApplicationState::Withdrawn {
        let duos =
            db::immersion::duos_of(tx.conn(), c.id).await?.into_iter().filter(|d| d.application.id == a.id).collect();
        end_live(&tx, duos, Side::Host).await?;
    }
    tx.commit().await
}

/// Tells the other side of each duo an erased account left that it will not happen.
pub async fn tell_erased(tx: &Tx<'_>, ended: &[DuoView], user_id: i64) -> AppResult<()> {
    let state = tx.state();
    for d in ended {
        let Some(gone) = d.side_of(user_id) else { continue };
        let other = other_side(gone);
        let space = space_url(state, other);
        tx.mail(mail_to(state, d, other, |to, r| mail::messages::immersion_freed(to, r, &space))).await?;
    }
    Ok(())
}

// --- matching --------------------------------------------------------------------------------

/// The hosts with seats left and the students without a live duo, as the matching reads them;
/// only days starting after `after` (a proposal must be answerable before its day).
async fn free_sides(
    conn: &impl db::ConnectionTrait,
    c: &immersion_campaign::Model,
    after: DateTime<Utc>,
) -> AppResult<(Vec<Host>, Vec<Student>)> {
    let (taken, paired) = db::immersion::live_counts(conn, c.id).await?;
    let future = |days: Vec<NaiveDate>| -> AppResult<Vec<NaiveDate>> {
        let mut out = Vec::new();
        for d in days {
            if day_bounds(d)?.0 > after {
                out.push(d);
            }
        }
        Ok(out)
    };
    let mut hosts = Vec::new();
    for o in db::immersion::offers_of(conn, c.id).await? {
        let seats = u32::try_from(o.seats).unwrap_or(0).saturating_sub(taken.get(&o.id).copied().unwrap_or(0));
        if o.state != OfferState::Open.code() || seats == 0 {
            continue;
        }
        hosts.push(Host {
            id: o.id,
            seats,
            days: future(db::immersion::offer_days(&o)?)?,
            mode: db::immersion::mode_of(&o)?,
            region: o.region_code.clone(),
            profession: o.profession.clone(),
            domain: o.domain.clone(),
        });
    }
    let mut students = Vec::new();
    for a in db::immersion::applications_of(conn, c.id).await? {
        if a.state != ApplicationState::Active.code() || paired.contains(&a.id) {
            continue;
        }
        let w = db::immersion::wishes(&a)?;
        students.push(Student {
            id: a.id,
            days: future(w.days)?,
            regions: w.regions,
            remote_ok: a.remote_ok,
            professions: w.professions,
            domains: w.domains,
        });
    }
    Ok((hosts, students))
}

fn new_duo(p: &domain::immersion::Pairing) -> AppResult<NewDuo> {
    let (starts_at, ends_at) = day_bounds(p.fit.day)?;
    Ok(NewDuo {
        offer_id: p.host,
        application_id: p.student,
        day: p.fit.day,
        starts_at,
        ends_at,
        remote: p.fit.remote,
        score: i32::try_from(p.fit.score).unwrap_or(0),
        reasons: p.fit.reasons.clone(),
    })
}

fn before_confirmation(c: &immersion_campaign::Model, now: DateTime<Utc>) -> AppResult<()> {
    if c.confirmed_at.is_some() {
        return Err(DbError::Invalid(Invalid::MatchingConfirmed).into());
    }
    // While entries are open, a draft would hold people who may still change their entry.
    if phase(c, now) != Phase::Matching {
        return Err(DbError::Invalid(Invalid::MatchingNotNow).into());
    }
    Ok(())
}

/// Computes the draft proposal again (the pairs moved by hand are recomputed too): how many
/// pairs it holds.
pub async fn compute_proposal(
    state: &AppState,
    admin: &user::Model,
    c: &immersion_campaign::Model,
) -> AppResult<usize> {
    before_confirmation(c, state.now())?;
    let tx = Tx::by(state, admin).await?;
    db::immersion::clear_drafts(tx.conn(), c.id).await?;
    let (hosts, students) = free_sides(tx.conn(), c, tx.now()).await?;
    let excluded = db::immersion::excluded_pairs(tx.conn(), c.id).await?;
    let pairs = domain::immersion::propose(&hosts, &students, &excluded);
    for p in &pairs {
        db::immersion::insert_duo(tx.conn(), c.id, &new_duo(p)?, DuoState::Draft, None, tx.now()).await?;
    }
    tx.audit(AuditAction::ImmersionMatching, format!("campagne:{}", c.id), None, Some(format!("{} duos", pairs.len())))
        .await?;
    tx.commit().await?;
    Ok(pairs.len())
}

/// Adds a pair by hand to the draft (after removing the one it replaces): refused when the
/// pair breaks a hard constraint.
pub async fn add_pair(
    state: &AppState,
    admin: &user::Model,
    c: &immersion_campaign::Model,
    offer_id: i64,
    application_id: i64,
) -> AppResult<()> {
    before_confirmation(c, state.now())?;
    let tx = Tx::by(state, admin).await?;
    let o = db::immersion::offer(tx.conn(), offer_id).await?;
    let a = db::immersion::application(tx.conn(), application_id).await?;
    if o.campaign_id != c.id || a.campaign_id != c.id {
        return Err(DbError::NotFound.into());
    }
    let w = db::immersion::wishes(&a)?;
    let host = Host {
        id: o.id,
        seats: 1,
        days: db::immersion::offer_days(&o)?,
        mode: db::immersion::mode_of(&o)?,
        region: o.region_code.clone(),
        profession: o.profession.clone(),
        domain: o.domain.clone(),
    };
    let student = Student {
        id: a.id,
        days: w.days,
        regions: w.regions,
        remote_ok: a.remote_ok,
        professions: w.professions,
        domains: w.domains,
    };
    let fit = domain::immersion::fit(&host, &student).ok_or(DbError::Invalid(Invalid::PairNotPossible))?;
    let p = domain::immersion::Pairing { host: o.id, student: a.id, fit };
    db::immersion::insert_duo(tx.conn(), c.id, &new_duo(&p)?, DuoState::Draft, None, tx.now()).await?;
    tx.audit(
        AuditAction::ImmersionMatching,
        format!("campagne:{}", c.id),
        None,
        Some(format!("ajout {o_id}+{a_id}", o_id = o.id, a_id = a.id)),
    )
    .await?;
    tx.commit().await
}

/// Removes a pair from the draft.
pub async fn remove_pair(
    state: &AppState,
    admin: &user::Model,
    c: &immersion_campaign::Model,
    duo_id: i64,
) -> AppResult<()> {
    before_confirmation(c, state.now())?;
    let tx = Tx::by(state, admin).await?;
    let d = db::immersion::duo(tx.conn(), duo_id).await?;
    if d.duo.campaign_id != c.id {
        return Err(DbError::NotFound.into());
    }
    db::immersion::remove_draft(tx.conn(), duo_id).await?;
    tx.audit(AuditAction::ImmersionMatching, format!("campagne:{}", c.id), Some(format!("duo {duo_id}")), None).await?;
    tx.commit().await
}

fn deadline(c: &immersion_campaign::Model, now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(i64::from(c.answer_days.max(1)))
}

async fn send_proposals(tx: &Tx<'_>, ids: &[i64]) -> AppResult<()> {
    let state = tx.state();
    for id in ids {
        let d = db::immersion::duo(tx.conn(), *id).await?;
        let why = domain::immersion::explain(&d.reasons).to_lowercase();
        let by = d.duo.expires_at.map(crate::format::date_time).unwrap_or_default();
        for side in [Side::Student, Side::Host] {
            tx.mail(mail_to(state, &d, side, |to, r| mail::messages::immersion_proposed(to, r, &why, &by))).await?;
        }
    }
    Ok(())
}

/// Confirms the draft: every pair becomes a proposal both sides are asked to answer.
pub async fn confirm(state: &AppState, admin: &user::Model, c: &immersion_campaign::Model) -> AppResult<usize> {
    before_confirmation(c, state.now())?;
    let tx = Tx::by(state, admin).await?;
    if !db::immersion::mark_confirmed(tx.conn(), c.id, tx.now()).await? {
        return Err(DbError::Invalid(Invalid::MatchingConfirmed).into());
    }
    let ids = db::immersion::send_drafts(tx.conn(), c.id, deadline(c, tx.now()), tx.now()).await?;
    send_proposals(&tx, &ids).await?;
    tx.audit(AuditAction::ImmersionConfirmed, format!("campagne:{}", c.id), None, Some(format!("{} duos", ids.len())))
        .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// Proposes new duos among the people freed since (declines, expiries, withdrawals) and the
/// campaign's late entries, once the matching was confirmed: how many.
pub async fn rematch(state: &AppState, c: &immersion_campaign::Model) -> AppResult<usize> {
    if c.confirmed_at.is_none() || phase(c, state.now()) != Phase::Duos {
        return Ok(0);
    }
    let tx = Tx::begin(state).await?;
    let expires = deadline(c, tx.now());
    let (hosts, students) = free_sides(tx.conn(), c, expires).await?;
    if hosts.is_empty() || students.is_empty() {
        return Ok(0);
    }
    let excluded = db::immersion::excluded_pairs(tx.conn(), c.id).await?;
    let mut ids = Vec::new();
    for p in domain::immersion::propose(&hosts, &students, &excluded) {
        match db::immersion::insert_duo(tx.conn(), c.id, &new_duo(&p)?, DuoState::Proposed, Some(expires), tx.now())
            .await
        {
            Ok(id) => ids.push(id),
            // Another machine's turn is proposing the same people: its proposal stands.
            Err(DbError::Conflict(_)) => return Ok(0),
            Err(e) => return Err(e.into()),
        }
    }
    send_proposals(&tx, &ids).await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// Cancels a duo (an administrator): both sides are told and proposed again.
pub async fn cancel(state: &AppState, admin: &user::Model, d: &DuoView) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    if d.state == DuoState::Draft {
        db::immersion::remove_draft(tx.conn(), d.duo.id).await?;
    } else if db::immersion::cancel_duo(tx.conn(), d.duo.id, tx.now()).await? {
        for side in [Side::Student, Side::Host] {
            let space = space_url(state, side);
            tx.mail(mail_to(state, d, side, |to, r| mail::messages::immersion_freed(to, r, &space))).await?;
        }
    } else {
        return Err(DbError::Conflict(db::Conflict::DuoChanged).into());
    }
    tx.audit(AuditAction::ImmersionDuoCancelled, format!("duo:{}", d.duo.id), Some(d.state.code().into()), None)
        .await?;
    tx.commit().await
}

// --- the sides -------------------------------------------------------------------------------

/// A side's answer. A decline frees both (the other side is told and proposed again); the
/// second acceptance forms the duo and shows each side the other's contact details.
pub async fn answer(state: &AppState, d: &DuoView, side: Side, decision: Decision) -> AppResult<Answered> {
    let tx = Tx::begin(state).await?;
    let answered = db::immersion::answer(tx.conn(), d.duo.id, side, decision, tx.now()).await?;
    match answered {
        Answered::Waiting => {}
        Answered::Accepted => {
            for s in [Side::Student, Side::Host] {
                tx.mail(mail_to(state, d, s, mail::messages::immersion_accepted)).await?;
            }
        }
        Answered::Declined => {
            let other = other_side(side);
            let space = space_url(state, other);
            tx.mail(mail_to(state, d, other, |to, r| mail::messages::immersion_freed(to, r, &space))).await?;
        }
    }
    tx.commit().await?;
    Ok(answered)
}

pub fn other_side(side: Side) -> Side {
    match side {
        Side::Student => Side::Host,
        Side::Host => Side::Student,
    }
}

/// A side agrees to the agreement (a dated click).
pub async fn agree(state: &AppState, d: &DuoView, side: Side) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    db::immersion::agree(tx.conn(), d.duo.id, side, tx.now()).await?;
    tx.commit().await
}

/// The host writes the day's organisation: `true` when both sides must agree again.
pub async fn organise(state: &AppState, d: &DuoView, o: &Organisation) -> AppResult<bool> {
    let tx = Tx::begin(state).await?;
    let reset = db::immersion::organise(tx.conn(), d.duo.id, o, tx.now()).await?;
    tx.commit().await?;
    Ok(reset)
}

pub async fn feedback(state: &AppState, d: &DuoView, side: Side, f: &Feedback) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    db::immersion::save_feedback(tx.conn(), d.duo.id, side, f, tx.now()).await?;
    tx.commit().await
}

/// « Garder le contact »: `false` when the student had already asked.
pub async fn keep_in_touch(state: &AppState, d: &DuoView) -> AppResult<bool> {
    let tx = Tx::begin(state).await?;
    let done = db::immersion::keep_in_touch(tx.conn(), d.duo.id, tx.now()).await?;
    tx.commit().await?;
    Ok(done)
}

// --- the periodic turn -----------------------------------------------------------------------

/// What one turn did, for the log and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turn {
    pub expired: usize,
    pub answer_reminders: usize,
    pub rematched: usize,
    pub day_reminders: usize,
    pub feedback: usize,
}

/// One turn: expire unanswered proposals (the side that answered is told and proposed again,
/// the silent one paused), remind halfway, propose new duos to the freed, remind a week and
/// a day before, ask for feedback after the day. Every step is marked in its row: any tick
/// may run it, on any machine.
pub async fn tick(state: &AppState) -> AppResult<Turn> {
    let mut turn = Turn::default();
    let now = state.now();
    for d in db::immersion::expiring(state.db.conn(), now).await? {
        let tx = Tx::begin(state).await?;
        if db::immersion::expire(tx.conn(), &d, tx.now()).await? {
            for side in [Side::Student, Side::Host] {
                let space = space_url(state, side);
                let answered = d.accepted_by(side).is_some();
                tx.mail(mail_to(state, &d, side, |to, r| {
                    if answered {
                        mail::messages::immersion_freed(to, r, &space)
                    } else {
                        mail::messages::immersion_expired_paused(to, r, &space)
                    }
                }))
                .await?;
            }
            turn.expired += 1;
        }
        tx.commit().await?;
    }
    for d in db::immersion::answer_reminders_due(state.db.conn(), now).await? {
        let tx = Tx::begin(state).await?;
        if db::immersion::mark_answer_reminded(tx.conn(), d.duo.id, tx.now()).await? {
            let by = d.duo.expires_at.map(crate::format::date_time).unwrap_or_default();
            for side in [Side::Student, Side::Host].into_iter().filter(|s| d.accepted_by(*s).is_none()) {
                tx.mail(mail_to(state, &d, side, |to, r| mail::messages::immersion_answer_reminder(to, r, &by)))
                    .await?;
                turn.answer_reminders += 1;
            }
        }
        tx.commit().await?;
    }
    for c in db::immersion::campaigns(state.db.conn()).await? {
        turn.rematched += rematch(state, &c).await?;
    }
    for d in db::immersion::accepted_upcoming(state.db.conn(), now).await? {
        let due = domain::immersion::day_reminder_due(
            d.duo.starts_at,
            d.duo.week_reminded_at.is_some(),
            d.duo.eve_reminded_at.is_some(),
            now,
        );
        let Some(reminder) = due else { continue };
        let tx = Tx::begin(state).await?;
        if db::immersion::mark_day_reminded(tx.conn(), d.duo.id, reminder, tx.now()).await? {
            let eve = reminder == domain::immersion::DayReminder::Eve;
            for side in [Side::Student, Side::Host] {
                tx.mail(mail_to(state, &d, side, |to, r| mail::messages::immersion_day_reminder(to, r, eve))).await?;
            }
            turn.day_reminders += 1;
        }
        tx.commit().await?;
    }
    for d in db::immersion::feedback_due(state.db.conn(), now).await? {
        let tx = Tx::begin(state).await?;
        if db::immersion::mark_feedback_asked(tx.conn(), d.duo.id, tx.now()).await? {
            for side in [Side::Student, Side::Host] {
                tx.mail(mail_to(state, &d, side, mail::messages::immersion_feedback_request)).await?;
            }
            turn.feedback += 1;
        }
        tx.commit().await?;
    }
    Ok(turn)
}
