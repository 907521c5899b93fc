//! Background work: delivering the outbox, the alert digests, the purges. Runs inside
//! `metiers serve` (and alone as `metiers worker`); every instance may run it: outbox rows are
//! leased, and each periodic job takes its turn once per period through `periodic_runs`.
//!
//! Error policy: a failed tick is logged and retried at the next one; nothing here panics.

use crate::AppState;
use crate::offer_search::SearchParams;
use chrono::{DateTime, Datelike, Duration, Utc};
use domain::candidate::Frequency;
use mail::MailError;
use std::time::Duration as StdDuration;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub tick: StdDuration,
    /// First retry after this, doubling each time.
    pub backoff: Duration,
    pub max_attempts: i32,
    pub batch: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self { tick: StdDuration::from_secs(5), backoff: Duration::seconds(30), max_attempts: 8, batch: 50 }
    }
}

/// Offers listed in one digest e-mail (the rest are behind its link to the search).
pub const DIGEST_ITEMS: usize = 20;
/// Applications with no activity for two years are deleted (CNIL recommendation).
pub const APPLICATION_RETENTION_DAYS: i64 = 730;
/// Stopped alerts and newsletter subscriptions are deleted 30 days later (the undo works
/// until then).
pub const UNSUBSCRIBED_RETENTION_DAYS: i64 = 30;
/// Alerts and subscriptions never confirmed are deleted after 7 days.
pub const UNCONFIRMED_RETENTION_DAYS: i64 = 7;
/// Sent e-mails are kept 30 days for support, then deleted.
pub const OUTBOX_RETENTION_DAYS: i64 = 30;

/// Delivers what is due; returns (sent, failed attempts).
pub async fn deliver_outbox(state: &AppState, cfg: &WorkerConfig) -> Result<(usize, usize), db::DbError> {
    let now = state.now();
    let due = db::outbox::claim_due(state.db.conn(), now, cfg.batch, Duration::minutes(5)).await?;
    let (mut sent, mut failed) = (0, 0);
    for m in due {
        let msg = domain::candidate::MailMessage {
            to: m.recipient.clone(),
            subject: m.subject.clone(),
            text: m.text_body.clone(),
            html: m.html_body.clone(),
            unsubscribe: m.unsubscribe_url.clone(),
        };
        match state.mailer.send(&msg, m.created_at).await {
            Ok(()) => {
                db::outbox::mark_sent(state.db.conn(), m.id, state.now()).await?;
                metrics::counter!("mail_sent_total").increment(1);
                sent += 1;
            }
            Err(MailError::Transient(e) | MailError::Config(e)) if m.attempts < cfg.max_attempts => {
                let wait = cfg.backoff * 2i32.saturating_pow(u32::try_from(m.attempts - 1).unwrap_or(0).min(16));
                tracing::warn!(id = m.id, attempts = m.attempts, error = %e, "mail not sent, will retry");
                db::outbox::mark_retry(state.db.conn(), m.id, state.now() + wait, &e).await?;
                metrics::counter!("mail_retries_total").increment(1);
                failed += 1;
            }
            Err(e) => {
                tracing::error!(id = m.id, attempts = m.attempts, error = %e, "mail given up");
                db::outbox::mark_failed(state.db.conn(), m.id, &e.to_string(), state.now()).await?;
                metrics::counter!("mail_failed_total").increment(1);
                failed += 1;
            }
        }
    }
    Ok((sent, failed))
}

/// Sends the digests of one frequency: for each alert, the matching offers published since
/// the alert was created that it never sent. Returns the number of digests queued.
#[expect(clippy::disallowed_methods, reason = "a periodic job: its own unit of work, once per turn")]
pub async fn send_digests(state: &AppState, frequency: Frequency) -> Result<usize, crate::error::AppError> {
    let now = state.now();
    let mut queued = 0;
    for alert in db::alerts::due(state.db.conn(), frequency).await? {
        let mut params = SearchParams::parse(Some(&alert.query));
        params.page = 1;
        params.sort = Some(search::Sort::Date);
        let views = crate::public::offers::execute(state, params, 200).await?.offers;
        let sent = db::alerts::already_sent(state.db.conn(), alert.id).await?;
        let mut fresh: Vec<_> = views
            .into_iter()
            .filter(|v| !sent.contains(&v.offer.id) && v.offer.published_at >= alert.created_at)
            .collect();
        if fresh.is_empty() {
            continue;
        }
        fresh.sort_by_key(|v| std::cmp::Reverse(v.offer.published_at));
        // All of them count as sent; the e-mail lists the 20 newest and links to the search.
        let total = fresh.len();
        let items = fresh
            .iter()
            .take(DIGEST_ITEMS)
            .map(|v| mail::messages::Item {
                title: v.offer.title.clone(),
                url: state.url(&format!("/emploi/{}", v.offer.slug)),
                detail: [Some(v.institution.name.clone()), v.offer.city.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect();
        let msg = mail::messages::alert_digest(
            &alert.email,
            &alert.label,
            items,
            total,
            &state.url(&format!("/offres-emploi?{}", alert.query)),
            &state.url(&format!("/alertes/desinscription/{}", alert.token)),
        );
        let ids: Vec<i64> = fresh.iter().map(|v| v.offer.id).collect();
        let txn = state.db.begin().await?;
        db::alerts::record_sent(&txn, alert.id, &ids, now).await?;
        db::outbox::enqueue(&txn, &msg, now).await?;
        txn.commit().await.map_err(db::DbError::from)?;
        queued += 1;
    }
    Ok(queued)
}

/// Deletes what is kept no longer: old applications (and their CVs when nothing else uses
/// them), expired sessions, old login attempts, old sent e-mails, stopped or never confirmed
/// alerts and newsletter subscriptions.
pub async fn purge(state: &AppState) -> Result<u64, crate::error::AppError> {
    let now = state.now();
    let (n, files) =
        db::applications::purge_inactive(state.db.conn(), now - Duration::days(APPLICATION_RETENTION_DAYS)).await?;
    for f in files {
        crate::services::files::drop_if_unused(state, f).await?;
    }
    db::accounts::sessions_purge_expired(state.db.conn(), now).await?;
    db::accounts::login_attempts_purge(state.db.conn(), now - Duration::days(1)).await?;
    db::mail_requests::purge(state.db.conn(), now - Duration::days(1)).await?;
    db::outbox::periodic_runs_purge(state.db.conn(), now - Duration::days(30)).await?;
    db::outbox::purge_sent(state.db.conn(), now - Duration::days(OUTBOX_RETENTION_DAYS)).await?;
    db::alerts::purge_unsubscribed(state.db.conn(), now - Duration::days(UNSUBSCRIBED_RETENTION_DAYS)).await?;
    db::alerts::purge_unconfirmed(state.db.conn(), now - Duration::days(UNCONFIRMED_RETENTION_DAYS)).await?;
    let editions = purge_forum(state, now).await?;
    if editions > 0 {
        tracing::info!(editions, "forum participants purged");
    }
    let campaigns = purge_immersion(state, now).await?;
    if campaigns > 0 {
        tracing::info!(campaigns, "« Vis mon job » campaigns purged");
    }
    Ok(n)
}

/// The forum's participants, purged after their edition (the counts stay), all or nothing.
#[expect(clippy::disallowed_methods, reason = "a periodic job: its own unit of work")]
async fn purge_forum(state: &AppState, now: DateTime<Utc>) -> Result<u64, crate::error::AppError> {
    let txn = state.db.begin().await?;
    let before = now - Duration::days(domain::forum::PARTICIPANTS_RETENTION_DAYS);
    let n = db::forum::purge_ended(&txn, before, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(n)
}

/// « Vis mon job »: applications, offers and duos purged after the campaign (the figures
/// stay on it), all or nothing.
#[expect(clippy::disallowed_methods, reason = "a periodic job: its own unit of work")]
async fn purge_immersion(state: &AppState, now: DateTime<Utc>) -> Result<u64, crate::error::AppError> {
    let txn = state.db.begin().await?;
    let before = now - Duration::days(domain::immersion::RETENTION_DAYS);
    let n = db::immersion::purge_ended(&txn, before, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(n)
}

/// Monday's recap to each recruiter of the applications of their institution waiting for a
/// first answer for more than a week. Returns the number of e-mails queued.
#[expect(clippy::disallowed_methods, reason = "a periodic job: its own unit of work, once per turn")]
pub async fn send_recruiter_recaps(state: &AppState) -> Result<usize, crate::error::AppError> {
    let now = state.now();
    let waiting = db::backoffice::unanswered_by_institution(state.db.conn(), now - Duration::days(7)).await?;
    let mut queued = 0;
    let txn = state.db.begin().await?;
    for (institution, n) in waiting {
        for r in db::backoffice::recruiters_of(&txn, institution).await? {
            db::outbox::enqueue(&txn, &mail::messages::recruiter_recap(&r.email, n, &state.url("/recruteur")), now)
                .await?;
            queued += 1;
        }
    }
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(queued)
}

/// The period keys of a moment: one run a day, one a week (ISO week), in Paris time.
fn periods(now: DateTime<Utc>) -> (String, String) {
    let paris = crate::format::paris(now).date_naive();
    let week = paris.iso_week();
    (paris.format("%Y-%m-%d").to_string(), format!("{}-S{:02}", week.year(), week.week()))
}

/// Applications are told to recruiters by windows of this length, once a window has closed:
/// several arriving within minutes make one e-mail per offer.
pub const APPLICATION_WINDOW_MINUTES: i64 = 10;

/// The windows to tell about at `now`: the last closed ones of the past hour (a worker that
/// was down catches up on them; each is taken once whatever the number of instances).
fn closed_windows(now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let len = APPLICATION_WINDOW_MINUTES * 60;
    let current = now.timestamp() - now.timestamp().rem_euclid(len);
    (1..=60 / APPLICATION_WINDOW_MINUTES).rev().filter_map(|k| DateTime::from_timestamp(current - k * len, 0)).collect()
}

/// E-mails the recruiters who want each application (grouped per offer) about the ones
/// received in the window starting at `start`. Returns the number of e-mails queued.
#[expect(clippy::disallowed_methods, reason = "a periodic job: its own unit of work, once per turn")]
pub async fn tell_new_applications(state: &AppState, start: DateTime<Utc>) -> Result<usize, crate::error::AppError> {
    let end = start + Duration::minutes(APPLICATION_WINDOW_MINUTES);
    let received = db::backoffice::received_between(state.db.conn(), start, end).await?;
    // (employer, offer) → the offer's title and the candidates' names, in arrival order.
    type Group = ((i64, Option<i64>), Option<String>, Vec<String>);
    let mut groups: Vec<Group> = Vec::new();
    for (a, offer) in received {
        let Some(institution) = a.institution_id else { continue };
        let key = (institution, a.offer_id);
        let name = a.candidate_name.clone().unwrap_or_else(|| "Une personne".into());
        match groups.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, names)) => names.push(name),
            None => groups.push((key, offer.map(|o| o.title), vec![name])),
        }
    }
    let now = state.now();
    let settings = state.url("/recruteur#e-mails-candidatures");
    let mut queued = 0;
    let txn = state.db.begin().await?;
    for ((institution, offer_id), title, names) in groups {
        let url = match offer_id {
            Some(id) => state.url(&format!("/recruteur/offres/{id}/candidatures")),
            None => state.url("/recruteur/candidatures-spontanees"),
        };
        for r in db::backoffice::recruiters_of(&txn, institution).await? {
            if r.application_mail != domain::role::ApplicationMail::Each.code() {
                continue;
            }
            let msg = mail::messages::new_applications(&r.email, title.as_deref(), &names, &url, &settings);
            db::outbox::enqueue(&txn, &msg, now).await?;
            queued += 1;
        }
    }
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(queued)
}

/// The morning digest of the day before's applications, for the recruiters who chose it.
#[expect(clippy::disallowed_methods, reason = "a periodic job: its own unit of work, once per turn")]
pub async fn send_application_digests(state: &AppState) -> Result<usize, crate::error::AppError> {
    let now = state.now();
    let today = crate::format::paris(now).date_naive();
    let midnight = |d: chrono::NaiveDate| crate::format::paris_at(d, 0, 0, 0);
    let (Some(from), Some(to)) = (today.pred_opt().and_then(midnight), midnight(today)) else { return Ok(0) };
    let mut per_institution: std::collections::BTreeMap<i64, Vec<(Option<String>, usize)>> = Default::default();
    for (a, offer) in db::backoffice::received_between(state.db.conn(), from, to).await? {
        let Some(institution) = a.institution_id else { continue };
        let title = offer.map(|o| o.title);
        let groups = per_institution.entry(institution).or_default();
        match groups.iter_mut().find(|(t, _)| *t == title) {
            Some((_, n)) => *n += 1,
            None => groups.push((title, 1)),
        }
    }
    let settings = state.url("/recruteur#e-mails-candidatures");
    let mut queued = 0;
    let txn = state.db.begin().await?;
    for (institution, groups) in per_institution {
        for r in db::backoffice::recruiters_of(&txn, institution).await? {
            if r.application_mail != domain::role::ApplicationMail::Daily.code() {
                continue;
            }
            let msg = mail::messages::new_applications_digest(&r.email, &groups, &state.url("/recruteur"), &settings);
            db::outbox::enqueue(&txn, &msg, now).await?;
            queued += 1;
        }
    }
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(queued)
}

/// Runs the periodic jobs whose turn it is.
pub async fn run_periodic(state: &AppState) -> Result<(), crate::error::AppError> {
    let now = state.now();
    let (day, week) = periods(now);
    let conn = state.db.conn();
    if db::outbox::take_turn(conn, &format!("purge:{day}"), now).await? {
        let n = purge(state).await?;
        tracing::info!(applications = n, "purge done");
    }
    // Each registration's reminder is marked sent in the row itself: every tick may look.
    let reminders = crate::services::forum::send_reminders(state).await?;
    if reminders > 0 {
        tracing::info!(reminders, "forum reminders queued");
    }
    let feedback = crate::services::forum::ask_feedback(state).await?;
    if feedback > 0 {
        tracing::info!(feedback, "forum feedback requests queued");
    }
    let turn = crate::services::immersion::tick(state).await?;
    if turn != crate::services::immersion::Turn::default() {
        tracing::info!(?turn, "« Vis mon job » turn");
    }
    for start in closed_windows(now) {
        if db::outbox::take_turn(conn, &format!("candidatures:{}", start.format("%Y-%m-%dT%H:%M")), now).await? {
            let n = tell_new_applications(state, start).await?;
            tracing::info!(mails = n, "new applications told");
        }
    }
    if now.time() >= chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default() {
        if db::outbox::take_turn(conn, &format!("alertes-quotidiennes:{day}"), now).await? {
            let n = send_digests(state, Frequency::Daily).await?;
            tracing::info!(digests = n, "daily alerts queued");
        }
        if now.weekday() == chrono::Weekday::Mon
            && db::outbox::take_turn(conn, &format!("alertes-hebdomadaires:{week}"), now).await?
        {
            let n = send_digests(state, Frequency::Weekly).await?;
            tracing::info!(digests = n, "weekly alerts queued");
        }
        if db::outbox::take_turn(conn, &format!("candidatures-quotidiennes:{day}"), now).await? {
            let n = send_application_digests(state).await?;
            tracing::info!(digests = n, "daily application digests queued");
        }
        if now.weekday() == chrono::Weekday::Mon
            && db::outbox::take_turn(conn, &format!("recap-recruteurs:{week}"), now).await?
        {
            let n = send_recruiter_recaps(state).await?;
            tracing::info!(recaps = n, "weekly recruiter recaps queued");
        }
    }
    Ok(())
}

/// The worker loop, until the process stops.
pub fn spawn(state: AppState, cfg: WorkerConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(cfg.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = run_periodic(&state).await {
                tracing::error!(error = %e, "periodic jobs failed");
            }
            if let Err(e) = deliver_outbox(&state, &cfg).await {
                tracing::error!(error = %e, "outbox delivery failed");
            }
            if let Err(e) = state.views.flush(&state.db, state.now()).await {
                tracing::error!(error = %e, "offer views not written");
            }
        }
    })
}
