//! The demo « Vis mon job » (the project's own people, all at `vis-mon-job.exemple.fr`, whose
//! accounts cannot sign in): a campaign open on the seeding day with 20 agents' offers and 30
//! students' applications, and a past campaign whose duos were accepted, lived and rated.
//! Written once: a second run finds the campaigns and changes nothing.

use crate::immersion::{self as im, ApplicationInput, CampaignInput, Feedback, NewDuo, OfferInput};
use crate::{DbError, Result, accounts, institutions, users};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::email::Email;
use domain::immersion::{DuoState, PlaceMode, Reason, Side, StudyYear};
use domain::role::Role;
use sea_orm::ConnectionTrait;

/// (INSEE code, région code) of the demo workplaces.
const PLACES: [(&str, &str); 8] = [
    ("75056", "11"),
    ("69123", "84"),
    ("59350", "32"),
    ("13055", "93"),
    ("31555", "76"),
    ("33063", "75"),
    ("35238", "53"),
    ("44109", "52"),
];

const SCHOOLS: [&str; 6] = [
    "Université de Lille",
    "Université Lyon 1",
    "Université de Bordeaux",
    "INSA Rennes",
    "Université Paris Cité",
    "Université Toulouse III",
];

const FIRST_NAMES: [&str; 10] = ["Ana", "Bilal", "Chloé", "David", "Élise", "Farid", "Gaëlle", "Hugo", "Inès", "Jules"];
const LAST_NAMES: [&str; 6] = ["Lopez", "Martin", "Nguyen", "Diallo", "Bernard", "Petit"];

fn paris_at(day: NaiveDate, hour: u32) -> Result<DateTime<Utc>> {
    chrono_tz::Europe::Paris
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DbError::Corrupt(format!("jour de démonstration sans heure : {day}")))
}

fn campaign(name: &str, now: DateTime<Utc>, opens: i64, closes: i64, day: i64) -> Result<CampaignInput> {
    // A Tuesday and a Wednesday: the days of a team at work.
    let mut first = (now + Duration::days(day)).date_naive();
    while first.weekday() != chrono::Weekday::Tue {
        first += Duration::days(1);
    }
    let days = vec![first, first + Duration::days(1)];
    Ok(CampaignInput {
        name: name.into(),
        rules: "Ouvert aux étudiantes et étudiants de licence 3 à doctorat. Une journée d’observation, \
                sans travail productif ni rémunération ; chacun s’engage à prévenir l’autre s’il ne peut \
                plus venir."
            .into(),
        ends_at: paris_at(days[1], domain::immersion::DAY_ENDS_HOUR)?,
        days,
        opens_at: now + Duration::days(opens),
        closes_at: now + Duration::days(closes),
        matching_on: now + Duration::days(closes + 2),
        answer_days: domain::immersion::DEFAULT_ANSWER_DAYS,
        objective_duos: domain::immersion::DEFAULT_OBJECTIVE,
    })
}

async fn person(
    conn: &impl ConnectionTrait,
    email: &str,
    role: Role,
    institution: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let email = Email::parse(email).map_err(|e| DbError::Corrupt(format!("adresse de démonstration : {e}")))?;
    if let Some(u) = users::by_email(conn, &email).await? {
        return Ok(u.id);
    }
    // « ! » is no password hash: these demo people never sign in.
    Ok(match role {
        Role::Candidate => accounts::create_candidate(conn, &email, "!", now).await?.id,
        r => {
            // Inactive, so that the demo hosts get none of the recruiters' e-mails (recaps,
            // applications) meant for the people who use the demo employers' back-office.
            let id = users::create(conn, &email, r, institution, now).await?.id;
            crate::backoffice::set_active(conn, id, false, now).await?;
            id
        }
    })
}

pub(super) async fn seed(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<()> {
    if !im::campaigns(conn).await?.is_empty() {
        return Ok(());
    }
    let (domains, professions) = crate::reference::taxonomy(conn).await?;
    let employers = institutions::list(conn).await?;
    if professions.is_empty() || employers.is_empty() {
        return Ok(());
    }
    let domain_of = |p: &crate::entity::profession::Model| -> Option<String> {
        domains.iter().find(|d| Some(d.id) == p.domain_id).map(|d| d.slug.clone())
    };
    let open_id = im::create_campaign(conn, &campaign("Vis mon job — printemps", now, -7, 14, 35)?, now).await?;
    let past_id =
        im::create_campaign(conn, &campaign("Vis mon job — première édition", now, -200, -180, -150)?, now).await?;
    let open = im::campaign(conn, open_id).await?;
    let past = im::campaign(conn, past_id).await?;
    let mut past_offers = Vec::new();
    for i in 0..20 {
        let p = &professions[i % professions.len()];
        let employer = &employers[i % employers.len()];
        let (commune, region) = PLACES[i % PLACES.len()];
        let agent =
            person(conn, &format!("agent{}@vis-mon-job.exemple.fr", i + 1), Role::Recruiter, Some(employer.id), now)
                .await?;
        let mode = match i % 3 {
            0 => PlaceMode::Remote,
            1 => PlaceMode::OnSite,
            _ => PlaceMode::Either,
        };
        for c in [&open, &past] {
            let remote = mode == PlaceMode::Remote;
            let input = OfferInput {
                employer: employer.name.clone(),
                service: "Équipe numérique".into(),
                job_title: p.label.clone(),
                profession: p.slug.clone(),
                domain: domain_of(p),
                mode,
                commune_code: (!remote).then(|| commune.to_string()),
                region_code: (!remote).then(|| region.to_string()),
                days: im::days_of(c)?,
                seats: 1,
                description: "Le matin, les rituels de l’équipe et une revue de travail ; l’après-midi, une \
                              démonstration et des échanges avec les collègues."
                    .into(),
                accessibility: "Locaux accessibles en fauteuil, ascenseur.".into(),
            };
            let id = im::save_offer(conn, c.id, agent, Some(employer.id), &input, now).await?;
            if c.id == past.id {
                past_offers.push((id, remote, region));
            }
        }
    }
    for i in 0..30 {
        let p = &professions[(i * 7) % professions.len()];
        let (_, region) = PLACES[i % PLACES.len()];
        let student =
            person(conn, &format!("etudiant{}@vis-mon-job.exemple.fr", i + 1), Role::Candidate, None, now).await?;
        let input = |c: &crate::entity::immersion_campaign::Model| -> Result<ApplicationInput> {
            Ok(ApplicationInput {
                first_name: FIRST_NAMES[i % FIRST_NAMES.len()].into(),
                last_name: LAST_NAMES[i % LAST_NAMES.len()].into(),
                phone: None,
                school: SCHOOLS[i % SCHOOLS.len()].into(),
                programme: "Master informatique".into(),
                year: if i % 2 == 0 { StudyYear::Master1 } else { StudyYear::Master2 },
                professions: vec![p.slug.clone()],
                domains: domain_of(p).into_iter().collect(),
                regions: vec![region.to_string()],
                remote_ok: i % 2 == 0,
                motivation: "Découvrir le numérique public et ses métiers avant de choisir mon stage.".into(),
                days: im::days_of(c)?,
            })
        };
        im::save_application(conn, open.id, student, &input(&open)?, now).await?;
        // Eight of them took part in the first edition, each with one of its hosts.
        if i < 8 {
            let a = im::save_application(conn, past.id, student, &input(&past)?, now).await?;
            let (offer_id, remote, _) = past_offers[i];
            let day = im::days_of(&past)?[0];
            let duo = NewDuo {
                offer_id,
                application_id: a,
                day,
                starts_at: paris_at(day, domain::immersion::DAY_STARTS_HOUR)?,
                ends_at: paris_at(day, domain::immersion::DAY_ENDS_HOUR)?,
                remote,
                score: 1,
                reasons: vec![if remote { Reason::RemoteBoth } else { Reason::SameRegion }],
            };
            let id = im::insert_duo(conn, past.id, &duo, DuoState::Accepted, None, now).await?;
            let rating = 3 + (i % 3) as i32;
            let said = Feedback { rating, recommends: rating > 3, discovered: Some(i % 2 == 0), comment: None };
            im::save_feedback(conn, id, Side::Student, &said, now).await?;
            let host = Feedback { rating: 4, recommends: true, discovered: None, comment: None };
            im::save_feedback(conn, id, Side::Host, &host, now).await?;
            // Both answered already: the periodic turn must not ask them again.
            im::mark_feedback_asked(conn, id, now).await?;
        }
    }
    im::mark_confirmed(conn, past.id, now).await?;
    Ok(())
}
