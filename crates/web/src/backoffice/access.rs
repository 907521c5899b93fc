//! Recruiter access: the public request form, and the administrators' decision (an e-mail
//! either way; an approval creates the recruiter account with a one-time sign-in link).

use crate::AppState;
use crate::auth::{self, AdminUser, MaybeUser};
use crate::candidate::accounts::MessagePage;
use crate::candidate::profile::Opt;
use crate::candidate::queue;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use db::backoffice::{Audit, NewAccessRequest};
use domain::email::Email;
use domain::role::Role;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/request.html")]
pub struct RequestPage {
    page: Page,
    form: Form,
    employers: Vec<Opt>,
}

async fn employers(state: &AppState, form: &Form) -> AppResult<Vec<Opt>> {
    let mut opts: Vec<Opt> = db::institutions::list(state.db.conn())
        .await?
        .into_iter()
        .map(|i| Opt { checked: form.get("employeur") == i.id.to_string(), value: i.id.to_string(), label: i.name })
        .collect();
    opts.push(Opt {
        value: "autre".into(),
        label: "Un autre employeur (précisez)".into(),
        checked: form.get("employeur") == "autre",
    });
    Ok(opts)
}

fn request_page(error: bool) -> Page {
    Page::new(if error { "Demander un accès recruteur – erreur" } else { "Demander un accès recruteur" })
        .crumbs(&[("Demander un accès recruteur", None)])
}

/// `GET /demande-de-compte` (public).
pub async fn form(State(state): State<AppState>) -> AppResult<RequestPage> {
    let form = Form::default();
    Ok(RequestPage { page: request_page(false), employers: employers(&state, &form).await?, form })
}

/// `POST /demande-de-compte` (public).
pub async fn submit(
    State(state): State<AppState>,
    MaybeUser(_): MaybeUser,
    crate::security::ClientIp(ip): crate::security::ClientIp,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let name = form.required("nom", "votre nom et prénom", 200);
    let email = match Email::parse(form.get("email")) {
        Ok(e) => Some(e),
        Err(_) => {
            form.add_error(
                "email",
                "Saisissez votre adresse e-mail professionnelle, par exemple prenom.nom@ministere.gouv.fr.",
            );
            None
        }
    };
    let institutions = db::institutions::list(state.db.conn()).await?;
    let (institution_id, institution_name) = match form.get("employeur") {
        "autre" => (None, form.required("employeur_autre", "le nom de votre employeur", 200)),
        id => match institutions.iter().find(|i| i.id.to_string() == id) {
            Some(i) => (Some(i.id), i.name.clone()),
            None => {
                form.add_error("employeur", "Choisissez votre employeur dans la liste, ou « Un autre employeur ».");
                (None, String::new())
            }
        },
    };
    let service = form.optional("service", "le service", 200);
    let position = form.required("poste", "votre fonction", 200);
    let (Some(email), true) = (email, form.is_valid()) else {
        return Ok(
            RequestPage { page: request_page(true), employers: employers(&state, &form).await?, form }.into_response()
        );
    };
    // Each request e-mails every administrator: the same limits as every public form.
    if !crate::security::mail_admitted(&state, "acces", email.as_str(), &ip).await? {
        form.add_error("email", crate::security::TOO_MANY_MAILS);
        let page = RequestPage { page: request_page(true), employers: employers(&state, &form).await?, form };
        return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let txn = state.db.begin().await?;
    let new = NewAccessRequest { name, email: email.to_string(), institution_id, institution_name, service, position };
    file_request(&txn, &state, &new).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(MessagePage::new(
        "Demande envoyée",
        vec![format!("Votre demande est enregistrée. L’équipe de la plateforme vous répondra à {email}, que l’accès soit ouvert ou non.")],
        Some(("/", "Retour à l’accueil")),
        true,
    )
    .into_response())
}

/// Files an access request in the caller's transaction: the requester is told it is
/// recorded, every administrator that one waits.
pub(crate) async fn file_request(
    txn: &db::DatabaseTransaction,
    state: &AppState,
    new: &NewAccessRequest,
) -> AppResult<()> {
    db::backoffice::create_access_request(txn, new, state.now()).await?;
    queue(txn, state, mail::messages::access_request_received(&new.email)).await?;
    let url = state.url("/admin#demandes");
    for admin in db::users::administrators(txn).await? {
        let msg =
            mail::messages::access_request_to_decide(&admin.email, &new.name, &new.email, &new.institution_name, &url);
        queue(txn, state, msg).await?;
    }
    Ok(())
}

fn back(message: &str) -> Response {
    super::with_message("/admin#demandes", message)
}

/// `POST /admin/demandes/{id}/decision` (administrator): `decision=approuver` with
/// `employeur` (an institution id), or `decision=refuser`.
pub async fn decide(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let approve = match form.get("decision") {
        "approuver" => true,
        "refuser" => false,
        _ => return Ok(back("Choisissez d’approuver ou de refuser la demande.")),
    };
    let institution = if approve {
        let inst = db::institutions::by_ids(state.db.conn(), &[form.get("employeur").parse::<i64>().unwrap_or(-1)])
            .await?
            .pop();
        match inst {
            Some(i) => Some(i),
            None => return Ok(back("Pour approuver, choisissez l’employeur de la personne.")),
        }
    } else {
        None
    };
    let now = state.now();
    let txn = state.db.begin().await?;
    let request = match db::backoffice::decide_access_request(&txn, id, approve, admin.id, now).await {
        Ok(r) => r,
        Err(db::DbError::Conflict(c)) => return Ok(back(&crate::error::conflict_text(&c))),
        Err(e) => return Err(e.into()),
    };
    let email = Email::parse(&request.email).map_err(|_| AppError::Internal("adresse de demande invalide".into()))?;
    if let Some(inst) = &institution {
        let user = match db::users::by_email(&txn, &email).await? {
            Some(u) => {
                db::backoffice::set_role_by_id(&txn, u.id, Role::Recruiter, now).await?;
                db::backoffice::set_institution(&txn, u.id, inst.id, now).await?;
                u
            }
            None => db::users::create(&txn, &email, Role::Recruiter, Some(inst.id), now).await?,
        };
        // The service named in the request becomes the recruiter's (created if new).
        if let Some(name) = request.service.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let service = db::institutions::find_or_create_service(&txn, inst.id, None, name, None, now).await?;
            db::backoffice::set_attachment(&txn, user.id, inst.id, &[service.id], now).await?;
        }
        let token = auth::random_token()?;
        db::accounts::insert_token(&txn, user.id, db::accounts::TokenPurpose::SignIn, &token, Duration::days(7), now)
            .await?;
        let url = state.url(&format!("/connexion/lien/{token}"));
        queue(&txn, &state, mail::messages::access_approved(email.as_str(), &inst.name, &url)).await?;
    } else {
        queue(&txn, &state, mail::messages::access_refused(email.as_str())).await?;
    }
    let audit = Audit {
        actor: &admin,
        action: if approve {
            domain::audit::AuditAction::AccessApproved
        } else {
            domain::audit::AuditAction::AccessRefused
        },
        target: format!("demande {} ({})", request.id, request.email),
        before: None,
        after: institution.as_ref().map(|i| format!("recruteur·euse de {}", i.name)),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(back(if approve {
        "Demande approuvée : un lien de connexion a été envoyé."
    } else {
        "Demande refusée : la personne a été prévenue."
    }))
}
