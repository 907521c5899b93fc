//! The public JSON API (`/api/v1`, everyone, read-only, CORS open for GET) and its OpenAPI 3.1
//! description (`/api/openapi.json`). It never exposes internal fields: contacts, internal
//! notes, drafts.
//!
//! Error policy: every error is a JSON body `{"erreur": code, "message": French text}` with
//! the matching status; a bad parameter is a 400 that names it.

mod events;
mod offers;
mod products;
mod stories;

use axum::Json;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tower_http::cors::{Any, CorsLayer};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "API des offres d’emploi de Métiers du numérique",
        version = "1.0.0",
        description = "Les offres d’emploi du numérique de l’État, leurs employeurs, les produits numériques de l’État avec leurs technologies, les témoignages de leurs agents et le programme du Forum de l’emploi tech de l’État, avec les mêmes filtres que les pages de recherche.",
        license(
            name = "Licence Ouverte / Etalab 2.0",
            url = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
        )
    ),
    paths(
        offers::search,
        offers::show,
        offers::employers,
        products::search,
        products::show,
        products::technologies,
        stories::list,
        events::list
    ),
    components(schemas(
        ApiError,
        offers::SearchResponse,
        offers::OfferSummary,
        offers::OfferDetail,
        offers::Employer,
        offers::EmployerRef,
        offers::Place,
        offers::Label,
        offers::FacetValue,
        offers::Sections,
        products::ProductSearchResponse,
        products::ProductSummary,
        products::ProductDetail,
        products::Sponsor,
        products::Technology,
        products::Phase,
        products::TechnologyUse,
        stories::StoriesResponse,
        stories::Story,
        stories::StoryVideo,
        events::EventsResponse,
        events::EventSession
    ))
)]
pub struct ApiDoc;

/// A JSON error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// A stable code: `parametre_invalide`, `introuvable`, `supprimee`, `erreur_interne`.
    pub erreur: &'static str,
    /// What went wrong, in French.
    pub message: String,
}

pub fn error(status: StatusCode, erreur: &'static str, message: impl Into<String>) -> Response {
    (status, Json(ApiError { erreur, message: message.into() })).into_response()
}

pub fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "API request failed");
    error(StatusCode::INTERNAL_SERVER_ERROR, "erreur_interne", "Erreur interne : réessayez plus tard.")
}

pub fn routes() -> crate::routes::Routes {
    use crate::routes::Access::Public;
    let cors = CorsLayer::new().allow_origin(Any).allow_methods([Method::GET, Method::HEAD]);
    crate::routes::Routes::new()
        .get("/api/v1/offres", Public, offers::search)
        .get("/api/v1/offres/{slug}", Public, offers::show)
        .get("/api/v1/employeurs", Public, offers::employers)
        .get("/api/v1/projets", Public, products::search)
        .get("/api/v1/projets/{slug}", Public, products::show)
        .get("/api/v1/technologies", Public, products::technologies)
        .get("/api/v1/temoignages", Public, stories::list)
        .get("/api/v1/evenements", Public, events::list)
        .get("/api/openapi.json", Public, openapi)
        .get("/api/v1/{*rest}", Public, unknown)
        .layer(cors)
}

/// `GET /api/openapi.json` (everyone).
async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(axum::http::header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => internal(e),
    }
}

async fn unknown() -> Response {
    error(StatusCode::NOT_FOUND, "introuvable", "Cette adresse de l’API n’existe pas : voir /api/openapi.json.")
}
