//! Public pages, open to everyone (anonymous visitors included).

use crate::AppState;
use crate::routes::{
    Access::{Candidate, Public},
    Routes,
};

pub mod booths;
pub mod employers;
pub mod forum;
mod home;
mod legal;
mod machine;

pub use machine::SITEMAP_MAX;
pub mod offer;
pub mod offers;
pub mod products;
pub mod stories;
pub mod technologies;

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Public, home::show)
        .get("/offres-emploi", Public, offers::show)
        .get("/offres-emploi/atom.xml", Public, machine::atom)
        .get("/robots.txt", Public, machine::robots)
        .get("/sitemap.xml", Public, machine::sitemap)
        .get("/{sitemap_part}", Public, sitemap_or_not_found)
        .get("/emploi/{slug}", Public, offer::show)
        .get("/employeurs", Public, employers::list)
        .get("/employeurs/{slug}", Public, employers::show)
        .get("/projets", Public, products::list)
        .get("/projets/atom.xml", Public, machine::products_atom)
        .get("/projets/{slug}", Public, products::show)
        .get("/technologies", Public, technologies::list)
        .get("/technologies/{slug}", Public, technologies::show)
        .get("/temoignages", Public, stories::list)
        .get("/temoignages/atom.xml", Public, machine::stories_atom)
        .get("/temoignages/{slug}", Public, stories::show)
        .get("/temoignages/{slug}/{media}", Public, stories::media)
        .get("/forum", Public, forum::home)
        .get("/evenements", Public, forum::programme)
        // `{slug}.ics` too: axum cannot mix a parameter and a literal suffix in one segment.
        .get("/evenements/{slug}", Public, forum::session)
        .get("/evenements/{slug}/{media}", Public, forum::media)
        .post("/evenements/{slug}/inscription", Public, forum::register)
        .get("/forum/confirmer/{token}", Public, forum::confirm_page)
        .post("/forum/confirmer/{token}", Public, forum::confirm)
        .get("/forum/inscription/{token}", Public, forum::registration)
        .get("/forum/rejoindre/{token}", Public, forum::join)
        .post("/forum/annuler/{token}", Public, forum::cancel)
        .post("/forum/avis/{token}", Public, forum::feedback)
        .get("/forum/annonces/arret/{token}", Public, forum::stop_page)
        // The one-click unsubscribe of mail clients (List-Unsubscribe-Post) posts to it.
        .post("/forum/annonces/arret/{token}", Public, forum::stop_announcements)
        .post("/forum/annonces/reprise/{token}", Public, forum::resume_announcements)
        .get("/agenda/{token}", Public, forum::agenda)
        .get("/stands", Public, booths::list)
        .get("/stands/{slug}", Public, booths::show)
        .post("/stands/{slug}/creneaux/{id}", Candidate, booths::book)
        .get("/accessibilite", Public, legal::accessibility)
        .get("/mentions-legales", Public, legal::legal_notice)
        .get("/donnees-personnelles", Public, legal::personal_data)
        .get("/plan-du-site", Public, legal::sitemap)
        .get("/api", Public, legal::api_docs)
        .get("/espace-recruteurs", Public, legal::recruiters)
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
