//! Public pages, open to everyone (anonymous visitors included).

use crate::AppState;
use axum::Router;
use axum::routing::get;

pub mod employers;
mod home;
mod legal;
mod machine;

pub use machine::SITEMAP_MAX;
pub mod offer;
pub mod offers;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/offres-emploi", get(offers::show))
        .route("/offres-emploi/atom.xml", get(machine::atom))
        .route("/robots.txt", get(machine::robots))
        .route("/sitemap.xml", get(machine::sitemap))
        .route("/{sitemap_part}", get(sitemap_or_not_found))
        .route("/emploi/{slug}", get(offer::show))
        .route("/employeurs", get(employers::list))
        .route("/employeurs/{slug}", get(employers::show))
        .route("/accessibilite", get(legal::accessibility))
        .route("/mentions-legales", get(legal::legal_notice))
        .route("/donnees-personnelles", get(legal::personal_data))
        .route("/plan-du-site", get(legal::sitemap))
        .route("/api", get(legal::api_docs))
}

/// `/sitemap-{n}.xml` (axum cannot mix a literal prefix and a parameter in one segment).
async fn sitemap_or_not_found(
    state: axum::extract::State<AppState>,
    segment: Result<axum::extract::Path<String>, axum::extract::rejection::PathRejection>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    // A segment that is not even valid UTF-8 is just an unknown page.
    let Ok(axum::extract::Path(segment)) = segment else { return crate::error::not_found().await };
    match segment.strip_prefix("sitemap-") {
        Some(part) => match machine::sitemap_part(state, axum::extract::Path(part.to_string())).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
        None => crate::error::not_found().await,
    }
}
