//! Identical writes arriving together, through the real router on both databases: each gives
//! one row and clear refusals (a page, a notice), never a 5xx.
// Some tests hold two transactions open at once to make them race.
#![allow(clippy::disallowed_methods)]

use crate::support::{TestApp, candidate, db_test, form_post, staff, today};
use axum::body::Body;
use axum::http::{Request, header};
use domain::role::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

fn no_server_error(what: &str, responses: &[crate::support::Response]) {
    for r in responses {
        assert!(!r.status.is_server_error(), "{what}: {} {}", r.status, r.body);
    }
}

/// An application form as the browser sends it (multipart, no CV).
fn application(cookie: &str, slug: &str) -> Request<Body> {
    let boundary = "----double";
    let mut body = String::new();
    for (k, v) in [("prenom", "Camille"), ("nom", "Roux"), ("lettre", "Bonjour")] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post(format!("/candidature/{slug}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request")
}

db_test!(a_double_submitted_application_is_one_application, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers.iter().find(|v| v.offer.application_url.is_none()).expect("an offer applied to here");
    let (user_id, cookie) = candidate(&db, "double@exemple.fr").await;
    let responses = app.concurrently((0..4).map(|_| application(&cookie, &offer.offer.slug)).collect()).await;
    no_server_error("double submit", &responses);
    let mine = db::applications::list_for_user(db.conn(), user_id).await.expect("applications");
    assert_eq!(mine.len(), 1, "one application, whatever the number of clicks");
    // The one that arrives after is told, in French, where the first one is.
    let again = app.request(application(&cookie, &offer.offer.slug)).await;
    assert!(!again.status.is_server_error());
    let shown = if again.status.is_redirection() {
        app.send(&cookie, "GET", again.header("location"), "").await.body
    } else {
        again.body
    };
    assert!(shown.contains("déjà candidaté"), "{shown}");
});

db_test!(two_racing_signups_make_one_account, |db| {
    let app = TestApp::new(&db, today()).await;
    let body = "email=course%40exemple.fr&password=Un+mot+de+passe+tres+long+42&cgu=on";
    let responses = app.concurrently((0..4).map(|_| form_post("", "/inscription", body)).collect()).await;
    no_server_error("signup race", &responses);
    let n = db::entity::user::Entity::find()
        .filter(db::entity::user::Column::Email.eq("course@exemple.fr"))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(n, 1);
});

db_test!(two_administrators_approving_at_once_make_one_recruiter, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let inst = db::institutions::list(db.conn()).await.expect("employers").remove(0);
    let one = staff(&app, &db, "admin1@exemple.fr", Role::Administrator, None).await;
    let two = staff(&app, &db, "admin2@exemple.fr", Role::Administrator, None).await;
    let three = staff(&app, &db, "admin3@exemple.fr", Role::Administrator, None).await;
    let request = db::backoffice::create_access_request(
        db.conn(),
        &db::backoffice::NewAccessRequest {
            name: "Agent Public".into(),
            email: "agent@exemple.gouv.fr".into(),
            institution_id: Some(inst.id),
            institution_name: inst.name.clone(),
            service: None,
            position: "Recruteuse".into(),
            purpose: domain::role::AccessPurpose::Recruiting,
        },
        today(),
    )
    .await
    .expect("request");
    let uri = format!("/admin/demandes/{}/decision", request.id);
    let body = format!("decision=approuver&employeur={}", inst.id);
    let responses = app
        .concurrently(vec![form_post(&one, &uri, &body), form_post(&two, &uri, &body), form_post(&three, &uri, &body)])
        .await;
    no_server_error("racing approvals", &responses);
    let users = db::entity::user::Entity::find()
        .filter(db::entity::user::Column::Email.eq("agent@exemple.gouv.fr"))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(users, 1, "one account");
    let mails = db::entity::outbox::Entity::find()
        .filter(db::entity::outbox::Column::Recipient.eq("agent@exemple.gouv.fr"))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(mails, 1, "one e-mail with one sign-in link");
    // Those who lost the race are told it was already decided.
    let mut told = 0;
    for (r, cookie) in responses.iter().zip([&one, &two, &three]) {
        let page = app.send(cookie, "GET", r.header("location"), "").await;
        if page.body.contains("cette demande a déjà été traitée") {
            told += 1;
        }
    }
    assert_eq!(told, 2, "the two late approvals are refused with a message");
});

db_test!(a_refusal_reason_added_twice_at_once_is_one_reason, |db| {
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let before = db::applications::refusal_reasons(db.conn()).await.expect("reasons").len();
    let body = "libelle=Poste+gel%C3%A9+par+la+direction";
    let responses = app.concurrently((0..4).map(|_| form_post(&admin, "/admin/motifs", body)).collect()).await;
    no_server_error("duplicate reason", &responses);
    let after = db::applications::refusal_reasons(db.conn()).await.expect("reasons");
    assert_eq!(after.len(), before + 1);
    assert_eq!(after.iter().filter(|r| r.label == "Poste gelé par la direction").count(), 1);
});

db_test!(one_siret_given_to_two_employers_at_once_goes_to_one, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let all = db::institutions::list(db.conn()).await.expect("employers");
    let (a, b) = (&all[0], &all[1]);
    let req = |inst: &db::entity::institution::Model| {
        let name: String = form_urlencoded::byte_serialize(inst.name.as_bytes()).collect();
        form_post(&admin, &format!("/admin/employeurs/{}", inst.id), &format!("nom={name}&siret=13002526500013"))
    };
    let responses = app.concurrently(vec![req(a), req(b), req(a), req(b)]).await;
    no_server_error("duplicate SIRET", &responses);
    let holders = db::entity::institution::Entity::find()
        .filter(db::entity::institution::Column::Siret.eq("13002526500013"))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(holders, 1);
    let refused = responses.iter().filter(|r| r.body.contains("est déjà celui de")).count();
    assert!(refused >= 1, "the employer that lost is told who has the SIRET");
});

db_test!(racing_stage_moves_and_a_withdrawal_end_in_one_valid_state, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers.iter().find(|v| v.offer.application_url.is_none()).expect("an offer applied to here");
    let one = staff(&app, &db, "ra1@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let two = staff(&app, &db, "ra2@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let (user_id, cookie) = candidate(&db, "hesitante@exemple.fr").await;
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id,
        candidate_name: "Camille Roux".into(),
        candidate_email: "hesitante@exemple.fr".into(),
        cover_letter: Some("Bonjour".into()),
        links: None,
        cv_file_id: None,
    };
    let a = db::applications::create(db.conn(), &new, today()).await.expect("application");
    let stage = format!("/recruteur/candidatures/{}/etape", a.id);
    let withdraw = format!("/espace-candidat/candidatures/{}/retirer", a.id);
    let responses = app
        .concurrently(vec![
            form_post(&one, &stage, "etape=entretien"),
            form_post(&two, &stage, "etape=preselection"),
            form_post(&cookie, &withdraw, ""),
            form_post(&one, &stage, "etape=acceptee"),
            form_post(&two, &stage, "etape=entretien"),
        ])
        .await;
    no_server_error("racing moves", &responses);
    // Whatever the order, the application is in one stage the machine knows, and its timeline
    // ends on that stage: no move was half written.
    let view = db::applications::get(db.conn(), a.id).await.expect("application");
    let stage: domain::candidate::Stage = view.application.stage.parse().expect("a known stage");
    let last = db::entity::application_event::Entity::find()
        .filter(db::entity::application_event::Column::ApplicationId.eq(a.id))
        .order_by_desc(db::entity::application_event::Column::Id)
        .one(db.conn())
        .await
        .expect("events")
        .expect("a timeline");
    assert_eq!(last.stage, stage.code(), "the timeline ends where the application is");
});

db_test!(a_sign_up_that_loses_the_race_still_writes_its_email, |db| {
    // A creates the account and has not committed yet when B, which did not see it, inserts the
    // same address: B must get "taken" and its transaction must stay usable (on PostgreSQL a
    // unique violation would have aborted it, and B still has an e-mail to queue).
    let email = domain::email::Email::parse("course@exemple.fr").expect("email");
    let a = db.begin().await.expect("begin A");
    db::users::create_with_password(&a, &email, Some("x"), Role::Candidate, None, today()).await.expect("A creates");
    let b = {
        let (db, email) = (db.db.clone(), email.clone());
        tokio::spawn(async move {
            // On SQLite this waits for A's commit (writes take the lock up front); on PostgreSQL
            // it runs now, and its insert waits for A.
            let b = db.begin().await.expect("begin B");
            let taken = db::users::create_with_password(&b, &email, Some("y"), Role::Candidate, None, today()).await;
            let msg =
                mail::messages::signup_existing(email.as_str(), "http://x/connexion", "http://x/mot-de-passe-oublie");
            db::outbox::enqueue(&b, &msg, today()).await.expect("B's transaction is still usable");
            b.commit().await.expect("B commits");
            taken
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    a.commit().await.expect("A commits");
    let taken = b.await.expect("task");
    assert!(matches!(taken, Err(db::DbError::Conflict(db::Conflict::EmailTaken { .. }))), "{taken:?}");
    let users = db::entity::user::Entity::find().count(db.conn()).await.expect("count");
    assert_eq!(users, 1);
    assert_eq!(db::outbox::all(db.conn()).await.expect("outbox").len(), 1, "B's e-mail was written");
});
