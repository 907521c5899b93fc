//! The demo forum (`seed/forum.json`, the project's own texts): a current edition three
//! weeks after the seeding day, registrations open, with sessions of every kind, twelve booths
//! and their job-dating slots; and a past edition whose sessions have their replays (the demo
//! videos of the stories, with their captions and transcripts).

use super::{DEMO_VIDEOS, SeedReport, demo_video_key};
use crate::forum::{self as f, EditionInput, SessionInput, SlotSeries, SpeakerInput};
use crate::{DbError, Result, institutions};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use domain::forum::{SessionKind, SessionState};
use serde::Deserialize;

const DEMO_FORUM: &str = include_str!("../../seed/forum.json");

#[derive(Deserialize)]
struct DemoForum {
    current: DemoEdition,
    past: DemoEdition,
    /// Institution slugs.
    booths: Vec<String>,
}

#[derive(Deserialize)]
struct DemoEdition {
    name: String,
    description: String,
    sessions: Vec<DemoSession>,
}

#[derive(Deserialize)]
struct DemoSession {
    kind: SessionKind,
    title: String,
    description: String,
    /// Days after the edition's first day.
    day: i64,
    /// « 09:30 », Paris time.
    start: String,
    minutes: i64,
    capacity: i32,
    employer: Option<String>,
    themes: Vec<String>,
    /// `(name, job title)`.
    speakers: Vec<(String, String)>,
    /// The story of a testimony.
    story: Option<String>,
    /// A past session's replay: the slug of a demo story's video.
    video: Option<String>,
}

/// Midnight in Paris of the day `days` after `now`'s.
fn paris_day(now: DateTime<Utc>, days: i64) -> Result<DateTime<Utc>> {
    let day = now.with_timezone(&chrono_tz::Europe::Paris).date_naive() + Duration::days(days);
    chrono_tz::Europe::Paris
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DbError::Corrupt("jour du forum de démonstration introuvable".into()))
}

fn at(day0: DateTime<Utc>, day: i64, hhmm: &str) -> Result<DateTime<Utc>> {
    let t = NaiveTime::parse_from_str(hhmm, "%H:%M")
        .map_err(|e| DbError::Corrupt(format!("heure de démonstration « {hhmm} » : {e}")))?;
    let local = (day0 + Duration::days(day)).with_timezone(&chrono_tz::Europe::Paris).date_naive().and_time(t);
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DbError::Corrupt(format!("heure de démonstration « {hhmm} »")))
}

async fn sessions(
    txn: &crate::DatabaseTransaction,
    edition_id: i64,
    day0: DateTime<Utc>,
    list: &[DemoSession],
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64)>> {
    use crate::entity::story;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut out = Vec::new();
    for d in list {
        let institution_id = match &d.employer {
            Some(slug) => Some(institutions::by_slug(txn, slug).await?.id),
            None => None,
        };
        let story_id = match &d.story {
            Some(slug) => story::Entity::find().filter(story::Column::Slug.eq(slug)).one(txn).await?.map(|s| s.id),
            None => None,
        };
        let starts_at = at(day0, d.day, &d.start)?;
        let input = SessionInput {
            kind: d.kind,
            title: d.title.clone(),
            description: d.description.clone(),
            institution_id,
            story_id,
            themes: d.themes.clone(),
            starts_at,
            ends_at: starts_at + Duration::minutes(d.minutes),
            online_url: "https://webinaire.numerique.gouv.fr/forum-demo".into(),
            place: None,
            capacity: d.capacity,
            speakers: d
                .speakers
                .iter()
                .map(|(name, job)| SpeakerInput {
                    name: name.clone(),
                    job_title: job.clone(),
                    institution_id,
                    story_id: if d.speakers.len() == 1 { story_id } else { None },
                })
                .collect(),
        };
        let id = f::create_session(txn, edition_id, &input, SessionState::Published, now).await?;
        if let Some(slug) = &d.video {
            let (_, _, captions, transcript) = DEMO_VIDEOS
                .iter()
                .find(|v| v.0 == slug)
                .ok_or_else(|| DbError::Corrupt(format!("replay de démonstration inconnu : {slug}")))?;
            let key = demo_video_key(slug);
            f::set_replay(txn, id, Some((&key, "video/webm")), captions, transcript, now).await?;
        }
        out.push((d.title.clone(), id));
    }
    Ok(out)
}

/// Five days from `day0`, registration closing at noon on the last one.
fn edition_input(
    d: &DemoEdition,
    day0: DateTime<Utc>,
    registration_opens_at: DateTime<Utc>,
    booking_opens_at: DateTime<Utc>,
) -> Result<EditionInput> {
    Ok(EditionInput {
        name: d.name.clone(),
        description: d.description.clone(),
        starts_at: at(day0, 0, "09:00")?,
        ends_at: at(day0, 4, "19:00")?,
        registration_opens_at,
        registration_closes_at: at(day0, 4, "12:00")?,
        booking_opens_at,
        booking_closes_minutes: domain::forum::DEFAULT_BOOKING_CLOSES_MINUTES,
        objective_participants: 1500,
        objective_services: 30,
        objective_posts: 300,
    })
}

pub(super) async fn seed(txn: &crate::DatabaseTransaction, now: DateTime<Utc>, report: &mut SeedReport) -> Result<()> {
    let demo: DemoForum = serde_json::from_str(DEMO_FORUM)
        .map_err(|e| DbError::Corrupt(format!("forum de démonstration illisible : {e}")))?;
    if !f::editions(txn).await?.is_empty() {
        return Ok(());
    }
    // The past edition: over, its sessions in replay.
    let past0 = paris_day(now, -200)?;
    let past = edition_input(&demo.past, past0, past0 - Duration::days(30), past0 - Duration::days(7))?;
    let past_id = f::create_edition(txn, &past, now).await?;
    report.sessions += sessions(txn, past_id, past0, &demo.past.sessions, now).await?.len();
    // The current edition: in three weeks, registration open since last week.
    let day0 = paris_day(now, 21)?;
    let current = edition_input(&demo.current, day0, now - Duration::days(7), now - Duration::days(1))?;
    let edition_id = f::create_edition(txn, &current, now).await?;
    let created = sessions(txn, edition_id, day0, &demo.current.sessions, now).await?;
    report.sessions += created.len();
    // Twelve booths, each with a morning of slots on a job-dating day about its first offers.
    for (i, slug) in demo.booths.iter().enumerate() {
        let inst = institutions::by_slug(txn, slug).await?;
        let presentation = format!(
            "{} présente ses équipes numériques, ses projets et ses postes ouverts. Réservez un entretien de 20 minutes avec un recruteur.",
            inst.name
        );
        let booth_id = f::create_booth(txn, edition_id, inst.id, &presentation, now).await?;
        let presentation_session = created
            .iter()
            .find(|(title, _)| title.contains(inst.acronym.as_deref().unwrap_or(&inst.name)))
            .map(|(_, id)| *id);
        f::update_booth(txn, booth_id, &presentation, presentation_session, now).await?;
        let booth = f::booth(txn, booth_id).await?;
        let offer_ids: Vec<i64> = crate::listing::latest_open(txn, now, 2, Some(inst.id), None, None)
            .await?
            .into_iter()
            .map(|v| v.offer.id)
            .collect();
        let day = 3 + (i as i64 % 2);
        let spans = domain::forum::slot_series(at(day0, day, "09:00")?, at(day0, day, "12:00")?, 20, 10)
            .map_err(|e| DbError::Corrupt(format!("créneaux de démonstration : {e}")))?;
        let series = SlotSeries {
            spans,
            buffer_minutes: 10,
            online_url: format!("https://webinaire.numerique.gouv.fr/job-dating-{slug}"),
            question: (i % 3 == 0).then(|| "Quel poste de nos offres vous intéresse, et pourquoi ?".to_string()),
            offer_ids,
        };
        f::create_slots(txn, &booth, &series, None, now).await?;
    }
    Ok(())
}
