//! `/api/v1/evenements`: the sessions of a forum edition with their remaining places, with the
//! programme's filters. Never a participant, never the online link (registered people only).

use super::{error, internal};
use crate::AppState;
use crate::public::forum::ProgrammeFilter;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use db::forum::SessionView;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct EventSession {
    pub slug: String,
    pub titre: String,
    /// `conference`, `presentation`, `atelier`, `job-dating` or `temoignage`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Markdown.
    pub description: String,
    /// ISO 8601 with the Paris offset.
    pub debut: String,
    pub fin: String,
    /// `published` or `cancelled`.
    pub etat: String,
    pub capacite: i32,
    pub places_restantes: i32,
    pub liste_attente: u64,
    pub employeur: Option<super::offers::EmployerRef>,
    pub intervenants: Vec<String>,
    pub themes: Vec<String>,
    pub lieu: Option<String>,
    pub replay: bool,
    pub url: String,
    /// The session's calendar file.
    pub ics: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventsResponse {
    pub edition: String,
    pub nom: String,
    pub debut: String,
    pub fin: String,
    pub inscriptions_debut: String,
    pub inscriptions_fin: String,
    pub total: usize,
    pub sessions: Vec<EventSession>,
}

fn session(base: &str, v: &SessionView) -> EventSession {
    let s = &v.session;
    let url = format!("{base}/evenements/{}", s.slug);
    EventSession {
        slug: s.slug.clone(),
        titre: s.title.clone(),
        kind: v.kind.code().into(),
        description: s.description.clone(),
        debut: crate::format::paris(s.starts_at).to_rfc3339(),
        fin: crate::format::paris(s.ends_at).to_rfc3339(),
        etat: v.state.code().into(),
        capacite: s.capacity,
        places_restantes: v.remaining(),
        liste_attente: v.waiting,
        employeur: v
            .institution
            .as_ref()
            .map(|i| super::offers::EmployerRef { slug: i.slug.clone(), nom: i.name.clone() }),
        intervenants: v.speakers.iter().map(|p| p.name.clone()).collect(),
        themes: v.themes(),
        lieu: s.place.clone(),
        replay: s.replay_key.is_some() && s.replay_captions.is_some(),
        ics: format!("{url}.ics"),
        url,
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/evenements",
    params(
        ("edition" = Option<String>, Query, description = "Édition (slug) ; la courante par défaut"),
        ("type" = Option<String>, Query, description = "Type de session : conference, presentation, atelier, job-dating, temoignage"),
        ("jour" = Option<String>, Query, description = "Jour, AAAA-MM-JJ (heure de Paris)"),
        ("theme" = Option<String>, Query, description = "Thème (slug)"),
        ("employeur" = Option<String>, Query, description = "Employeur (slug de sa page)"),
    ),
    responses(
        (status = 200, description = "Les sessions publiées de l’édition, par début", body = EventsResponse),
        (status = 400, description = "Paramètre inconnu ou invalide", body = super::ApiError),
        (status = 404, description = "Aucune édition, ou édition inconnue", body = super::ApiError),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let mut edition = None;
    for (k, v) in form_urlencoded::parse(raw.as_deref().unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "edition" => edition = Some(v.into_owned()).filter(|v| !v.is_empty()),
            "type" if !v.is_empty() && v.parse::<domain::forum::SessionKind>().is_err() => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "parametre_invalide",
                    "type : conference, presentation, atelier, job-dating ou temoignage.",
                );
            }
            "jour" if !v.is_empty() && chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_err() => {
                return error(StatusCode::BAD_REQUEST, "parametre_invalide", "jour : une date AAAA-MM-JJ.");
            }
            "type" | "jour" | "theme" | "employeur" => {}
            other => {
                let name: String = other.chars().take(40).collect();
                return error(
                    StatusCode::BAD_REQUEST,
                    "parametre_invalide",
                    format!("Paramètre inconnu « {name} » : edition, type, jour, theme et employeur sont acceptés."),
                );
            }
        }
    }
    let conn = state.db.conn();
    let e = match edition {
        Some(slug) => match db::forum::edition_by_slug(conn, &slug).await {
            Ok(e) => e,
            Err(db::DbError::NotFound) => {
                return error(StatusCode::NOT_FOUND, "introuvable", "Aucune édition du forum n’a cette adresse.");
            }
            Err(e) => return internal(e),
        },
        None => match db::forum::current_edition(conn, state.now()).await {
            Ok(Some(e)) => e,
            Ok(None) => return error(StatusCode::NOT_FOUND, "introuvable", "Aucune édition du forum n’est annoncée."),
            Err(e) => return internal(e),
        },
    };
    let filter = ProgrammeFilter::parse(raw.as_deref());
    let views = match db::forum::sessions_of(conn, e.id, true).await {
        Ok(v) => v,
        Err(e) => return internal(e),
    };
    let base = &state.config.public_url;
    let sessions: Vec<EventSession> = views.iter().filter(|v| filter.matches(v)).map(|v| session(base, v)).collect();
    let p = crate::format::paris;
    Json(EventsResponse {
        edition: e.slug,
        nom: e.name,
        debut: p(e.starts_at).to_rfc3339(),
        fin: p(e.ends_at).to_rfc3339(),
        inscriptions_debut: p(e.registration_opens_at).to_rfc3339(),
        inscriptions_fin: p(e.registration_closes_at).to_rfc3339(),
        total: sessions.len(),
        sessions,
    })
    .into_response()
}
