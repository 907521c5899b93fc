//! The candidate side: accounts, profile and CV, applying, the candidate space, favourites,
//! alerts and the newsletter, personal data.
//!
//! Who may use what: the account pages (`/inscription`, `/connexion`, `/mot-de-passe-oublie`,
//! the links sent by e-mail), alerts and the newsletter are public; everything under
//! `/profil`, `/espace-candidat`, `/candidature…` (except following an external link) and
//! `/favoris` needs a signed-in candidate ([`crate::auth::CandidateUser`]), and only ever reads
//! that candidate's own rows.

pub mod accounts;
pub mod alerts;
pub mod apply;
pub mod profile;
pub mod space;

use crate::AppState;
use crate::error::AppError;
use crate::routes::{Access::*, Routes};
use db::ConnectionTrait;
use domain::candidate::MailMessage;

pub fn routes() -> Routes {
    Routes::new()
        .get("/inscription", Public, accounts::signup_form)
        .post("/inscription", Public, accounts::signup)
        .get("/connexion", Public, accounts::login_form)
        .post("/connexion", Public, accounts::login)
        .get("/connexion/lien/{token}", Public, accounts::signin_link)
        .get("/connexion/proconnect", Public, crate::agent_signin::start)
        .get("/connexion/proconnect/retour", Public, crate::agent_signin::callback)
        .post("/deconnexion", Public, accounts::logout)
        .get("/verification-email/{token}", Public, accounts::verify)
        .post("/verification-email", SignedIn, accounts::resend_verification)
        .get("/compte/mot-de-passe", SignedIn, accounts::password_form)
        .post("/compte/mot-de-passe", SignedIn, accounts::password_change)
        .get("/mot-de-passe-oublie", Public, accounts::forgot_form)
        .post("/mot-de-passe-oublie", Public, accounts::forgot)
        .get("/mot-de-passe/{token}", Public, accounts::reset_form)
        .post("/mot-de-passe/{token}", Public, accounts::reset)
        .get("/profil", Candidate, profile::show)
        .post("/profil", Candidate, profile::save)
        .post("/profil/cv", Candidate, profile::upload_cv)
        .post("/profil/cv/supprimer", Candidate, profile::delete_cv)
        .get("/fichiers/{id}", FileReaders, profile::download)
        // Anyone is sent on to an offer's external application site; otherwise candidates only.
        .get("/candidature/{slug}", Candidate, apply::form)
        .post("/candidature/{slug}", Candidate, apply::submit)
        .get("/candidature-spontanee", Candidate, apply::spontaneous_form)
        .post("/candidature-spontanee", Candidate, apply::spontaneous_submit)
        .get("/espace-candidat", Candidate, space::home)
        .get("/espace-candidat/candidatures/{id}", Candidate, space::application)
        .post("/espace-candidat/candidatures/{id}/retirer", Candidate, space::withdraw)
        .post("/espace-candidat/alertes/{id}/supprimer", Candidate, space::delete_alert)
        .get("/espace-candidat/export", Candidate, space::export)
        .get("/espace-candidat/supprimer-mon-compte", Candidate, space::delete_form)
        .post("/espace-candidat/supprimer-mon-compte", Candidate, space::delete_account)
        .post("/favoris/{slug}", Candidate, space::favourite)
        .post("/alertes", Public, alerts::create)
        .get("/alertes/confirmer/{token}", Public, alerts::confirm)
        .get("/alertes/desinscription/{token}", Public, alerts::unsubscribe)
        // The one-click unsubscribe of mail clients (RFC 8058 `List-Unsubscribe-Post`).
        .post("/alertes/desinscription/{token}", Public, alerts::unsubscribe)
        .post("/alertes/reinscription/{token}", Public, alerts::resubscribe)
        .post("/lettre-information", Public, alerts::newsletter)
        .get("/lettre-information/confirmer/{token}", Public, alerts::newsletter_confirm)
        .get("/lettre-information/desinscription/{token}", Public, alerts::newsletter_unsubscribe)
        .post("/lettre-information/desinscription/{token}", Public, alerts::newsletter_unsubscribe)
        // Uploads are read up to the CV limit and the rest is drained, so a 6 MB file gets its
        // French message rather than a bare 413; the global layer still caps bodies at 12 MB.
        .layer(axum::extract::DefaultBodyLimit::max(12 * 1024 * 1024))
}

/// Queues an e-mail in the caller's transaction.
pub(crate) async fn queue(conn: &impl ConnectionTrait, state: &AppState, msg: MailMessage) -> Result<(), AppError> {
    db::outbox::enqueue(conn, &msg, state.now()).await?;
    Ok(())
}

/// Moves an application to another stage and e-mails the candidate, in one transaction (the
/// recruiters' pipeline calls this). Anonymised applications move without an e-mail.
pub async fn move_application(
    state: &AppState,
    actor: Option<&db::entity::user::Model>,
    id: i64,
    to: domain::candidate::Stage,
    reason: Option<&str>,
) -> Result<db::applications::ApplicationView, AppError> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let before = db::applications::get(&txn, id).await?.application.stage;
    let view = db::applications::move_stage(&txn, id, to, reason, now).await?;
    if let Some(actor) = actor {
        let audit = db::backoffice::Audit {
            actor,
            action: domain::audit::AuditAction::ApplicationStage,
            target: format!("candidature {id}"),
            before: Some(before),
            after: Some(match reason {
                Some(r) => format!("{} ({r})", to.code()),
                None => to.code().to_string(),
            }),
        };
        db::backoffice::audit(&txn, audit, now).await?;
    }
    if let Some(email) = view.application.candidate_email.clone() {
        let reason_label = match &view.application.refusal_reason {
            Some(code) => {
                db::applications::refusal_reasons(&txn).await?.into_iter().find(|r| &r.code == code).map(|r| r.label)
            }
            None => None,
        };
        let title = match (&view.offer, &view.institution) {
            (Some(o), _) => o.title.clone(),
            (None, Some(i)) => format!("candidature spontanée ({})", i.name),
            (None, None) => "candidature spontanée".to_string(),
        };
        let employer = view.institution.as_ref().map(|i| i.name.clone()).unwrap_or_else(|| "l’employeur".into());
        let (template, _) = db::mail_templates::in_force(&txn, to).await?;
        let values = domain::mail_template::Values {
            offer: &title,
            employer: &employer,
            stage: to.label(),
            reason: reason_label.as_deref().unwrap_or_default(),
        };
        let (subject, paragraphs) = domain::mail_template::fill(&template, &values);
        let url = state.url(&format!("/espace-candidat/candidatures/{id}"));
        let msg = mail::messages::application_stage(&email, &subject, paragraphs, &url);
        queue(&txn, state, msg).await?;
    }
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(view)
}
