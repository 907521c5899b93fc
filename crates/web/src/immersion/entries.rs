//! `/vis-mon-job/accueillir` (an agent offers a day) and `/vis-mon-job/candidater` (a student
//! applies): one of each per campaign and person, editable while the campaign is open, paused,
//! resumed or withdrawn afterwards; with the person's duos, each linking to its page.

use super::CampaignSummary;
use crate::AppState;
use crate::auth::{CandidateUser, StaffUser};
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::{Nav, Page};
use crate::services;
use crate::widgets::{Opt, OptionList};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use db::entity::{immersion_campaign, user};
use db::immersion::{ApplicationInput, DuoView, OfferInput};
use domain::immersion::{ApplicationState, DuoState, MAX_SEATS, OfferState, PlaceMode, StudyYear};

/// One of the person's duos, as their space lists it.
pub struct DuoLine {
    pub href: String,
    pub campaign: String,
    pub day: String,
    pub other: String,
    pub state: &'static str,
}

async fn duo_lines(state: &AppState, user_id: i64) -> AppResult<Vec<DuoLine>> {
    let duos = db::immersion::duos_of_user(state.db.conn(), user_id).await?;
    Ok(duos.iter().filter(|d| d.state != DuoState::Draft).map(|d| line(d, user_id)).collect())
}

fn line(d: &DuoView, user_id: i64) -> DuoLine {
    let student = d.student.id == user_id;
    let accepted = d.state == DuoState::Accepted;
    let other = match (student, accepted) {
        (true, true) => format!("{} ({})", d.offer.employer, d.offer.job_title),
        (true, false) => services::immersion::host_described(&d.offer),
        (false, true) => format!("{} {}", d.application.first_name, d.application.last_name),
        (false, false) => services::immersion::student_described(&d.application),
    };
    DuoLine {
        href: format!("/vis-mon-job/duos/{}", d.duo.id),
        campaign: d.campaign_name.clone(),
        day: crate::format::weekday_date(d.duo.starts_at),
        other,
        state: d.state.label(),
    }
}

async fn current(state: &AppState) -> AppResult<Option<(immersion_campaign::Model, CampaignSummary)>> {
    let now = state.now();
    match db::immersion::current_campaign(state.db.conn(), now).await? {
        Some(c) => {
            let s = CampaignSummary::of(&c, now)?;
            Ok(Some((c, s)))
        }
        None => Ok(None),
    }
}

/// The campaign's days as checkboxes, `checked` from the form.
fn day_options(c: &immersion_campaign::Model, form: &Form) -> AppResult<OptionList> {
    let options = db::immersion::days_of(c)?
        .into_iter()
        .map(|d| {
            let value = d.to_string();
            Opt { checked: form.has("jours", &value), label: crate::format::naive_date(d), value }
        })
        .collect();
    Ok(OptionList { name: "jours".into(), legend: "Les jours où vous êtes disponible".into(), options })
}

/// The days ticked, each one of the campaign's; an error on the field otherwise.
fn read_days(form: &mut Form, c: &immersion_campaign::Model) -> AppResult<Vec<NaiveDate>> {
    let campaign_days = db::immersion::days_of(c)?;
    let mut days = Vec::new();
    for v in form.all("jours") {
        match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            Ok(d) if campaign_days.contains(&d) => days.push(d),
            _ => form.add_error("jours", "Choisissez des jours de la campagne dans la liste."),
        }
    }
    match domain::immersion::days(days) {
        Some(d) => Ok(d),
        None => {
            form.add_error("jours", "Cochez au moins un jour où vous êtes disponible.");
            Ok(Vec::new())
        }
    }
}

// --- agents ----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "immersion/host.html")]
pub struct HostPage {
    page: Page,
    campaign: Option<CampaignSummary>,
    /// The offer's state when there is one.
    offer_state: Option<OfferState>,
    professions: Vec<(String, String)>,
    modes: Vec<(&'static str, &'static str)>,
    days: Option<OptionList>,
    duos: Vec<DuoLine>,
    seats_hint: String,
    form: Form,
    notice: Option<String>,
}

async fn host_view(state: &AppState, staff: &StaffUser, mut form: Form, fresh: bool) -> AppResult<HostPage> {
    let campaign = current(state).await?;
    let mut offer_state = None;
    let mut days = None;
    if let Some((c, _)) = &campaign {
        let offer = db::immersion::offer_of(state.db.conn(), c.id, staff.user.id).await?;
        if let Some(o) = &offer {
            offer_state = Some(db::immersion::offer_state_of(o)?);
            if fresh {
                fill_host(&mut form, o)?;
            }
        } else if fresh {
            form.set("places", "1");
            form.set("mode", PlaceMode::OnSite.code());
            if let Some(id) = staff.user.institution_id
                && let Some(i) = db::institutions::by_ids(state.db.conn(), &[id]).await?.into_iter().next()
            {
                form.set("employeur", i.name);
            }
        }
        days = Some(day_options(c, &form)?);
    }
    let professions =
        state.taxonomy.current().professions.iter().map(|(_, slug, label)| (slug.clone(), label.clone())).collect();
    Ok(HostPage {
        page: Page::new("Accueillir un·e étudiant·e")
            .nav(Nav::Immersion)
            .crumbs(&[("Vis mon job", Some("/vis-mon-job")), ("Accueillir un·e étudiant·e", None)]),
        campaign: campaign.map(|c| c.1),
        offer_state,
        professions,
        modes: PlaceMode::ALL.iter().map(|m| (m.code(), m.label())).collect(),
        days,
        duos: duo_lines(state, staff.user.id).await?,
        seats_hint: format!("Un seul en général ; {MAX_SEATS} au plus"),
        form,
        notice: crate::backoffice::notice(),
    })
}

fn fill_host(form: &mut Form, o: &db::entity::immersion_offer::Model) -> AppResult<()> {
    form.set("employeur", o.employer.clone());
    form.set("service", o.service.clone());
    form.set("intitule", o.job_title.clone());
    form.set("metier", o.profession.clone());
    form.set("mode", o.mode.clone());
    if let Some(c) = o.commune_code.as_deref().and_then(domain::geo::commune) {
        form.set("commune", c.name.clone());
        form.set("code_commune", c.code.clone());
    }
    for d in db::immersion::offer_days(o)? {
        form.push("jours", d.to_string());
    }
    form.set("places", o.seats.to_string());
    form.set("description", o.description.clone());
    form.set("accessibilite", o.accessibility.clone());
    Ok(())
}

/// `GET /vis-mon-job/accueillir`.
pub async fn host_page(State(state): State<AppState>, staff: StaffUser) -> AppResult<HostPage> {
    host_view(&state, &staff, Form::default(), true).await
}

/// The commune named in the form: its INSEE code (`code_commune`), or its name, alone or
/// with a postal code (« Lille », « 59000 Lille »).
fn read_commune(form: &Form) -> Option<&'static domain::geo::Commune> {
    if let Some(c) = domain::geo::commune(form.get("code_commune"))
        && domain::text::match_key(&c.name) == domain::text::match_key(form.get("commune"))
    {
        return Some(c);
    }
    let text = form.get("commune");
    let postal: String = text.chars().filter(char::is_ascii_digit).collect();
    if postal.len() == 5 {
        return domain::geo::commune_by_postal_code(&postal, text);
    }
    let key = domain::text::match_key(text);
    domain::geo::communes().iter().filter(|c| domain::text::match_key(&c.name) == key).max_by_key(|c| c.population)
}

fn read_offer(state: &AppState, form: &mut Form, c: &immersion_campaign::Model) -> AppResult<OfferInput> {
    let employer = form.required("employeur", "l’employeur", 200);
    let service = form.required("service", "le service ou l’équipe", 200);
    let job_title = form.required("intitule", "votre poste", 200);
    let taxonomy = state.taxonomy.current();
    let profession = form.get("metier").to_string();
    if !taxonomy.professions.iter().any(|(_, slug, _)| *slug == profession) {
        form.add_error("metier", "Choisissez votre métier dans la liste.");
    }
    let domain = taxonomy.profession_domains.iter().find(|(p, _)| *p == profession).map(|(_, d)| d.clone());
    let mode = match form.get("mode").parse::<PlaceMode>() {
        Ok(m) => m,
        Err(_) => {
            form.add_error("mode", "Choisissez où vous accueillez l’étudiant·e.");
            PlaceMode::OnSite
        }
    };
    let commune = if mode == PlaceMode::Remote {
        None
    } else {
        let found = read_commune(form);
        if found.is_none() {
            form.add_error(
                "commune",
                "Indiquez la commune du lieu de travail (par exemple « Lille » ou « 59000 Lille »).",
            );
        }
        found
    };
    let days = read_days(form, c)?;
    let seats = match form.get("places").parse::<i32>() {
        Ok(n) if (1..=MAX_SEATS).contains(&n) => n,
        _ => {
            form.add_error("places", format!("Indiquez combien d’étudiant·es vous accueillez : de 1 à {MAX_SEATS}."));
            1
        }
    };
    let description = form.required("description", "le déroulé de la journée", 5_000);
    let accessibility = form.optional("accessibilite", "l’accessibilité du lieu", 2_000).unwrap_or_default();
    Ok(OfferInput {
        employer,
        service,
        job_title,
        profession,
        domain,
        mode,
        commune_code: commune.map(|c| c.code.clone()),
        region_code: commune.map(|c| c.region_code.clone()),
        days,
        seats,
        description,
        accessibility,
    })
}

/// `POST /vis-mon-job/accueillir`: the offer of a day.
pub async fn save_host(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some((c, _)) = current(&state).await? else {
        return Ok(crate::backoffice::with_message("/vis-mon-job/accueillir", "Aucune campagne en cours."));
    };
    let input = read_offer(&state, &mut form, &c)?;
    if form.is_valid() {
        match services::immersion::save_offer(&state, &staff.user, &c, &input).await {
            Ok(_) => {
                return Ok(crate::backoffice::with_message(
                    "/vis-mon-job/accueillir",
                    "Votre offre est enregistrée : vous recevrez une proposition de duo après l’appariement.",
                ));
            }
            Err(e) => form.add_error("employeur", e.into_refusal_sentence()?),
        }
    }
    let page = host_view(&state, &staff, form, false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /vis-mon-job/accueillir/etat` (`etat`: ouverte, en-pause, retiree).
pub async fn host_state(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let form = Form::parse(&body);
    let back = "/vis-mon-job/accueillir";
    let Ok(to) = form.get("etat").parse::<OfferState>() else {
        return Ok(crate::backoffice::with_message(back, "Choisissez ce que devient votre offre."));
    };
    let Some((c, _)) = current(&state).await? else {
        return Ok(crate::backoffice::with_message(back, "Aucune campagne en cours."));
    };
    let message = match services::immersion::set_offer_state(&state, &staff.user, &c, to).await {
        Ok(()) => match to {
            OfferState::Open => "Votre offre est de nouveau ouverte.".to_string(),
            OfferState::Paused => "Votre offre est en pause : aucune nouvelle proposition ne vous sera faite.".into(),
            OfferState::Withdrawn => "Votre offre est retirée ; les étudiant·es concerné·es sont prévenu·es.".into(),
        },
        Err(e) => match e.refusal() {
            Some(_) => e.into_refusal_sentence()?,
            None if matches!(e, crate::error::AppError::Db(db::DbError::NotFound)) => {
                "Vous n’avez pas d’offre dans cette campagne.".into()
            }
            None => return Err(e),
        },
    };
    Ok(crate::backoffice::with_message(back, &message))
}

// --- students --------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "immersion/student.html")]
pub struct StudentPage {
    page: Page,
    campaign: Option<CampaignSummary>,
    application_state: Option<ApplicationState>,
    years: Vec<(&'static str, &'static str)>,
    /// The professions, then the domains.
    wishes: Vec<OptionList>,
    regions: OptionList,
    days: Option<OptionList>,
    duos: Vec<DuoLine>,
    form: Form,
    notice: Option<String>,
}

fn options(name: &str, legend: &str, form: &Form, all: impl Iterator<Item = (String, String)>) -> OptionList {
    OptionList {
        name: name.into(),
        legend: legend.into(),
        options: all.map(|(value, label)| Opt { checked: form.has(name, &value), value, label }).collect(),
    }
}

async fn student_view(state: &AppState, who: &user::Model, mut form: Form, fresh: bool) -> AppResult<StudentPage> {
    let campaign = current(state).await?;
    let mut application_state = None;
    let mut days = None;
    if let Some((c, _)) = &campaign {
        let application = db::immersion::application_of(state.db.conn(), c.id, who.id).await?;
        if let Some(a) = &application {
            application_state = Some(db::immersion::application_state_of(a)?);
            if fresh {
                fill_student(&mut form, a)?;
            }
        } else if fresh && let Some(p) = db::profiles::get(state.db.conn(), who.id).await? {
            form.set("prenom", p.profile.first_name.clone());
            form.set("nom", p.profile.last_name.clone());
            form.set("telephone", p.profile.phone.clone().unwrap_or_default());
        }
        days = Some(day_options(c, &form)?);
    }
    let taxonomy = state.taxonomy.current();
    let professions = options(
        "metiers",
        "Les métiers que vous aimeriez découvrir",
        &form,
        taxonomy.professions.iter().map(|(_, s, l)| (s.clone(), l.clone())),
    );
    let domains = options(
        "domaines",
        "Ou des domaines entiers",
        &form,
        taxonomy.domains.iter().map(|(_, s, l)| (s.clone(), l.clone())),
    );
    let regions = options(
        "regions",
        "Les régions où vous pouvez vous rendre",
        &form,
        domain::geo::regions().iter().map(|r| (r.code.clone(), r.name.clone())),
    );
    Ok(StudentPage {
        page: Page::new("Candidater à « Vis mon job »")
            .nav(Nav::Immersion)
            .crumbs(&[("Vis mon job", Some("/vis-mon-job")), ("Candidater", None)]),
        campaign: campaign.map(|c| c.1),
        application_state,
        years: StudyYear::ALL.iter().map(|y| (y.code(), y.label())).collect(),
        wishes: vec![professions, domains],
        regions,
        days,
        duos: duo_lines(state, who.id).await?,
        form,
        notice: crate::backoffice::notice(),
    })
}

fn fill_student(form: &mut Form, a: &db::entity::immersion_application::Model) -> AppResult<()> {
    form.set("prenom", a.first_name.clone());
    form.set("nom", a.last_name.clone());
    form.set("telephone", a.phone.clone().unwrap_or_default());
    form.set("etablissement", a.school.clone());
    form.set("formation", a.programme.clone());
    form.set("annee", a.year.clone());
    let w = db::immersion::wishes(a)?;
    for p in w.professions {
        form.push("metiers", p);
    }
    for d in w.domains {
        form.push("domaines", d);
    }
    for r in w.regions {
        form.push("regions", r);
    }
    for d in w.days {
        form.push("jours", d.to_string());
    }
    if a.remote_ok {
        form.set("distance", "oui");
    }
    form.set("motivation", a.motivation.clone());
    Ok(())
}

/// `GET /vis-mon-job/candidater`.
pub async fn student_page(State(state): State<AppState>, CandidateUser(who): CandidateUser) -> AppResult<StudentPage> {
    student_view(&state, &who, Form::default(), true).await
}

/// Values of a multiple choice, each one of `known`; an error on the field otherwise.
fn chosen(form: &mut Form, name: &str, known: &[String], what: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in form.all(name) {
        if known.contains(&v) {
            if !out.contains(&v) {
                out.push(v);
            }
        } else {
            form.add_error(name, format!("Choisissez {what} dans la liste."));
        }
    }
    out
}

fn read_application(state: &AppState, form: &mut Form, c: &immersion_campaign::Model) -> AppResult<ApplicationInput> {
    let first_name = form.required("prenom", "votre prénom", 100);
    let last_name = form.required("nom", "votre nom", 100);
    let phone = form.optional("telephone", "le téléphone", 30);
    let school = form.required("etablissement", "votre établissement", 200);
    let programme = form.required("formation", "votre formation", 200);
    let year = match form.get("annee").parse::<StudyYear>() {
        Ok(y) => y,
        Err(_) => {
            form.add_error("annee", "Choisissez votre année d’études.");
            StudyYear::Master1
        }
    };
    let taxonomy = state.taxonomy.current();
    let all_professions: Vec<String> = taxonomy.professions.iter().map(|p| p.1.clone()).collect();
    let all_domains: Vec<String> = taxonomy.domains.iter().map(|d| d.1.clone()).collect();
    let all_regions: Vec<String> = domain::geo::regions().iter().map(|r| r.code.clone()).collect();
    let professions = chosen(form, "metiers", &all_professions, "les métiers");
    let domains = chosen(form, "domaines", &all_domains, "les domaines");
    let regions = chosen(form, "regions", &all_regions, "les régions");
    let remote_ok = form.checked("distance");
    if regions.is_empty() && !remote_ok {
        form.add_error("regions", "Cochez au moins une région, ou acceptez une journée à distance.");
    }
    let motivation = form.required("motivation", "votre motivation", 3_000);
    let days = read_days(form, c)?;
    Ok(ApplicationInput {
        first_name,
        last_name,
        phone,
        school,
        programme,
        year,
        professions,
        domains,
        regions,
        remote_ok,
        motivation,
        days,
    })
}

/// `POST /vis-mon-job/candidater`: the student's application.
pub async fn save_student(
    State(state): State<AppState>,
    CandidateUser(who): CandidateUser,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some((c, _)) = current(&state).await? else {
        return Ok(crate::backoffice::with_message("/vis-mon-job/candidater", "Aucune campagne en cours."));
    };
    let input = read_application(&state, &mut form, &c)?;
    if form.is_valid() {
        match services::immersion::save_application(&state, &who, &c, &input).await {
            Ok(_) => {
                return Ok(crate::backoffice::with_message(
                    "/vis-mon-job/candidater",
                    "Votre candidature est enregistrée : vous recevrez une proposition de duo après l’appariement.",
                ));
            }
            Err(e) => form.add_error("prenom", e.into_refusal_sentence()?),
        }
    }
    let page = student_view(&state, &who, form, false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /vis-mon-job/candidater/etat` (`etat`: active, en-pause, retiree).
pub async fn student_state(
    State(state): State<AppState>,
    CandidateUser(who): CandidateUser,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let back = "/vis-mon-job/candidater";
    let Ok(to) = form.get("etat").parse::<ApplicationState>() else {
        return Ok(crate::backoffice::with_message(back, "Choisissez ce que devient votre candidature."));
    };
    let Some((c, _)) = current(&state).await? else {
        return Ok(crate::backoffice::with_message(back, "Aucune campagne en cours."));
    };
    let message = match services::immersion::set_application_state(&state, &who, &c, to).await {
        Ok(()) => match to {
            ApplicationState::Active => "Votre candidature est de nouveau active.".to_string(),
            ApplicationState::Paused => "Votre candidature est en pause.".into(),
            ApplicationState::Withdrawn => "Votre candidature est retirée.".into(),
        },
        Err(e) => match e.refusal() {
            Some(_) => e.into_refusal_sentence()?,
            None if matches!(e, crate::error::AppError::Db(db::DbError::NotFound)) => {
                "Vous n’avez pas de candidature dans cette campagne.".into()
            }
            None => return Err(e),
        },
    };
    Ok(crate::backoffice::with_message(back, &message))
}
