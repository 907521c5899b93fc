//! `/recruteur/forum…` (recruiters, on their own institution's booth): the booth's
//! presentation, job-dating slots published as a series (duration, buffer, online link, the
//! offers they are about, a pre-screening question), the agenda with each candidate's profile,
//! CV and answer, and after the meeting: attendance, notes and the next step (« proposer de
//! candidater » files the application in the offer's pipeline).

use crate::AppState;
use crate::auth::StaffUser;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Id};
use crate::layout::Page;
use crate::{format, services};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use db::forum::{BoothView, MeetingRecord, SlotSeries};
use domain::forum::BookingOutcome;

/// One slot of the agenda, with its booking.
pub struct AgendaRow {
    pub id: i64,
    pub when: String,
    pub past: bool,
    pub offers: Vec<(i64, String)>,
    pub booking: Option<Meeting>,
}

/// A booked slot as the recruiter sees it.
pub struct Meeting {
    pub id: i64,
    pub candidate: String,
    pub email: String,
    pub position: Option<String>,
    pub cv: Option<String>,
    pub answer: Option<String>,
    pub attended: Option<bool>,
    pub notes: String,
    pub outcome: Option<BookingOutcome>,
    pub application: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/forum_booth.html")]
pub struct BoothPage {
    page: Page,
    edition: Option<String>,
    booth: Option<(String, String)>,
    presentation: String,
    sessions: Vec<(i64, String, bool)>,
    offers: Vec<(i64, String)>,
    agenda: Vec<AgendaRow>,
    /// The booth's figures (slots, booked, attended, no-shows, applications, hires).
    figures: Option<db::forum::BoothStats>,
    form: Form,
    notice: Option<String>,
}

/// The staff member's booth at the current edition (an administrator acting for an employer
/// is not supported here: they manage booths from `/admin/forum`).
async fn my_booth(
    state: &AppState,
    staff: &StaffUser,
) -> AppResult<Option<(db::entity::forum_edition::Model, BoothView)>> {
    let Some(institution) = staff.institution_id else { return Ok(None) };
    let Some(e) = db::forum::current_edition(state.db.conn(), state.now()).await? else { return Ok(None) };
    Ok(db::forum::booth_of(state.db.conn(), e.id, institution).await?.map(|b| (e, b)))
}

async fn page(state: &AppState, staff: &StaffUser, form: Form) -> AppResult<BoothPage> {
    let base = Page::new("Mon stand au forum")
        .crumbs(&[("Espace recruteur", Some("/recruteur")), ("Mon stand au forum", None)]);
    let Some((e, b)) = my_booth(state, staff).await? else {
        let edition = db::forum::current_edition(state.db.conn(), state.now()).await?.map(|e| e.name);
        return Ok(BoothPage {
            page: base,
            edition,
            booth: None,
            presentation: String::new(),
            sessions: Vec::new(),
            offers: Vec::new(),
            agenda: Vec::new(),
            figures: None,
            form,
            notice: super::notice(),
        });
    };
    let now = state.now();
    let open = db::listing::latest_open(state.db.conn(), now, 500, Some(b.institution.id), None, None).await?;
    let offers: Vec<(i64, String)> = open.iter().map(|o| (o.offer.id, o.offer.title.clone())).collect();
    let sessions = db::forum::sessions_of(state.db.conn(), e.id, false)
        .await?
        .into_iter()
        .filter(|v| v.session.institution_id == Some(b.institution.id))
        .map(|v| (v.session.id, v.session.title.clone(), b.booth.session_id == Some(v.session.id)))
        .collect();
    let mut agenda = Vec::new();
    for v in db::forum::slots_of_booth(state.db.conn(), b.booth.id).await? {
        let booking = match &v.booking {
            Some(bk) => Some(meeting(state, bk).await?),
            None => None,
        };
        agenda.push(AgendaRow {
            id: v.slot.id,
            when: format::span(v.slot.starts_at, v.slot.ends_at),
            past: v.slot.ends_at <= now,
            offers: db::forum::slot_offer_ids(&v.slot)
                .into_iter()
                .map(|id| {
                    (
                        id,
                        offers.iter().find(|o| o.0 == id).map(|o| o.1.clone()).unwrap_or_else(|| format!("offre {id}")),
                    )
                })
                .collect(),
            booking,
        });
    }
    let figures =
        db::forum::stats(state.db.conn(), &e, now).await?.booths.into_iter().find(|x| x.booth_id == b.booth.id);
    Ok(BoothPage {
        figures,
        page: base,
        edition: Some(e.name.clone()),
        booth: Some((format!("/stands/{}", b.booth.slug), b.institution.name.clone())),
        presentation: b.booth.presentation.clone(),
        sessions,
        offers,
        agenda,
        form,
        notice: super::notice(),
    })
}

async fn meeting(state: &AppState, bk: &db::entity::forum_booking::Model) -> AppResult<Meeting> {
    let user = db::accounts::by_id(state.db.conn(), bk.user_id).await?.ok_or(AppError::NotFound)?;
    let profile = db::profiles::get(state.db.conn(), bk.user_id).await?;
    let name = profile
        .as_ref()
        .map(|p| format!("{} {}", p.profile.first_name, p.profile.last_name).trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| user.email.clone());
    Ok(Meeting {
        id: bk.id,
        candidate: name,
        email: user.email.clone(),
        position: profile.as_ref().and_then(|p| p.profile.current_position.clone()),
        cv: profile.as_ref().and_then(|p| p.profile.cv_file_id).map(|id| format!("/fichiers/{id}")),
        answer: bk.answer.clone(),
        attended: bk.attended,
        notes: bk.notes.clone(),
        outcome: bk.outcome.as_deref().and_then(|o| o.parse().ok()),
        application: bk.application_id,
    })
}

/// `GET /recruteur/forum`.
pub async fn show(State(state): State<AppState>, staff: StaffUser) -> AppResult<BoothPage> {
    let mut form = Form::default();
    form.set("duree", "20");
    form.set("pause", "10");
    page(&state, &staff, form).await
}

async fn required_booth(state: &AppState, staff: &StaffUser) -> AppResult<BoothView> {
    my_booth(state, staff).await?.map(|(_, b)| b).ok_or(AppError::NotFound)
}

/// `POST /recruteur/forum/stand` (`presentation`, `session`).
pub async fn save_booth(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let b = required_booth(&state, &staff).await?;
    let mut form = Form::parse(&body);
    let presentation = form.optional("presentation", "la présentation", 10_000).unwrap_or_default();
    // Only one of the employer's own sessions of this edition, as the list offers.
    let session = match form.get("session") {
        "" => None,
        v => {
            let own = db::forum::sessions_of(state.db.conn(), b.booth.edition_id, false)
                .await?
                .into_iter()
                .filter(|s| s.session.institution_id == Some(b.institution.id))
                .map(|s| s.session.id)
                .collect::<Vec<_>>();
            match v.parse::<i64>() {
                Ok(id) if own.contains(&id) => Some(id),
                _ => {
                    return Ok(super::with_message("/recruteur/forum", "Choisissez votre présentation dans la liste."));
                }
            }
        }
    };
    if !form.is_valid() {
        return Ok(super::with_message("/recruteur/forum", "Présentation trop longue : 10 000 caractères au plus."));
    }
    services::forum::save_booth(&state, &staff.user, &b.booth, &presentation, session).await?;
    Ok(super::with_message("/recruteur/forum", "Stand enregistré."))
}

/// `POST /recruteur/forum/creneaux`: a series of slots (`jour`, `debut`, `fin`, `duree`,
/// `pause`, `lien`, `question`, `offres`).
pub async fn publish_slots(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let b = required_booth(&state, &staff).await?;
    let mut form = Form::parse(&body);
    let day = form.get("jour").to_string();
    let at = |form: &mut Form, name: &str, label: &str| {
        let v = format!("{day}T{}", form.get(name));
        let t = NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M").ok().and_then(|t| {
            use chrono::Timelike;
            format::paris_at(t.date(), t.hour(), t.minute(), 0)
        });
        if t.is_none() {
            form.add_error(name, format!("Renseignez {label} (le jour et l’heure)."));
        }
        t
    };
    let start = at(&mut form, "debut", "le début de la série");
    let end = at(&mut form, "fin", "la fin de la série");
    let minutes = form.get("duree").parse::<i64>().unwrap_or(0);
    let buffer = form.get("pause").parse::<i64>().unwrap_or(-1);
    let online_url = form.url("lien", "le lien de l’entretien en ligne").unwrap_or_default();
    if online_url.is_empty() {
        form.add_error("lien", "Renseignez le lien de l’entretien en ligne (il n’est montré qu’au candidat).");
    }
    let question = form.optional("question", "la question", 500);
    let mut offer_ids = Vec::new();
    for o in form.all("offres") {
        match o.parse::<i64>() {
            Ok(id) => offer_ids.push(id),
            Err(_) => form.add_error("offres", "Choisissez les offres dans la liste."),
        }
    }
    if start.is_some_and(|s| s < state.now()) {
        form.add_error("jour", crate::error::invalid_text(&db::Invalid::SlotInThePast));
    }
    let spans = match (start, end) {
        (Some(s), Some(e)) => match domain::forum::slot_series(s, e, minutes, buffer) {
            Ok(spans) => spans,
            Err(why) => {
                form.add_error("duree", format!("Créneaux impossibles : {why}."));
                Vec::new()
            }
        },
        _ => Vec::new(),
    };
    if !form.is_valid() {
        let page = page(&state, &staff, form).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let series =
        SlotSeries { spans, buffer_minutes: i32::try_from(buffer).unwrap_or(0), online_url, question, offer_ids };
    match services::forum::publish_slots(&state, &staff.user, &b.booth, &series).await {
        Ok(n) => Ok(super::with_message(
            "/recruteur/forum#agenda",
            &if n == 1 {
                "1 créneau publié sur votre stand.".to_string()
            } else {
                format!("{n} créneaux publiés sur votre stand.")
            },
        )),
        Err(e) => match e.refusal() {
            Some(why) => {
                form.add_error("offres", why);
                let page = page(&state, &staff, form).await?;
                Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(e),
        },
    }
}

/// The booth a staff member acts on for a row of `booth_id`: their own (another booth's row
/// is not found), or, for an administrator, the row's.
async fn acting_booth(state: &AppState, staff: &StaffUser, booth_id: i64) -> AppResult<db::entity::forum_booth::Model> {
    match staff.institution_id {
        Some(_) => {
            let b = required_booth(state, staff).await?;
            if b.booth.id != booth_id {
                return Err(AppError::NotFound);
            }
            Ok(b.booth)
        }
        None => Ok(db::forum::booth(state.db.conn(), booth_id).await?),
    }
}

/// `POST /recruteur/forum/creneaux/{id}/retirer`: the candidate who booked it is told. A slot
/// already removed (a second click) is said so.
pub async fn remove_slot(State(state): State<AppState>, staff: StaffUser, Id(id): Id) -> AppResult<Response> {
    let back = "/recruteur/forum#agenda";
    if staff.institution_id.is_some() {
        required_booth(&state, &staff).await?;
    }
    let slot = match db::forum::slot(state.db.conn(), id).await {
        Ok(s) => s,
        Err(db::DbError::NotFound) => return Ok(super::with_message(back, "Ce créneau était déjà retiré.")),
        Err(e) => return Err(e.into()),
    };
    let booth = acting_booth(&state, &staff, slot.booth_id).await?;
    services::forum::remove_slot(&state, &staff.user, &booth, id).await?;
    Ok(super::with_message(back, "Créneau retiré."))
}

/// `POST /recruteur/forum/rendez-vous/{id}` (`presence`: oui/non, `notes`, `suite`, `offre`).
pub async fn record(State(state): State<AppState>, staff: StaffUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let booking = db::forum::booking(state.db.conn(), id).await?;
    let booth = acting_booth(&state, &staff, booking.booth_id).await?;
    let form = Form::parse(&body);
    let back = "/recruteur/forum#agenda";
    let attended = match form.get("presence") {
        "oui" => Some(true),
        "non" => Some(false),
        "" => None,
        _ => return Ok(super::with_message(back, "Présence : choisissez « présent » ou « absent ».")),
    };
    let outcome = match form.get("suite") {
        "" => None,
        s => match s.parse::<BookingOutcome>() {
            Ok(o) => Some(o),
            Err(_) => return Ok(super::with_message(back, "Suite : choisissez dans la liste.")),
        },
    };
    let record = MeetingRecord { attended, notes: form.get("notes").chars().take(5000).collect(), outcome };
    let offer = form.get("offre").parse::<i64>().ok();
    match services::forum::record_meeting(&state, &staff.user, &booth, id, &record, offer).await {
        Ok(()) => Ok(super::with_message(
            back,
            if outcome == Some(BookingOutcome::Invite) {
                "Entretien enregistré : la candidature est dans le suivi de l’offre et le candidat est prévenu."
            } else {
                "Entretien enregistré."
            },
        )),
        Err(e) => match e.refusal() {
            Some(why) => Ok(super::with_message(back, &format!("Non enregistré : {why}."))),
            None => Err(e),
        },
    }
}
