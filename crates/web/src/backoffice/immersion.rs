//! `/admin/vis-mon-job…` (administrators): the « Vis mon job » campaigns, the matching
//! proposal reviewed pair by pair (removed, added by hand, computed again) then confirmed, the
//! duos and their states, and each campaign's figures beside its objective.

use super::forum::{local, paris_datetime};
use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Id};
use crate::layout::Page;
use crate::services;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use db::entity::immersion_campaign;
use db::immersion::{CampaignInput, CampaignStats};
use domain::immersion::{DEFAULT_ANSWER_DAYS, DEFAULT_OBJECTIVE, DuoState, Phase};

fn phase_label(p: Phase) -> &'static str {
    match p {
        Phase::Upcoming => "À venir",
        Phase::Open => "Offres et candidatures ouvertes",
        Phase::Matching => "Appariement à préparer",
        Phase::Duos => "Duos proposés",
        Phase::Over => "Terminée",
    }
}

/// The campaign form read: `None` (with the errors on the form) when something is wrong.
fn campaign_input(form: &mut Form) -> Option<CampaignInput> {
    let name = form.required("nom", "le nom de la campagne", 200);
    let rules = form.optional("regles", "les règles", 10_000).unwrap_or_default();
    let mut days = Vec::new();
    let written = form.get("jours").to_string();
    for part in written.split([',', ' ', ';', '\n']).filter(|p| !p.trim().is_empty()) {
        match NaiveDate::parse_from_str(part.trim(), "%Y-%m-%d") {
            Ok(d) => days.push(d),
            Err(_) => form.add_error(
                "jours",
                format!("« {} » n’est pas une date : écrivez par exemple 2027-03-16.", part.trim()),
            ),
        }
    }
    let days = domain::immersion::days(days);
    if days.is_none() {
        form.add_error("jours", format!("Indiquez de 1 à {} jours d’immersion.", domain::immersion::MAX_DAYS));
    }
    let opens_at = paris_datetime(form, "ouverture", "l’ouverture des offres et candidatures");
    let closes_at = paris_datetime(form, "cloture", "la clôture des offres et candidatures");
    let matching_on = paris_datetime(form, "appariement", "la date d’appariement");
    let answer_days = match form.get("delai").parse::<i32>() {
        Ok(n) if (1..=30).contains(&n) => n,
        _ => {
            form.add_error("delai", "Le délai de réponse : de 1 à 30 jours.");
            0
        }
    };
    let objective_duos = match form.get("objectif").parse::<i32>() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => {
            form.add_error("objectif", "L’objectif : un nombre de duos entre 1 et 10 000.");
            0
        }
    };
    if let (Some(o), Some(c)) = (opens_at, closes_at)
        && c <= o
    {
        form.add_error("cloture", "La clôture vient après l’ouverture.");
    }
    if let (Some(c), Some(m)) = (closes_at, matching_on)
        && m < c
    {
        form.add_error("appariement", "L’appariement vient après la clôture.");
    }
    let days = days?;
    let first = days.first().copied()?;
    let last = days.last().copied()?;
    let ends_at = services::immersion::day_bounds(last).ok().map(|b| b.1);
    let starts = services::immersion::day_bounds(first).ok().map(|b| b.0);
    if let (Some(m), Some(s)) = (matching_on, starts)
        && m >= s
    {
        form.add_error("appariement", "L’appariement vient avant le premier jour d’immersion.");
    }
    if !form.is_valid() {
        return None;
    }
    Some(CampaignInput {
        name,
        rules,
        days,
        opens_at: opens_at?,
        closes_at: closes_at?,
        matching_on: matching_on?,
        ends_at: ends_at?,
        answer_days,
        objective_duos,
    })
}

fn fill(form: &mut Form, c: &immersion_campaign::Model) -> AppResult<()> {
    form.set("nom", c.name.clone());
    form.set("regles", c.rules.clone());
    let days: Vec<String> = db::immersion::days_of(c)?.iter().map(|d| d.to_string()).collect();
    form.set("jours", days.join(", "));
    form.set("ouverture", local(c.opens_at));
    form.set("cloture", local(c.closes_at));
    form.set("appariement", local(c.matching_on));
    form.set("delai", c.answer_days.to_string());
    form.set("objectif", c.objective_duos.to_string());
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/immersion.html")]
pub struct CampaignsPage {
    page: Page,
    /// (id, name, phase, days)
    campaigns: Vec<(i64, String, &'static str, String)>,
    form: Form,
    notice: Option<String>,
}

async fn campaigns_page(state: &AppState, form: Form) -> AppResult<CampaignsPage> {
    let now = state.now();
    let mut campaigns = Vec::new();
    for c in db::immersion::campaigns(state.db.conn()).await? {
        let days = crate::immersion::days_text(&db::immersion::days_of(&c)?);
        campaigns.push((c.id, c.name.clone(), phase_label(services::immersion::phase(&c, now)), days));
    }
    Ok(CampaignsPage {
        page: Page::new("Vis mon job : les campagnes")
            .crumbs(&[("Administration", Some("/admin")), ("Vis mon job", None)]),
        campaigns,
        form,
        notice: super::notice(),
    })
}

/// `GET /admin/vis-mon-job`.
pub async fn campaigns(State(state): State<AppState>, _admin: AdminUser) -> AppResult<CampaignsPage> {
    let mut form = Form::default();
    form.set("delai", DEFAULT_ANSWER_DAYS.to_string());
    form.set("objectif", DEFAULT_OBJECTIVE.to_string());
    campaigns_page(&state, form).await
}

/// `POST /admin/vis-mon-job`: a new campaign.
pub async fn create(State(state): State<AppState>, admin: AdminUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some(input) = campaign_input(&mut form) else {
        let page = campaigns_page(&state, form).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let id = services::immersion::save_campaign(&state, &admin.0, None, &input).await?;
    Ok(super::with_message(
        &format!("/admin/vis-mon-job/{id}"),
        "Campagne créée : agents et étudiants peuvent s’inscrire dès son ouverture.",
    ))
}

/// A pair of the proposal or a duo, as the administrators review it.
pub struct PairRow {
    pub id: i64,
    pub host: String,
    pub student: String,
    pub day: String,
    pub remote: bool,
    pub why: String,
    pub state: DuoState,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/immersion_campaign.html")]
pub struct CampaignPage {
    page: Page,
    id: i64,
    phase: &'static str,
    confirmable: bool,
    drafts: Vec<PairRow>,
    duos: Vec<PairRow>,
    /// (id, label) of offers and applications, for a pair made by hand.
    offers: Vec<(i64, String)>,
    applications: Vec<(i64, String)>,
    stats: CampaignStats,
    form: Form,
    notice: Option<String>,
}

impl CampaignPage {
    /// The figures for the chart beside their table.
    fn chart(&self) -> (String, String) {
        let s = &self.stats;
        let x =
            serde_json::json!([["Offres", "Candidatures", "Proposés", "Acceptés", "Réalisés", "Objectif"]]).to_string();
        let y = serde_json::json!([[s.offers, s.applications, s.proposed, s.accepted, s.completed, s.objective]])
            .to_string();
        (x, y)
    }

    fn rating(&self) -> String {
        crate::immersion::rating_text(self.stats.rating_tenths).unwrap_or_else(|| "—".into())
    }
}

async fn campaign_page(state: &AppState, c: &immersion_campaign::Model, form: Form) -> AppResult<CampaignPage> {
    let now = state.now();
    let phase = services::immersion::phase(c, now);
    let all = db::immersion::duos_of(state.db.conn(), c.id).await?;
    let row = |d: &db::immersion::DuoView| PairRow {
        id: d.duo.id,
        host: format!("{} ({}, {})", d.host.email, d.offer.job_title, d.offer.employer),
        student: format!("{} {} ({})", d.application.first_name, d.application.last_name, d.application.school),
        day: crate::format::naive_date(d.duo.day),
        remote: d.duo.remote,
        why: domain::immersion::explain(&d.reasons),
        state: d.state,
    };
    let drafts = all.iter().filter(|d| d.state == DuoState::Draft).map(row).collect();
    let duos = all.iter().filter(|d| d.state != DuoState::Draft).map(row).collect();
    let offers = db::immersion::offers_of(state.db.conn(), c.id)
        .await?
        .into_iter()
        .map(|o| (o.id, format!("{} — {}, {}", o.job_title, o.employer, o.service)))
        .collect();
    let applications = db::immersion::applications_of(state.db.conn(), c.id)
        .await?
        .into_iter()
        .map(|a| (a.id, format!("{} {} — {}", a.first_name, a.last_name, a.programme)))
        .collect();
    Ok(CampaignPage {
        page: Page::new(c.name.clone()).crumbs(&[
            ("Administration", Some("/admin")),
            ("Vis mon job", Some("/admin/vis-mon-job")),
            (&c.name, None),
        ]),
        id: c.id,
        phase: phase_label(phase),
        confirmable: c.confirmed_at.is_none() && phase == Phase::Matching,
        drafts,
        duos,
        offers,
        applications,
        stats: db::immersion::stats(state.db.conn(), c, now).await?,
        form,
        notice: super::notice(),
    })
}

async fn campaign_of(state: &AppState, id: i64) -> AppResult<immersion_campaign::Model> {
    match db::immersion::campaign(state.db.conn(), id).await {
        Err(db::DbError::NotFound) => Err(AppError::NotFound),
        other => Ok(other?),
    }
}

/// `GET /admin/vis-mon-job/{id}`.
pub async fn campaign(State(state): State<AppState>, _admin: AdminUser, Id(id): Id) -> AppResult<CampaignPage> {
    let c = campaign_of(&state, id).await?;
    let mut form = Form::default();
    fill(&mut form, &c)?;
    campaign_page(&state, &c, form).await
}

/// `POST /admin/vis-mon-job/{id}`: the campaign edited.
pub async fn update(State(state): State<AppState>, admin: AdminUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let c = campaign_of(&state, id).await?;
    let mut form = Form::parse(&body);
    if let Some(input) = campaign_input(&mut form) {
        services::immersion::save_campaign(&state, &admin.0, Some(id), &input).await?;
        return Ok(super::with_message(&format!("/admin/vis-mon-job/{id}"), "Campagne enregistrée."));
    }
    let page = campaign_page(&state, &c, form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn said(id: i64, message: &str) -> Response {
    super::with_message(&format!("/admin/vis-mon-job/{id}#proposition"), message)
}

/// `POST /admin/vis-mon-job/{id}/proposition`: the proposal computed (again).
pub async fn compute(State(state): State<AppState>, admin: AdminUser, Id(id): Id) -> AppResult<Response> {
    let c = campaign_of(&state, id).await?;
    let message = match services::immersion::compute_proposal(&state, &admin.0, &c).await {
        Ok(n) => {
            format!("Proposition calculée : {n} duo(s). Relisez-la, retirez ou ajoutez des paires, puis confirmez.")
        }
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(id, &message))
}

/// `POST /admin/vis-mon-job/{id}/paires` (`offre`, `candidature`): a pair added by hand.
pub async fn add_pair(State(state): State<AppState>, admin: AdminUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let c = campaign_of(&state, id).await?;
    let form = Form::parse(&body);
    let (Ok(offer), Ok(application)) = (form.get("offre").parse::<i64>(), form.get("candidature").parse::<i64>())
    else {
        return Ok(said(id, "Choisissez une offre et une candidature."));
    };
    let message = match services::immersion::add_pair(&state, &admin.0, &c, offer, application).await {
        Ok(()) => "Paire ajoutée à la proposition.".to_string(),
        Err(AppError::Db(db::DbError::NotFound)) => {
            "Cette offre ou cette candidature n’est pas de cette campagne.".into()
        }
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(id, &message))
}

/// `POST /admin/vis-mon-job/{id}/confirmer`: every pair becomes a proposal sent to both sides.
pub async fn confirm(State(state): State<AppState>, admin: AdminUser, Id(id): Id) -> AppResult<Response> {
    let c = campaign_of(&state, id).await?;
    let message = match services::immersion::confirm(&state, &admin.0, &c).await {
        Ok(n) => format!("Appariement confirmé : {n} proposition(s) envoyée(s) par courriel aux deux côtés."),
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(id, &message))
}

/// `POST /admin/vis-mon-job/duos/{id}/retirer`: a pair removed from the proposal, or a duo
/// cancelled (both sides told, and proposed again).
pub async fn remove(State(state): State<AppState>, admin: AdminUser, Id(id): Id) -> AppResult<Response> {
    let d = match db::immersion::duo(state.db.conn(), id).await {
        Err(db::DbError::NotFound) => return Err(AppError::NotFound),
        other => other?,
    };
    let c = campaign_of(&state, d.duo.campaign_id).await?;
    let result = if d.state == DuoState::Draft {
        services::immersion::remove_pair(&state, &admin.0, &c, id).await.map(|()| "Paire retirée de la proposition.")
    } else {
        services::immersion::cancel(&state, &admin.0, &d).await.map(|()| "Duo annulé ; les deux côtés sont prévenus.")
    };
    let message = match result {
        Ok(m) => m.to_string(),
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(c.id, &message))
}
