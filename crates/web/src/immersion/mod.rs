//! « Vis mon job » (`/vis-mon-job…`): the campaign's public page, an agent's offer of a day,
//! a student's application, and each duo's page (answers, agreement, the day's organisation,
//! feedback, « garder le contact »). The administrators' side is `backoffice::immersion`.

use crate::AppState;
use crate::error::AppResult;
use crate::layout::{Nav, Page};
use crate::routes::{
    Access::{Candidate, DuoHost, DuoParties, Public, Recruiter},
    Routes,
};
use crate::services::immersion::phase;
use crate::{format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::NaiveDate;
use db::entity::immersion_campaign;
use domain::immersion::Phase;

pub mod duos;
pub mod entries;
mod pdf;

pub fn routes() -> Routes {
    Routes::new()
        .get("/vis-mon-job", Public, landing)
        .get("/vis-mon-job/accueillir", Recruiter, entries::host_page)
        .post("/vis-mon-job/accueillir", Recruiter, entries::save_host)
        .post("/vis-mon-job/accueillir/etat", Recruiter, entries::host_state)
        .get("/vis-mon-job/candidater", Candidate, entries::student_page)
        .post("/vis-mon-job/candidater", Candidate, entries::save_student)
        .post("/vis-mon-job/candidater/etat", Candidate, entries::student_state)
        .get("/vis-mon-job/duos/{id}", DuoParties, duos::show)
        .post("/vis-mon-job/duos/{id}/reponse", DuoParties, duos::answer)
        .get("/vis-mon-job/duos/{id}/convention", DuoParties, duos::agreement)
        .get("/vis-mon-job/duos/{id}/convention.pdf", DuoParties, duos::agreement_pdf)
        .post("/vis-mon-job/duos/{id}/convention", DuoParties, duos::agree)
        .post("/vis-mon-job/duos/{id}/avis", DuoParties, duos::feedback)
        .post("/vis-mon-job/duos/{id}/organisation", DuoHost, duos::organise)
        .post("/vis-mon-job/duos/{id}/garder-contact", Candidate, duos::keep_in_touch)
}

/// A campaign as every page tells it.
pub struct CampaignSummary {
    pub name: String,
    pub days: String,
    pub window: String,
    pub matching: String,
    pub rules: String,
    pub phase: Phase,
}

/// « le mardi 12 mai 2026 » or « les mardi 12 et mercredi 13 mai 2026 » (a list, joined).
pub fn days_text(days: &[NaiveDate]) -> String {
    let all: Vec<String> = days.iter().map(|d| format::naive_date(*d)).collect();
    match all.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} et {last}", init.join(", ")),
    }
}

impl CampaignSummary {
    pub fn of(c: &immersion_campaign::Model, now: chrono::DateTime<chrono::Utc>) -> AppResult<Self> {
        let days = db::immersion::days_of(c)?;
        Ok(Self {
            name: c.name.clone(),
            days: days_text(&days),
            window: format!(
                "Offres et candidatures du {} au {}",
                format::date(c.opens_at),
                format::date_time(c.closes_at)
            ),
            matching: format::date(c.matching_on),
            rules: markdown::to_html(&c.rules),
            phase: phase(c, now),
        })
    }

    pub fn open(&self) -> bool {
        self.phase == Phase::Open
    }

    /// Where the campaign is, in a sentence.
    pub fn status(&self) -> String {
        match self.phase {
            Phase::Upcoming => format!("Bientôt : {}.", self.window.to_lowercase()),
            Phase::Open => format!("Ouvert : {}.", self.window.to_lowercase()),
            Phase::Matching => {
                format!("Les inscriptions sont closes ; les duos sont proposés vers le {}.", self.matching)
            }
            Phase::Duos => "Les duos sont formés : chacun a reçu sa proposition par courriel.".into(),
            Phase::Over => "Cette campagne est terminée.".into(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "immersion/landing.html")]
pub struct LandingPage {
    page: Page,
    campaign: Option<CampaignSummary>,
    /// (name, duos formed, mean rating out of 5) of past campaigns.
    past: Vec<(String, u64, Option<String>)>,
}

/// A mean rating in tenths, as « 4,6 / 5 ».
pub fn rating_text(tenths: Option<u64>) -> Option<String> {
    tenths.map(|t| format!("{},{} / 5", t / 10, t % 10))
}

/// `GET /vis-mon-job`: what the programme is, the current campaign and how to take part.
pub async fn landing(State(state): State<AppState>) -> AppResult<LandingPage> {
    let now = state.now();
    let campaign = match db::immersion::current_campaign(state.db.conn(), now).await? {
        Some(c) => Some(CampaignSummary::of(&c, now)?),
        None => None,
    };
    let mut past = Vec::new();
    for c in db::immersion::past_campaigns(state.db.conn(), now).await? {
        let s = db::immersion::stats(state.db.conn(), &c, now).await?;
        past.push((c.name, s.accepted, rating_text(s.rating_tenths)));
    }
    Ok(LandingPage {
        page: Page::new("Vis mon job")
            .nav(Nav::Immersion)
            .description("Une journée d’immersion aux côtés d’un agent public du numérique, pour les étudiantes et étudiants de master.")
            .canonical(format!("{}/vis-mon-job", state.config.public_url))
            .crumbs(&[("Vis mon job", None)]),
        campaign,
        past,
    })
}
