//! The legal pages every State site must have (public).

use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;

#[derive(Template, WebTemplate)]
#[template(path = "legal/accessibilite.html")]
pub struct Accessibility {
    page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "legal/mentions_legales.html")]
pub struct LegalNotice {
    page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "legal/donnees_personnelles.html")]
pub struct PersonalData {
    page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "legal/plan_du_site.html")]
pub struct Sitemap {
    page: Page,
}

pub async fn accessibility() -> Accessibility {
    let page = Page::new("Déclaration d’accessibilité").crumbs(&[("Déclaration d’accessibilité", None)]);
    Accessibility { page }
}

pub async fn legal_notice() -> LegalNotice {
    LegalNotice { page: Page::new("Mentions légales").crumbs(&[("Mentions légales", None)]) }
}

pub async fn personal_data() -> PersonalData {
    PersonalData { page: Page::new("Données personnelles").crumbs(&[("Données personnelles", None)]) }
}

pub async fn sitemap() -> Sitemap {
    Sitemap { page: Page::new("Plan du site").crumbs(&[("Plan du site", None)]) }
}

#[derive(Template, WebTemplate)]
#[template(path = "api.html")]
pub struct ApiDocs {
    page: Page,
}

/// `GET /api` (public): the API documentation page.
pub async fn api_docs() -> ApiDocs {
    ApiDocs { page: Page::new("API des offres d’emploi").crumbs(&[("API des offres d’emploi", None)]) }
}

#[derive(Template, WebTemplate)]
#[template(path = "recruiters.html")]
pub struct Recruiters {
    page: Page,
}

/// `GET /espace-recruteurs` (public): what the platform offers recruiters and the way in.
pub async fn recruiters() -> Recruiters {
    Recruiters { page: Page::new("Espace recruteurs").crumbs(&[("Espace recruteurs", None)]) }
}
