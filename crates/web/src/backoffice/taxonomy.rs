//! `/admin/metiers`: administrators rename the domains and professions, move a profession to
//! another domain, and add new ones. Addresses (slugs) never change, so saved searches, alerts
//! and links keep working; renamed professions update their offers' label and are indexed
//! again. The taxonomy is reloaded at once here (and within a minute on other instances).

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::Page;
use crate::services::taxonomy::Change;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use db::entity::{domain as domain_e, profession};

const LABEL_MAX: usize = 120;
const HERE: &str = "/admin/metiers";

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/taxonomy.html")]
pub struct TaxonomyPage {
    page: Page,
    domains: Vec<domain_e::Model>,
    professions: Vec<profession::Model>,
    notice: Option<String>,
}

impl TaxonomyPage {
    fn domain_label(&self, id: &Option<i64>) -> &str {
        id.and_then(|id| self.domains.iter().find(|d| d.id == id)).map(|d| d.label.as_str()).unwrap_or("aucun")
    }
}

/// `GET /admin/metiers` (administrator).
pub async fn list(State(state): State<AppState>, AdminUser(_): AdminUser) -> AppResult<TaxonomyPage> {
    let (domains, professions) = db::reference::taxonomy(state.db.conn()).await?;
    Ok(TaxonomyPage {
        page: Page::new("Métiers et domaines")
            .crumbs(&[("Administration", Some("/admin")), ("Métiers et domaines", None)]),
        domains,
        professions,
        notice: super::notice(),
    })
}

/// The label typed, or the message saying what is wrong with it.
fn label_of(form: &Form) -> Result<String, &'static str> {
    let label = form.get("libelle").split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() {
        Err("Saisissez un libellé.")
    } else if label.chars().count() > LABEL_MAX {
        Err("Le libellé ne doit pas dépasser 120 caractères.")
    } else {
        Ok(label)
    }
}

/// The domain chosen (`domaine`): empty is none; anything else must be a known domain.
async fn domain_of(state: &AppState, form: &Form) -> AppResult<Result<Option<i64>, &'static str>> {
    if form.get("domaine").is_empty() {
        return Ok(Ok(None));
    }
    let known = state.taxonomy.current();
    Ok(match form.get("domaine").parse::<i64>().ok().filter(|id| known.domain(*id).is_some()) {
        Some(id) => Ok(Some(id)),
        None => Err("Choisissez un domaine de la liste."),
    })
}

/// Applies a change and says what became of it: a duplicate comes back as the page's notice.
async fn change(
    state: &AppState,
    admin: &db::entity::user::Model,
    change: Change,
    done: String,
) -> AppResult<Response> {
    match crate::services::taxonomy::apply(state, admin, &change).await {
        Ok(()) => Ok(super::with_message(HERE, &done)),
        Err(e) => match e.refusal() {
            Some(msg) => Ok(super::with_message(HERE, &format!("Impossible : {msg}."))),
            None => Err(e),
        },
    }
}

/// `POST /admin/metiers/domaines` (administrator): adds a domain (`libelle`).
pub async fn add_domain(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let label = match label_of(&form) {
        Ok(l) => l,
        Err(msg) => return Ok(super::with_message(HERE, msg)),
    };
    change(&state, &admin, Change::AddDomain { label: label.clone() }, format!("Domaine « {label} » ajouté.")).await
}

/// `POST /admin/metiers/domaines/{id}` (administrator): renames a domain (`libelle`).
pub async fn rename_domain(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let label = match label_of(&form) {
        Ok(l) => l,
        Err(msg) => return Ok(super::with_message(HERE, msg)),
    };
    change(&state, &admin, Change::RenameDomain { id, label: label.clone() }, format!("Domaine renommé : « {label} »."))
        .await
}

/// `POST /admin/metiers/metiers` (administrator): adds a profession (`libelle`, `domaine`).
pub async fn add_profession(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let (label, domain) = match (label_of(&form), domain_of(&state, &form).await?) {
        (Ok(l), Ok(d)) => (l, d),
        (Err(msg), _) | (_, Err(msg)) => return Ok(super::with_message(HERE, msg)),
    };
    let done = format!("Métier « {label} » ajouté.");
    change(&state, &admin, Change::AddProfession { label, domain }, done).await
}

/// `POST /admin/metiers/metiers/{id}` (administrator): renames a profession and sets its
/// domain (`libelle`, `domaine`).
pub async fn update_profession(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let (label, domain) = match (label_of(&form), domain_of(&state, &form).await?) {
        (Ok(l), Ok(d)) => (l, d),
        (Err(msg), _) | (_, Err(msg)) => return Ok(super::with_message(HERE, msg)),
    };
    let done = format!("Métier enregistré : « {label} ».");
    change(&state, &admin, Change::UpdateProfession { id, label, domain }, done).await
}
