//! `/admin`: platform figures and the accounts (activate, deactivate, change role).

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use crate::services::accounts::Attachment;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
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
    fn institution_name(&self, id: i64) -> &str {
        self.institutions.iter().find(|i| i.id == id).map(|i| i.name.as_str()).unwrap_or("")
    }

    fn role_label(&self, code: &str) -> &'static str {
        code.parse::<Role>().map(Role::label).unwrap_or("?")
    }

    fn readable(&self, action: &str, value: &str) -> String {
        super::journal::readable(action, value)
    }

    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        super::journal::when(at)
    }

    fn action_label(&self, code: &str) -> String {
        super::journal::action_label(code)
    }
}

/// `GET /admin` (administrator).
pub async fn home(State(state): State<AppState>, AdminUser(me): AdminUser) -> AppResult<AdminPage> {
    let notice = super::notice();
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

fn target(id: &i64, me: i64) -> AppResult<Option<i64>> {
    let id = *id;
    // An administrator cannot lock themselves out.
    Ok((id != me).then_some(id))
}

/// `POST /admin/utilisateurs/{id}/activation` (administrator): `etat=1` or `0`.
pub async fn set_active(
    State(state): State<AppState>,
    AdminUser(me): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let Some(id) = target(&id, me.id)? else { return Ok(back("Vous ne pouvez pas désactiver votre propre compte.")) };
    let on = Form::parse(&body).get("etat") == "1";
    crate::services::accounts::set_active(&state, &me, id, on).await?;
    Ok(back(if on { "Compte activé." } else { "Compte désactivé ; ses sessions sont fermées." }))
}

/// `POST /admin/utilisateurs/{id}/role` (administrator).
pub async fn set_role(
    State(state): State<AppState>,
    AdminUser(me): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let Some(id) = target(&id, me.id)? else { return Ok(back("Vous ne pouvez pas changer votre propre rôle.")) };
    let Ok(role) = Form::parse(&body).get("role").parse::<Role>() else { return Ok(back("Rôle inconnu.")) };
    crate::services::accounts::set_role(&state, &me, id, role).await?;
    Ok(back(&format!("Rôle changé : {}.", role.label())))
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/account.html")]
pub struct AccountPage {
    page: Page,
    account: user::Model,
    institutions: Vec<institution::Model>,
    /// The services of the account's employer, with whether the account belongs to each.
    services: Vec<(db::entity::service::Model, bool)>,
    notice: Option<String>,
}

impl AccountPage {
    fn role_label(&self) -> &'static str {
        self.account.role.parse::<Role>().map(Role::label).unwrap_or("?")
    }
}

/// `GET /admin/utilisateurs/{id}` (administrator): an account's employer and services.
pub async fn account(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<AccountPage> {
    let account = db::accounts::by_id(state.db.conn(), id).await?.ok_or(AppError::NotFound)?;
    let mine = db::backoffice::user_service_ids(state.db.conn(), id).await?;
    let services = match account.institution_id {
        Some(inst) => db::institutions::services(state.db.conn(), inst)
            .await?
            .into_iter()
            .map(|s| {
                let on = mine.contains(&s.id);
                (s, on)
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(AccountPage {
        page: Page::new(account.email.clone()).crumbs(&[("Administration", Some("/admin")), ("Compte", None)]),
        institutions: db::institutions::list(state.db.conn()).await?,
        services,
        account,
        notice: super::notice(),
    })
}

/// `POST /admin/utilisateurs/{id}/rattachement` (administrator): a recruiter's employer
/// (`employeur`) and services (`services`, several); changing the employer drops the services
/// of the former one.
pub async fn attach(
    State(state): State<AppState>,
    AdminUser(me): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let here = format!("/admin/utilisateurs/{id}");
    let form = Form::parse(&body);
    let Ok(institution_id) = form.get("employeur").parse::<i64>() else {
        return Ok(super::with_message(&here, "Choisissez l’employeur du compte."));
    };
    let services: Vec<i64> = form.all("services").iter().filter_map(|s| s.parse().ok()).collect();
    let message = match crate::services::accounts::attach(&state, &me, id, institution_id, &services).await? {
        Attachment::NotRecruiter => "Seuls les comptes recruteur sont rattachés à un employeur.".to_string(),
        Attachment::NoSuchEmployer => "Cet employeur n’existe pas.".to_string(),
        Attachment::Saved { moved: false, .. } => "Rattachement enregistré.".to_string(),
        Attachment::Saved { employer, moved: true } => {
            format!("Compte rattaché à {employer} : choisissez maintenant ses services.")
        }
    };
    Ok(super::with_message(&here, &message))
}
