//! Agents' sign-in with ProConnect (the protocol is in the `proconnect` crate; this module
//! decides what a verified identity may do here).
//!
//! - A recruiter or administrator account with the agent's ProConnect id, or else their
//!   address, is signed in (and remembers the id).
//! - An agent without an account is not given one: recruiter access shows candidates' data, so
//!   it stays an administrator's decision. An access request is filed for them instead, with
//!   the institution found from their employer's SIRET or their e-mail domain already chosen.
//! - A candidate account or a deactivated one is never signed in this way.
//!
//! Both routes are public and answer 404 when ProConnect is not configured.

use crate::AppState;
use crate::auth::{self, SESSION_USER};
use crate::error::{AppError, AppResult};
use crate::forms::query_param;
use crate::services::access::AgentSignIn;
use crate::widgets::MessagePage;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::email::Email;
use proconnect::{AgentIdentity, PendingSignIn};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// What the session keeps between leaving for ProConnect and coming back.
const SESSION_PENDING: &str = "proconnect_pending";
/// The ID token of a ProConnect sign-in, to sign out of ProConnect too.
pub const SESSION_ID_TOKEN: &str = "proconnect_id_token";

#[derive(Serialize, Deserialize)]
struct Pending {
    sign_in: PendingSignIn,
    next: Option<String>,
}

fn session_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("session : {e}").into())
}

fn message(status: StatusCode, heading: &str, line: String, link: (&str, &str)) -> Response {
    (status, MessagePage::new(heading, vec![line], Some(link), false)).into_response()
}

fn unavailable() -> Response {
    message(
        StatusCode::BAD_GATEWAY,
        "ProConnect est indisponible",
        "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre adresse e-mail et votre mot de passe.".into(),
        ("/connexion", "Retour à la connexion"),
    )
}

/// `GET /connexion/proconnect` (public): sends the agent to ProConnect.
pub async fn start(State(state): State<AppState>, session: Session, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let Some(pc) = state.config.proconnect.clone() else { return Err(AppError::NotFound) };
    let (url, sign_in) = match pc.start().await {
        Ok(started) => started,
        Err(e) => {
            tracing::warn!(error = %e, "ProConnect: cannot start a sign-in");
            return Ok(unavailable());
        }
    };
    let next = query_param(raw.as_deref(), "suivant").map(|n| auth::safe_next(Some(&n)));
    session.insert(SESSION_PENDING, Pending { sign_in, next }).await.map_err(session_error)?;
    Ok(Redirect::to(&url).into_response())
}

/// `GET /connexion/proconnect/retour` (public): where ProConnect sends the agent back.
pub async fn callback(State(state): State<AppState>, session: Session, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let Some(pc) = state.config.proconnect.clone() else { return Err(AppError::NotFound) };
    let restart = ("/connexion/proconnect", "Recommencer avec ProConnect");
    // Taken out at once: a code and its state are good for one try only.
    let pending: Option<Pending> = session.remove(SESSION_PENDING).await.map_err(session_error)?;
    let Some(pending) = pending else {
        return Ok(message(
            StatusCode::BAD_REQUEST,
            "Connexion expirée",
            "Cette connexion avec ProConnect n’a pas été commencée ici ou a expiré : recommencez.".into(),
            restart,
        ));
    };
    if query_param(raw.as_deref(), "error").is_some() {
        return Ok(message(
            StatusCode::OK,
            "Connexion annulée",
            "La connexion avec ProConnect n’a pas abouti : vous pouvez recommencer, ou vous connecter avec votre adresse e-mail.".into(),
            restart,
        ));
    }
    let (Some(code), Some(returned_state)) =
        (query_param(raw.as_deref(), "code"), query_param(raw.as_deref(), "state"))
    else {
        return Ok(message(
            StatusCode::BAD_REQUEST,
            "Connexion incomplète",
            "ProConnect n’a pas renvoyé les informations attendues : recommencez.".into(),
            restart,
        ));
    };
    let identity = match pc.finish(pending.sign_in, &returned_state, &code).await {
        Ok(identity) => identity,
        Err(proconnect::Error::Verification(e)) => {
            tracing::warn!(error = %e, "ProConnect: a sign-in failed verification");
            return Ok(message(
                StatusCode::BAD_REQUEST,
                "Connexion refusée",
                "La réponse de ProConnect n’a pas pu être vérifiée : par sécurité, la connexion est refusée. Recommencez depuis cette page.".into(),
                restart,
            ));
        }
        Err(e) => {
            tracing::warn!(error = %e, "ProConnect: a sign-in failed");
            return Ok(unavailable());
        }
    };
    let Ok(email) = Email::parse(&identity.email) else {
        return Ok(message(
            StatusCode::BAD_REQUEST,
            "Adresse non reconnue",
            "ProConnect a transmis une adresse e-mail inutilisable : contactez l’équipe de la plateforme.".into(),
            ("/connexion", "Retour à la connexion"),
        ));
    };
    decide(&state, &session, identity, email, pending.next).await
}

async fn decide(
    state: &AppState,
    session: &Session,
    identity: AgentIdentity,
    email: Email,
    next: Option<String>,
) -> AppResult<Response> {
    let home = ("/", "Retour à l’accueil");
    Ok(match crate::services::access::agent_sign_in(state, &identity, &email).await? {
        AgentSignIn::Deactivated => message(
            StatusCode::FORBIDDEN,
            "Compte désactivé",
            "Votre compte a été désactivé : contactez l’équipe de la plateforme si vous pensez que c’est une erreur."
                .into(),
            home,
        ),
        AgentSignIn::Candidate => message(
            StatusCode::FORBIDDEN,
            "Réservé aux recruteurs",
            format!(
                "L’adresse {email} est celle d’un compte candidat : connectez-vous avec votre mot de passe. ProConnect sert aux agents qui recrutent."
            ),
            ("/connexion", "Retour à la connexion"),
        ),
        AgentSignIn::OtherIdentity => message(
            StatusCode::FORBIDDEN,
            "Connexion refusée",
            "Ce compte est rattaché à une autre identité ProConnect : contactez l’équipe de la plateforme.".into(),
            home,
        ),
        AgentSignIn::SignedIn(u) => {
            session.cycle_id().await.map_err(session_error)?;
            session.insert(SESSION_USER, u.id).await.map_err(session_error)?;
            session.insert(SESSION_ID_TOKEN, identity.id_token).await.map_err(session_error)?;
            let to = match next {
                Some(next) => next,
                None => auth::home_of(u.role()?).to_string(),
            };
            Redirect::to(&to).into_response()
        }
        AgentSignIn::RequestPending => message(
            StatusCode::OK,
            "Demande en cours",
            format!("Votre demande d’accès recruteur est en cours d’examen ; la réponse arrivera à {email}."),
            home,
        ),
        AgentSignIn::RequestFiled(institution) => {
            let line = match &institution {
                Some(i) => format!(
                    "Vous n’avez pas encore d’accès recruteur. Votre demande pour {} est transmise à l’équipe de la plateforme, qui vous répondra à {email}.",
                    i.name
                ),
                None => format!(
                    "Vous n’avez pas encore d’accès recruteur, et votre employeur n’est pas encore connu de la plateforme. Votre demande est transmise à l’équipe, qui vous répondra à {email}."
                ),
            };
            message(StatusCode::OK, "Demande d’accès envoyée", line, home)
        }
    })
}
