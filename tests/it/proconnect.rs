//! Agents' sign-in with ProConnect, against a real OpenID Connect provider (npm
//! `oidc-provider`, started by the test with `scripts/oidc_provider.mjs`): discovery, the code
//! flow with PKCE, nonce and state, an RS256 ID token and userinfo as a signed JWT. The test
//! plays the browser: it follows the redirects, fills the provider's login form, and brings
//! the code back to the real router.

use crate::support::{TestApp, TestDb, db_test, today};
use axum::http::StatusCode;
use domain::email::Email;
use domain::role::Role;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

const PUBLIC_URL: &str = "http://127.0.0.1:8080";
const CLIENT_ID: &str = "metiers-du-numerique";
const CLIENT_SECRET: &str = "un-secret-de-test-assez-long";
/// The provider's fixed accounts (scripts/oidc_provider.mjs).
const AGENT_A: &str = "agent.a@numerique.gouv.fr";
const SIRET_A: &str = "13002526500013";
const AGENT_B: &str = "agent.b@interieur.gouv.fr";
const INCONNU: &str = "inconnu@exemple.gouv.fr";

struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    fn start() -> Self {
        let mut child = Command::new("node")
            .arg("scripts/oidc_provider.mjs")
            .env("OIDC_PORT", "0")
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", format!("{PUBLIC_URL}/connexion/proconnect/retour"))
            .env("OIDC_POST_LOGOUT_REDIRECT_URIS", format!("{PUBLIC_URL}/"))
            // Another establishment of A's legal unit (same SIREN, another SIRET).
            .env(
                "OIDC_ACCOUNTS",
                r#"{"agent.c@region.fr": {"given_name": "Chloé", "usual_name": "Cadet", "siret": "13002526500021"}}"#,
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node scripts/oidc_provider.mjs (Node.js and `npm ci` are needed)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("the provider's first line");
        let issuer =
            line.trim().strip_prefix("OIDC_ISSUER=").unwrap_or_else(|| panic!("unexpected: {line}")).to_string();
        Self { child, issuer }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn settings(issuer: &str) -> proconnect::Settings {
    proconnect::Settings {
        issuer: issuer.to_string(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_url: format!("{PUBLIC_URL}/connexion/proconnect/retour"),
        post_logout_url: format!("{PUBLIC_URL}/"),
    }
}

async fn app_with(db: &TestDb, issuer: &str) -> TestApp {
    let mut config = web::WebConfig::new(PUBLIC_URL);
    config.proconnect = Some(Arc::new(proconnect::ProConnect::new(settings(issuer)).expect("settings")));
    TestApp::with_config(db, today(), config).await
}

async fn send(app: &TestApp, cookie: &str, method: &str, uri: &str, body: &str) -> crate::support::Response {
    app.send(cookie, method, uri, body).await
}

fn cookie_of(res: &crate::support::Response) -> Option<String> {
    res.cookie()
}

/// The browser's side at the provider: its own cookies, no automatic redirects.
struct Browser {
    http: reqwest::Client,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { http, cookies: Vec::new() }
    }

    fn remember(&mut self, res: &reqwest::Response) {
        for value in res.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap_or_default().split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
    }

    fn header(&self) -> String {
        self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// Sends a request and returns the redirect's target (absolute).
    async fn redirect(&mut self, req: reqwest::RequestBuilder, base: &str) -> String {
        let res = req.header("cookie", self.header()).send().await.expect("provider");
        self.remember(&res);
        assert!(res.status().is_redirection(), "expected a redirect, got {}", res.status());
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_string();
        if location.starts_with('/') { format!("{base}{location}") } else { location }
    }
}

/// Starts the sign-in on the site, signs in at the provider as `login`, and brings the code
/// back: the site's answer and its session cookie.
async fn sign_in(app: &TestApp, issuer: &str, login: &str) -> (crate::support::Response, String) {
    let start = app.get("/connexion/proconnect").await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let cookie = cookie_of(&start).expect("a session for the pending sign-in");
    let authorize = start.header("location").to_string();
    assert!(authorize.starts_with(issuer), "{authorize}");
    for expected in ["code_challenge_method=S256", "nonce=", "state=", "siret", "usual_name"] {
        assert!(authorize.contains(expected), "{expected} in {authorize}");
    }
    let mut browser = Browser::new();
    let interaction = browser.redirect(browser.http.get(&authorize), issuer).await;
    let form = browser.http.get(&interaction).header("cookie", browser.header()).send().await.expect("form");
    let html = form.text().await.expect("form html");
    assert!(html.contains("name=\"login\""), "{html}");
    let login_body = format!("login={}&password=peu-importe", login.replace('@', "%40"));
    let resume = browser
        .redirect(
            browser
                .http
                .post(format!("{interaction}/login"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(login_body),
            issuer,
        )
        .await;
    let back = browser.redirect(browser.http.get(&resume), issuer).await;
    let local = back.strip_prefix(PUBLIC_URL).unwrap_or_else(|| panic!("back to the site: {back}"));
    assert!(local.starts_with("/connexion/proconnect/retour?"), "{local}");
    let res = send(app, &cookie, "GET", local, "").await;
    let cookie = cookie_of(&res).unwrap_or(cookie);
    (res, cookie)
}

/// Creates an administrator and signs them in with a one-time link.
async fn admin(app: &TestApp, db: &TestDb) -> String {
    let email = Email::parse("admin@exemple.fr").expect("email");
    let u = db::users::create(db.conn(), &email, Role::Administrator, None, today()).await.expect("user");
    db::accounts::insert_token(
        db.conn(),
        u.id,
        db::accounts::TokenPurpose::SignIn,
        "jeton-admin",
        chrono::Duration::hours(1),
        today(),
    )
    .await
    .expect("token");
    let res = app.get("/connexion/lien/jeton-admin").await;
    cookie_of(&res).expect("admin session")
}

db_test!(agents_sign_in_with_proconnect_and_are_mapped_to_their_institution, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let provider = Provider::start();
    let app = app_with(&db, &provider.issuer).await;
    let institutions = db::institutions::list(db.conn()).await.expect("institutions");
    let (inst_a, inst_b) = (&institutions[0], &institutions[1]);
    let admin = admin(&app, &db).await;

    // The login page offers ProConnect.
    let login = app.get("/connexion").await;
    assert!(login.body.contains("fr-connect--pro") && login.body.contains("href=\"/connexion/proconnect\""));

    // Administrators map A by its SIRET and B by an e-mail domain (typed with mistakes first).
    let res = send(&app, &admin, "POST", &format!("/admin/employeurs/{}", inst_a.id), "nom=&siret=123").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Le SIRET compte 14 chiffres") && res.body.contains("Renseignez le nom"), "{}", res.body);
    let body = format!("nom={}&siret=130+025+265+00013", inst_a.name.replace(' ', "+").replace('’', "%E2%80%99"));
    let res = send(&app, &admin, "POST", &format!("/admin/employeurs/{}", inst_a.id), &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(db::institutions::by_id(db.conn(), inst_a.id).await.expect("a").siret.as_deref(), Some(SIRET_A));
    let res =
        send(&app, &admin, "POST", &format!("/admin/employeurs/{}/domaines", inst_b.id), "domaine=pas+un+domaine")
            .await;
    // A refused domain comes back in its field with the reason beside it.
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Saisissez un nom de domaine") && res.body.contains("value=\"pas un domaine\""));
    assert!(res.body.contains("aria-invalid=\"true\" aria-describedby=\"domaine-erreur\""));
    send(&app, &admin, "POST", &format!("/admin/employeurs/{}/domaines", inst_b.id), "domaine=%40Interieur.gouv.fr")
        .await;
    assert_eq!(db::institutions::email_domains(db.conn(), inst_b.id).await.expect("d"), ["interieur.gouv.fr"]);
    // A domain belongs to one employer.
    let res =
        send(&app, &admin, "POST", &format!("/admin/employeurs/{}/domaines", inst_a.id), "domaine=interieur.gouv.fr")
            .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("déjà rattaché"), "{}", res.body);

    // Agent A has no account: an access request for A's institution, found by the SIRET.
    let (res, _) = sign_in(&app, &provider.issuer, AGENT_A).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("Demande d’accès envoyée") && res.body.contains(&inst_a.name), "{}", res.body);
    assert!(db::users::by_email(db.conn(), &Email::parse(AGENT_A).expect("e")).await.expect("db").is_none());
    let pending = db::backoffice::pending_access_request_of(db.conn(), AGENT_A).await.expect("db").expect("request");
    assert_eq!((pending.name.as_str(), pending.institution_id), ("Alice Agent", Some(inst_a.id)));
    let (res, _) = sign_in(&app, &provider.issuer, AGENT_A).await;
    assert!(res.body.contains("Demande en cours"), "asked once: {}", res.body);

    // Agent B: mapped by the domain of the address (the SIRET is unknown).
    let (res, _) = sign_in(&app, &provider.issuer, AGENT_B).await;
    assert!(res.body.contains(&inst_b.name), "{}", res.body);
    let request_b = db::backoffice::pending_access_request_of(db.conn(), AGENT_B).await.expect("db").expect("b");
    assert_eq!(request_b.institution_id, Some(inst_b.id));

    // Agent C: another establishment of A's legal unit, mapped by the SIREN.
    let (res, _) = sign_in(&app, &provider.issuer, "agent.c@region.fr").await;
    assert!(res.body.contains(&inst_a.name), "{}", res.body);
    let request_c =
        db::backoffice::pending_access_request_of(db.conn(), "agent.c@region.fr").await.expect("db").expect("c");
    assert_eq!((request_c.name.as_str(), request_c.institution_id), ("Chloé Cadet", Some(inst_a.id)));

    // Approved, agent A signs in with ProConnect, lands in the recruiter space, and the
    // account remembers the ProConnect id.
    let res = send(
        &app,
        &admin,
        "POST",
        &format!("/admin/demandes/{}/decision", pending.id),
        &format!("decision=approuver&employeur={}", inst_a.id),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let (res, cookie) = sign_in(&app, &provider.issuer, AGENT_A).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/recruteur");
    let home = send(&app, &cookie, "GET", "/recruteur", "").await;
    assert_eq!(home.status, StatusCode::OK);
    let user = db::users::by_email(db.conn(), &Email::parse(AGENT_A).expect("e")).await.expect("db").expect("a");
    assert!(user.proconnect_sub.as_deref().is_some_and(|s| s.len() == 64), "{:?}", user.proconnect_sub);
    assert!(user.email_verified_at.is_some());
    let log = db::backoffice::audit_log(db.conn(), 20).await.expect("log");
    assert!(log.iter().any(|e| e.action == "compte.proconnect_rattache" && e.actor_email == AGENT_A));

    // Signing out offers to close the ProConnect session too, with the ID token as a hint.
    let bye = send(&app, &cookie, "POST", "/deconnexion", "").await;
    assert!(bye.body.contains("Me déconnecter aussi de ProConnect"), "{}", bye.body);
    assert!(bye.body.contains(&format!("{}/session/end?", provider.issuer)) && bye.body.contains("id_token_hint="));
    assert_eq!(send(&app, &cookie, "GET", "/recruteur", "").await.status, StatusCode::SEE_OTHER, "signed out");

    // A deactivated account is not signed in.
    db::backoffice::set_active(db.conn(), user.id, false, today()).await.expect("deactivate");
    let (res, cookie) = sign_in(&app, &provider.issuer, AGENT_A).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("Compte désactivé"));
    assert_eq!(send(&app, &cookie, "GET", "/recruteur", "").await.status, StatusCode::SEE_OTHER);

    // A candidate's address never becomes a back-office session.
    db::accounts::create_candidate(db.conn(), &Email::parse(INCONNU).expect("e"), "x", today()).await.expect("c");
    let (res, cookie) = sign_in(&app, &provider.issuer, INCONNU).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("Réservé aux recruteurs"));
    assert_eq!(send(&app, &cookie, "GET", "/espace-candidat", "").await.status, StatusCode::SEE_OTHER);
});

db_test!(proconnect_answers_that_do_not_belong_to_the_sign_in_are_refused, |db| {
    let provider = Provider::start();
    let app = app_with(&db, &provider.issuer).await;

    // Coming back without having left from here.
    let res = app.get("/connexion/proconnect/retour?code=abc&state=def").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("Connexion expirée"));

    // A state that is not the one sent: refused before the code is even used.
    let start = app.get("/connexion/proconnect").await;
    let cookie = cookie_of(&start).expect("session");
    let res = send(&app, &cookie, "GET", "/connexion/proconnect/retour?code=abc&state=forge", "").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("Connexion refusée"), "{}", res.body);
    // The pending sign-in is used up: the real state cannot be replayed afterwards.
    let state = start.header("location").split("state=").nth(1).and_then(|s| s.split('&').next()).expect("state");
    let res = send(&app, &cookie, "GET", &format!("/connexion/proconnect/retour?code=abc&state={state}"), "").await;
    assert!(res.body.contains("Connexion expirée"));

    // The right state with a forged code: the provider refuses it, so do we.
    let start = app.get("/connexion/proconnect").await;
    let cookie = cookie_of(&start).expect("session");
    let state = start.header("location").split("state=").nth(1).and_then(|s| s.split('&').next()).expect("state");
    let res = send(&app, &cookie, "GET", &format!("/connexion/proconnect/retour?code=forge&state={state}"), "").await;
    assert!(res.status == StatusCode::BAD_GATEWAY || res.status == StatusCode::BAD_REQUEST, "{}", res.status);
    assert!(!res.body.contains("/recruteur"));

    // The agent cancelled at the provider.
    let start = app.get("/connexion/proconnect").await;
    let cookie = cookie_of(&start).expect("session");
    let res = send(&app, &cookie, "GET", "/connexion/proconnect/retour?error=access_denied&state=x", "").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Connexion annulée"));
    assert_eq!(db::users::list(db.conn()).await.expect("users").len(), 0, "nothing was written");
});

db_test!(without_proconnect_settings_or_provider, |db| {
    // Not configured: no button, no route.
    let app = TestApp::new(&db, today()).await;
    assert!(!app.get("/connexion").await.body.contains("fr-connect"));
    assert_eq!(app.get("/connexion/proconnect").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/connexion/proconnect/retour?code=a&state=b").await.status, StatusCode::NOT_FOUND);
    // Configured, but the provider does not answer: a clear page, not a 500.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let issuer = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let app = app_with(&db, &issuer).await;
    let res = app.get("/connexion/proconnect").await;
    assert_eq!(res.status, StatusCode::BAD_GATEWAY);
    assert!(res.body.contains("ProConnect est indisponible"));
});
