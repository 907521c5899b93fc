//! Recruiter access: the public request form, and the administrators' decision (an e-mail
//! either way; an approval creates the recruiter account with a one-time sign-in link).

use crate::AppState;
use crate::auth::{AdminUser, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use crate::services::access::Decision;
use crate::widgets::MessagePage;
use crate::widgets::Opt;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use db::backoffice::NewAccessRequest;
use domain::email::Email;
use domain::role::AccessPurpose;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/request.html")]
pub struct RequestPage {
    page: Page,
    form: Form,
    employers: Vec<Opt>,
    /// Asked from « Vis mon job »: the page says so and the request carries it.
    host: bool,
}

/// The purpose named in the form or the address (`pour`); anything else is to recruit.
fn purpose(value: Option<&str>) -> AccessPurpose {
    value.and_then(|v| v.parse().ok()).unwrap_or(AccessPurpose::Recruiting)
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
pub async fn form(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<RequestPage> {
    let form = Form::default();
    let host = purpose(crate::forms::query_param(raw.as_deref(), "pour").as_deref()) == AccessPurpose::ImmersionHost;
    Ok(RequestPage { page: request_page(false), employers: employers(&state, &form).await?, form, host })
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
    let purpose = purpose(form.opt("pour").as_deref());
    let host = purpose == AccessPurpose::ImmersionHost;
    let (Some(email), true) = (email, form.is_valid()) else {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            RequestPage { page: request_page(true), employers: employers(&state, &form).await?, form, host },
        )
            .into_response());
    };
    // Each request e-mails every administrator: the same limits as every public form.
    if !crate::security::mail_admitted(&state, "acces", email.as_str(), &ip).await? {
        form.add_error("email", crate::security::TOO_MANY_MAILS);
        let page = RequestPage { page: request_page(true), employers: employers(&state, &form).await?, form, host };
        return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let new = NewAccessRequest {
        name,
        email: email.to_string(),
        institution_id,
        institution_name,
        service,
        position,
        purpose,
    };
    crate::services::access::request(&state, &new).await?;
    Ok(MessagePage::new(
        "Demande envoyée",
        vec![format!("Votre demande est enregistrée. L’équipe de la plateforme vous répondra à {email}, que l’accès soit ouvert ou non.")],
        Some(("/", "Retour à l’accueil")),
        true,
    )
    .into_response())
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
    let decision = if approve {
        let inst = db::institutions::by_ids(state.db.conn(), &[form.get("employeur").parse::<i64>().unwrap_or(-1)])
            .await?
            .pop();
        match inst {
            Some(i) => Decision::Approve(Box::new(i)),
            None => return Ok(back("Pour approuver, choisissez l’employeur de la personne.")),
        }
    } else {
        Decision::Refuse
    };
    match crate::services::access::decide(&state, &admin, id, decision).await {
        Ok(_) => {}
        Err(AppError::Db(db::DbError::Conflict(c))) => return Ok(back(&crate::error::conflict_text(&c))),
        Err(e) => return Err(e),
    }
    Ok(back(if approve {
        "Demande approuvée : un lien de connexion a été envoyé."
    } else {
        "Demande refusée : la personne a été prévenue."
    }))
}
