//! `/admin/metiers`: administrators rename the domains and professions, move a profession to
//! another domain, and add new ones. Addresses (slugs) never change, so saved searches, alerts
//! and links keep working; renamed professions update their offers' label and are indexed
//! again. The taxonomy is reloaded at once here (and within a minute on other instances).

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use db::backoffice::Audit;
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

/// After a change: everyone sees it (taxonomy reloaded, cached pages dropped).
async fn refreshed(state: &AppState, message: &str) -> AppResult<Response> {
    state.taxonomy.reload(&state.db).await?;
    state.pages.clear();
    Ok(super::with_message(HERE, message))
}

/// Records the change in the audit log, commits it, and makes it visible.
async fn finish(
    state: &AppState,
    txn: db::DatabaseTransaction,
    audit: Audit<'_>,
    message: &str,
) -> AppResult<Response> {
    db::backoffice::audit(&txn, audit, state.now()).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    refreshed(state, message).await
}

fn conflict_or(e: db::DbError) -> AppResult<Response> {
    match crate::error::refusal_text(&e) {
        Some(msg) => Ok(super::with_message(HERE, &format!("Impossible : {msg}."))),
        None => Err(e.into()),
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
    let txn = state.db.begin().await?;
    let added = match db::reference::add_domain(&txn, &label).await {
        Ok(d) => d,
        Err(e) => return conflict_or(e),
    };
    let audit = Audit {
        actor: &admin,
        action: domain::audit::AuditAction::DomainCreated,
        target: format!("domaine {}", added.id),
        before: None,
        after: Some(label.clone()),
    };
    finish(&state, txn, audit, &format!("Domaine « {label} » ajouté.")).await
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
    let txn = state.db.begin().await?;
    let before = state.taxonomy.current().domain(id).map(|d| d.2.clone());
    db::reference::rename_domain(&txn, id, &label).await?;
    let audit = Audit {
        actor: &admin,
        action: domain::audit::AuditAction::DomainRenamed,
        target: format!("domaine {id}"),
        before,
        after: Some(label.clone()),
    };
    finish(&state, txn, audit, &format!("Domaine renommé : « {label} ».")).await
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
    let txn = state.db.begin().await?;
    let added = match db::reference::add_profession(&txn, &label, domain).await {
        Ok(p) => p,
        Err(e) => return conflict_or(e),
    };
    let audit = Audit {
        actor: &admin,
        action: domain::audit::AuditAction::ProfessionCreated,
        target: format!("métier {}", added.id),
        before: None,
        after: Some(label.clone()),
    };
    finish(&state, txn, audit, &format!("Métier « {label} » ajouté.")).await
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
    let now = state.now();
    let txn = state.db.begin().await?;
    let before = state.taxonomy.current().profession(id).map(|p| p.2.clone());
    if let Err(e) = db::reference::update_profession(&txn, id, &label, domain, now).await {
        return match e {
            db::DbError::NotFound => Err(AppError::NotFound),
            e => conflict_or(e),
        };
    }
    let audit = Audit {
        actor: &admin,
        action: domain::audit::AuditAction::ProfessionEdited,
        target: format!("métier {id}"),
        before,
        after: Some(format!("{label} (domaine {})", domain.map(|d| d.to_string()).unwrap_or_else(|| "aucun".into()))),
    };
    finish(&state, txn, audit, &format!("Métier enregistré : « {label} ».")).await
}
