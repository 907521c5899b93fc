//! `/admin/employeurs`: administrators create employers, show or hide their pages, and add
//! services to any of them.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use db::entity::institution;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/institutions.html")]
pub struct InstitutionsPage {
    page: Page,
    institutions: Vec<institution::Model>,
    form: Form,
    notice: Option<String>,
}

fn page(error: bool) -> Page {
    Page::new(if error { "Employeurs – erreur" } else { "Employeurs" })
        .crumbs(&[("Administration", Some("/admin")), ("Employeurs", None)])
}

/// `GET /admin/employeurs` (administrator).
pub async fn list(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    RawQuery(q): RawQuery,
) -> AppResult<InstitutionsPage> {
    Ok(InstitutionsPage {
        page: page(false),
        institutions: db::institutions::list(state.db.conn()).await?,
        form: Form::default(),
        notice: super::notice(q.as_deref()),
    })
}

/// `POST /admin/employeurs` (administrator): creates an employer (`nom`, `sigle`, `ministere`).
pub async fn create(State(state): State<AppState>, AdminUser(admin): AdminUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let name = form.required("nom", "le nom de l’employeur", 200);
    let acronym = form.optional("sigle", "le sigle", 30);
    let ministry = form.optional("ministere", "le ministère", 200);
    if !form.is_valid() {
        let institutions = db::institutions::list(state.db.conn()).await?;
        return Ok(InstitutionsPage { page: page(true), institutions, form, notice: None }.into_response());
    }
    let now = state.now();
    let txn = state.db.begin().await?;
    let before = db::institutions::list(&txn).await?.len();
    let showcase = db::institutions::Showcase { acronym, ministry, ..Default::default() };
    let inst = db::institutions::find_or_create(&txn, &name, None, Some(&showcase), now).await?;
    let created = db::institutions::list(&txn).await?.len() > before;
    if created {
        let audit = db::backoffice::Audit {
            actor: &admin,
            action: "employeur.creation",
            target: format!("employeur {} « {} »", inst.id, inst.name),
            before: None,
            after: Some(inst.slug.clone()),
        };
        db::backoffice::audit(&txn, audit, now).await?;
    }
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(super::with_message(
        "/admin/employeurs",
        &if created {
            format!("Employeur « {} » créé.", inst.name)
        } else {
            format!("« {} » existe déjà.", inst.name)
        },
    ))
}

/// `POST /admin/employeurs/{id}/publication` (administrator): `etat=1` shows the page, `0`
/// hides it (its offers stay).
pub async fn set_published(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let on = Form::parse(&body).get("etat") == "1";
    let now = state.now();
    let txn = state.db.begin().await?;
    let inst = db::institutions::by_id(&txn, id).await?;
    db::institutions::set_published(&txn, id, on, now).await?;
    let audit = db::backoffice::Audit {
        actor: &admin,
        action: "employeur.publication",
        target: format!("employeur {} « {} »", inst.id, inst.name),
        before: Some(inst.published.to_string()),
        after: Some(on.to_string()),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    state.pages.clear();
    Ok(super::with_message("/admin/employeurs", if on { "Page publiée." } else { "Page masquée." }))
}

/// `POST /admin/employeurs/{id}/services` (administrator): adds a service (`nom`).
pub async fn add_service(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let inst = db::institutions::by_id(state.db.conn(), id).await?;
    let mut form = Form::parse(&body);
    let name = form.required("nom", "le nom du service", 200);
    if !form.is_valid() {
        return Ok(super::with_message("/admin/employeurs", "Renseignez le nom du service."));
    }
    db::institutions::find_or_create_service(state.db.conn(), inst.id, None, &name, None, state.now()).await?;
    Ok(super::with_message("/admin/employeurs", &format!("Service ajouté à « {} ».", inst.name)))
}
