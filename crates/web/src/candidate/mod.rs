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

use crate::routes::{Access::*, Routes};

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
        .post("/espace-candidat/forum/rendez-vous/{id}/annuler", Candidate, space::cancel_booking)
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
