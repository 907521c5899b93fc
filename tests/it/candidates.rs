//! The candidate flows through the real router, on both databases: sign-up, verification,
//! sign-in limits, applying with a CV, the candidate space, authorization between candidates,
//! uploads, alerts, personal data. E-mails are read back from the outbox table, where every
//! flow writes them in the same transaction as its change.

use crate::support::{TestApp, TestDb, db_test, pdf, today};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use db::entity::outbox;
use sea_orm::EntityTrait;

const PASSWORD: &str = "cheval-agrafe-lune-brique";

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    b.extend_from_slice(&[0u8; 64]);
    b
}

struct Client<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

impl<'a> Client<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None }
    }

    async fn send(&mut self, mut req: Request<Body>) -> crate::support::Response {
        if let Some(c) = &self.cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().expect("cookie"));
        }
        let res = self.app.request(req).await;
        if let Some(set) = res.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.cookie = Some(set.split(';').next().unwrap_or_default().to_string());
        }
        res
    }

    async fn get(&mut self, uri: &str) -> crate::support::Response {
        self.send(Request::get(uri).body(Body::empty()).expect("req")).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> crate::support::Response {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req");
        self.send(req).await
    }

    async fn multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> crate::support::Response {
        let boundary = "----limite-du-test";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("req");
        self.send(req).await
    }
}

async fn mails(db: &TestDb) -> Vec<outbox::Model> {
    outbox::Entity::find().all(db.conn()).await.expect("outbox")
}

/// The last link of an e-mail's text that starts with `prefix` (a path).
async fn link(db: &TestDb, to: &str, prefix: &str) -> String {
    let all = mails(db).await;
    let m = all
        .iter()
        .rev()
        .find(|m| m.recipient == to && m.text_body.contains(prefix))
        .unwrap_or_else(|| panic!("no mail to {to} with {prefix}"));
    let start = m.text_body.find(prefix).expect("link");
    m.text_body[start..].split_whitespace().next().expect("link").to_string()
}

/// Signs up, verifies and signs in; returns the signed-in client.
async fn candidate<'a>(app: &'a TestApp, db: &TestDb, email: &str) -> Client<'a> {
    let mut c = Client::new(app);
    let res = c.post("/inscription", &[("email", email), ("password", PASSWORD), ("cgu", "1")]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Vérifiez votre boîte e-mail"), "{}", res.body);
    let verify = link(db, email, "/verification-email/").await;
    let res = c.get(&verify).await;
    assert_eq!((res.status, res.header("location")), (StatusCode::SEE_OTHER, "/espace-candidat"), "{}", res.body);
    // Following the link signed the person in, and the space says the address is confirmed.
    let space = c.get("/espace-candidat").await;
    assert!(space.body.contains("votre adresse est confirmée et vous êtes connecté·e"), "{}", space.body);
    let res = c.post("/connexion", &[("email", email), ("password", PASSWORD), ("suivant", "/espace-candidat")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), "/espace-candidat");
    c
}

async fn first_open_slug(db: &TestDb) -> (String, String) {
    let now = today();
    let views = db::listing::latest_open(db.conn(), now, 50, None, None, None).await.expect("offers");
    let v = views.into_iter().find(|v| v.offer.application_url.is_none()).expect("an offer without external link");
    (v.offer.slug, v.offer.title)
}

db_test!(signup_verify_apply_and_follow, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let mut alice = candidate(&app, &db, "alice@exemple.fr").await;

    let space = alice.get("/espace-candidat").await;
    assert_eq!(space.status, StatusCode::OK);
    assert!(space.body.contains("Vous n’avez pas encore candidaté"));
    assert!(space.body.contains("Mon espace"), "header shows the account");

    let (slug, title) = first_open_slug(&db).await;
    let offer = alice.get(&format!("/emploi/{slug}")).await;
    assert!(offer.body.contains(&format!("href=\"/candidature/{slug}\"")));
    let form = alice.get(&format!("/candidature/{slug}")).await;
    assert_eq!(form.status, StatusCode::OK);

    // A validation error keeps what was typed.
    let res = alice
        .multipart(
            &format!("/candidature/{slug}"),
            &[("prenom", "Alice"), ("nom", ""), ("lettre", "Ma lettre à garder")],
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Renseignez votre nom."));
    assert!(res.body.contains("Ma lettre à garder"));

    let res = alice
        .multipart(
            &format!("/candidature/{slug}"),
            &[("prenom", "Alice"), ("nom", "Martin"), ("lettre", "Bonjour")],
            Some(("mon cv.pdf", &pdf())),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let location = res.header("location").to_string();
    assert!(location.ends_with("?envoyee=1"), "{location}");
    let page = alice.get(&location).await;
    assert!(page.body.contains("Candidature envoyée") && page.body.contains("Reçue"), "{}", page.body);
    let confirmation =
        mails(&db).await.into_iter().find(|m| m.subject.contains("Candidature envoyée")).expect("confirmation mail");
    assert_eq!(confirmation.recipient, "alice@exemple.fr");
    assert!(confirmation.text_body.contains(&title));

    // A second attempt shows the existing application.
    let again = alice.get(&format!("/candidature/{slug}")).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.header("location").contains("deja=1"));

    // The recruiter side moves it (back-office to come): the candidate sees stage and reason.
    let app_id: i64 = location
        .trim_start_matches("/espace-candidat/candidatures/")
        .trim_end_matches("?envoyee=1")
        .parse()
        .expect("id");
    let admin_email = domain::email::Email::parse("admin@exemple.fr").expect("e");
    let admin = db::users::create(db.conn(), &admin_email, domain::role::Role::Administrator, None, today())
        .await
        .expect("admin");
    web::services::applications::move_stage(&app.state, &admin, app_id, domain::candidate::Stage::Interview, None)
        .await
        .expect("move");
    let page = alice.get(&format!("/espace-candidat/candidatures/{app_id}")).await;
    assert!(page.body.contains("Entretien"));
    let moved =
        mails(&db).await.into_iter().find(|m| m.subject == "Votre candidature : Entretien").expect("stage mail");
    assert_eq!(moved.recipient, "alice@exemple.fr");
    assert!(moved.text_body.contains(&format!("/espace-candidat/candidatures/{app_id}")));
    let no_reason =
        web::services::applications::move_stage(&app.state, &admin, app_id, domain::candidate::Stage::Refused, None)
            .await;
    assert!(no_reason.is_err(), "no refusal without a reason");

    // The CV sent is readable by its owner and by nobody else.
    let cv_id = db::applications::get(db.conn(), app_id).await.expect("app").application.cv_file_id.expect("cv");
    let own = alice.get(&format!("/fichiers/{cv_id}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.header("content-type"), "application/pdf");
    let mut bob = candidate(&app, &db, "bob@exemple.fr").await;
    assert_eq!(bob.get(&format!("/fichiers/{cv_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(bob.get(&format!("/espace-candidat/candidatures/{app_id}")).await.status, StatusCode::NOT_FOUND);
    let res = bob.post(&format!("/espace-candidat/candidatures/{app_id}/retirer"), &[]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(Client::new(&app).get(&format!("/fichiers/{cv_id}")).await.status, StatusCode::NOT_FOUND);

    // Withdrawal by the owner.
    let res = alice.post(&format!("/espace-candidat/candidatures/{app_id}/retirer"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = alice.get(&format!("/espace-candidat/candidatures/{app_id}")).await;
    assert!(page.body.contains("Retirée"));
    // A refusal with its reason: the candidate reads the reason on the page and in the e-mail.
    let bob_user = db::users::by_email(db.conn(), &domain::email::Email::parse("bob@exemple.fr").expect("e"))
        .await
        .expect("db")
        .expect("bob");
    let offer = db::listing::view_by_slug(db.conn(), &slug).await.expect("offer");
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id: bob_user.id,
        candidate_name: "Bob Durand".into(),
        candidate_email: "bob@exemple.fr".into(),
        cover_letter: Some("Bonjour".into()),
        links: None,
        cv_file_id: None,
    };
    let bob_app = db::applications::create(db.conn(), &new, today()).await.expect("application");
    web::services::applications::move_stage(
        &app.state,
        &admin,
        bob_app.id,
        domain::candidate::Stage::Refused,
        Some("experience"),
    )
    .await
    .expect("refuse");
    let page = bob.get(&format!("/espace-candidat/candidatures/{}", bob_app.id)).await;
    assert!(
        page.body.contains("Refusée") && page.body.contains("L’expérience demandée pour ce poste est plus importante.")
    );
    let refused = mails(&db)
        .await
        .into_iter()
        .find(|m| m.recipient == "bob@exemple.fr" && m.subject == "Votre candidature : Refusée")
        .expect("mail");
    assert!(refused.text_body.contains("L’expérience demandée"));
});

db_test!(anonymous_visitors_are_sent_to_sign_in, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let mut anon = Client::new(&app);
    for path in ["/espace-candidat", "/profil", "/candidature-spontanee", "/espace-candidat/export"] {
        let res = anon.get(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert!(res.header("location").starts_with("/connexion?suivant="), "{path}");
    }
    let (slug, _) = first_open_slug(&db).await;
    let res = anon.get(&format!("/candidature/{slug}")).await;
    assert!(res.header("location").starts_with("/connexion?suivant=%2Fcandidature%2F"));
    // The return address cannot point elsewhere.
    let res = anon.get("/connexion?suivant=https://ailleurs.example").await;
    assert!(res.body.contains("name=\"suivant\" value=\"/espace-candidat\""));
});

db_test!(no_enumeration_and_login_limits, |db| {
    let app = TestApp::new(&db, today()).await;
    let mut c = Client::new(&app);
    c.post("/inscription", &[("email", "carole@exemple.fr"), ("password", PASSWORD), ("cgu", "1")]).await;
    // Signing up again answers the same and tells only the owner, by e-mail.
    let again = Client::new(&app)
        .post("/inscription", &[("email", "carole@exemple.fr"), ("password", PASSWORD), ("cgu", "1")])
        .await;
    let fresh = Client::new(&app)
        .post("/inscription", &[("email", "david@exemple.fr"), ("password", PASSWORD), ("cgu", "1")])
        .await;
    assert_eq!(again.status, fresh.status);
    assert!(again.body.contains("Vérifiez votre boîte e-mail") && fresh.body.contains("Vérifiez votre boîte e-mail"));
    assert!(
        mails(&db).await.iter().any(|m| m.recipient == "carole@exemple.fr" && m.subject == "Vous avez déjà un compte")
    );
    // The same message for an unknown address and a wrong password.
    let unknown = Client::new(&app).post("/connexion", &[("email", "personne@exemple.fr"), ("password", "x")]).await;
    let wrong = Client::new(&app).post("/connexion", &[("email", "carole@exemple.fr"), ("password", "mauvais")]).await;
    assert!(
        unknown.body.contains("Adresse e-mail ou mot de passe incorrect.")
            && wrong.body.contains("Adresse e-mail ou mot de passe incorrect.")
    );
    // Forgotten password: the same page either way.
    let f1 = Client::new(&app).post("/mot-de-passe-oublie", &[("email", "carole@exemple.fr")]).await;
    let f2 = Client::new(&app).post("/mot-de-passe-oublie", &[("email", "personne@exemple.fr")]).await;
    assert_eq!(f1.status, f2.status);
    for body in [&f1.body, &f2.body] {
        assert!(body.contains("Si un compte existe pour") && body.contains("vient de lui être envoyé"));
    }
    // Weak passwords are refused with the reason, and what was typed stays.
    let weak = Client::new(&app)
        .post("/inscription", &[("email", "eve@exemple.fr"), ("password", "motdepasse123"), ("cgu", "1")])
        .await;
    assert!(weak.body.contains("trop courant") && weak.body.contains("eve@exemple.fr"));
    // Five failures lock the account for a while, even with the right password.
    for _ in 0..4 {
        Client::new(&app).post("/connexion", &[("email", "carole@exemple.fr"), ("password", "mauvais")]).await;
    }
    let locked = Client::new(&app).post("/connexion", &[("email", "carole@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(locked.status, StatusCode::OK);
    assert!(locked.body.contains("Trop de tentatives"));
    // A reset link sets a new password, once.
    let reset = link(&db, "carole@exemple.fr", "/mot-de-passe/").await;
    let path = reset.trim_start_matches("http://127.0.0.1");
    let path = &path[path.find("/mot-de-passe/").expect("path")..];
    let res = Client::new(&app).post(path, &[("password", "nouvelle-phrase-assez-longue")]).await;
    assert!(res.body.contains("Mot de passe modifié"), "{}", res.body);
    let res = Client::new(&app).post(path, &[("password", "nouvelle-phrase-assez-longue")]).await;
    assert!(res.body.contains("Lien expiré"));
});

db_test!(cv_uploads_are_checked, |db| {
    let app = TestApp::new(&db, today()).await;
    let mut c = candidate(&app, &db, "fanny@exemple.fr").await;
    let res = c.post("/profil", &[("prenom", "Fanny"), ("nom", "Leroy"), ("experience", "trois")]).await;
    assert!(res.body.contains("Saisissez un nombre d’années entre 0 et 60.") && res.body.contains("Fanny"));
    let res = c
        .post(
            "/profil",
            &[
                ("prenom", "Fanny"),
                ("nom", "Leroy"),
                ("experience", "3"),
                ("vivier", "1"),
                ("region", "11"),
                ("region", "zz"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let valid = pdf();
    let truncated = valid[..valid.len() / 2].to_vec();
    let big = {
        let mut b = valid.clone();
        b.resize(6 * 1024 * 1024, b' ');
        b
    };
    for (name, bytes, expected) in [
        ("photo.pdf", png(), "n’est pas un PDF"),
        ("cv.pdf", truncated, "illisible ou incomplet"),
        ("gros.pdf", big, "dépasse 5 Mo"),
    ] {
        let res = c.multipart("/profil/cv", &[], Some((name, &bytes))).await;
        assert_eq!(res.status, StatusCode::OK, "{name}");
        assert!(res.body.contains(expected), "{name}: {expected}");
    }
    let me = db::users::by_email(db.conn(), &domain::email::Email::parse("fanny@exemple.fr").expect("e"))
        .await
        .expect("db")
        .expect("user");
    assert!(db::profiles::files_of(db.conn(), me.id).await.expect("files").is_empty(), "refused files are not stored");
    let res = c.multipart("/profil/cv", &[], Some(("../../etc/passwd", &valid))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = c.get("/profil").await;
    assert!(page.body.contains("passwd.pdf") && !page.body.contains("../"));
    assert!(page.body.contains("checked"), "the talent pool choice is kept");
});

db_test!(alerts_newsletter_and_personal_data, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    // Without an account: double opt-in, then one-click unsubscribe and undo.
    let res = Client::new(&app)
        .post(
            "/alertes",
            &[("recherche", "q=data&region=11"), ("email", "gilles@exemple.fr"), ("frequence", "hebdomadaire")],
        )
        .await;
    assert!(res.body.contains("Confirmez votre alerte"));
    let confirm = link(&db, "gilles@exemple.fr", "/alertes/confirmer/").await;
    let res = Client::new(&app).get(&confirm[confirm.find("/alertes/").expect("path")..]).await;
    assert!(res.body.contains("Alerte activée"));
    let unsub = link(&db, "gilles@exemple.fr", "/alertes/desinscription/").await;
    let res = Client::new(&app).get(&unsub[unsub.find("/alertes/").expect("path")..]).await;
    assert!(res.body.contains("Alerte désactivée"));
    let bad = Client::new(&app).post("/alertes", &[("recherche", "q=x"), ("email", "pas-une-adresse")]).await;
    assert!(bad.body.contains("Adresse e-mail invalide"));
    // Newsletter: nothing until confirmed.
    Client::new(&app).post("/lettre-information", &[("email", "gilles@exemple.fr")]).await;
    let sub = db::alerts::newsletter_by_email(db.conn(), "gilles@exemple.fr").await.expect("db").expect("sub");
    assert!(sub.confirmed_at.is_none());
    let confirm = link(&db, "gilles@exemple.fr", "/lettre-information/confirmer/").await;
    Client::new(&app).get(&confirm[confirm.find("/lettre-information/").expect("path")..]).await;
    let sub = db::alerts::newsletter_by_email(db.conn(), "gilles@exemple.fr").await.expect("db").expect("sub");
    assert!(sub.confirmed_at.is_some());

    // A candidate: favourites, an alert, the export, then deletion.
    let mut h = candidate(&app, &db, "helene@exemple.fr").await;
    let (slug, title) = first_open_slug(&db).await;
    let res = h.post(&format!("/favoris/{slug}"), &[("etat", "1"), ("retour", "/espace-candidat")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    h.post("/alertes", &[("recherche", "q=d%C3%A9veloppeur"), ("nom", "Dév")]).await;
    let space = h.get("/espace-candidat").await;
    assert!(space.body.contains(&title) && space.body.contains("Dév"));
    h.post("/profil", &[("prenom", "Hélène"), ("nom", "Petit")]).await;
    h.multipart("/profil/cv", &[], Some(("cv.pdf", &pdf()))).await;
    let export = h.get("/espace-candidat/export").await;
    assert_eq!(export.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&export.body).expect("json");
    assert_eq!(json["compte"]["email"], "helene@exemple.fr");
    assert_eq!(json["profil"]["prenom"], "Hélène");
    assert_eq!(json["favoris"][0]["titre"], title.as_str());
    assert!(json["fichiers"][0]["contenu_base64"].as_str().is_some_and(|s| s.len() > 100));
    // Another candidate's alert cannot be deleted by guessing its id.
    let helene = db::users::by_email(db.conn(), &domain::email::Email::parse("helene@exemple.fr").expect("e"))
        .await
        .expect("db")
        .expect("user");
    let alert_id =
        db::alerts::list_for_user(db.conn(), helene.id).await.expect("alerts").first().map(|a| a.id).expect("alert");
    let mut other = candidate(&app, &db, "ines@exemple.fr").await;
    assert_eq!(
        other.post(&format!("/espace-candidat/alertes/{alert_id}/supprimer"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let res = h.post("/espace-candidat/supprimer-mon-compte", &[("password", "mauvais")]).await;
    assert!(res.body.contains("Mot de passe incorrect."));
    let res = h.post("/espace-candidat/supprimer-mon-compte", &[("password", PASSWORD)]).await;
    assert!(res.body.contains("Votre compte a été supprimé"));
    let email = domain::email::Email::parse("helene@exemple.fr").expect("email");
    assert!(db::users::by_email(db.conn(), &email).await.expect("db").is_none());
    assert_eq!(h.get("/espace-candidat").await.status, StatusCode::SEE_OTHER, "signed out");
});

db_test!(cross_site_posts_are_refused, |db| {
    let app = TestApp::new(&db, today()).await;
    let req = Request::post("/inscription")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::HOST, "metiers.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("email=a%40b.fr&password=cheval-agrafe-lune-brique&cgu=1"))
        .expect("req");
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(mails(&db).await.is_empty(), "nothing written");
});

db_test!(stars_on_cards_and_alert_form_on_the_search_page, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let anon = Client::new(&app).get("/offres-emploi?q=data").await;
    assert!(
        anon.body.contains("action=\"/alertes\"") && anon.body.contains("name=\"email\""),
        "visitors give an address"
    );
    assert!(anon.body.contains("href=\"/connexion?suivant=%2Femploi%2F"), "visitors' stars lead to sign-in");

    let mut j = candidate(&app, &db, "jade@exemple.fr").await;
    let page = j.get("/offres-emploi?q=data").await;
    assert!(!page.body.contains("id=\"alerte-email\""), "a signed-in candidate's alert uses the account address");
    let (slug, title) = first_open_slug(&db).await;
    let home = j.get("/").await;
    assert!(home.body.contains("action=\"/favoris/"), "stars on the home page's cards");
    assert!(page.body.matches("action=\"/favoris/").count() >= 2, "a star on every search result");
    // With htmx the star answers its own new state, ready to swap in place.
    let req = Request::post(format!("/favoris/{slug}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("hx-request", "true")
        .body(Body::from("etat=1&retour=%2F"))
        .expect("req");
    let res = j.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body.contains("Retirer des favoris")
            && res.body.contains(&title)
            && res.body.contains("name=\"etat\" value=\"0\"")
    );
    let offer = j.get(&format!("/emploi/{slug}")).await;
    assert!(offer.body.contains("Retirer des favoris"));
    // A saved search without e-mails, from the page's own form.
    let res = j.post("/alertes", &[("recherche", "q=data&page=3"), ("frequence", "aucune")]).await;
    assert!(res.body.contains("Alerte enregistrée"), "{}", res.body);
    let space = j.get("/espace-candidat").await;
    assert!(space.body.contains("href=\"/offres-emploi?q=data\""), "stored without the page number");
    assert!(space.body.contains("Jamais (recherche enregistrée seulement)"));
});
