//! `/admin/technologies` (administrators): the technologies the products use, merged and
//! renamed by hand when the normalisation did not see that two spellings are one. Every
//! old address answers 301 to the technology it became.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use db::products::TechnologyRow;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/technologies.html")]
pub struct TechnologiesPage {
    page: Page,
    rows: Vec<TechnologyRow>,
    notice: Option<String>,
}

/// `GET /admin/technologies`.
pub async fn list(State(state): State<AppState>, _admin: AdminUser) -> AppResult<TechnologiesPage> {
    Ok(TechnologiesPage {
        page: Page::new("Technologies").crumbs(&[("Administration", Some("/admin")), ("Technologies", None)]),
        rows: db::products::technology_rows(state.db.conn()).await?,
        notice: super::notice(),
    })
}

fn back(message: &str) -> Response {
    super::with_message("/admin/technologies", message)
}

/// The id a select sent, or `None` for anything else.
fn id_of(form: &Form, name: &str) -> Option<i64> {
    form.get(name).parse().ok().filter(|n| *n > 0)
}

/// `POST /admin/technologies/fusion` (`source`, `cible`: ids).
pub async fn merge(State(state): State<AppState>, admin: AdminUser, body: Bytes) -> AppResult<Response> {
    let form = Form::parse(&body);
    let (Some(from), Some(into)) = (id_of(&form, "source"), id_of(&form, "cible")) else {
        return Ok(back("Choisissez la technologie à fusionner et celle qui la remplace."));
    };
    match crate::services::products::merge_technologies(&state, &admin.0, from, into).await {
        Ok(what) => {
            Ok(back(&format!("Technologies fusionnées : {what}. L’ancienne adresse redirige vers la nouvelle.")))
        }
        Err(e) => match e.refusal() {
            Some(why) => Ok(back(&format!("Fusion impossible : {why}."))),
            None => Err(e),
        },
    }
}

/// `POST /admin/technologies/renommer` (`technologie`: id, `nom`).
pub async fn rename(State(state): State<AppState>, admin: AdminUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let name = form.required("nom", "le nouveau nom", 80);
    let Some(id) = id_of(&form, "technologie") else { return Ok(back("Choisissez la technologie à renommer.")) };
    if !form.is_valid() || domain::text::slugify(&name).is_empty() {
        return Ok(back("Saisissez le nouveau nom de la technologie (80 caractères au plus)."));
    }
    match crate::services::products::rename_technology(&state, &admin.0, id, &name).await {
        Ok(()) => Ok(back(&format!("Technologie renommée « {name} ». Ses anciens liens restent valables."))),
        Err(e) => match e.refusal() {
            Some(why) => Ok(back(&format!("Renommage impossible : {why}."))),
            None => Err(e),
        },
    }
}
