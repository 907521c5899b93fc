//! What an attacker or a crowd tried (issue 11), each through the real router on both
//! databases: leaks, injections, redirects, lockout and e-mail limits.

use crate::support::{TestApp, candidate, db_test, form_post, staff, today};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::email::Email;
use domain::role::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const PASSWORD: &str = "cheval-agrafe-lune-brique";

async fn open_offer(db: &db::Db) -> db::listing::OfferView {
    db::seed::seed_demo(db, today()).await.expect("seed");
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    offers.into_iter().find(|v| v.offer.application_url.is_none()).expect("an offer applied to here")
}

async fn set_state(db: &db::Db, id: i64, state: &str) {
    db::entity::offer::Entity::update_many()
        .col_expr(db::entity::offer::Column::State, Expr::value(state))
        .filter(db::entity::offer::Column::Id.eq(id))
        .exec(db.conn())
        .await
        .expect("state");
}

/// A candidate with a real password, for the sign-in form.
async fn with_password(db: &db::Db, email: &str) -> i64 {
    let hash = web::auth::hash_password(PASSWORD.into()).await.expect("hash");
    let u = db::accounts::create_candidate(db.conn(), &Email::parse(email).expect("email"), &hash, today())
        .await
        .expect("candidate");
    db::accounts::mark_verified(db.conn(), u.id, today()).await.expect("verified");
    u.id
}

fn sign_in(email: &str, password: &str, next: &str) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("email", email), ("password", password), ("suivant", next)])
        .finish();
    form_post("", "/connexion", &body)
}

async fn outbox_to(db: &db::Db, to: &str) -> Vec<db::entity::outbox::Model> {
    db::outbox::all(db.conn()).await.expect("outbox").into_iter().filter(|m| m.recipient == to).collect()
}

db_test!(a_draft_is_as_unknown_as_an_offer_that_does_not_exist, |db| {
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let (_, cookie) = candidate(&db, "curieuse@exemple.fr").await;
    let star = |slug: &str| {
        let uri = format!("/favoris/{slug}");
        let (app, cookie) = (&app, cookie.clone());
        async move { app.send(&cookie, "POST", &uri, "etat=1").await }
    };
    assert_eq!(star(&offer.offer.slug).await.status, StatusCode::SEE_OTHER, "a public offer is starred");
    let link = format!("/emploi/{}", offer.offer.slug);
    assert!(app.send(&cookie, "GET", "/espace-candidat", "").await.body.contains(&link), "listed while public");
    // Back to draft: gone from the candidate's space, and no lookup tells it exists.
    set_state(&db, offer.offer.id, "draft").await;
    let space = app.send(&cookie, "GET", "/espace-candidat", "").await;
    assert!(!space.body.contains(&link), "a draft never shows in the candidate space");
    let draft = star(&offer.offer.slug).await;
    let unknown = star("offre-qui-n-existe-pas").await;
    assert_eq!((draft.status, unknown.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(draft.body, unknown.body, "the same answer for a draft and for nothing");
    assert_eq!(app.get(&format!("/emploi/{}", offer.offer.slug)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.json(&format!("/api/v1/offres/{}", offer.offer.slug)).await.0, StatusCode::NOT_FOUND);
    let form = app.send(&cookie, "GET", &format!("/candidature/{}", offer.offer.slug), "").await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    // A favourite made before is not a way in either.
    let n = db::entity::favourite::Entity::find().count(db.conn()).await.expect("count");
    assert_eq!(n, 1, "nothing was added for the draft");
});

db_test!(the_applications_export_holds_no_live_formula, |db| {
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let (user_id, _) = candidate(&db, "formule@exemple.fr").await;
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id,
        candidate_name: "=HYPERLINK(\"https://evil.example\";\"CV\")".into(),
        candidate_email: "formule@exemple.fr".into(),
        cover_letter: None,
        links: Some("@SUM(1+1)\n+33 6 00 00 00 00".into()),
        cv_file_id: None,
    };
    db::applications::create(db.conn(), &new, today()).await.expect("application");
    let csv = app.send(&ra, "GET", &format!("/recruteur/offres/{}/candidatures.csv", offer.offer.id), "").await;
    assert_eq!(csv.status, StatusCode::OK);
    let body = csv.body.strip_prefix('\u{feff}').expect("a byte-order mark, for Excel");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body.as_bytes());
    let row = reader.records().next().expect("a row").expect("valid CSV");
    assert_eq!(&row[1], "'=HYPERLINK(\"https://evil.example\";\"CV\")");
    assert_eq!(&row[6], "'@SUM(1+1) +33 6 00 00 00 00");
    assert_eq!(&row[3], "2026-11-24 13:00", "Paris time, to the minute, as a spreadsheet reads it");
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "live cell: {cell}");
    }
});

db_test!(signing_in_only_ever_returns_to_this_site, |db| {
    let app = TestApp::new(&db, today()).await;
    with_password(&db, "retour@exemple.fr").await;
    for (next, expected) in [
        ("/emploi/developpeuse?x=1", "/emploi/developpeuse?x=1"),
        ("/\t/evil.example", "/espace-candidat"),
        ("/\\evil.example", "/espace-candidat"),
        ("//evil.example", "/espace-candidat"),
        ("https://evil.example/", "/espace-candidat"),
        ("/\r\n/evil.example", "/espace-candidat"),
        ("/a\r\nSet-Cookie: x=1", "/aSet-Cookie:%20x=1"),
    ] {
        let res = app.request(sign_in("retour@exemple.fr", PASSWORD, next)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{next:?}: {}", res.body);
        assert_eq!(res.header("location"), expected, "{next:?}");
        assert!(res.headers.get(header::SET_COOKIE).is_some_and(|c| !c.to_str().unwrap_or("").starts_with("x=")));
    }
    // Signed in, the sign-in page sends straight on: the same rule, and no 500 on a CR/LF.
    let (_, cookie) = candidate(&db, "deja@exemple.fr").await;
    let res = app.send(&cookie, "GET", "/connexion?suivant=%2F%0D%0A%2Fevil.example", "").await;
    assert_eq!((res.status, res.header("location")), (StatusCode::SEE_OTHER, "/espace-candidat"));
    // The favourites' way back too.
    let offer = open_offer(&db).await;
    let res = app
        .send(&cookie, "POST", &format!("/favoris/{}", offer.offer.slug), "etat=1&retour=%2F%09%2Fevil.example")
        .await;
    assert_eq!((res.status, res.header("location")), (StatusCode::SEE_OTHER, "/espace-candidat"));
});

db_test!(https_is_enforced_only_behind_a_trusted_proxy_and_personal_pages_are_never_cached, |db| {
    let forwarded = || Request::get("/").header("x-forwarded-proto", "https").body(Body::empty()).expect("request");
    let app = TestApp::new(&db, today()).await;
    let res = app.request(forwarded()).await;
    assert!(res.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "a client's own header means nothing");
    let mut config = web::WebConfig::new("http://127.0.0.1:8080");
    config.trust_proxy = true;
    let proxied = TestApp::with_config(&db, today(), config).await;
    assert!(proxied.request(forwarded()).await.headers.get(header::STRICT_TRANSPORT_SECURITY).is_some());

    let (_, cookie) = candidate(&db, "prive@exemple.fr").await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    for (who, path) in [(&cookie, "/espace-candidat"), (&cookie, "/profil"), (&admin, "/admin"), (&admin, "/recruteur")]
    {
        let res = app.send(who, "GET", path, "").await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert!(res.header("cache-control").contains("no-store"), "{path}: {}", res.header("cache-control"));
    }
    // Anonymous, a personal page is the way to the sign-in: not kept either.
    assert!(app.get("/espace-candidat").await.header("cache-control").contains("no-store"));
    assert!(!app.get("/").await.header("cache-control").contains("no-store"), "public pages stay cacheable");
});

db_test!(parallel_wrong_passwords_cannot_pass_the_lock, |db| {
    let app = TestApp::new(&db, today()).await;
    with_password(&db, "cible@exemple.fr").await;
    let guesses = (0..40).map(|i| sign_in("cible@exemple.fr", &format!("essai-{i}"), "/")).collect();
    let responses = app.concurrently(guesses).await;
    let checked = responses.iter().filter(|r| r.body.contains("Adresse e-mail ou mot de passe incorrect.")).count();
    let locked = responses.iter().filter(|r| r.body.contains("Trop de tentatives")).count();
    assert!(responses.iter().all(|r| r.status == StatusCode::OK), "no 5xx");
    assert!(checked <= 5, "{checked} guesses were checked, the lock is 5");
    assert_eq!(checked + locked, 40);
    // A burst may refuse more than it must (refusals are withdrawn, so they do not prolong the
    // lock); one after the other, the fifth failure locks the account.
    for i in checked..5 {
        let res = app.request(sign_in("cible@exemple.fr", &format!("encore-{i}"), "/")).await;
        assert!(res.body.contains("Adresse e-mail ou mot de passe incorrect."));
    }
    let res = app.request(sign_in("cible@exemple.fr", PASSWORD, "/")).await;
    assert!(res.body.contains("Trop de tentatives"), "locked, even with the right password");
});

db_test!(a_password_reset_revokes_every_other_link, |db| {
    let app = TestApp::new(&db, today()).await;
    with_password(&db, "oubli@exemple.fr").await;
    for _ in 0..2 {
        let res = app.request(form_post("", "/mot-de-passe-oublie", "email=oubli%40exemple.fr")).await;
        assert!(res.body.contains("Si un compte existe pour"));
    }
    let links: Vec<String> = outbox_to(&db, "oubli@exemple.fr")
        .await
        .iter()
        .map(|m| {
            let start = m.text_body.find("/mot-de-passe/").expect("a link");
            m.text_body[start..].split_whitespace().next().expect("link").to_string()
        })
        .collect();
    assert_eq!(links.len(), 2);
    let done = app.request(form_post("", &links[0], "password=une-toute-nouvelle-phrase")).await;
    assert!(done.body.contains("Mot de passe modifié"), "{}", done.body);
    let second = app.request(form_post("", &links[1], "password=encore-une-autre-phrase")).await;
    assert!(second.body.contains("Lien expiré"), "the other link died with the old password");
    assert!(app.get(&links[1]).await.body.contains("Lien expiré"));
    // An address without an account is told so, in its own mailbox only.
    let res = app.request(form_post("", "/mot-de-passe-oublie", "email=personne%40exemple.fr")).await;
    assert!(res.body.contains("Si un compte existe pour"));
    let mails = outbox_to(&db, "personne@exemple.fr").await;
    assert_eq!(mails.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["Aucun compte pour cette adresse"]);
});

db_test!(public_forms_cannot_flood_a_mailbox, |db| {
    let app = TestApp::new(&db, today()).await;
    with_password(&db, "boite@exemple.fr").await;
    // Ten at once for one address: at most five e-mails, clear refusals for the rest.
    let forgot = || form_post("", "/mot-de-passe-oublie", "email=boite%40exemple.fr");
    let responses = app.concurrently((0..10).map(|_| forgot()).collect()).await;
    assert!(responses.iter().all(|r| r.status == StatusCode::OK || r.status == StatusCode::TOO_MANY_REQUESTS));
    let admitted = responses.iter().filter(|r| r.status == StatusCode::OK).count();
    let refused: Vec<_> = responses.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).collect();
    assert!(admitted <= 5 && refused.len() >= 5, "{admitted} admitted");
    assert!(refused.iter().all(|r| r.body.contains("Trop d’e-mails demandés")), "{}", refused[0].body);
    assert_eq!(outbox_to(&db, "boite@exemple.fr").await.len(), admitted, "one e-mail per admitted request");
    // One after the other, exactly five go through.
    for _ in admitted..5 {
        assert_eq!(app.request(forgot()).await.status, StatusCode::OK);
    }
    assert_eq!(app.request(forgot()).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(outbox_to(&db, "boite@exemple.fr").await.len(), 5);
    // The same limit for an address without an account, and on the other forms.
    for _ in 0..5 {
        app.request(form_post(
            "",
            "/inscription",
            "email=boite%40exemple.fr&password=Un+mot+de+passe+tres+long+42&cgu=on",
        ))
        .await;
    }
    assert_eq!(outbox_to(&db, "boite@exemple.fr").await.len(), 5, "sign-ups count against the same mailbox");
    let res = app.request(form_post("", "/lettre-information", "email=boite%40exemple.fr")).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    // One network asking for many mailboxes is stopped too: 50 an hour (the five above count).
    let mut statuses = Vec::new();
    for i in 0..46 {
        let body = format!("email=personne{i}%40exemple.fr");
        statuses.push(app.request(form_post("", "/lettre-information", &body)).await.status);
    }
    assert!(statuses[..45].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses[45], StatusCode::TOO_MANY_REQUESTS, "the 51st e-mail asked from one address is refused");
    // An hour later, the address may ask again.
    let later = TestApp::new(&db, today() + chrono::Duration::minutes(61)).await;
    let res = later.request(form_post("", "/mot-de-passe-oublie", "email=boite%40exemple.fr")).await;
    assert_eq!(res.status, StatusCode::OK);
});

db_test!(addresses_a_mail_server_would_refuse_are_refused_at_the_form, |db| {
    let app = TestApp::new(&db, today()).await;
    for email in ["%EF%BF%BD%40x.fr", "a..b%40exemple.fr", "%C3%A9%40exemple.fr"] {
        let body = format!("email={email}&password=Un+mot+de+passe+tres+long+42&cgu=on");
        let res = app.request(form_post("", "/inscription", &body)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(res.body.contains("Saisissez une adresse e-mail valide"), "{email}");
    }
    assert_eq!(db::entity::user::Entity::find().count(db.conn()).await.expect("count"), 0);
    assert!(db::outbox::all(db.conn()).await.expect("outbox").is_empty());
});

/// An application form with a CV, as the browser sends it.
fn application_with_cv(cookie: &str, slug: &str) -> Request<Body> {
    let boundary = "----cv";
    let mut body = Vec::new();
    for (k, v) in [("prenom", "Camille"), ("nom", "Roux"), ("lettre", "Bonjour")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&crate::support::pdf());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(format!("/candidature/{slug}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request")
}

db_test!(a_crowd_applying_at_once_gets_one_application_each_and_no_orphan_file, |db| {
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    // Thirty candidates at once, and one of them clicking four times.
    let mut requests = Vec::new();
    let mut clicker = String::new();
    for i in 0..30 {
        let (_, cookie) = candidate(&db, &format!("foule{i}@exemple.fr")).await;
        requests.push(application_with_cv(&cookie, &offer.offer.slug));
        clicker = cookie;
    }
    for _ in 0..3 {
        requests.push(application_with_cv(&clicker, &offer.offer.slug));
    }
    let responses = app.concurrently(requests).await;
    for r in &responses {
        assert!(!r.status.is_server_error(), "{} {}", r.status, r.body);
    }
    let applications = db::entity::application::Entity::find()
        .filter(db::entity::application::Column::OfferId.eq(offer.offer.id))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(applications, 30, "one application per candidate");
    let files = db::entity::file::Entity::find().count(db.conn()).await.expect("files");
    assert_eq!(files, 30, "the CVs of refused double submits are gone");
    assert_eq!(app.state.files.keys("cv").await.expect("keys").len(), 30, "no stored CV without its row");
});

db_test!(metrics_labels_take_known_values_only, |db| {
    let app = TestApp::new(&db, today()).await;
    for i in 0..20 {
        let req = Request::builder().method(format!("INVENTE{i}").as_str()).uri("/").body(Body::empty()).expect("req");
        assert!(!app.request(req).await.status.is_server_error());
    }
    let metrics = app.get("/metrics").await.body;
    assert!(!metrics.contains("INVENTE"), "an invented method is not a new series");
    assert!(metrics.contains(r#"method="autre""#), "it is counted under one label");
});

db_test!(external_link_clicks_count_once_a_day_per_visitor, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers.iter().find(|v| v.offer.application_url.is_some()).expect("an offer with an external link");
    let click = |agent: &'static str| {
        Request::get(format!("/candidature/{}", offer.offer.slug))
            .header(header::USER_AGENT, agent)
            .body(Body::empty())
            .expect("request")
    };
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    for agent in [FIREFOX, FIREFOX, FIREFOX, "curl/8.5.0", "Mozilla/5.0 (compatible; bingbot/2.0)"] {
        let res = app.request(click(agent)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res.header("location").starts_with("http"), "{}", res.header("location"));
    }
    let clicks = |db: &crate::support::TestDb| {
        let id = offer.offer.id;
        let conn = db.conn().clone();
        async move { db::backoffice::managed_offer(&conn, id, None).await.expect("offer").external_clicks }
    };
    assert_eq!(clicks(&db).await, offer.offer.external_clicks + 1, "one visitor, robots ignored");
});

db_test!(an_unknown_stored_code_is_an_error_never_a_default, |db| {
    use db::entity::{application, user};
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let (user_id, cookie) = candidate(&db, "corrompue@exemple.fr").await;
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id,
        candidate_name: "Camille Corrompue".into(),
        candidate_email: "corrompue@exemple.fr".into(),
        cover_letter: None,
        links: None,
        cv_file_id: None,
    };
    let a = db::applications::create(db.conn(), &new, today()).await.expect("application");
    let page = format!("/espace-candidat/candidatures/{}", a.id);
    assert_eq!(app.send(&cookie, "GET", &page, "").await.status, StatusCode::OK);
    // A stage nobody knows: the page fails (and the log says why) instead of showing « Reçue ».
    application::Entity::update_many()
        .col_expr(application::Column::Stage, Expr::value("perdue"))
        .filter(application::Column::Id.eq(a.id))
        .exec(db.conn())
        .await
        .expect("corrupt stage");
    let res = app.send(&cookie, "GET", &page, "").await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.body.contains("Reçue"), "no default stage shown");
    // A role nobody knows: the session signs in as nobody, never as a candidate by default.
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value("pirate"))
        .filter(user::Column::Id.eq(user_id))
        .exec(db.conn())
        .await
        .expect("corrupt role");
    let res = app.send(&cookie, "GET", "/espace-candidat", "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.header("location").starts_with("/connexion"), "sent to the sign-in page");
    // An offer state nobody knows: the public page fails rather than show it as open or as a draft.
    set_state(&db, offer.offer.id, "perdue").await;
    assert_eq!(app.get(&format!("/emploi/{}", offer.offer.slug)).await.status, StatusCode::INTERNAL_SERVER_ERROR);
});
