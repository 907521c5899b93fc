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
use axum::Router;
use axum::routing::{get, post};
use db::ConnectionTrait;
use domain::candidate::MailMessage;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inscription", get(accounts::signup_form).post(accounts::signup))
        .route("/connexion", get(accounts::login_form).post(accounts::login))
        .route("/deconnexion", post(accounts::logout))
        .route("/verification-email/{token}", get(accounts::verify))
        .route("/verification-email", post(accounts::resend_verification))
        .route("/mot-de-passe-oublie", get(accounts::forgot_form).post(accounts::forgot))
        .route("/mot-de-passe/{token}", get(accounts::reset_form).post(accounts::reset))
        .route("/profil", get(profile::show).post(profile::save))
        .route("/profil/cv", post(profile::upload_cv))
        .route("/profil/cv/supprimer", post(profile::delete_cv))
        .route("/fichiers/{id}", get(profile::download))
        .route("/candidature/{slug}", get(apply::form).post(apply::submit))
        .route("/candidature-spontanee", get(apply::spontaneous_form).post(apply::spontaneous_submit))
        .route("/espace-candidat", get(space::home))
        .route("/espace-candidat/candidatures/{id}", get(space::application))
        .route("/espace-candidat/candidatures/{id}/retirer", post(space::withdraw))
        .route("/espace-candidat/alertes/{id}/supprimer", post(space::delete_alert))
        .route("/espace-candidat/export", get(space::export))
        .route("/espace-candidat/supprimer-mon-compte", get(space::delete_form).post(space::delete_account))
        .route("/favoris/{slug}", post(space::favourite))
        .route("/alertes", post(alerts::create))
        .route("/alertes/confirmer/{token}", get(alerts::confirm))
        .route("/alertes/desinscription/{token}", get(alerts::unsubscribe))
        .route("/alertes/reinscription/{token}", post(alerts::resubscribe))
        .route("/lettre-information", post(alerts::newsletter))
        .route("/lettre-information/confirmer/{token}", get(alerts::newsletter_confirm))
        .route("/lettre-information/desinscription/{token}", get(alerts::newsletter_unsubscribe))
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
    id: i64,
    to: domain::candidate::Stage,
    reason: Option<&str>,
) -> Result<db::applications::ApplicationView, AppError> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let view = db::applications::move_stage(&txn, id, to, reason, now).await?;
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
        let url = state.url(&format!("/espace-candidat/candidatures/{id}"));
        let msg = mail::messages::application_stage(&email, &title, to.label(), reason_label.as_deref(), &url);
        queue(&txn, state, msg).await?;
    }
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(view)
}
