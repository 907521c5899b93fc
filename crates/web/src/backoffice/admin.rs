//! `/admin`: platform figures and the accounts (activate, deactivate, change role).

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use db::backoffice::Audit;
use db::entity::{access_request, audit_entry, institution, user};
use domain::role::Role;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/admin.html")]
pub struct AdminPage {
    page: Page,
    users: Vec<user::Model>,
    counts: (u64, u64, u64),
    roles: &'static [Role],
    me: i64,
    notice: Option<String>,
    requests: Vec<access_request::Model>,
    institutions: Vec<institution::Model>,
    audit: Vec<audit_entry::Model>,
}

impl AdminPage {
    fn role_label(&self, code: &str) -> &'static str {
        code.parse::<Role>().map(Role::label).unwrap_or("?")
    }
}

/// `GET /admin` (administrator).
pub async fn home(
    State(state): State<AppState>,
    AdminUser(me): AdminUser,
    RawQuery(q): RawQuery,
) -> AppResult<AdminPage> {
    let notice = super::notice(q.as_deref());
    Ok(AdminPage {
        page: Page::new("Administration").crumbs(&[("Administration", None)]),
        users: db::backoffice::users(state.db.conn()).await?,
        counts: db::backoffice::platform_counts(state.db.conn()).await?,
        roles: Role::ALL,
        me: me.id,
        notice,
        requests: db::backoffice::pending_access_requests(state.db.conn()).await?,
        institutions: db::institutions::list(state.db.conn()).await?,
        audit: db::backoffice::audit_log(state.db.conn(), 100).await?,
    })
}

fn back(message: &str) -> Response {
    super::with_message("/admin", message)
}

fn target(id: &str, me: i64) -> AppResult<Option<i64>> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    // An administrator cannot lock themselves out.
    Ok((id != me).then_some(id))
}

/// `POST /admin/utilisateurs/{id}/activation` (administrator): `etat=1` or `0`.
pub async fn set_active(
    State(state): State<AppState>,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let Some(id) = target(&id, me.id)? else { return Ok(back("Vous ne pouvez pas désactiver votre propre compte.")) };
    let on = Form::parse(&body).get("etat") == "1";
    let now = state.now();
    let txn = state.db.begin().await?;
    let before = db::accounts::by_id(&txn, id).await?.ok_or(AppError::NotFound)?;
    db::backoffice::set_active(&txn, id, on, now).await?;
    let audit = Audit {
        actor: &me,
        action: "compte.activation",
        target: format!("compte {} ({})", id, before.email),
        before: Some(before.active.to_string()),
        after: Some(on.to_string()),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(back(if on { "Compte activé." } else { "Compte désactivé ; ses sessions sont fermées." }))
}

/// `POST /admin/utilisateurs/{id}/role` (administrator).
pub async fn set_role(
    State(state): State<AppState>,
    AdminUser(me): AdminUser,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let Some(id) = target(&id, me.id)? else { return Ok(back("Vous ne pouvez pas changer votre propre rôle.")) };
    let Ok(role) = Form::parse(&body).get("role").parse::<Role>() else { return Ok(back("Rôle inconnu.")) };
    let now = state.now();
    let txn = state.db.begin().await?;
    let before = db::accounts::by_id(&txn, id).await?.ok_or(AppError::NotFound)?;
    db::backoffice::set_role_by_id(&txn, id, role, now).await?;
    let audit = Audit {
        actor: &me,
        action: "compte.role",
        target: format!("compte {} ({})", id, before.email),
        before: Some(before.role.clone()),
        after: Some(role.code().to_string()),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(back(&format!("Rôle changé : {}.", role.label())))
}
