//! Recruiter access: requests (from the public form or a ProConnect sign-in without an
//! account), the administrators' decision, and agents signing in with ProConnect.

use super::Tx;
use crate::AppState;
use crate::error::{AppError, AppResult};
use chrono::Duration;
use db::backoffice::NewAccessRequest;
use db::entity::{access_request, institution, user};
use domain::audit::AuditAction;
use domain::email::Email;
use domain::role::{AccessPurpose, Role};

/// Files an access request: the requester is told it is recorded, every administrator that
/// one waits.
async fn file(tx: &Tx<'_>, new: &NewAccessRequest) -> AppResult<()> {
    db::backoffice::create_access_request(tx.conn(), new, tx.now()).await?;
    tx.mail(mail::messages::access_request_received(&new.email)).await?;
    let url = tx.state().url("/admin#demandes");
    for admin in db::users::administrators(tx.conn()).await? {
        let msg =
            mail::messages::access_request_to_decide(&admin.email, &new.name, &new.email, &new.institution_name, &url);
        tx.mail(msg).await?;
    }
    Ok(())
}

/// `/demande-de-compte`: a request typed in the public form.
pub async fn request(state: &AppState, new: &NewAccessRequest) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    file(&tx, new).await?;
    tx.commit().await
}

/// What an administrator decides on a request.
#[derive(Debug)]
pub enum Decision {
    /// The person becomes a recruiter of this employer.
    Approve(Box<institution::Model>),
    Refuse,
}

/// Decides a request once: an approval makes (or turns) the account into a recruiter's of the
/// employer, with the service named in the request, and e-mails a one-time sign-in link; a
/// refusal e-mails the person. A request already decided is `Conflict::AlreadyDecided`.
pub async fn decide(
    state: &AppState,
    admin: &user::Model,
    id: i64,
    decision: Decision,
) -> AppResult<access_request::Model> {
    let tx = Tx::by(state, admin).await?;
    let now = tx.now();
    let approve = matches!(decision, Decision::Approve(_));
    let request = db::backoffice::decide_access_request(tx.conn(), id, approve, admin.id, now).await?;
    let email = Email::parse(&request.email).map_err(|_| AppError::Internal("adresse de demande invalide".into()))?;
    let after = match &decision {
        Decision::Approve(inst) => {
            let user = match db::users::by_email(tx.conn(), &email).await? {
                Some(u) => {
                    db::backoffice::set_role_by_id(tx.conn(), u.id, Role::Recruiter, now).await?;
                    db::backoffice::set_institution(tx.conn(), u.id, inst.id, now).await?;
                    u
                }
                None => db::users::create(tx.conn(), &email, Role::Recruiter, Some(inst.id), now).await?,
            };
            // The service named in the request becomes the recruiter's (created if new).
            if let Some(name) = request.service.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                let service =
                    db::institutions::find_or_create_service(tx.conn(), inst.id, None, name, None, now).await?;
                db::backoffice::set_attachment(tx.conn(), user.id, inst.id, &[service.id], now).await?;
            }
            let token = crate::auth::random_token()?;
            db::accounts::insert_token(
                tx.conn(),
                user.id,
                db::accounts::TokenPurpose::SignIn,
                &token,
                Duration::days(7),
                now,
            )
            .await?;
            let msg = match db::backoffice::purpose_of(&request) {
                AccessPurpose::Recruiting => {
                    let url = state.url(&format!("/connexion/lien/{token}"));
                    mail::messages::access_approved(email.as_str(), &inst.name, &url)
                }
                AccessPurpose::ImmersionHost => {
                    let home: String =
                        form_urlencoded::byte_serialize(AccessPurpose::ImmersionHost.home().as_bytes()).collect();
                    let url = state.url(&format!("/connexion/lien/{token}?suivant={home}"));
                    mail::messages::immersion_host_approved(email.as_str(), &inst.name, &url)
                }
            };
            tx.mail(msg).await?;
            Some(format!("recruteur·euse de {}", inst.name))
        }
        Decision::Refuse => {
            tx.mail(mail::messages::access_refused(email.as_str())).await?;
            None
        }
    };
    let action = if approve { AuditAction::AccessApproved } else { AuditAction::AccessRefused };
    tx.audit(action, format!("demande {} ({})", request.id, request.email), None, after).await?;
    tx.commit().await?;
    Ok(request)
}

/// What became of an agent who signed in with ProConnect.
#[derive(Debug)]
pub enum AgentSignIn {
    /// Their account exists and may sign in (linked to the identity on its first use).
    SignedIn(user::Model),
    Deactivated,
    /// The address is a candidate's account: ProConnect is for agents.
    Candidate,
    /// The account is bound to another ProConnect identity: never sign in on the address alone.
    OtherIdentity,
    /// No account, and a request is already waiting.
    RequestPending,
    /// No account: a request was filed, for the employer their SIRET or e-mail domain maps to.
    RequestFiled(Option<institution::Model>),
}

/// Signs in a verified ProConnect identity, or files an access request for it.
pub async fn agent_sign_in(
    state: &AppState,
    identity: &proconnect::AgentIdentity,
    email: &Email,
) -> AppResult<AgentSignIn> {
    let tx = Tx::begin(state).await?;
    let now = tx.now();
    let user = match db::users::by_proconnect_sub(tx.conn(), &identity.subject).await? {
        Some(u) => Some(u),
        None => db::users::by_email(tx.conn(), email).await?,
    };
    let outcome = match user {
        Some(u) if !u.active => AgentSignIn::Deactivated,
        Some(u) if u.role()? == Role::Candidate => AgentSignIn::Candidate,
        Some(u) if u.proconnect_sub.as_deref().is_some_and(|s| s != identity.subject) => AgentSignIn::OtherIdentity,
        Some(u) => {
            if u.proconnect_sub.is_none() {
                db::users::link_proconnect(tx.conn(), u.id, &identity.subject, now).await?;
                let entry = db::backoffice::Audit {
                    actor: &u,
                    action: AuditAction::AccountProConnect,
                    target: format!("compte {}", u.email),
                    before: None,
                    after: Some(format!("identité ProConnect {}", identity.subject)),
                };
                db::backoffice::audit(tx.conn(), entry, now).await?;
            }
            db::accounts::mark_verified(tx.conn(), u.id, now).await?;
            db::accounts::touch_login(tx.conn(), u.id, now).await?;
            AgentSignIn::SignedIn(u)
        }
        None if db::backoffice::pending_access_request_of(tx.conn(), email.as_str()).await?.is_some() => {
            AgentSignIn::RequestPending
        }
        None => {
            let institution = db::institutions::for_agent(tx.conn(), identity.siret.as_deref(), email).await?;
            let name = format!("{} {}", identity.given_name.trim(), identity.usual_name.trim()).trim().to_string();
            let new = NewAccessRequest {
                name: if name.is_empty() { email.to_string() } else { name },
                email: email.to_string(),
                institution_id: institution.as_ref().map(|i| i.id),
                institution_name: match (&institution, &identity.siret) {
                    (Some(i), _) => i.name.clone(),
                    (None, Some(siret)) => format!("Employeur non reconnu (SIRET {siret})"),
                    (None, None) => "Employeur non reconnu".into(),
                },
                service: None,
                position: "Agent connecté avec ProConnect".into(),
                purpose: domain::role::AccessPurpose::Recruiting,
            };
            file(&tx, &new).await?;
            AgentSignIn::RequestFiled(institution)
        }
    };
    tx.commit().await?;
    Ok(outcome)
}
