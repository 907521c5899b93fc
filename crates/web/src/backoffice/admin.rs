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
use axum::response::{IntoResponse, Redirect, Response};
use db::entity::user;
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
    let notice = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "message")
        .map(|(_, v)| v.chars().take(300).collect());
    Ok(AdminPage {
        page: Page::new("Administration").crumbs(&[("Administration", None)]),
        users: db::backoffice::users(state.db.conn()).await?,
        counts: db::backoffice::platform_counts(state.db.conn()).await?,
        roles: Role::ALL,
        me: me.id,
        notice,
    })
}

fn back(message: &str) -> Response {
    let m: String = form_urlencoded::byte_serialize(message.as_bytes()).collect();
    Redirect::to(&format!("/admin?message={m}")).into_response()
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
    db::backoffice::set_active(state.db.conn(), id, on, state.now()).await?;
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
    db::backoffice::set_role_by_id(state.db.conn(), id, role, state.now()).await?;
    Ok(back(&format!("Rôle changé : {}.", role.label())))
}
