//! The forum: the waiting list and its promotions, fifty candidates on one job-dating slot,
//! overlapping and out-of-window bookings, registration by e-mail (double opt-in) and the
//! online link shown only to the registered and only when it is time, reminders sent once
//! each with a session moved, the calendar files read by a real iCalendar parser (Python
//! `icalendar`), the programme's filters and the API, the recruiter's agenda and « proposer de
//! candidater », the account's export and erasure.

use crate::support::{TestApp, TestDb, candidate, db_test, form_post, staff, today};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use db::forum::{EditionInput, SessionInput, SlotSeries};
use domain::forum::{RegistrationStatus, SessionKind, SessionState};
use domain::role::Role;

/// An edition open for registration and booking at `today()`, starting in ten days.
async fn edition(db: &TestDb) -> i64 {
    let now = today();
    let input = EditionInput {
        name: "Forum de test".into(),
        description: "Le forum des tests.".into(),
        starts_at: now + Duration::days(10),
        ends_at: now + Duration::days(14),
        registration_opens_at: now - Duration::days(1),
        registration_closes_at: now + Duration::days(13),
        booking_opens_at: now - Duration::days(1),
        booking_closes_minutes: 60,
        objective_participants: 1500,
        objective_services: 30,
        objective_posts: 300,
    };
    db::forum::create_edition(db.conn(), &input, now).await.expect("edition")
}

fn session_input(title: &str, starts_at: DateTime<Utc>, capacity: i32) -> SessionInput {
    SessionInput {
        kind: SessionKind::Workshop,
        title: title.into(),
        description: "Un atelier.".into(),
        institution_id: None,
        story_id: None,
        themes: vec!["Coaching".into()],
        starts_at,
        ends_at: starts_at + Duration::hours(1),
        online_url: "https://visio.exemple.fr/salle-secrete".into(),
        place: None,
        capacity,
        speakers: Vec::new(),
    }
}

async fn session(db: &TestDb, edition: i64, title: &str, starts_at: DateTime<Utc>, capacity: i32) -> (i64, String) {
    let input = session_input(title, starts_at, capacity);
    let id =
        db::forum::create_session(db.conn(), edition, &input, SessionState::Published, today()).await.expect("session");
    (id, db::forum::session(db.conn(), id).await.expect("row").slug)
}

/// The outbox's messages to `to` whose subject starts with `subject`.
async fn mails(db: &TestDb, to: &str, subject: &str) -> Vec<db::entity::outbox::Model> {
    db::outbox::all(db.conn())
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.recipient == to && m.subject.starts_with(subject))
        .collect()
}

/// A session of `user_id` still valid at `at` (the helper's expire the day after `today()`).
async fn session_until(db: &TestDb, user_id: i64, at: DateTime<Utc>) -> String {
    let id = tower_sessions::session::Id::default().to_string();
    let data = format!("{{\"user_id\":{user_id}}}");
    db::accounts::session_create(db.conn(), &id, Some(user_id), &data, at + Duration::days(1)).await.expect("session");
    format!("metiers_session={id}")
}

async fn token_of(db: &TestDb, email: &str, session_id: i64) -> String {
    let p = db::forum::participant_for(db.conn(), email, None, "inutilise", today()).await.expect("participant");
    db::forum::registration_of(db.conn(), session_id, p.id).await.expect("read").expect("registration").token
}

db_test!(a_cancellation_promotes_the_first_waiting_in_order, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let (sid, slug) = session(&db, e, "Atelier CV", today() + Duration::days(11), 2).await;
    let mut people = Vec::new();
    for i in 0..5 {
        let email = format!("p{i}@exemple.fr");
        let (_, cookie) = candidate(&db, &email).await;
        let res = app.send(&cookie, "POST", &format!("/evenements/{slug}/inscription"), "").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let expected = if i < 2 { "Inscription confirmée".to_string() } else { format!("en position {}", i - 1) };
        assert!(res.body.contains(&expected), "person {i}: {}", res.body);
        people.push((email, cookie));
    }
    // The page says it is full and offers the waiting list.
    let page = app.get(&format!("/evenements/{slug}")).await;
    assert!(page.body.contains("Complet : liste d’attente (3)"), "{}", page.body);
    assert!(page.body.contains("M’inscrire sur la liste d’attente"));
    // The two registered cancel, one click each from their registration page's button.
    for (email, _) in &people[..2] {
        let token = token_of(&db, email, sid).await;
        let res = app.get(&format!("/forum/inscription/{token}")).await;
        assert!(res.body.contains("Annuler mon inscription"), "{}", res.body);
        let res = app.send("", "POST", &format!("/forum/annuler/{token}"), "").await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Votre inscription à « Atelier CV » est annulée"), "{}", res.body);
    }
    let status = |i: usize| {
        let email = people[i].0.clone();
        let db = &db;
        async move {
            let p = db::forum::participant_for(db.conn(), &email, None, "x", today()).await.expect("p");
            let r = db::forum::registration_of(db.conn(), sid, p.id).await.expect("r").expect("row");
            r.status
        }
    };
    assert_eq!(status(2).await, RegistrationStatus::Registered.code());
    assert_eq!(status(3).await, RegistrationStatus::Registered.code());
    assert_eq!(status(4).await, RegistrationStatus::Waiting.code());
    // Each promoted person is told, in order; the third is not.
    let first = mails(&db, "p2@exemple.fr", "Une place s’est libérée").await;
    let second = mails(&db, "p3@exemple.fr", "Une place s’est libérée").await;
    assert_eq!((first.len(), second.len()), (1, 1));
    assert!(first[0].id < second[0].id, "the first waiting is promoted first");
    assert!(mails(&db, "p4@exemple.fr", "Une place s’est libérée").await.is_empty());
    let s = db::forum::session(db.conn(), sid).await.expect("session");
    assert_eq!((s.taken, s.capacity), (2, 2));
    // The last one is now first on the list.
    let token = token_of(&db, "p4@exemple.fr", sid).await;
    let res = app.get(&format!("/forum/inscription/{token}")).await;
    assert!(res.body.contains("en position 1"), "{}", res.body);
    // Cancelling twice says so, and promotes nobody more.
    let token = token_of(&db, "p0@exemple.fr", sid).await;
    let res = app.send("", "POST", &format!("/forum/annuler/{token}"), "").await;
    assert!(res.body.contains("était déjà annulée"), "{}", res.body);
    assert_eq!(db::forum::session(db.conn(), sid).await.expect("s").taken, 2);
});

db_test!(an_email_alone_confirms_first_and_sees_the_link_only_when_it_is_time, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let start = today() + Duration::days(11);
    let (sid, slug) = session(&db, e, "Conférence données", start, 100).await;
    let res = app.send("", "POST", &format!("/evenements/{slug}/inscription"), "email=pas-une-adresse").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Saisissez une adresse e-mail valide"));
    let res = app.send("", "POST", &format!("/evenements/{slug}/inscription"), "email=invite%40exemple.fr").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("cliquez sur le lien"), "{}", res.body);
    assert_eq!(db::forum::session(db.conn(), sid).await.expect("s").taken, 0, "no seat before the confirmation");
    let confirm = mails(&db, "invite@exemple.fr", "Confirmez votre inscription").await;
    assert_eq!(confirm.len(), 1);
    let token = token_of(&db, "invite@exemple.fr", sid).await;
    assert!(confirm[0].text_body.contains(&format!("/forum/confirmer/{token}")));
    // Again while pending: the page says nothing of the address; its mailbox gets the link.
    let res = app.send("", "POST", &format!("/evenements/{slug}/inscription"), "email=invite%40exemple.fr").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("Vérifiez votre boîte e-mail") && !res.body.contains("déjà"), "{}", res.body);
    let reminder = mails(&db, "invite@exemple.fr", "Votre inscription :").await;
    assert_eq!(reminder.len(), 1);
    assert!(reminder[0].text_body.contains(&format!("/forum/inscription/{token}")));
    // The link opens a page with one button (a mail scanner following it confirms nothing).
    let page = app.get(&format!("/forum/confirmer/{token}")).await;
    assert!(page.body.contains("Confirmer mon inscription"), "{}", page.body);
    assert_eq!(db::forum::session(db.conn(), sid).await.expect("s").taken, 0);
    let res = app.send("", "POST", &format!("/forum/confirmer/{token}"), "").await;
    assert!(res.body.contains("Votre place est réservée"), "{}", res.body);
    let again = app.send("", "POST", &format!("/forum/confirmer/{token}"), "").await;
    assert!(again.body.contains("déjà servi"), "{}", again.body);
    assert_eq!(db::forum::session(db.conn(), sid).await.expect("s").taken, 1);
    assert_eq!(mails(&db, "invite@exemple.fr", "Inscription confirmée").await.len(), 1);
    // The online link is never on the public page, the API or the calendar file.
    for uri in [format!("/evenements/{slug}"), "/api/v1/evenements".into(), format!("/evenements/{slug}.ics")] {
        let res = app.get(&uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        assert!(!res.body.contains("salle-secrete"), "{uri} shows the online link");
    }
    // On the registration page: not yet; from 30 minutes before, through the platform.
    let page = app.get(&format!("/forum/inscription/{token}")).await;
    assert!(!page.body.contains("Rejoindre la session") && page.body.contains("s’affichera ici"), "{}", page.body);
    let early = app.get(&format!("/forum/rejoindre/{token}")).await;
    assert_eq!(early.header("location"), format!("/forum/inscription/{token}"));
    let soon = TestApp::new(&db, start - Duration::minutes(20)).await;
    let page = soon.get(&format!("/forum/inscription/{token}")).await;
    assert!(page.body.contains("Rejoindre la session en ligne"), "{}", page.body);
    let join = soon.get(&format!("/forum/rejoindre/{token}")).await;
    assert_eq!(join.status, StatusCode::SEE_OTHER);
    assert_eq!(join.header("location"), "https://visio.exemple.fr/salle-secrete");
    let r = db::forum::registration_by_token(db.conn(), &token).await.expect("r");
    assert!(r.attended_at.is_some(), "following the link records the attendance");
    // After the session: the feedback form, a rating out of range refused, then recorded.
    let after = TestApp::new(&db, start + Duration::hours(2)).await;
    let page = after.get(&format!("/forum/inscription/{token}")).await;
    assert!(page.body.contains("Votre avis"), "{}", page.body);
    let bad = after.send("", "POST", &format!("/forum/avis/{token}"), "note=9").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = after.send("", "POST", &format!("/forum/avis/{token}"), "note=4&commentaire=Tr%C3%A8s+clair").await;
    assert!(ok.body.contains("Merci pour votre avis"), "{}", ok.body);
    assert_eq!(db::forum::registration_by_token(db.conn(), &token).await.expect("r").feedback_rating, Some(4));
    // Registration outside the window is refused with its reason.
    let closed = TestApp::new(&db, today() + Duration::days(13) + Duration::hours(1)).await;
    let res = closed.send("", "POST", &format!("/evenements/{slug}/inscription"), "email=tard%40exemple.fr").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("ne sont pas ouvertes"), "{}", res.body);
});

db_test!(reminders_go_once_each_at_the_new_time_of_a_moved_session, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let start = today() + Duration::days(11);
    let (sid, slug) = session(&db, e, "Atelier entretien", start, 10).await;
    let (_, cookie) = candidate(&db, "rappel@exemple.fr").await;
    app.send(&cookie, "POST", &format!("/evenements/{slug}/inscription"), "").await;
    // Moved two days later after the registration.
    let moved = start + Duration::days(2);
    let input = session_input("Atelier entretien", moved, 10);
    db::forum::update_session(db.conn(), sid, &input, today()).await.expect("moved");
    let at = |t: DateTime<Utc>| {
        let db = &db;
        async move {
            let app = TestApp::new(db, t).await;
            web::services::forum::send_reminders(&app.state).await.expect("reminders")
        }
    };
    // At the old time: nothing (the session is not then any more).
    assert_eq!(at(start - Duration::hours(20)).await, 0);
    assert_eq!(at(start - Duration::minutes(30)).await, 0);
    // The day before the new time, twice: one e-mail.
    assert_eq!(at(moved - Duration::hours(23)).await, 1);
    assert_eq!(at(moved - Duration::hours(22)).await, 0);
    // An hour before, twice: one e-mail.
    assert_eq!(at(moved - Duration::minutes(50)).await, 1);
    assert_eq!(at(moved - Duration::minutes(10)).await, 0);
    assert_eq!(mails(&db, "rappel@exemple.fr", "Demain :").await.len(), 1);
    let hour = mails(&db, "rappel@exemple.fr", "Dans une heure :").await;
    assert_eq!(hour.len(), 1);
    assert!(hour[0].text_body.contains("/forum/inscription/"), "the reminder leads to the registration page");
});

db_test!(fifty_candidates_on_one_slot_give_one_booking, |db| {
    let app = TestApp::new(&db, today()).await;
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let e = edition(&db).await;
    let inst = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let other = db::institutions::by_slug(db.conn(), "anssi").await.expect("anssi");
    let booth_id = db::forum::create_booth(db.conn(), e, inst.id, "Stand", today()).await.expect("booth");
    let booth2_id = db::forum::create_booth(db.conn(), e, other.id, "Stand", today()).await.expect("booth");
    let booth = db::forum::booth(db.conn(), booth_id).await.expect("b");
    let booth2 = db::forum::booth(db.conn(), booth2_id).await.expect("b");
    let start = today() + Duration::days(12);
    let series = |spans: Vec<(DateTime<Utc>, DateTime<Utc>)>| SlotSeries {
        spans,
        buffer_minutes: 10,
        online_url: "https://visio.exemple.fr/entretien".into(),
        question: None,
        offer_ids: Vec::new(),
    };
    db::forum::create_slots(db.conn(), &booth, &series(vec![(start, start + Duration::minutes(20))]), None, today())
        .await
        .expect("slot");
    let slots = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("slots");
    let slot = slots[0].slot.id;
    let mut cookies = Vec::new();
    for i in 0..50 {
        cookies.push(candidate(&db, &format!("c{i}@exemple.fr")).await);
    }
    let uri = format!("/stands/{}/creneaux/{slot}", booth.slug);
    let results = app.concurrently(cookies.iter().map(|(_, c)| form_post(c, &uri, "")).collect()).await;
    let booked = results.iter().filter(|r| r.status == StatusCode::OK).count();
    let refused: Vec<_> = results.iter().filter(|r| r.status == StatusCode::CONFLICT).collect();
    assert!(results.iter().all(|r| !r.status.is_server_error()), "no 5xx");
    assert_eq!((booked, refused.len()), (1, 49), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(refused.iter().all(|r| r.body.contains("vient d’être réservé")), "{}", refused[0].body);
    let slots = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("slots");
    let winner = slots[0].booking.as_ref().expect("one booking").user_id;
    let (_, cookie) = cookies.iter().find(|(id, _)| *id == winner).expect("winner");
    // A second slot at the same booth: refused; an overlapping slot at another booth: refused.
    db::forum::create_slots(
        db.conn(),
        &booth,
        &series(vec![(start + Duration::hours(2), start + Duration::hours(2) + Duration::minutes(20))]),
        None,
        today(),
    )
    .await
    .expect("slot");
    db::forum::create_slots(
        db.conn(),
        &booth2,
        &series(vec![
            (start + Duration::minutes(10), start + Duration::minutes(30)),
            (start + Duration::hours(3), start + Duration::hours(3) + Duration::minutes(20)),
        ]),
        None,
        today(),
    )
    .await
    .expect("slots");
    let same = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("s")[1].slot.id;
    let res = app.request(form_post(cookie, &format!("/stands/{}/creneaux/{same}", booth.slug), "")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("déjà un créneau à ce stand"), "{}", res.body);
    let other_slots = db::forum::slots_of_booth(db.conn(), booth2_id).await.expect("s");
    let res = app
        .request(form_post(cookie, &format!("/stands/{}/creneaux/{}", booth2.slug, other_slots[0].slot.id), ""))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("chevauche"), "{}", res.body);
    let res = app
        .request(form_post(cookie, &format!("/stands/{}/creneaux/{}", booth2.slug, other_slots[1].slot.id), ""))
        .await;
    assert_eq!(res.status, StatusCode::OK, "a slot that does not overlap is fine: {}", res.body);
    // Outside the window (closes an hour before): refused; cancel and rebook until then.
    let late = TestApp::new(&db, start - Duration::minutes(30)).await;
    let (late_id, _) = &cookies[(cookies.iter().position(|(id, _)| *id != winner)).expect("another")];
    let latecomer = &session_until(&db, *late_id, start).await;
    let cookie_then = session_until(&db, winner, start).await;
    let free = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("s")[1].slot.id;
    // That slot starts two hours after the first: its booking closes an hour before it.
    let later = TestApp::new(&db, start + Duration::minutes(70)).await;
    let res = later.request(form_post(latecomer, &format!("/stands/{}/creneaux/{free}", booth.slug), "")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("réservation de ce créneau est fermée"), "{}", res.body);
    let mine = db::forum::bookings_of_user(db.conn(), winner).await.expect("bookings");
    let first = mine.iter().find(|b| b.slot.id == slot).expect("first booking").booking.id;
    let res =
        late.request(form_post(&cookie_then, &format!("/espace-candidat/forum/rendez-vous/{first}/annuler"), "")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "too late to cancel: {}", res.body);
    let res = app.request(form_post(cookie, &format!("/espace-candidat/forum/rendez-vous/{first}/annuler"), "")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = app.request(form_post(cookie, &format!("/stands/{}/creneaux/{same}", booth.slug), "")).await;
    assert_eq!(res.status, StatusCode::OK, "rebooked at the same booth after cancelling: {}", res.body);
});

db_test!(the_recruiter_sees_their_booth_only_and_invites_to_apply, |db| {
    let app = TestApp::new(&db, today()).await;
    db::seed::seed_demo(&db, today()).await.expect("seed");
    app.sync().await;
    let e = edition(&db).await;
    let dinum = db::institutions::by_slug(db.conn(), "dinum").await.expect("dinum");
    let anssi = db::institutions::by_slug(db.conn(), "anssi").await.expect("anssi");
    let booth_id = db::forum::create_booth(db.conn(), e, dinum.id, "Stand", today()).await.expect("booth");
    db::forum::create_booth(db.conn(), e, anssi.id, "Stand", today()).await.expect("booth");
    let recruiter = staff(&app, &db, "rec@numerique.gouv.fr", Role::Recruiter, Some(dinum.id)).await;
    let other = staff(&app, &db, "rec@anssi.gouv.fr", Role::Recruiter, Some(anssi.id)).await;
    let offer = db::listing::latest_open(db.conn(), today(), 5, Some(dinum.id), None, None).await.expect("offers")[0]
        .offer
        .clone();
    let day = crate::support::at(2026, 12, 6).format("%Y-%m-%d").to_string();
    let body = format!(
        "jour={day}&debut=14%3A00&fin=15%3A00&duree=20&pause=10&lien=https%3A%2F%2Fvisio.exemple.fr%2Fjd&question=Pourquoi+nous+%3F&offres={}",
        offer.id
    );
    let res = app.send(&recruiter, "POST", "/recruteur/forum/creneaux", &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let slots = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("slots");
    assert_eq!(slots.len(), 2, "14:00 and 14:30, a 10-minute buffer");
    // A bad series is refused next to its field, nothing written.
    let bad = body.replace("duree=20", "duree=5");
    let res = app.send(&recruiter, "POST", "/recruteur/forum/creneaux", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("la durée d’un créneau va de 10 à 120 minutes"), "{}", res.body);
    assert_eq!(db::forum::slots_of_booth(db.conn(), booth_id).await.expect("s").len(), 2);
    // Another employer's offer is refused.
    let foreign =
        db::listing::latest_open(db.conn(), today(), 5, Some(anssi.id), None, None).await.expect("o")[0].offer.id;
    let res = app
        .send(
            &recruiter,
            "POST",
            "/recruteur/forum/creneaux",
            &body.replace(&format!("offres={}", offer.id), &format!("offres={foreign}")),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    // A candidate with a profile and CV books, answering the question.
    let (cid, cookie) = candidate(&db, "jd@exemple.fr").await;
    let profile =
        db::profiles::ProfileInput { first_name: "Alex".into(), last_name: "Durand".into(), ..Default::default() };
    db::profiles::save(db.conn(), cid, &profile, today()).await.expect("profile");
    let booth = db::forum::booth(db.conn(), booth_id).await.expect("booth");
    let uri = format!("/stands/{}/creneaux/{}", booth.slug, slots[0].slot.id);
    let res = app.request(form_post(&cookie, &uri, "")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "the question needs an answer");
    let res = app.request(form_post(&cookie, &uri, "reponse=Le+produit+me+pla%C3%AEt")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(mails(&db, "jd@exemple.fr", "Rendez-vous de job dating").await.len(), 1);
    // The booth's recruiter sees them; another employer's recruiter does not.
    let agenda = app.send(&recruiter, "GET", "/recruteur/forum", "").await;
    assert!(agenda.body.contains("Alex Durand") && agenda.body.contains("Le produit me plaît"), "{}", agenda.body);
    let foreign_agenda = app.send(&other, "GET", "/recruteur/forum", "").await;
    assert!(!foreign_agenda.body.contains("Alex Durand") && !foreign_agenda.body.contains("jd@exemple.fr"));
    let booking = db::forum::bookings_of_user(db.conn(), cid).await.expect("b")[0].booking.id;
    let res = app.send(&other, "POST", &format!("/recruteur/forum/rendez-vous/{booking}"), "presence=oui").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "another booth's booking is not found");
    // After the meeting: attended, notes, « proposer de candidater » → an application.
    let body = format!("presence=oui&notes=Tr%C3%A8s+bien&suite=proposer&offre={}", offer.id);
    let res = app.send(&recruiter, "POST", &format!("/recruteur/forum/rendez-vous/{booking}"), &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let apps = db::applications::list_for_user(db.conn(), cid).await.expect("apps");
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].application.offer_id, Some(offer.id));
    let pipeline = app.send(&recruiter, "GET", &format!("/recruteur/offres/{}/candidatures", offer.id), "").await;
    assert!(pipeline.body.contains("Alex Durand"), "the forum feeds the pipeline");
    assert_eq!(mails(&db, "jd@exemple.fr", &format!("{} vous propose de candidater", dinum.name)).await.len(), 1);
    // Recorded twice: still one application.
    app.send(&recruiter, "POST", &format!("/recruteur/forum/rendez-vous/{booking}"), &body).await;
    assert_eq!(db::applications::list_for_user(db.conn(), cid).await.expect("apps").len(), 1);
    // The candidate's export has the booking; erasing the account removes it.
    let export = app.send(&cookie, "GET", "/espace-candidat/export", "").await;
    assert!(export.body.contains("rendez_vous") && export.body.contains("Le produit me plaît"), "{}", export.body);
    let user = db::accounts::by_id(db.conn(), cid).await.expect("read").expect("user");
    web::services::accounts::delete_account(&app.state, &user).await.expect("deleted");
    assert!(db::forum::bookings_of_user(db.conn(), cid).await.expect("b").is_empty());
    assert!(db::forum::participant_of_user(db.conn(), cid).await.expect("p").is_none());
});

db_test!(the_programme_filters_and_the_api_agree, |db| {
    let app = TestApp::new(&db, today()).await;
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let home = app.get("/forum").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("Forum de l’emploi tech de l’État") && home.body.contains("objectif : 1"),
        "{}",
        home.body
    );
    let page = app.get("/evenements").await;
    assert!(page.body.contains("28 sessions"), "{}", page.body);
    let (status, api) = app.json("/api/v1/evenements").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api["total"], 28);
    for kind in ["conference", "presentation", "atelier", "job-dating", "temoignage"] {
        let (_, filtered) = app.json(&format!("/api/v1/evenements?type={kind}")).await;
        let n = filtered["total"].as_u64().expect("total");
        assert!(n >= 4, "{kind}: {n}");
        let page = app.get(&format!("/evenements?type={kind}")).await;
        assert!(page.body.contains(&format!("{n} sessions")), "{kind}");
    }
    let (_, dinum) = app.json("/api/v1/evenements?employeur=dinum").await;
    assert!(dinum["sessions"].as_array().expect("list").iter().all(|s| s["employeur"]["slug"] == "dinum"));
    let (_, themed) = app.json("/api/v1/evenements?theme=cybersecurite").await;
    assert!(themed["total"].as_u64().expect("n") >= 3);
    let first_day = api["sessions"][0]["debut"].as_str().expect("debut")[..10].to_string();
    let (_, day) = app.json(&format!("/api/v1/evenements?jour={first_day}")).await;
    assert!(
        day["sessions"]
            .as_array()
            .expect("list")
            .iter()
            .all(|s| s["debut"].as_str().expect("d").starts_with(&first_day))
    );
    for bad in ["/api/v1/evenements?type=bal", "/api/v1/evenements?jour=demain", "/api/v1/evenements?inconnu=1"] {
        let (status, body) = app.json(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["erreur"], "parametre_invalide");
    }
    let (status, _) = app.json("/api/v1/evenements?edition=inconnue").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = app.get("/evenements?type=bal&jour=demain").await;
    assert_eq!(page.status, StatusCode::OK, "bad filters match nothing, never a 500");
    assert!(page.body.contains("Aucune session ne correspond"));
    // A session's page: JSON-LD Event online, its calendar file; a draft is unknown.
    let slug = api["sessions"][0]["slug"].as_str().expect("slug").to_string();
    let page = app.get(&format!("/evenements/{slug}")).await;
    assert!(
        page.body.contains("\"@type\":\"Event\"") && page.body.contains("OnlineEventAttendanceMode"),
        "{}",
        page.body
    );
    let ics = app.get(&format!("/evenements/{slug}.ics")).await;
    assert!(ics.header("content-type").starts_with("text/calendar"));
    // The past edition stays readable with its replays, served by ranges with captions.
    let past =
        db::forum::editions(db.conn()).await.expect("e").into_iter().find(|e| e.ends_at < today()).expect("past");
    let (_, old) = app.json(&format!("/api/v1/evenements?edition={}", past.slug)).await;
    let replay = old["sessions"].as_array().expect("l").iter().find(|s| s["replay"] == true).expect("a replay");
    let slug = replay["slug"].as_str().expect("slug");
    let page = app.get(&format!("/evenements/{slug}")).await;
    assert!(
        page.body.contains("Le replay") && page.body.contains("sous-titres.vtt") && page.body.contains("Transcription")
    );
    let req = Request::get(format!("/evenements/{slug}/replay"))
        .header("range", "bytes=0-99")
        .body(Body::empty())
        .expect("req");
    let (status, _, bytes) = app.request_bytes(req).await;
    assert_eq!((status, bytes.len()), (StatusCode::PARTIAL_CONTENT, 100));
    let vtt = app.get(&format!("/evenements/{slug}/sous-titres.vtt")).await;
    assert!(vtt.body.starts_with("WEBVTT"));
    // Booths: twelve, each with its slots and offers.
    let booths = app.get("/stands").await;
    assert_eq!(booths.body.matches("fr-tile__title").count(), 12, "{}", booths.body);
    let openapi = app.get("/api/openapi.json").await;
    assert!(openapi.body.contains("/api/v1/evenements"));
});

/// Parses an iCalendar text with Python's `icalendar` and gives back its events as JSON.
fn parse_ics(ics: &str) -> Option<serde_json::Value> {
    let python = crate::support::smtp::python()?;
    let check = std::process::Command::new(&python).args(["-c", "import icalendar"]).output().ok()?;
    if !check.status.success() {
        assert!(std::env::var("CI").is_err(), "CI installs icalendar in the test venv");
        eprintln!("skipped: icalendar is not installed for {python}");
        return None;
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("agenda.ics");
    std::fs::write(&path, ics).expect("write");
    let script = r#"
import json, sys, icalendar, zoneinfo
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
paris = zoneinfo.ZoneInfo('Europe/Paris')
out = {"name": str(cal.get('X-WR-CALNAME')), "tz": str(cal.get('X-WR-TIMEZONE')), "events": []}
for e in cal.walk('VEVENT'):
    out["events"].append({
        "uid": str(e.get('UID')), "summary": str(e.get('SUMMARY')), "status": str(e.get('STATUS')),
        "start": e.decoded('DTSTART').astimezone(paris).isoformat(),
        "end": e.decoded('DTEND').astimezone(paris).isoformat(),
        "alarms": [str(a.get('TRIGGER').to_ical().decode()) for a in e.walk('VALARM')],
    })
print(json.dumps(out))
"#;
    let out = std::process::Command::new(&python).args(["-c", script]).arg(&path).output().expect("python runs");
    assert!(out.status.success(), "icalendar refused the file: {}\n{ics}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("json"))
}

db_test!(calendar_files_read_in_a_real_parser, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    // 14:00 in Paris on a winter day is 13:00 UTC; a summer session is checked too.
    let winter = crate::support::at(2026, 12, 8) + Duration::hours(1);
    let summer = crate::support::at(2027, 6, 8) + Duration::hours(0);
    let (s1, slug1) = session(&db, e, "Atelier, hiver ; « données »", winter, 10).await;
    let (_, slug2) = session(&db, e, "Atelier d’été", summer, 10).await;
    let res = app.get(&format!("/evenements/{slug1}.ics")).await;
    let Some(one) = parse_ics(&res.body) else { return };
    assert_eq!(one["tz"], "Europe/Paris");
    assert_eq!(one["events"][0]["start"], "2026-12-08T14:00:00+01:00");
    assert_eq!(one["events"][0]["summary"], "Atelier, hiver ; « données »");
    assert_eq!(one["events"][0]["status"], "CONFIRMED");
    // The personal calendar: two registrations (one then cancelled), a booking; alarms.
    let (cid, cookie) = candidate(&db, "agenda@exemple.fr").await;
    for slug in [&slug1, &slug2] {
        let res = app.send(&cookie, "POST", &format!("/evenements/{slug}/inscription"), "").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    let inst = db::institutions::find_or_create(db.conn(), "Service de test", None, None, today()).await.expect("inst");
    let booth_id = db::forum::create_booth(db.conn(), e, inst.id, "", today()).await.expect("booth");
    let booth = db::forum::booth(db.conn(), booth_id).await.expect("b");
    let at = winter + Duration::days(1);
    let series = SlotSeries {
        spans: vec![(at, at + Duration::minutes(20))],
        buffer_minutes: 0,
        online_url: "https://v.exemple.fr".into(),
        question: None,
        offer_ids: vec![],
    };
    db::forum::create_slots(db.conn(), &booth, &series, None, today()).await.expect("slot");
    let slot = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("s")[0].slot.id;
    let res = app.request(form_post(&cookie, &format!("/stands/{}/creneaux/{slot}", booth.slug), "")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let token = token_of(&db, "agenda@exemple.fr", s1).await;
    app.send("", "POST", &format!("/forum/annuler/{token}"), "").await;
    let p = db::forum::participant_of_user(db.conn(), cid).await.expect("p").expect("participant");
    let res = app.get(&format!("/agenda/{}.ics", p.agenda_token)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("cache-control").contains("no-store"));
    let agenda = parse_ics(&res.body).expect("parsed");
    let events = agenda["events"].as_array().expect("events");
    assert_eq!(events.len(), 3, "{agenda}");
    let cancelled = events.iter().find(|e| e["summary"] == "Atelier, hiver ; « données »").expect("first");
    assert_eq!(cancelled["status"], "CANCELLED");
    assert!(cancelled["alarms"].as_array().expect("a").is_empty());
    let kept = events.iter().find(|e| e["summary"] == "Atelier d’été").expect("second");
    assert_eq!(kept["start"], "2027-06-08T14:00:00+02:00", "summer time");
    assert_eq!(kept["status"], "CONFIRMED");
    assert_eq!(kept["alarms"], serde_json::json!(["-P1D", "-PT1H"]));
    let meeting = events.iter().find(|e| e["summary"].as_str().expect("s").starts_with("Job dating")).expect("booking");
    assert_eq!(meeting["start"], "2026-12-09T14:00:00+01:00");
    // Every file keeps one UID per session across downloads, so a client updates its copy.
    let again = parse_ics(&app.get(&format!("/agenda/{}.ics", p.agenda_token)).await.body).expect("parsed");
    assert_eq!(again["events"][1]["uid"], agenda["events"][1]["uid"]);
    // An unknown calendar is a 404.
    assert_eq!(app.get("/agenda/inconnu.ics").await.status, StatusCode::NOT_FOUND);
});

db_test!(concurrent_registrations_fill_the_seats_exactly, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let (sid, slug) = session(&db, e, "Petite salle", today() + Duration::days(11), 5).await;
    let mut cookies = Vec::new();
    for i in 0..20 {
        cookies.push(candidate(&db, &format!("r{i}@exemple.fr")).await.1);
    }
    let uri = format!("/evenements/{slug}/inscription");
    let mut requests: Vec<_> = cookies.iter().map(|c| form_post(c, &uri, "")).collect();
    // The same person twice at once, too.
    requests.push(form_post(&cookies[0], &uri, ""));
    let results = app.concurrently(requests).await;
    assert!(
        results.iter().all(|r| !r.status.is_server_error()),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let s = db::forum::session(db.conn(), sid).await.expect("s");
    assert_eq!(s.taken, 5);
    let registered =
        db::forum::registrations_of_session(db.conn(), sid, RegistrationStatus::Registered).await.expect("r");
    let waiting = db::forum::registrations_of_session(db.conn(), sid, RegistrationStatus::Waiting).await.expect("w");
    assert_eq!((registered.len(), waiting.len()), (5, 15), "one row per person");
    assert_eq!(results.iter().filter(|r| r.status == StatusCode::CONFLICT).count(), 1, "the double submit is told");
});

db_test!(concurrent_cancellations_promote_as_many_in_order, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let (sid, slug) = session(&db, e, "Salle comble", today() + Duration::days(11), 4).await;
    for i in 0..10 {
        let (_, cookie) = candidate(&db, &format!("q{i}@exemple.fr")).await;
        let res = app.send(&cookie, "POST", &format!("/evenements/{slug}/inscription"), "").await;
        assert_eq!(res.status, StatusCode::OK);
    }
    // The four registered cancel at once, each twice (a double click).
    let mut requests = Vec::new();
    for i in 0..4 {
        let token = token_of(&db, &format!("q{i}@exemple.fr"), sid).await;
        for _ in 0..2 {
            requests.push(form_post("", &format!("/forum/annuler/{token}"), ""));
        }
    }
    let results = app.concurrently(requests).await;
    assert!(
        results.iter().all(|r| r.status == StatusCode::OK),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let s = db::forum::session(db.conn(), sid).await.expect("s");
    assert_eq!(s.taken, 4, "every freed seat given again, none twice");
    let registered: Vec<String> = db::forum::registrations_of_session(db.conn(), sid, RegistrationStatus::Registered)
        .await
        .expect("r")
        .into_iter()
        .map(|r| r.email)
        .collect();
    let mut expected: Vec<String> = (4..8).map(|i| format!("q{i}@exemple.fr")).collect();
    let mut got = registered.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "the first four waiting, in order");
    for i in 4..8 {
        assert_eq!(mails(&db, &format!("q{i}@exemple.fr"), "Une place s’est libérée").await.len(), 1, "told once");
    }
    let waiting = db::forum::registrations_of_session(db.conn(), sid, RegistrationStatus::Waiting).await.expect("w");
    assert_eq!(waiting.iter().map(|r| r.email.clone()).collect::<Vec<_>>(), vec!["q8@exemple.fr", "q9@exemple.fr"]);
});

db_test!(organisers_write_publish_cancel_and_add_a_replay, |db| {
    let app = TestApp::new(&db, today()).await;
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let admin = staff(&app, &db, "orga@numerique.gouv.fr", Role::Administrator, None).await;
    // The demo edition's figures: its 12 booths' slots, none booked yet (fill rate 0 %).
    let demo = db::forum::current_edition(db.conn(), today()).await.expect("read").expect("demo edition");
    let page = app.send(&admin, "GET", &format!("/admin/forum/{}", demo.id), "").await;
    assert!(page.body.contains("Remplissage") && page.body.contains("(0, 0 %)"), "{}", page.body);
    // An edition with its fields checked: the end before the start is refused, nothing written.
    let editions = db::forum::editions(db.conn()).await.expect("e").len();
    let bad = "nom=Forum+2028&debut=2028-03-14T09%3A00&fin=2028-03-13T18%3A00&inscriptions_debut=2028-01-10T09%3A00&inscriptions_fin=2028-03-10T18%3A00&reservations_debut=2028-03-01T09%3A00&reservations_delai=60&objectif_participants=1500&objectif_services=30&objectif_postes=300";
    let res = app.send(&admin, "POST", "/admin/forum", bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("La fin doit suivre le début") && res.body.contains("value=\"Forum 2028\""),
        "{}",
        res.body
    );
    assert_eq!(db::forum::editions(db.conn()).await.expect("e").len(), editions);
    let good = bad.replace("fin=2028-03-13T18", "fin=2028-03-18T18");
    let res = app.send(&admin, "POST", "/admin/forum", &good).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let e = db::forum::editions(db.conn()).await.expect("e").into_iter().find(|e| e.name == "Forum 2028").expect("new");
    assert_eq!(crate::support::at(2028, 3, 14).date_naive(), e.starts_at.date_naive());
    assert_eq!(e.starts_at.format("%H:%M").to_string(), "08:00", "09:00 in Paris in winter is 08:00 UTC");
    // A session: refused without its link, then a draft, published, on the programme.
    let form = "type=atelier&titre=Atelier+portfolio&debut=2028-03-15T10%3A00&fin=2028-03-15T11%3A00&capacite=20&themes=Design%2C+design%2C+Coaching&intervenants=Sam+Roy%2C+Designer%0AAmina%2C+D%C3%A9veloppeuse%2C+%2Ftemoignages%2Famina-developpeuse-dinum";
    let res = app.send(&admin, "POST", &format!("/admin/forum/{}/sessions/nouvelle", e.id), form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Renseignez le lien de connexion"), "{}", res.body);
    let form = format!("{form}&lien=https%3A%2F%2Fvisio.exemple.fr%2Fportfolio");
    let res = app.send(&admin, "POST", &format!("/admin/forum/{}/sessions/nouvelle", e.id), &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let sid: i64 = res.header("location").rsplit('/').next().expect("id").parse().expect("id");
    let v = db::forum::session_view(db.conn(), sid).await.expect("v");
    assert_eq!(v.state, SessionState::Draft);
    assert_eq!(v.themes(), vec!["Design".to_string(), "Coaching".to_string()]);
    assert_eq!(v.speakers[0].name, "Sam Roy");
    // The second speaker is linked to her public story and its employer; the page links it.
    let story = db::stories::public_by_slug(db.conn(), "amina-developpeuse-dinum").await.expect("story");
    assert_eq!(
        (v.speakers[1].story_id, v.speakers[1].institution_id),
        (Some(story.story.id), Some(story.institution.id))
    );
    let editor = app.send(&admin, "GET", &format!("/admin/forum/sessions/{sid}"), "").await;
    assert!(
        editor.body.contains("Amina, Développeuse, /temoignages/amina-developpeuse-dinum"),
        "the editor gives the line back"
    );
    let unknown = form.replace("amina-developpeuse-dinum", "personne");
    let res = app
        .send(
            &admin,
            "POST",
            &format!("/admin/forum/sessions/{sid}"),
            &format!("{unknown}&lien=https%3A%2F%2Fvisio.exemple.fr%2Fportfolio"),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Aucun témoignage publié à l’adresse /temoignages/personne"), "{}", res.body);
    assert_eq!(
        app.get(&format!("/evenements/{}", v.session.slug)).await.status,
        StatusCode::NOT_FOUND,
        "a draft is unknown"
    );
    app.send(&admin, "POST", &format!("/admin/forum/sessions/{sid}/etat"), "etat=published").await;
    let page = app.get(&format!("/evenements/{}", v.session.slug)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/temoignages/amina-developpeuse-dinum\""), "the speaker links to her story");
    let booths = app.send(&admin, "GET", &format!("/admin/forum/{}/stands.csv", e.id), "").await;
    assert!(booths.body.starts_with('\u{feff}') && booths.body.contains("Stand;Créneaux"), "{}", booths.body);
    // Cancelled: everyone registered is told, the calendar says so.
    let registration_app = TestApp::new(&db, crate::support::at(2028, 2, 1)).await;
    let res = registration_app
        .send("", "POST", &format!("/evenements/{}/inscription", v.session.slug), "email=inscrite%40exemple.fr")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let token = token_of(&db, "inscrite@exemple.fr", sid).await;
    registration_app.send("", "POST", &format!("/forum/confirmer/{token}"), "").await;
    // Moved by the organisers: told, with the old and the new time.
    let moved =
        form.replace("2028-03-15T10%3A00", "2028-03-16T10%3A00").replace("2028-03-15T11%3A00", "2028-03-16T11%3A00");
    let res = app.send(&admin, "POST", &format!("/admin/forum/sessions/{sid}"), &moved).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let told = mails(&db, "inscrite@exemple.fr", "Nouvel horaire").await;
    assert_eq!(told.len(), 1);
    assert!(
        told[0].text_body.contains("mercredi 15 mars 2028") && told[0].text_body.contains("jeudi 16 mars 2028"),
        "{}",
        told[0].text_body
    );
    app.send(&admin, "POST", &format!("/admin/forum/sessions/{sid}/etat"), "etat=cancelled").await;
    assert_eq!(mails(&db, "inscrite@exemple.fr", "Session annulée").await.len(), 1);
    let ics = app.get(&format!("/evenements/{}.ics", v.session.slug)).await;
    assert!(ics.body.contains("STATUS:CANCELLED"));
    // The journal names each change.
    let journal = app.send(&admin, "GET", "/admin/journal", "").await;
    assert!(
        journal.body.contains("Session du forum créée ou modifiée")
            && journal.body.contains("Édition du forum créée ou modifiée")
    );
    // A replay: refused without captions, nothing stored; then the video, captions and transcript.
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/db/seed/stories");
    let video = std::fs::read(root.join("amina-developpeuse-dinum.webm")).expect("video");
    let vtt = std::fs::read(root.join("amina-developpeuse-dinum.vtt")).expect("vtt");
    let uri = format!("/admin/forum/sessions/{sid}/replay");
    let res = app.request(crate::support::multipart(&admin, &uri, &[("video", Some("replay.webm"), &video)])).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        db::forum::session(db.conn(), sid).await.expect("s").replay_key.is_none(),
        "nothing stored without captions"
    );
    let parts: [(&str, Option<&str>, &[u8]); 3] = [
        ("video", Some("replay.webm"), &video),
        ("sous_titres", Some("replay.vtt"), &vtt),
        ("transcription", None, b"Bonjour et bienvenue."),
    ];
    let res = app.request(crate::support::multipart(&admin, &uri, &parts)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let s = db::forum::session(db.conn(), sid).await.expect("s");
    assert!(s.replay_key.as_deref().is_some_and(|k| k.starts_with("forum/replays/")));
    // Shown once the session is over (and only then).
    let later = TestApp::new(&db, crate::support::at(2028, 4, 1)).await;
    app.send(&admin, "POST", &format!("/admin/forum/sessions/{sid}/etat"), "etat=published").await;
    let page = later.get(&format!("/evenements/{}", s.slug)).await;
    assert!(page.body.contains("Le replay") && page.body.contains("Bonjour et bienvenue."), "{}", page.body);
    assert_eq!(
        app.get(&format!("/evenements/{}/replay", s.slug)).await.status,
        StatusCode::NOT_FOUND,
        "not before the end"
    );
});

db_test!(participants_are_purged_after_the_edition_and_the_counts_stay, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let start = today() + Duration::days(11);
    let (sid, slug) = session(&db, e, "Atelier purgé", start, 1).await;
    let (_, cookie) = candidate(&db, "compte@exemple.fr").await;
    app.send(&cookie, "POST", &format!("/evenements/{slug}/inscription"), "").await;
    app.send("", "POST", &format!("/evenements/{slug}/inscription"), "email=sans-compte%40exemple.fr").await;
    let token = token_of(&db, "sans-compte@exemple.fr", sid).await;
    app.send("", "POST", &format!("/forum/confirmer/{token}"), "").await;
    // After the session: one feedback request per registered person, once.
    let after = TestApp::new(&db, start + Duration::hours(3)).await;
    assert_eq!(web::services::forum::ask_feedback(&after.state).await.expect("feedback"), 1, "the registered one");
    assert_eq!(web::services::forum::ask_feedback(&after.state).await.expect("feedback"), 0, "once");
    assert_eq!(mails(&db, "compte@exemple.fr", "Votre avis sur").await.len(), 1);
    let edition_row = db::forum::edition(db.conn(), e).await.expect("e");
    let before = db::forum::stats(db.conn(), &edition_row, today()).await.expect("stats");
    assert_eq!((before.registrations, before.waiting), (1, 1));
    // 89 days after the end: kept; 91 days after: purged, the figures kept on the edition.
    let ended = edition_row.ends_at;
    let early = TestApp::new(&db, ended + Duration::days(89)).await;
    web::jobs::purge(&early.state).await.expect("purge");
    assert_eq!(
        db::forum::registrations_of_session(db.conn(), sid, RegistrationStatus::Registered).await.expect("r").len(),
        1
    );
    let late = TestApp::new(&db, ended + Duration::days(91)).await;
    web::jobs::purge(&late.state).await.expect("purge");
    for status in [RegistrationStatus::Registered, RegistrationStatus::Waiting] {
        assert!(db::forum::registrations_of_session(db.conn(), sid, status).await.expect("r").is_empty());
    }
    let gone = db::forum::participant_for(db.conn(), "sans-compte@exemple.fr", None, "neuf", today()).await.expect("p");
    assert_eq!(gone.agenda_token, "neuf", "the participant without an account was deleted (a new row now)");
    let purged = db::forum::edition(db.conn(), e).await.expect("e");
    assert!(purged.purged_at.is_some());
    let after = db::forum::stats(db.conn(), &purged, today()).await.expect("stats");
    assert_eq!(after, before, "the counts stay");
    // The organisers' export of that edition has nobody left in it.
    let admin = staff(&app, &db, "purge@numerique.gouv.fr", Role::Administrator, None).await;
    let csv = app.send(&admin, "GET", &format!("/admin/forum/{e}/participants.csv"), "").await;
    assert!(!csv.body.contains("exemple.fr"), "{}", csv.body);
});

db_test!(announcements_reach_the_registered_and_stop_in_one_click, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let (sid, slug) = session(&db, e, "Atelier annonce", today() + Duration::days(11), 10).await;
    for who in ["a1", "a2"] {
        let (_, cookie) = candidate(&db, &format!("{who}@exemple.fr")).await;
        app.send(&cookie, "POST", &format!("/evenements/{slug}/inscription"), "").await;
    }
    let admin = staff(&app, &db, "annonce@numerique.gouv.fr", Role::Administrator, None).await;
    let csv = app.send(&admin, "GET", &format!("/admin/forum/{e}/participants.csv"), "").await;
    assert!(csv.body.contains("a1@exemple.fr") && csv.body.contains("Atelier annonce"), "{}", csv.body);
    let res = app
        .send(
            &admin,
            "POST",
            &format!("/admin/forum/{e}/annonce"),
            "objet=Le+programme&message=Bonjour.%0A%0AVoici+le+programme.",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let sent = mails(&db, "a1@exemple.fr", "Le programme").await;
    assert_eq!(sent.len(), 1);
    let stop = sent[0].unsubscribe_url.clone().expect("an unsubscribe link");
    let path = stop.trim_start_matches("http://127.0.0.1:8080");
    // One click (the mail client's POST) stops them; the page offers the undo.
    let res = app.send("", "POST", path, "").await;
    assert!(res.body.contains("Annonces arrêtées") && res.body.contains("Reprendre les annonces"), "{}", res.body);
    app.send(&admin, "POST", &format!("/admin/forum/{e}/annonce"), "objet=Deuxi%C3%A8me&message=Encore.").await;
    assert!(mails(&db, "a1@exemple.fr", "Deuxième").await.is_empty(), "stopped");
    assert_eq!(mails(&db, "a2@exemple.fr", "Deuxième").await.len(), 1);
    let resume = path.replace("/arret/", "/reprise/");
    let res = app.send("", "POST", &resume, "").await;
    assert!(res.body.contains("Annonces reprises"), "{}", res.body);
    app.send(&admin, "POST", &format!("/admin/forum/{e}/annonce"), "objet=Troisi%C3%A8me&message=Encore.").await;
    assert_eq!(mails(&db, "a1@exemple.fr", "Troisième").await.len(), 1, "resumed");
    let _ = sid;
});

db_test!(an_unconfirmed_account_is_not_tied_to_the_address_registrations, |db| {
    let app = TestApp::new(&db, today()).await;
    let e = edition(&db).await;
    let (sid, slug) = session(&db, e, "Atelier confiance", today() + Duration::days(11), 10).await;
    // The real owner of the address registers by e-mail and confirms.
    app.send("", "POST", &format!("/evenements/{slug}/inscription"), "email=vraie%40exemple.fr").await;
    let token = token_of(&db, "vraie@exemple.fr", sid).await;
    app.send("", "POST", &format!("/forum/confirmer/{token}"), "").await;
    // Somebody signs up with that address and never confirms it.
    let email = domain::email::Email::parse("vraie@exemple.fr").expect("email");
    let user = db::accounts::create_candidate(db.conn(), &email, "x", today()).await.expect("account");
    let sid_cookie = {
        let id = tower_sessions::session::Id::default().to_string();
        let data = format!("{{\"user_id\":{}}}", user.id);
        db::accounts::session_create(db.conn(), &id, Some(user.id), &data, today() + Duration::days(1))
            .await
            .expect("s");
        format!("metiers_session={id}")
    };
    let (sid2, slug2) = session(&db, e, "Autre atelier", today() + Duration::days(12), 10).await;
    let res = app.send(&sid_cookie, "POST", &format!("/evenements/{slug2}/inscription"), "").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("cliquez sur le lien"), "an unconfirmed account confirms by e-mail: {}", res.body);
    assert!(db::forum::participant_of_user(db.conn(), user.id).await.expect("p").is_none(), "not tied to the address");
    let space = app.send(&sid_cookie, "GET", "/espace-candidat", "").await;
    assert!(
        !space.body.contains(&token) && !space.body.contains("Atelier confiance"),
        "the owner's registration stays hidden"
    );
    let page = app.send(&sid_cookie, "GET", &format!("/evenements/{slug}"), "").await;
    assert!(!page.body.contains(&token));
    let _ = sid2;
    // Nor may it book a job-dating slot.
    let inst = db::institutions::find_or_create(db.conn(), "Service confiance", None, None, today()).await.expect("i");
    let booth_id = db::forum::create_booth(db.conn(), e, inst.id, "", today()).await.expect("booth");
    let booth = db::forum::booth(db.conn(), booth_id).await.expect("b");
    let at = today() + Duration::days(12);
    let series = SlotSeries {
        spans: vec![(at, at + Duration::minutes(20))],
        buffer_minutes: 0,
        online_url: "https://v.exemple.fr".into(),
        question: None,
        offer_ids: vec![],
    };
    db::forum::create_slots(db.conn(), &booth, &series, None, today()).await.expect("slot");
    let slot = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("s")[0].slot.id;
    let res = app.request(form_post(&sid_cookie, &format!("/stands/{}/creneaux/{slot}", booth.slug), "")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("onfirmez d’abord votre adresse"), "{}", res.body);
});
