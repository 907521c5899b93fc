//! E-mail delivery through a real SMTP server (aiosmtpd, started by the test): what the flows
//! queue in the outbox arrives, and arrives exactly once even when the server is down for a
//! while. Also the alert digests.

use crate::support::smtp::{self, Catcher};
use crate::support::{TestApp, db_test, today};
use axum::body::Body;
use axum::http::{Request, header};
use chrono::Duration;
use sea_orm::EntityTrait;
use web::jobs::{WorkerConfig, deliver_outbox};

fn form(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// Retries come at once in tests (no waiting), so a loop of ticks can deliver everything.
fn eager() -> WorkerConfig {
    WorkerConfig { backoff: Duration::zero(), ..WorkerConfig::default() }
}

db_test!(signup_mail_reaches_a_real_smtp_server, |db| {
    let Some(py) = smtp::python() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let catcher = Catcher::start(&py, dir.path(), 0);
    let app = TestApp::new(&db, today()).await.with_mailer(&catcher.url());
    app.request(form("/inscription", "email=julie%40exemple.fr&password=cheval-agrafe-lune-brique&cgu=1")).await;
    let (sent, failed) = deliver_outbox(&app.state, &eager()).await.expect("deliver");
    assert_eq!((sent, failed), (1, 0));
    let messages = catcher.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert!(m.contains("To: julie@exemple.fr"), "{m}");
    assert!(m.contains("Subject: Confirmez votre adresse e-mail"), "{m}");
    assert!(m.contains("Content-Type: text/plain") && m.contains("Content-Type: text/html"), "both bodies");
    assert!(m.contains("http://127.0.0.1:8080/verification-email/"), "{m}");
    assert!(m.contains("Vous venez de créer un compte"), "French text decoded: {m}");
    assert_eq!(db::outbox::pending(db.conn()).await.expect("pending"), 0);
    assert!(!m.contains("List-Unsubscribe"), "an account's e-mail is no mailing");
    catcher.stop();
});

db_test!(mailings_carry_a_one_click_unsubscribe, |db| {
    let Some(py) = smtp::python() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let catcher = Catcher::start(&py, dir.path(), 0);
    let app = TestApp::new(&db, today()).await.with_mailer(&catcher.url());
    app.request(form("/lettre-information", "email=lectrice%40exemple.fr")).await;
    assert_eq!(deliver_outbox(&app.state, &eager()).await.expect("deliver"), (1, 0));
    let m = catcher.messages().pop().expect("a message");
    let header = m
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: "))
        .unwrap_or_else(|| panic!("a List-Unsubscribe header: {m}"));
    assert!(m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{m}");
    let url = header.trim_start_matches("List-Unsubscribe: <").trim_end_matches('>');
    let path = url.trim_start_matches("http://127.0.0.1:8080");
    assert!(path.starts_with("/lettre-information/desinscription/"), "{url}");
    // What a mail client sends for its "unsubscribe" button: a POST, no cookie, no page.
    let res = app.request(form(path, "List-Unsubscribe=One-Click")).await;
    assert_eq!(res.status, axum::http::StatusCode::OK, "{}", res.body);
    let sub = db::entity::newsletter_subscription::Entity::find().one(db.conn()).await.expect("row").expect("one");
    assert!(sub.unsubscribed_at.is_some(), "unsubscribed in one click");
    catcher.stop();
});

db_test!(mail_queued_while_smtp_is_down_arrives_exactly_once, |db| {
    let Some(py) = smtp::python() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let catcher = Catcher::start(&py, dir.path(), 0);
    let port = catcher.port;
    let app = TestApp::new(&db, today()).await.with_mailer(&catcher.url());
    catcher.stop();

    for who in ["a", "b", "c"] {
        app.request(form("/lettre-information", &format!("email={who}%40exemple.fr"))).await;
    }
    assert_eq!(db::outbox::pending(db.conn()).await.expect("pending"), 3);
    let (sent, failed) = deliver_outbox(&app.state, &eager()).await.expect("deliver");
    assert_eq!((sent, failed), (0, 3), "server down: every message waits for a retry");
    let rows = db::outbox::all(db.conn()).await.expect("rows");
    assert!(
        rows.iter().all(|r| r.sent_at.is_none() && r.failed_at.is_none() && r.attempts == 1 && r.last_error.is_some())
    );

    let catcher = Catcher::start(&py, dir.path(), port);
    for _ in 0..5 {
        deliver_outbox(&app.state, &eager()).await.expect("deliver");
    }
    let messages = catcher.messages();
    assert_eq!(messages.len(), 3, "each message once");
    for who in ["a", "b", "c"] {
        let n = messages.iter().filter(|m| m.contains(&format!("To: {who}@exemple.fr"))).count();
        assert_eq!(n, 1, "{who}");
    }
    assert_eq!(db::outbox::pending(db.conn()).await.expect("pending"), 0);
    catcher.stop();
});

db_test!(a_message_refused_for_good_is_not_retried, |db| {
    let app = TestApp::new(&db, today()).await;
    let bad = domain::candidate::MailMessage {
        to: "pas une adresse".into(),
        subject: "x".into(),
        text: "x".into(),
        html: "x".into(),
        unsubscribe: None,
    };
    db::outbox::enqueue(db.conn(), &bad, today()).await.expect("enqueue");
    let (sent, failed) = deliver_outbox(&app.state, &eager()).await.expect("deliver");
    assert_eq!((sent, failed), (0, 1));
    let rows = db::outbox::all(db.conn()).await.expect("rows");
    assert!(rows[0].failed_at.is_some(), "given up");
    assert_eq!(deliver_outbox(&app.state, &eager()).await.expect("deliver"), (0, 0));
});

db_test!(digests_send_new_matching_offers_once, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    // An alert created yesterday on every offer: the demo offers published since then match.
    let since = today() - Duration::days(400);
    let new = db::alerts::NewAlert {
        user_id: None,
        email: "kim@exemple.fr".into(),
        query: String::new(),
        label: "Toutes les offres".into(),
        frequency: domain::candidate::Frequency::Daily,
        token: "jeton-de-test".into(),
        confirmed: true,
    };
    db::alerts::create(db.conn(), &new, since).await.expect("alert");
    let unconfirmed = db::alerts::NewAlert {
        email: "lou@exemple.fr".into(),
        token: "autre-jeton".into(),
        confirmed: false,
        ..new.clone()
    };
    db::alerts::create(db.conn(), &unconfirmed, since).await.expect("alert");
    let weekly = db::alerts::NewAlert {
        email: "max@exemple.fr".into(),
        token: "jeton-hebdo".into(),
        frequency: domain::candidate::Frequency::Weekly,
        ..new.clone()
    };
    db::alerts::create(db.conn(), &weekly, since).await.expect("alert");

    let n = web::jobs::send_digests(&app.state, domain::candidate::Frequency::Daily).await.expect("digests");
    assert_eq!(n, 1, "only the confirmed daily alert");
    let mails = db::outbox::all(db.conn()).await.expect("outbox");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].recipient, "kim@exemple.fr");
    assert!(mails[0].subject.contains("nouvelles offres"), "{}", mails[0].subject);
    assert!(
        mails[0].text_body.contains("/alertes/desinscription/jeton-de-test"),
        "one-click unsubscribe in every digest"
    );
    assert!(mails[0].text_body.contains("/emploi/"));
    // Nothing new since: no second digest.
    assert_eq!(web::jobs::send_digests(&app.state, domain::candidate::Frequency::Daily).await.expect("digests"), 0);
    // The periodic runner takes each turn once per day, whatever the number of instances.
    assert!(db::outbox::take_turn(db.conn(), "alertes-quotidiennes:2026-11-24", today()).await.expect("turn"));
    assert!(!db::outbox::take_turn(db.conn(), "alertes-quotidiennes:2026-11-24", today()).await.expect("turn"));
});

db_test!(purge_deletes_what_is_kept_no_longer, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let email = domain::email::Email::parse("nora@exemple.fr").expect("email");
    let user = db::accounts::create_candidate(db.conn(), &email, "x", today()).await.expect("user");
    let offers = db::listing::latest_open(db.conn(), today(), 2, None, None, None).await.expect("offers");
    let mut ids = Vec::new();
    for (v, when) in offers.iter().zip([today() - Duration::days(800), today() - Duration::days(10)]) {
        let new = db::applications::NewApplication {
            offer_id: Some(v.offer.id),
            institution_id: Some(v.offer.institution_id),
            user_id: user.id,
            candidate_name: "Nora".into(),
            candidate_email: email.to_string(),
            cover_letter: None,
            links: None,
            cv_file_id: None,
        };
        ids.push(db::applications::create(db.conn(), &new, when).await.expect("application").id);
    }
    let alert = |email: &str, token: &str, confirmed: bool| db::alerts::NewAlert {
        user_id: None,
        email: email.into(),
        query: "q=data".into(),
        label: "data".into(),
        frequency: domain::candidate::Frequency::Daily,
        token: token.into(),
        confirmed,
    };
    db::alerts::create(db.conn(), &alert("active@exemple.fr", "t-active", true), today() - Duration::days(90))
        .await
        .expect("alert");
    db::alerts::create(db.conn(), &alert("stop@exemple.fr", "t-stop", true), today() - Duration::days(90))
        .await
        .expect("alert");
    db::alerts::set_unsubscribed(db.conn(), "t-stop", true, today() - Duration::days(40)).await.expect("unsubscribe");
    db::alerts::create(db.conn(), &alert("never@exemple.fr", "t-never", false), today() - Duration::days(10))
        .await
        .expect("alert");
    // Turns of periodic jobs: last month's go, today's stays (it keeps its job from running twice).
    assert!(db::outbox::take_turn(db.conn(), "vieux-tour", today() - Duration::days(40)).await.expect("turn"));
    assert!(db::outbox::take_turn(db.conn(), "tour-du-jour", today()).await.expect("turn"));
    assert_eq!(web::jobs::purge(&app.state).await.expect("purge"), 1);
    assert!(db::outbox::take_turn(db.conn(), "vieux-tour", today()).await.expect("turn"), "forgotten");
    assert!(!db::outbox::take_turn(db.conn(), "tour-du-jour", today()).await.expect("turn"), "kept");
    assert!(db::alerts::by_token(db.conn(), "t-active").await.expect("db").is_some());
    assert!(db::alerts::by_token(db.conn(), "t-stop").await.expect("db").is_none(), "stopped 40 days ago");
    assert!(db::alerts::by_token(db.conn(), "t-never").await.expect("db").is_none(), "never confirmed");
    assert!(db::applications::get(db.conn(), ids[0]).await.is_err(), "the old one is gone");
    assert!(db::applications::get(db.conn(), ids[1]).await.is_ok(), "the recent one stays");
});
