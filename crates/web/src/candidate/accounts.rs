//! Sign-up, e-mail verification, sign-in and out, forgotten password (public pages).
//!
//! No enumeration: sign-up, sign-in and the forgotten-password form answer the same way
//! whether an address has an account or not; only its owner learns it, by e-mail.

use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, query_param};
use crate::layout::{Nav, Page};
use crate::security::{self, ClientIp};
use crate::services::accounts::Reset;
use crate::widgets::{MessagePage, too_many_mails};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use db::accounts::TokenPurpose;
use domain::email::Email;
use tower_sessions::Session;

/// Failed sign-ins allowed per address, and per IP, in [`LOGIN_WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_IP: u64 = 30;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;

#[derive(Template, WebTemplate)]
#[template(path = "account/signup.html")]
pub struct SignupPage {
    page: Page,
    form: Form,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    page: Page,
    form: Form,
    next: String,
    notice: Option<&'static str>,
    /// The ProConnect button's address, when ProConnect is configured.
    proconnect: Option<String>,
}

fn proconnect_link(state: &AppState, next: &str) -> Option<String> {
    state.config.proconnect.as_ref().map(|_| {
        // Only a destination the visitor asked for; the default one is the candidate space.
        if next == auth::safe_next(None) {
            return "/connexion/proconnect".to_string();
        }
        let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        format!("/connexion/proconnect?suivant={next}")
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "account/forgot.html")]
pub struct ForgotPage {
    page: Page,
    form: Form,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/reset.html")]
pub struct ResetPage {
    page: Page,
    form: Form,
    token: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    page: Page,
    form: Form,
    /// The account has a password already: the current one is asked first.
    has_password: bool,
}

fn password_page(user: &db::entity::user::Model, form: Form, error: bool) -> PasswordPage {
    let title = if user.password_hash.is_some() { "Changer de mot de passe" } else { "Choisir un mot de passe" };
    let title = if error { format!("{title} – erreur") } else { title.to_string() };
    PasswordPage {
        page: Page::new(title.clone()).crumbs(&[(title.as_str(), None)]),
        form,
        has_password: user.password_hash.is_some(),
    }
}

/// `GET /compte/mot-de-passe` (any signed-in account): staff who came in with a one-time
/// link choose a password here; others change theirs.
pub async fn password_form(auth::SignedInUser(user): auth::SignedInUser) -> PasswordPage {
    password_page(&user, Form::default(), false)
}

/// `POST /compte/mot-de-passe` (any signed-in account): the current password (when there is
/// one), then the new one. Every other session of the account ends.
pub async fn password_change(
    State(state): State<AppState>,
    auth::SignedInUser(user): auth::SignedInUser,
    session: Session,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let current = form.all("actuel").into_iter().next().unwrap_or_default();
    let new = form.all("password").into_iter().next().unwrap_or_default();
    form.set("actuel", "");
    form.set("password", "");
    if user.password_hash.is_some() && !auth::verify_password(current, user.password_hash.clone()).await? {
        form.add_error("actuel", "Mot de passe actuel incorrect.");
    }
    if let Err(msg) = domain::candidate::check_password(&new, &user.email) {
        form.add_error("password", msg);
    }
    if !form.is_valid() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, password_page(&user, form, true)).into_response());
    }
    let hash = auth::hash_password(new).await?;
    crate::services::accounts::change_password(&state, user.id, &hash).await?;
    // This browser stays signed in, under a new session id.
    auth::sign_in(&session, user.id).await?;
    Ok(crate::flash::redirect(
        auth::home_of(user.role()?),
        "Mot de passe enregistré : utilisez-le pour vos prochaines connexions. Vos autres sessions ont été fermées.",
    ))
}

/// `GET /inscription` (public).
pub async fn signup_form(MaybeUser(user): MaybeUser) -> Response {
    if user.is_some() {
        return Redirect::to("/espace-candidat").into_response();
    }
    SignupPage { page: Page::new("Créer un compte").crumbs(&[("Créer un compte", None)]), form: Form::default() }
        .into_response()
}

/// `POST /inscription` (public).
pub async fn signup(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let email = match Email::parse(form.get("email")) {
        Ok(e) => Some(e),
        Err(_) => {
            form.add_error("email", "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.");
            None
        }
    };
    let password = form.all("password").into_iter().next().unwrap_or_default();
    if let Err(msg) = domain::candidate::check_password(&password, form.get("email")) {
        form.add_error("password", msg);
    }
    if !form.checked("cgu") {
        form.add_error("cgu", "Acceptez le traitement de vos données pour créer un compte.");
    }
    let (Some(email), true) = (email, form.is_valid()) else {
        let page = Page::new("Créer un compte – erreur").crumbs(&[("Créer un compte", None)]);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, SignupPage { page, form }).into_response());
    };
    if !security::mail_admitted(&state, "inscription", email.as_str(), &ip).await? {
        form.add_error("email", security::TOO_MANY_MAILS);
        let page = Page::new("Créer un compte – erreur").crumbs(&[("Créer un compte", None)]);
        return Ok((StatusCode::TOO_MANY_REQUESTS, SignupPage { page, form }).into_response());
    }
    let hash = auth::hash_password(password).await?;
    crate::services::accounts::sign_up(&state, &email, &hash).await?;
    Ok(MessagePage::new(
        "Vérifiez votre boîte e-mail",
        vec![
            format!("Un e-mail vient d’être envoyé à {email}. Cliquez sur le lien qu’il contient pour confirmer votre adresse (il est valable 48 heures)."),
            "Vous n’avez rien reçu ? Regardez dans les courriers indésirables, ou recommencez dans quelques minutes.".into(),
        ],
        Some(("/connexion", "Se connecter")),
        true,
    )
    .into_response())
}

/// `GET /verification-email/{token}` (public: the link sent by e-mail).
pub async fn verify(State(state): State<AppState>, session: Session, Path(token): Path<String>) -> AppResult<Response> {
    let user = crate::services::accounts::verify_email(&state, &token).await?;
    let Some(user) = user.filter(|u| u.active) else {
        return Ok(MessagePage::new(
            "Lien expiré ou déjà utilisé",
            vec!["Ce lien de confirmation n’est plus valable. Connectez-vous : votre espace propose d’en recevoir un nouveau.".into()],
            Some(("/connexion", "Se connecter")),
            false,
        )
        .into_response());
    };
    // The link came to the address's own mailbox: following it signs the person in, as the
    // one-time sign-in link does (a new session id: nothing planted before is reused).
    auth::sign_in(&session, user.id).await?;
    Ok(crate::flash::redirect(
        auth::home_of(user.role()?),
        "Merci, votre adresse est confirmée et vous êtes connecté·e : vous pouvez maintenant candidater.",
    ))
}

/// `POST /verification-email` (signed-in user whose address is not yet confirmed).
pub async fn resend_verification(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    ClientIp(ip): ClientIp,
) -> AppResult<Response> {
    let Some(user) = user else { return Ok(Redirect::to("/connexion").into_response()) };
    if user.email_verified_at.is_none() {
        if !security::mail_admitted(&state, "verification", &user.email, &ip).await? {
            return Ok(too_many_mails(("/espace-candidat", "Retour à mon espace")));
        }
        crate::services::accounts::resend_verification(&state, &user).await?;
    }
    Ok(MessagePage::new(
        "Vérifiez votre boîte e-mail",
        vec![format!("Un nouveau lien de confirmation a été envoyé à {}.", user.email)],
        Some(("/espace-candidat", "Retour à mon espace")),
        true,
    )
    .into_response())
}

/// `GET /connexion` (public).
pub async fn login_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    RawQuery(raw): RawQuery,
) -> Response {
    let next = auth::safe_next(query_param(raw.as_deref(), "suivant").as_deref());
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let notice = query_param(raw.as_deref(), "suivant")
        .is_some()
        .then_some("Connectez-vous pour continuer : vous reviendrez ensuite à la page demandée.");
    let proconnect = proconnect_link(&state, &next);
    LoginPage { page: login_page("Se connecter"), form: Form::default(), next, notice, proconnect }.into_response()
}

fn login_page(title: &str) -> Page {
    Page::new(title).crumbs(&[("Se connecter", None)])
}

/// `POST /connexion` (public). Failures are counted per address and per IP in the database,
/// so the limits hold across instances.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let next = auth::safe_next(form.opt("suivant").as_deref());
    let email_key = domain::text::fold(form.get("email")).trim().to_string();
    let password = form.all("password").into_iter().next().unwrap_or_default();
    let now = state.now();
    let since = now - Duration::minutes(LOGIN_WINDOW_MINUTES);
    let fail = |mut form: Form, msg: &str| {
        form.set("password", "");
        form.add_error("email", msg.to_string());
        let proconnect = proconnect_link(&state, &next);
        LoginPage { page: login_page("Se connecter – erreur"), form, next: next.clone(), notice: None, proconnect }
            .into_response()
    };
    // The attempt is counted before the password is checked: parallel guesses cannot all
    // pass a count read before any of them was written.
    let limits = (MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP);
    if db::accounts::reserve_login_attempt(state.db.conn(), &email_key, &ip, since, limits, now).await?.is_none() {
        return Ok(fail(
            form,
            "Trop de tentatives de connexion : pour protéger ce compte, réessayez dans 15 minutes, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ».",
        ));
    }
    let user = match Email::parse(form.get("email")) {
        Ok(email) => db::users::by_email(state.db.conn(), &email).await?,
        Err(_) => None,
    };
    let ok = auth::verify_password(password, user.as_ref().and_then(|u| u.password_hash.clone())).await?;
    let user = user.filter(|u| ok && u.active);
    let Some(user) = user else {
        // The reservation stays: it is this failure.
        return Ok(fail(form, "Adresse e-mail ou mot de passe incorrect."));
    };
    db::accounts::clear_failures(state.db.conn(), &email_key).await?;
    db::accounts::touch_login(state.db.conn(), user.id, now).await?;
    // A new id at sign-in: a session id planted before cannot be reused (fixation).
    auth::sign_in(&session, user.id).await?;
    // The default destination is the candidate space; staff go to their own home instead.
    let next = if next == auth::safe_next(None) { auth::home_of(user.role()?).to_string() } else { next };
    Ok(Redirect::to(&next).into_response())
}

/// `POST /deconnexion` (anyone; ends the session if there is one). After a ProConnect
/// sign-in, the page offers to sign out of ProConnect too: a link, because the CSP's
/// `form-action 'self'` rightly stops a form from redirecting to another site.
pub async fn logout(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    let id_token: Option<String> =
        session.get(crate::agent_signin::SESSION_ID_TOKEN).await.map_err(|e| AppError::Internal(e.into()))?;
    session.flush().await.map_err(|e| AppError::Internal(e.into()))?;
    let mut lines = vec!["À bientôt sur Métiers du numérique.".to_string()];
    let mut link = ("/".to_string(), "Retour à l’accueil".to_string());
    if let (Some(token), Some(pc)) = (id_token, state.config.proconnect.as_ref())
        && let Some(url) = pc.logout_url(&token).await
    {
        lines.push("Votre session ProConnect reste ouverte sur cet appareil tant que vous ne la fermez pas.".into());
        link = (url, "Me déconnecter aussi de ProConnect".into());
    }
    let mut page = MessagePage::new("Vous êtes déconnecté·e", lines, None, true);
    page.link = Some(link);
    // The header was read before the session ended: it must not show the account any more.
    page.page.account = None;
    Ok(page.into_response())
}

/// `GET /mot-de-passe-oublie` (public).
pub async fn forgot_form() -> ForgotPage {
    ForgotPage {
        page: Page::new("Mot de passe oublié")
            .crumbs(&[("Se connecter", Some("/connexion")), ("Mot de passe oublié", None)]),
        form: Form::default(),
    }
}

/// `POST /mot-de-passe-oublie` (public): the same answer for any address.
pub async fn forgot(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let error_page = |form: Form| {
        let page = Page::new("Mot de passe oublié – erreur")
            .crumbs(&[("Se connecter", Some("/connexion")), ("Mot de passe oublié", None)]);
        ForgotPage { page, form }
    };
    let Ok(email) = Email::parse(form.get("email")) else {
        form.add_error("email", "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.");
        return Ok(error_page(form).into_response());
    };
    // Counted for any address, known or not, so the limit says nothing about accounts.
    if !security::mail_admitted(&state, "mot-de-passe", email.as_str(), &ip).await? {
        form.add_error("email", security::TOO_MANY_MAILS);
        return Ok((StatusCode::TOO_MANY_REQUESTS, error_page(form)).into_response());
    }
    crate::services::accounts::forgot_password(&state, &email).await?;
    Ok(MessagePage::new(
        "Vérifiez votre boîte e-mail",
        vec![format!("Si un compte existe pour {email}, un e-mail contenant un lien pour choisir un nouveau mot de passe vient de lui être envoyé. Ce lien est valable une heure.")],
        Some(("/connexion", "Retour à la connexion")),
        true,
    )
    .into_response())
}

fn expired_link() -> Response {
    MessagePage::new(
        "Lien expiré ou déjà utilisé",
        vec!["Ce lien n’est plus valable. Demandez-en un nouveau.".into()],
        Some(("/mot-de-passe-oublie", "Demander un nouveau lien")),
        false,
    )
    .into_response()
}

/// `GET /mot-de-passe/{token}` (public: the link sent by e-mail).
pub async fn reset_form(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    if !db::accounts::token_is_valid(state.db.conn(), TokenPurpose::ResetPassword, &token, state.now()).await? {
        return Ok(expired_link());
    }
    let page = Page::new("Nouveau mot de passe").crumbs(&[("Nouveau mot de passe", None)]);
    Ok(ResetPage { page, form: Form::default(), token }.into_response())
}

/// `POST /mot-de-passe/{token}` (public): sets the password, signs out every session.
pub async fn reset(State(state): State<AppState>, Path(token): Path<String>, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let password = form.all("password").into_iter().next().unwrap_or_default();
    match crate::services::accounts::reset_password(&state, &token, password).await? {
        Reset::Done => {}
        Reset::Expired => return Ok(expired_link()),
        Reset::Weak(msg) => {
            form.add_error("password", msg);
            let page = Page::new("Nouveau mot de passe – erreur").crumbs(&[("Nouveau mot de passe", None)]);
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, ResetPage { page, form, token }).into_response());
        }
    }
    Ok(MessagePage::new(
        "Mot de passe modifié",
        vec!["Votre nouveau mot de passe est enregistré. Par sécurité, toutes vos sessions ont été fermées.".into()],
        Some(("/connexion", "Se connecter")),
        true,
    )
    .into_response())
}

/// Nav entry for candidate pages.
pub fn candidate_page(title: &str, trail: &[(&str, Option<&str>)]) -> Page {
    Page::new(title).nav(Nav::Candidate).crumbs(trail)
}

/// `GET /connexion/lien/{token}` (public: the one-time link `metiers user add` prints, valid
/// 24 hours): signs in, confirms the address, and goes to the account's home.
pub async fn signin_link(
    State(state): State<AppState>,
    session: Session,
    Path(token): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let user = crate::services::accounts::use_sign_in_link(&state, &token).await?;
    let Some(user) = user else {
        return Ok(MessagePage::new(
            "Lien expiré ou déjà utilisé",
            vec![
                "Ce lien de connexion n’est plus valable : demandez-en un nouveau à l’équipe de la plateforme.".into(),
            ],
            Some(("/connexion", "Se connecter")),
            false,
        )
        .into_response());
    };
    auth::sign_in(&session, user.id).await?;
    // `suivant` (an approval for « Vis mon job »), a path of this site only.
    let next = query_param(raw.as_deref(), "suivant").as_deref().and_then(auth::local_path);
    Ok(Redirect::to(next.as_deref().unwrap_or(auth::home_of(user.role()?))).into_response())
}
