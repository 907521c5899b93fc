//! The forum: registrations with their waiting list (confirmation by e-mail for an address
//! alone), cancellations that promote the first person waiting, job-dating bookings, the
//! organisers' editions, sessions, booths and announcements, the recruiters' slots and
//! meeting records. Every e-mail leaves through the outbox with the change that caused it.

use super::{Stale, Tx};
use crate::AppState;
use crate::error::{AppError, AppResult};
use chrono::Duration;
use db::entity::{forum_booth, forum_edition, forum_participant, forum_registration, forum_session, user};
use db::forum::{MeetingRecord, Placed, Promoted, SessionInput, SessionView, SlotSeries};
use db::{DbError, Invalid};
use domain::audit::AuditAction;
use domain::forum::{BookingOutcome, RegistrationStatus, Reminder, SessionState};

/// « le mardi 16 mars 2027 de 14 h 00 à 15 h 00 », Paris time.
pub fn when(s: &forum_session::Model) -> String {
    crate::format::span(s.starts_at, s.ends_at)
}

fn session_url(state: &AppState, s: &forum_session::Model) -> String {
    state.url(&format!("/evenements/{}", s.slug))
}

/// The participant's own page of a registration: its status, its online link when it is
/// time, its cancellation button (a link in an e-mail never cancels by itself: mail scanners
/// follow links).
fn cancel_url(state: &AppState, r: &forum_registration::Model) -> String {
    state.url(&format!("/forum/inscription/{}", r.token))
}

fn agenda_url(state: &AppState, p: &forum_participant::Model) -> String {
    state.url(&format!("/agenda/{}.ics", p.agenda_token))
}

/// Who registers: a signed-in account, or an e-mail address alone.
#[derive(Debug, Clone)]
pub enum Registrant<'a> {
    Account(&'a user::Model),
    Email(domain::email::Email),
}

/// What a registration gave, for the page that answers it.
#[derive(Debug, Clone)]
pub struct Registered {
    pub placed: Placed,
    pub email: String,
}

fn registration_open(state: &AppState, e: &forum_edition::Model, s: &forum_session::Model) -> bool {
    let now = state.now();
    let window = domain::forum::Window { opens: e.registration_opens_at, closes: e.registration_closes_at };
    window.contains(now) && now < s.ends_at && s.state == SessionState::Published.code()
}

/// Registers for a session inside the edition's window. A verified account is placed at
/// once (a seat, or the waiting list); an address alone gets a confirmation link first.
pub async fn register(state: &AppState, session: &SessionView, who: Registrant<'_>) -> AppResult<Registered> {
    let s = &session.session;
    let e = db::forum::edition(state.db.conn(), s.edition_id).await?;
    if !registration_open(state, &e, s) {
        return Err(DbError::Invalid(Invalid::RegistrationClosed).into());
    }
    let (email, user_id, confirmed) = match &who {
        // An account is tied to the address's registrations only once it proved the address is
        // its own: before, it registers like anybody typing that address (a link to confirm).
        Registrant::Account(u) => {
            let verified = u.email_verified_at.is_some();
            (u.email.clone(), verified.then_some(u.id), verified)
        }
        Registrant::Email(e) => (e.as_str().to_string(), None, false),
    };
    let tx = Tx::begin(state).await?;
    let p = db::forum::participant_for(tx.conn(), &email, user_id, &crate::auth::random_token()?, tx.now()).await?;
    let token = crate::auth::random_token()?;
    let (r, placed) = db::forum::register(tx.conn(), s.id, p.id, confirmed, &token, tx.now()).await?;
    tx.mail(placed_mail(state, s, &r, &p, placed)).await?;
    tx.commit().await?;
    Ok(Registered { placed, email })
}

fn placed_mail(
    state: &AppState,
    s: &forum_session::Model,
    r: &forum_registration::Model,
    p: &forum_participant::Model,
    placed: Placed,
) -> domain::candidate::MailMessage {
    // A registered person's address is their own page: it shows the online link when it is time.
    let url = match placed {
        Placed::Registered => cancel_url(state, r),
        _ => session_url(state, s),
    };
    let when = when(s);
    let at = mail::messages::SessionRef { title: &s.title, when: &when, url: &url };
    let cancel = cancel_url(state, r);
    match placed {
        Placed::Pending => {
            mail::messages::forum_confirm(&p.email, &at, &state.url(&format!("/forum/confirmer/{}", r.token)), &cancel)
        }
        Placed::Registered => mail::messages::forum_registered(&p.email, &at, &agenda_url(state, p), &cancel),
        Placed::Waiting(n) => mail::messages::forum_waiting(&p.email, &at, n, &cancel),
    }
}

async fn participant(tx: &Tx<'_>, id: i64) -> AppResult<forum_participant::Model> {
    Ok(db::forum::participant(tx.conn(), id).await?)
}

async fn account(tx: &Tx<'_>, id: i64) -> AppResult<user::Model> {
    db::accounts::by_id(tx.conn(), id).await?.ok_or(AppError::NotFound)
}

/// Follows a confirmation link: the session and what the registration gave, or `None` when
/// the link was used before.
pub async fn confirm(state: &AppState, token: &str) -> AppResult<(forum_session::Model, Option<Placed>)> {
    let tx = Tx::begin(state).await?;
    let r = db::forum::registration_by_token(tx.conn(), token).await?;
    let s = db::forum::session(tx.conn(), r.session_id).await?;
    let e = db::forum::edition(tx.conn(), s.edition_id).await?;
    if !registration_open(state, &e, &s) {
        return Err(DbError::Invalid(Invalid::RegistrationClosed).into());
    }
    let placed = db::forum::confirm(tx.conn(), token, tx.now()).await?;
    if let Some(placed) = placed {
        let p = participant(&tx, r.participant_id).await?;
        tx.mail(placed_mail(state, &s, &r, &p, placed)).await?;
    }
    tx.commit().await?;
    Ok((s, placed))
}

pub(crate) async fn tell_promoted(tx: &Tx<'_>, promoted: &[Promoted]) -> AppResult<()> {
    let state = tx.state();
    for p in promoted {
        let s = db::forum::session(tx.conn(), p.registration.session_id).await?;
        let who = participant(tx, p.registration.participant_id).await?;
        let url = cancel_url(state, &p.registration);
        let when = when(&s);
        let at = mail::messages::SessionRef { title: &s.title, when: &when, url: &url };
        let msg = mail::messages::forum_promoted(
            &p.email,
            &at,
            &agenda_url(state, &who),
            &cancel_url(state, &p.registration),
        );
        tx.mail(msg).await?;
    }
    Ok(())
}

/// Cancels the registration of `token` (one click from its e-mail or the candidate's space);
/// a freed seat goes to the first person waiting, who is told. The session, and the status
/// before (`None`: it was already cancelled).
pub async fn cancel(state: &AppState, token: &str) -> AppResult<(forum_session::Model, Option<RegistrationStatus>)> {
    let tx = Tx::begin(state).await?;
    let r = db::forum::registration_by_token(tx.conn(), token).await?;
    let s = db::forum::session(tx.conn(), r.session_id).await?;
    let outcome = db::forum::cancel(tx.conn(), token, tx.now()).await?;
    if let Some((_, promoted)) = &outcome {
        tell_promoted(&tx, promoted).await?;
    }
    tx.commit().await?;
    Ok((s, outcome.map(|(before, _)| before)))
}

/// Sends the reminders that are due (the day before, an hour before): each once per start of
/// the session, so a moved session is reminded at its new time and never twice for one.
pub async fn send_reminders(state: &AppState) -> AppResult<usize> {
    let now = state.now();
    let due = db::forum::registered_starting(state.db.conn(), now, now + Duration::hours(24)).await?;
    let mut sent = 0;
    for v in due {
        let s = &v.session.session;
        for reminder in [Reminder::DayBefore, Reminder::HourBefore] {
            if !reminder.due(now, s.starts_at) {
                continue;
            }
            let tx = Tx::begin(state).await?;
            if db::forum::mark_reminded(tx.conn(), v.registration.id, reminder, s.starts_at).await? {
                let url = cancel_url(state, &v.registration);
                let when = when(s);
                let at = mail::messages::SessionRef { title: &s.title, when: &when, url: &url };
                let cancel = cancel_url(state, &v.registration);
                tx.mail(mail::messages::forum_reminder(&v.email, &at, reminder == Reminder::DayBefore, &cancel))
                    .await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(sent)
}

/// Records a participant's feedback after the session.
pub async fn save_feedback(state: &AppState, token: &str, rating: i32, comment: &str) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    db::forum::save_feedback(tx.conn(), token, rating, comment, tx.now()).await?;
    tx.commit().await
}

/// Asks the registered participants of the sessions that just ended for their feedback, once.
pub async fn ask_feedback(state: &AppState) -> AppResult<usize> {
    let due = db::forum::feedback_due(state.db.conn(), state.now()).await?;
    let mut sent = 0;
    for v in due {
        let tx = Tx::begin(state).await?;
        if db::forum::mark_feedback_asked(tx.conn(), v.registration.id, tx.now()).await? {
            let s = &v.session.session;
            let url = session_url(state, s);
            let when = when(s);
            let at = mail::messages::SessionRef { title: &s.title, when: &when, url: &url };
            let form = state.url(&format!("/forum/inscription/{}#avis", v.registration.token));
            tx.mail(mail::messages::forum_feedback(&v.email, &at, &form)).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// Someone gave an address already registered to the session: the page says nothing of it
/// (anybody may type any address); the address's own mailbox gets the link to its registration.
pub async fn remind_registration(
    state: &AppState,
    session: &SessionView,
    email: &domain::email::Email,
) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    let p =
        db::forum::participant_for(tx.conn(), email.as_str(), None, &crate::auth::random_token()?, tx.now()).await?;
    if let Some(r) = db::forum::registration_of(tx.conn(), session.session.id, p.id).await? {
        let s = &session.session;
        let url = cancel_url(state, &r);
        let when = when(s);
        let at = mail::messages::SessionRef { title: &s.title, when: &when, url: &url };
        tx.mail(mail::messages::forum_already(&p.email, &at)).await?;
    }
    tx.commit().await
}

/// Stops (`stop`) or resumes the announcements of the participant of `token`; `false` when the
/// link is unknown.
pub async fn set_announcements(state: &AppState, token: &str, stop: bool) -> AppResult<bool> {
    let tx = Tx::begin(state).await?;
    let done = db::forum::set_announcements(tx.conn(), token, stop, tx.now()).await?;
    tx.commit().await?;
    Ok(done)
}

// --- job dating -------------------------------------------------------------------------

/// Books a slot for a candidate, inside its booking window.
pub async fn book(state: &AppState, candidate: &user::Model, slot_id: i64, answer: Option<String>) -> AppResult<()> {
    if candidate.email_verified_at.is_none() {
        return Err(DbError::Invalid(Invalid::AccountNotVerified).into());
    }
    let tx = Tx::begin(state).await?;
    let slot = db::forum::slot(tx.conn(), slot_id).await?;
    let booth = booth(&tx, slot.booth_id).await?;
    let e = db::forum::edition(tx.conn(), booth.edition_id).await?;
    let window = domain::forum::booking_window(e.booking_opens_at, slot.starts_at, e.booking_closes_minutes);
    if !window.contains(tx.now()) {
        return Err(DbError::Invalid(Invalid::BookingClosed).into());
    }
    db::forum::book(tx.conn(), slot_id, candidate.id, answer, tx.now()).await?;
    let p = db::forum::participant_for(
        tx.conn(),
        &candidate.email,
        Some(candidate.id),
        &crate::auth::random_token()?,
        tx.now(),
    )
    .await?;
    let inst = db::institutions::by_id(tx.conn(), booth.institution_id).await?;
    let msg = mail::messages::forum_booked(
        &candidate.email,
        &inst.name,
        &crate::format::span(slot.starts_at, slot.ends_at),
        &agenda_url(state, &p),
        &state.url("/espace-candidat#forum"),
    );
    tx.mail(msg).await?;
    tx.commit().await
}

async fn booth(tx: &Tx<'_>, id: i64) -> AppResult<forum_booth::Model> {
    Ok(db::forum::booth(tx.conn(), id).await?)
}

/// Cancels a candidate's booking until the booking closes; the slot is free again.
pub async fn cancel_booking(state: &AppState, candidate: &user::Model, booking_id: i64) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    let b = db::forum::booking(tx.conn(), booking_id).await?;
    if b.user_id != candidate.id {
        return Err(AppError::NotFound);
    }
    let slot = db::forum::slot(tx.conn(), b.slot_id).await?;
    let booth = booth(&tx, b.booth_id).await?;
    let e = db::forum::edition(tx.conn(), booth.edition_id).await?;
    let window = domain::forum::booking_window(e.booking_opens_at, slot.starts_at, e.booking_closes_minutes);
    if tx.now() >= window.closes {
        return Err(DbError::Invalid(Invalid::BookingClosed).into());
    }
    db::forum::cancel_booking(tx.conn(), booking_id, candidate.id).await?;
    tx.commit().await
}

/// Publishes a series of slots for the recruiter's booth.
pub async fn publish_slots(
    state: &AppState,
    actor: &user::Model,
    booth: &forum_booth::Model,
    series: &SlotSeries,
) -> AppResult<usize> {
    let tx = Tx::by(state, actor).await?;
    let n = db::forum::create_slots(tx.conn(), booth, series, Some(actor.id), tx.now()).await?;
    let first = series.spans.first().map(|s| crate::format::date_time(s.0)).unwrap_or_default();
    tx.audit(
        AuditAction::ForumSlotsPublished,
        format!("stand {}", booth.slug),
        None,
        Some(format!("{n} créneaux dès le {first}")),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// Removes a slot; the candidate who had booked it is told.
pub async fn remove_slot(
    state: &AppState,
    actor: &user::Model,
    booth: &forum_booth::Model,
    slot_id: i64,
) -> AppResult<()> {
    let tx = Tx::by(state, actor).await?;
    let (slot, booking) = db::forum::remove_slot(tx.conn(), slot_id, booth.id).await?;
    let at = crate::format::span(slot.starts_at, slot.ends_at);
    if let Some(b) = booking {
        let candidate = account(&tx, b.user_id).await?;
        let inst = db::institutions::by_id(tx.conn(), booth.institution_id).await?;
        tx.mail(mail::messages::forum_slot_removed(&candidate.email, &inst.name, &at, &state.url("/stands"))).await?;
    }
    tx.audit(AuditAction::ForumSlotRemoved, format!("stand {}", booth.slug), Some(at), None).await?;
    tx.commit().await
}

/// Records a meeting; « proposer de candidater » files the candidate's application to the
/// offer (their profile and CV) in its pipeline, once.
pub async fn record_meeting(
    state: &AppState,
    actor: &user::Model,
    booth: &forum_booth::Model,
    booking_id: i64,
    record: &MeetingRecord,
    offer_id: Option<i64>,
) -> AppResult<()> {
    let tx = Tx::by(state, actor).await?;
    let b = db::forum::booking(tx.conn(), booking_id).await?;
    if b.booth_id != booth.id {
        return Err(AppError::NotFound);
    }
    let mut application_id = None;
    if record.outcome == Some(BookingOutcome::Invite) && b.application_id.is_none() {
        let slot = db::forum::slot(tx.conn(), b.slot_id).await?;
        let offer_id = offer_id
            .filter(|o| db::forum::slot_offer_ids(&slot).contains(o))
            .ok_or(DbError::Invalid(Invalid::OfferOfAnotherEmployer))?;
        let offer = db::forum::offer(tx.conn(), offer_id).await?;
        let candidate = account(&tx, b.user_id).await?;
        let profile = db::profiles::get(tx.conn(), candidate.id).await?;
        let (name, cv) = match &profile {
            Some(p) => (format!("{} {}", p.profile.first_name, p.profile.last_name), p.profile.cv_file_id),
            None => (candidate.email.clone(), None),
        };
        let new = db::applications::NewApplication {
            offer_id: Some(offer.id),
            institution_id: Some(offer.institution_id),
            user_id: candidate.id,
            candidate_name: name.trim().to_string(),
            candidate_email: candidate.email.clone(),
            cover_letter: Some(
                format!(
                    "Candidature proposée après un entretien de job dating au forum. {}",
                    b.answer.clone().unwrap_or_default()
                )
                .trim()
                .to_string(),
            ),
            links: None,
            cv_file_id: cv,
        };
        let application = match db::applications::create(tx.conn(), &new, tx.now()).await {
            Ok(a) => a,
            Err(DbError::Conflict(db::Conflict::AlreadyApplied)) => {
                db::applications::for_offer_and_user(tx.conn(), offer.id, candidate.id)
                    .await?
                    .ok_or(AppError::NotFound)?
            }
            Err(e) => return Err(e.into()),
        };
        application_id = Some(application.id);
        let inst = db::institutions::by_id(tx.conn(), offer.institution_id).await?;
        tx.mail(mail::messages::forum_invited_to_apply(
            &candidate.email,
            &offer.title,
            &inst.name,
            &state.url(&format!("/espace-candidat/candidatures/{}", application.id)),
        ))
        .await?;
    }
    db::forum::record_meeting(tx.conn(), booking_id, booth.id, record, application_id, tx.now()).await?;
    let after = format!(
        "{}{}",
        match record.attended {
            Some(true) => "présent·e",
            Some(false) => "absent·e",
            None => "présence non renseignée",
        },
        record.outcome.map(|o| format!(", {}", o.label().to_lowercase())).unwrap_or_default()
    );
    tx.audit(
        AuditAction::ForumMeetingOutcome,
        format!("rendez-vous {booking_id} du stand {}", booth.slug),
        None,
        Some(after),
    )
    .await?;
    tx.commit().await
}

// --- organisers --------------------------------------------------------------------------

pub async fn save_edition(
    state: &AppState,
    actor: &user::Model,
    id: Option<i64>,
    input: &db::forum::EditionInput,
) -> AppResult<i64> {
    let mut tx = Tx::by(state, actor).await?;
    let id = match id {
        Some(id) => {
            db::forum::update_edition(tx.conn(), id, input, tx.now()).await?;
            id
        }
        None => db::forum::create_edition(tx.conn(), input, tx.now()).await?,
    };
    tx.audit(AuditAction::ForumEditionSaved, format!("édition {id} « {} »", input.name), None, None).await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await?;
    Ok(id)
}

/// Creates or edits a session. A raised capacity gives its new seats to the waiting list;
/// a moved session keeps its registrations (reminders follow the new time).
pub async fn save_session(
    state: &AppState,
    actor: &user::Model,
    edition_id: i64,
    id: Option<i64>,
    input: &SessionInput,
) -> AppResult<i64> {
    let mut tx = Tx::by(state, actor).await?;
    let id = match id {
        Some(id) => {
            let before = db::forum::update_session(tx.conn(), id, input, tx.now()).await?;
            let promoted = db::forum::promote_waiting(tx.conn(), id, tx.now()).await?;
            tell_promoted(&tx, &promoted).await?;
            if before.starts_at != input.starts_at || before.ends_at != input.ends_at {
                tell_moved(&tx, &before).await?;
            }
            id
        }
        None => db::forum::create_session(tx.conn(), edition_id, input, SessionState::Draft, tx.now()).await?,
    };
    tx.audit(AuditAction::ForumSessionSaved, format!("session {id} « {} »", input.title), None, None).await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await?;
    Ok(id)
}

/// Tells everyone registered or waiting that a session has a new time (its row after the change).
async fn tell_moved(tx: &Tx<'_>, before: &forum_session::Model) -> AppResult<()> {
    let state = tx.state();
    let s = db::forum::session(tx.conn(), before.id).await?;
    if s.state != SessionState::Published.code() {
        return Ok(());
    }
    let old = when(before);
    let new = when(&s);
    for status in [RegistrationStatus::Registered, RegistrationStatus::Waiting] {
        for r in db::forum::registrations_of_session(tx.conn(), s.id, status).await? {
            let url = cancel_url(state, &r.registration);
            let at = mail::messages::SessionRef { title: &s.title, when: &new, url: &url };
            tx.mail(mail::messages::forum_session_moved(&r.email, &at, &old)).await?;
        }
    }
    Ok(())
}

/// Publishes, cancels or brings back to draft; a cancellation tells everyone registered.
pub async fn set_session_state(state: &AppState, actor: &user::Model, id: i64, to: SessionState) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    let before = db::forum::set_session_state(tx.conn(), id, to, tx.now()).await?;
    let s = db::forum::session(tx.conn(), id).await?;
    if to == SessionState::Cancelled && before != SessionState::Cancelled {
        let url = state.url("/evenements");
        let when = when(&s);
        let at = mail::messages::SessionRef { title: &s.title, when: &when, url: &url };
        for status in [RegistrationStatus::Registered, RegistrationStatus::Waiting] {
            for r in db::forum::registrations_of_session(tx.conn(), id, status).await? {
                tx.mail(mail::messages::forum_session_cancelled(&r.email, &at)).await?;
            }
        }
    }
    tx.audit(
        AuditAction::ForumSessionState,
        format!("session {id} « {} »", s.title),
        Some(before.code().into()),
        Some(to.code().into()),
    )
    .await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await
}

pub async fn create_booth(
    state: &AppState,
    actor: &user::Model,
    edition_id: i64,
    institution_id: i64,
) -> AppResult<i64> {
    let mut tx = Tx::by(state, actor).await?;
    let id = db::forum::create_booth(tx.conn(), edition_id, institution_id, "", tx.now()).await?;
    tx.audit(AuditAction::ForumBoothSaved, format!("stand {id}"), None, Some("créé".into())).await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await?;
    Ok(id)
}

pub async fn save_booth(
    state: &AppState,
    actor: &user::Model,
    booth: &forum_booth::Model,
    presentation: &str,
    session_id: Option<i64>,
) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::forum::update_booth(tx.conn(), booth.id, presentation, session_id, tx.now()).await?;
    tx.audit(AuditAction::ForumBoothSaved, format!("stand {}", booth.slug), None, Some("présentation modifiée".into()))
        .await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await
}

/// Checks a participant in (the organiser), or records that they followed the online link.
pub async fn mark_attended(state: &AppState, actor: Option<&user::Model>, registration_id: i64) -> AppResult<bool> {
    let tx = match actor {
        Some(a) => Tx::by(state, a).await?,
        None => Tx::begin(state).await?,
    };
    let done = db::forum::mark_attended(tx.conn(), registration_id, tx.now()).await?;
    if done {
        tx.audit(
            AuditAction::ForumAttendance,
            format!("inscription {registration_id}"),
            None,
            Some("présent·e".into()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Sends an announcement to the edition's registered participants (those who did not stop
/// them), each with its one-click stop link: how many e-mails were queued.
pub async fn announce(
    state: &AppState,
    actor: &user::Model,
    edition_id: i64,
    subject: &str,
    paragraphs: &[String],
) -> AppResult<usize> {
    let tx = Tx::by(state, actor).await?;
    let recipients = db::forum::announcement_recipients(tx.conn(), edition_id).await?;
    for p in &recipients {
        let stop = state.url(&format!("/forum/annonces/arret/{}", p.agenda_token));
        tx.mail(mail::messages::forum_announcement(&p.email, subject, paragraphs, &stop)).await?;
    }
    tx.audit(
        AuditAction::ForumAnnouncement,
        format!("édition {edition_id}"),
        None,
        Some(format!("« {subject} » à {} personnes", recipients.len())),
    )
    .await?;
    tx.commit().await?;
    Ok(recipients.len())
}

/// Stores a session's replay (a video with its captions and transcript, any of them replacing
/// the stored one). A failed change removes the file it stored; a replaced replay's file goes.
pub async fn set_replay(
    state: &AppState,
    actor: &user::Model,
    s: &forum_session::Model,
    up: crate::services::stories::VideoUpload,
) -> AppResult<()> {
    let new = match up.video {
        Some((bytes, kind)) => {
            let ext = if kind == domain::story::VideoKind::Mp4 { "mp4" } else { "webm" };
            let key = format!("{REPLAYS}{}.{ext}", crate::auth::random_token()?);
            state.files.put(&key, bytes).await?;
            Some((key, kind.code()))
        }
        None => None,
    };
    let video = new.clone().or_else(|| {
        s.replay_key
            .clone()
            .zip(s.replay_type.clone().and_then(|t| t.parse::<domain::story::VideoKind>().ok()).map(|k| k.code()))
    });
    let captions = up.captions.or_else(|| s.replay_captions.clone()).unwrap_or_default();
    let transcript = up.transcript.or_else(|| s.replay_transcript.clone()).unwrap_or_default();
    let done = async {
        let mut tx = Tx::by(state, actor).await?;
        let old = db::forum::set_replay(
            tx.conn(),
            s.id,
            video.as_ref().map(|(k, t)| (k.as_str(), *t)),
            &captions,
            &transcript,
            tx.now(),
        )
        .await?;
        tx.audit(
            AuditAction::ForumSessionSaved,
            format!("session {} « {} »", s.id, s.title),
            None,
            Some("replay".into()),
        )
        .await?;
        tx.invalidate(Stale::Pages);
        tx.commit().await?;
        AppResult::Ok(old)
    }
    .await;
    match done {
        Ok(old) => {
            // Only a replay uploaded here is deleted: the demo's replays are the stories' videos.
            if let (Some(old), Some(_)) = (old, &new)
                && old.starts_with(REPLAYS)
            {
                state.files.delete(&old).await?;
            }
            Ok(())
        }
        Err(e) => {
            if let Some((key, _)) = new {
                state.files.delete(&key).await?;
            }
            Err(e)
        }
    }
}

/// Where uploaded replays are kept in the file store.
const REPLAYS: &str = "forum/replays/";
