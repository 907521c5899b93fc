//! Public pages, open to everyone (anonymous visitors included).

use crate::AppState;
use axum::Router;
use axum::routing::get;

mod home;
mod legal;
pub mod offers;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/offres-emploi", get(offers::show))
        .route("/accessibilite", get(legal::accessibility))
        .route("/mentions-legales", get(legal::legal_notice))
        .route("/donnees-personnelles", get(legal::personal_data))
        .route("/plan-du-site", get(legal::sitemap))
}
