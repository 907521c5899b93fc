//! `/api/v1/temoignages`: the public agents' stories, with the filters of `/temoignages`.
//! Only what the public page shows: never who recorded the consent.

use super::{error, internal};
use crate::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use db::stories::{StoryFilter, StoryView};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct StoryVideo {
    /// `video/mp4` or `video/webm`; answers range requests.
    pub type_mime: String,
    pub url: String,
    /// WebVTT captions, in French.
    pub sous_titres: String,
    pub transcription: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Story {
    pub slug: String,
    pub nom: String,
    pub poste: String,
    pub citation: String,
    /// Markdown.
    pub recit: String,
    pub employeur: super::offers::EmployerRef,
    /// `slug` of the person's profession.
    pub metier: Option<String>,
    /// `slug` of the product, as in `/api/v1/projets/{slug}`.
    pub projet: Option<String>,
    pub photo: Option<String>,
    pub video: Option<StoryVideo>,
    /// `AAAA-MM-JJ` of the consent to be shown.
    pub consentement_le: Option<String>,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoriesResponse {
    pub total: usize,
    pub temoignages: Vec<Story>,
}

fn story(base: &str, v: &StoryView) -> Result<Story, db::DbError> {
    let s = &v.story;
    let url = format!("{base}/temoignages/{}", s.slug);
    let video = match (v.video_kind()?, &s.captions) {
        (Some(kind), Some(_)) => Some(StoryVideo {
            type_mime: kind.code().into(),
            url: format!("{url}/video"),
            sous_titres: format!("{url}/sous-titres.vtt"),
            transcription: s.transcript.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Story {
        slug: s.slug.clone(),
        nom: s.display_name.clone(),
        poste: s.job_title.clone(),
        citation: s.quote.clone(),
        recit: s.body.clone(),
        employeur: super::offers::EmployerRef { slug: v.institution.slug.clone(), nom: v.institution.name.clone() },
        metier: v.profession.as_ref().map(|p| p.0.clone()),
        projet: v.product.as_ref().map(|p| p.0.clone()),
        photo: s.photo_key.is_some().then(|| format!("{url}/photo")),
        video,
        consentement_le: s.consent_at.map(|d| d.date_naive().to_string()),
        url,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/temoignages",
    params(
        ("metier" = Option<String>, Query, description = "Métier (slug)"),
        ("employeur" = Option<String>, Query, description = "Employeur (slug de sa page)"),
        ("projet" = Option<String>, Query, description = "Produit (slug)"),
    ),
    responses(
        (status = 200, description = "Les témoignages publiés, du plus récent au plus ancien", body = StoriesResponse),
        (status = 400, description = "Paramètre inconnu", body = super::ApiError),
    )
)]
pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let mut filter = StoryFilter::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let v = Some(v.into_owned()).filter(|v| !v.is_empty());
        match k.as_ref() {
            "metier" => filter.profession = v,
            "employeur" => filter.employer = v,
            "projet" => filter.product = v,
            other => {
                let name: String = other.chars().take(40).collect();
                return error(
                    StatusCode::BAD_REQUEST,
                    "parametre_invalide",
                    format!("Paramètre inconnu « {name} » : metier, employeur et projet sont acceptés."),
                );
            }
        }
    }
    let views = match db::stories::public_list(state.db.conn(), &filter).await {
        Ok(v) => v,
        Err(e) => return internal(e),
    };
    let base = &state.config.public_url;
    match views.iter().map(|v| story(base, v)).collect::<Result<Vec<_>, _>>() {
        Ok(temoignages) => Json(StoriesResponse { total: temoignages.len(), temoignages }).into_response(),
        Err(e) => internal(e),
    }
}
