//! « Vis mon job » through its services on the real database: a campaign's offers and
//! applications, the matching reviewed then confirmed, acceptance by both sides, a refusal
//! that frees the host who is then proposed to the next student, an expiry that pauses the
//! silent side, and two sides answering at the same instant; with the e-mails each step
//! leaves in the outbox.

use crate::support::{TestApp, TestDb, db_test, today};
use chrono::{DateTime, Duration, Utc};
use db::immersion::{Answered, ApplicationInput, CampaignInput, Decision, OfferInput};
use domain::email::Email;
use domain::immersion::{ApplicationState, DeclineReason, DuoState, PlaceMode, Side, StudyYear};
use domain::role::Role;

async fn mails(db: &TestDb, to: &str, subject: &str) -> usize {
    db::outbox::all(db.conn())
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.recipient == to && m.subject.starts_with(subject))
        .count()
}

/// A campaign open at `today()`, closing in two days, its days three weeks later.
async fn campaign(db: &TestDb) -> db::entity::immersion_campaign::Model {
    let now = today();
    let first = (now + Duration::days(21)).date_naive();
    let days = vec![first, first + Duration::days(1)];
    let (_, ends_at) = web::services::immersion::day_bounds(days[1]).expect("day");
    let input = CampaignInput {
        name: "Vis mon job test".into(),
        rules: "Une journée, un duo.".into(),
        days,
        opens_at: now - Duration::days(1),
        closes_at: now + Duration::days(2),
        matching_on: now + Duration::days(3),
        ends_at,
        answer_days: 5,
        objective_duos: 60,
    };
    let id = db::immersion::create_campaign(db.conn(), &input, now).await.expect("campaign");
    db::immersion::campaign(db.conn(), id).await.expect("read")
}

async fn account(db: &TestDb, email: &str, role: Role) -> db::entity::user::Model {
    let e = Email::parse(email).expect("email");
    let u = match role {
        Role::Candidate => db::accounts::create_candidate(db.conn(), &e, "x", today()).await.expect("candidate"),
        r => db::users::create(db.conn(), &e, r, None, today()).await.expect("agent"),
    };
    db::accounts::mark_verified(db.conn(), u.id, today()).await.expect("verified");
    db::accounts::by_id(db.conn(), u.id).await.expect("read").expect("account")
}

fn offer(c: &db::entity::immersion_campaign::Model, profession: &str, mode: PlaceMode, region: &str) -> OfferInput {
    OfferInput {
        employer: "DINUM".into(),
        service: "Incubateur".into(),
        job_title: "Développeuse".into(),
        profession: profession.into(),
        domain: None,
        mode,
        commune_code: None,
        region_code: Some(region.into()),
        days: db::immersion::days_of(c).expect("days"),
        seats: 1,
        description: "Une journée dans l’équipe.".into(),
        accessibility: "Locaux accessibles.".into(),
    }
}

fn application(professions: &[&str], regions: &[&str], remote_ok: bool) -> ApplicationInput {
    ApplicationInput {
        first_name: "Camille".into(),
        last_name: "Roux".into(),
        phone: None,
        school: "Université de Lille".into(),
        programme: "Master informatique".into(),
        year: StudyYear::Master2,
        professions: professions.iter().map(|p| p.to_string()).collect(),
        domains: Vec::new(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        remote_ok,
        motivation: "Découvrir le numérique public.".into(),
        days: Vec::new(),
    }
}

async fn app_at(db: &TestDb, at: DateTime<Utc>) -> TestApp {
    TestApp::new(db, at).await
}

/// One campaign, one host offering a developer's day in Île-de-France, one student whose
/// application (all days) is ready but not sent.
async fn one_host_one_student(
    db: &TestDb,
    app: &TestApp,
    mode: PlaceMode,
    remote_ok: bool,
) -> (db::entity::immersion_campaign::Model, db::entity::user::Model, ApplicationInput) {
    let c = campaign(db).await;
    let host = account(db, "h@agent.gouv.fr", Role::Recruiter).await;
    let student = account(db, "s@etudiant.fr", Role::Candidate).await;
    web::services::immersion::save_offer(&app.state, &host, &c, &offer(&c, "dev", mode, "11")).await.expect("offer");
    let mut a = application(&["dev"], &["11"], remote_ok);
    a.days = db::immersion::days_of(&c).expect("days");
    (c, student, a)
}

/// Three days later, once applications are closed, the administrator computes the proposal.
async fn proposed(
    db: &TestDb,
    now: DateTime<Utc>,
    c: &db::entity::immersion_campaign::Model,
) -> (TestApp, db::entity::immersion_campaign::Model, db::entity::user::Model) {
    let admin = account(db, "admin@agent.gouv.fr", Role::Administrator).await;
    let later = app_at(db, now + Duration::days(3)).await;
    web::services::immersion::compute_proposal(&later.state, &admin, c).await.expect("proposal");
    let c = db::immersion::campaign(db.conn(), c.id).await.expect("campaign");
    (later, c, admin)
}

db_test!(duos_are_proposed_accepted_refused_and_proposed_again, |db| {
    let now = today();
    let app = app_at(&db, now).await;
    let c = campaign(&db).await;
    let days = db::immersion::days_of(&c).expect("days");
    let host_dev = account(&db, "dev@agent.gouv.fr", Role::Recruiter).await;
    let host_data = account(&db, "data@agent.gouv.fr", Role::Recruiter).await;
    let ana = account(&db, "ana@etudiant.fr", Role::Candidate).await;
    let ben = account(&db, "ben@etudiant.fr", Role::Candidate).await;
    let chloe = account(&db, "chloe@etudiant.fr", Role::Candidate).await;
    let s = &app.state;
    web::services::immersion::save_offer(s, &host_dev, &c, &offer(&c, "dev", PlaceMode::OnSite, "11"))
        .await
        .expect("offer");
    web::services::immersion::save_offer(s, &host_data, &c, &offer(&c, "data", PlaceMode::Either, "84"))
        .await
        .expect("offer");
    let mut a = application(&["dev"], &["11"], false);
    a.days = days.clone();
    web::services::immersion::save_application(s, &ana, &c, &a).await.expect("ana");
    let mut b = application(&["data"], &["53"], true);
    b.days = days.clone();
    web::services::immersion::save_application(s, &ben, &c, &b).await.expect("ben");
    // Chloé can only go to the data host (remote), and scores less there than Ben.
    let mut ch = application(&["secu"], &["76"], true);
    ch.days = days.clone();
    web::services::immersion::save_application(s, &chloe, &c, &ch).await.expect("chloe");
    assert_eq!(mails(&db, "dev@agent.gouv.fr", "Votre journée « Vis mon job » est enregistrée").await, 1);
    assert_eq!(mails(&db, "ana@etudiant.fr", "Votre candidature « Vis mon job » est enregistrée").await, 1);
    // Saved again: edited, no second confirmation.
    web::services::immersion::save_application(s, &ana, &c, &a).await.expect("ana again");
    assert_eq!(mails(&db, "ana@etudiant.fr", "Votre candidature « Vis mon job » est enregistrée").await, 1);

    // After the window: the proposal, reviewed, then confirmed.
    let later = app_at(&db, now + Duration::days(3)).await;
    let admin = account(&db, "admin@agent.gouv.fr", Role::Administrator).await;
    let late = web::services::immersion::save_application(&later.state, &chloe, &c, &ch).await;
    assert!(late.is_err(), "the window is closed");
    let n = web::services::immersion::compute_proposal(&later.state, &admin, &c).await.expect("proposal");
    assert_eq!(n, 2, "two hosts, two duos");
    let drafts = db::immersion::duos_of(db.conn(), c.id).await.expect("duos");
    let pair = |user: i64| drafts.iter().find(|d| d.student.id == user).map(|d| d.host.id);
    assert_eq!(pair(ana.id), Some(host_dev.id));
    assert_eq!(pair(ben.id), Some(host_data.id), "the better score wins the data host");
    assert_eq!(pair(chloe.id), None);
    assert!(drafts.iter().all(|d| d.state == DuoState::Draft));
    assert_eq!(mails(&db, "ana@etudiant.fr", "Une proposition de duo").await, 0, "drafts send nothing");
    let c = db::immersion::campaign(db.conn(), c.id).await.expect("campaign");
    assert_eq!(web::services::immersion::confirm(&later.state, &admin, &c).await.expect("confirm"), 2);
    assert!(web::services::immersion::confirm(&later.state, &admin, &c).await.is_err(), "confirmed once");
    for who in ["ana@etudiant.fr", "ben@etudiant.fr", "dev@agent.gouv.fr", "data@agent.gouv.fr"] {
        assert_eq!(mails(&db, who, "Une proposition de duo").await, 1, "{who} is asked");
    }
    assert_eq!(mails(&db, "chloe@etudiant.fr", "Une proposition de duo").await, 0);

    // Ana and her host accept: the duo is formed, both are told.
    let duos = db::immersion::duos_of(db.conn(), c.id).await.expect("duos");
    let ana_duo = duos.iter().find(|d| d.student.id == ana.id).expect("ana's duo").clone();
    let st = &later.state;
    let first = web::services::immersion::answer(st, &ana_duo, Side::Student, Decision::Accept).await.expect("a");
    assert_eq!(first, Answered::Waiting);
    let again = web::services::immersion::answer(st, &ana_duo, Side::Student, Decision::Accept).await;
    assert!(again.is_err(), "one answer per side");
    let second = web::services::immersion::answer(st, &ana_duo, Side::Host, Decision::Accept).await.expect("h");
    assert_eq!(second, Answered::Accepted);
    assert_eq!(mails(&db, "ana@etudiant.fr", "Votre duo « Vis mon job » est formé").await, 1);
    assert_eq!(mails(&db, "dev@agent.gouv.fr", "Votre duo « Vis mon job » est formé").await, 1);

    // Ben declines: the data host is freed, told, and proposed to Chloé at the next turn.
    let ben_duo = duos.iter().find(|d| d.student.id == ben.id).expect("ben's duo").clone();
    let no = Decision::Decline(DeclineReason::Unavailable);
    assert_eq!(
        web::services::immersion::answer(st, &ben_duo, Side::Student, no).await.expect("no"),
        Answered::Declined
    );
    assert_eq!(mails(&db, "data@agent.gouv.fr", "Votre proposition de duo « Vis mon job » n’a pas abouti").await, 1);
    let turn = web::services::immersion::tick(st).await.expect("turn");
    assert_eq!(turn.rematched, 1);
    assert_eq!(mails(&db, "chloe@etudiant.fr", "Une proposition de duo").await, 1);
    assert_eq!(mails(&db, "data@agent.gouv.fr", "Une proposition de duo").await, 2);
    assert_eq!(web::services::immersion::tick(st).await.expect("turn").rematched, 0, "proposed once");
    let duos = db::immersion::duos_of(db.conn(), c.id).await.expect("duos");
    assert!(
        !duos.iter().any(|d| d.student.id == ben.id && d.host.id == host_data.id && d.state == DuoState::Proposed),
        "a declined pair is never proposed again"
    );

    // The week before, the day before, and after the day: reminders and feedback, once each.
    let (starts, ends) = (ana_duo.duo.starts_at, ana_duo.duo.ends_at);
    let week = app_at(&db, starts - Duration::days(6)).await;
    web::services::immersion::tick(&week.state).await.expect("turn");
    web::services::immersion::tick(&week.state).await.expect("turn");
    assert_eq!(mails(&db, "ana@etudiant.fr", "Dans une semaine").await, 1);
    let eve = app_at(&db, starts - Duration::hours(20)).await;
    web::services::immersion::tick(&eve.state).await.expect("turn");
    assert_eq!(mails(&db, "ana@etudiant.fr", "Demain").await, 1);
    let after = app_at(&db, ends + Duration::hours(1)).await;
    let fb = db::immersion::Feedback { rating: 5, recommends: true, discovered: Some(true), comment: None };
    let early = web::services::immersion::feedback(&eve.state, &ana_duo, Side::Student, &fb).await;
    assert!(early.is_err(), "feedback comes after the day");
    assert_eq!(web::services::immersion::tick(&after.state).await.expect("turn").feedback, 1);
    assert_eq!(mails(&db, "ana@etudiant.fr", "Votre avis").await, 1);
    web::services::immersion::feedback(&after.state, &ana_duo, Side::Student, &fb).await.expect("feedback");
    assert!(web::services::immersion::keep_in_touch(&after.state, &ana_duo).await.expect("keep"));
    assert!(!web::services::immersion::keep_in_touch(&after.state, &ana_duo).await.expect("once"));
    let stats = db::immersion::stats(db.conn(), &c, ends + Duration::hours(1)).await.expect("stats");
    assert_eq!((stats.accepted, stats.completed, stats.declined, stats.joined_pool), (1, 1, 1, 1));
    assert_eq!(stats.feedback, 1);
    let export = db::personal_data::export(db.conn(), ana.id).await.expect("export");
    assert_eq!(export["vis_mon_job"]["candidatures"][0]["etablissement"], "Université de Lille");
    // Purged after the retention period, the figures kept.
    let purge = app_at(&db, c.ends_at + Duration::days(domain::immersion::RETENTION_DAYS + 1)).await;
    web::jobs::purge(&purge.state).await.expect("purge");
    assert!(db::immersion::duos_of(db.conn(), c.id).await.expect("duos").is_empty());
    let c = db::immersion::campaign(db.conn(), c.id).await.expect("campaign");
    let kept = db::immersion::stats(db.conn(), &c, purge.state.now()).await.expect("stats");
    assert_eq!(kept.accepted, 1, "anonymous counts stay");
});

db_test!(an_unanswered_proposal_expires_and_pauses_the_silent_side, |db| {
    let now = today();
    let app = app_at(&db, now).await;
    let (c, student, a) = one_host_one_student(&db, &app, PlaceMode::Remote, true).await;
    web::services::immersion::save_application(&app.state, &student, &c, &a).await.expect("application");
    let (later, c, admin) = proposed(&db, now, &c).await;
    web::services::immersion::confirm(&later.state, &admin, &c).await.expect("confirm");
    let d = db::immersion::duos_of(db.conn(), c.id).await.expect("duos").remove(0);
    web::services::immersion::answer(&later.state, &d, Side::Host, Decision::Accept).await.expect("host");
    // Halfway: the one who has not answered is reminded, once.
    let half = app_at(&db, now + Duration::days(6)).await;
    assert_eq!(web::services::immersion::tick(&half.state).await.expect("turn").answer_reminders, 1);
    web::services::immersion::tick(&half.state).await.expect("turn");
    assert_eq!(mails(&db, "s@etudiant.fr", "Rappel : votre duo").await, 1);
    assert_eq!(mails(&db, "h@agent.gouv.fr", "Rappel : votre duo").await, 0, "the host answered");
    // Too late to answer; the turn expires it.
    let over = app_at(&db, now + Duration::days(9)).await;
    let late = web::services::immersion::answer(&over.state, &d, Side::Student, Decision::Accept).await;
    assert!(late.is_err(), "the time to answer is over");
    assert_eq!(web::services::immersion::tick(&over.state).await.expect("turn").expired, 1);
    assert_eq!(mails(&db, "s@etudiant.fr", "Proposition « Vis mon job » expirée").await, 1);
    assert_eq!(mails(&db, "h@agent.gouv.fr", "Votre proposition de duo « Vis mon job » n’a pas abouti").await, 1);
    let app_row = db::immersion::application_of(db.conn(), c.id, student.id).await.expect("read").expect("row");
    assert_eq!(db::immersion::application_state_of(&app_row).expect("state"), ApplicationState::Paused);
    let d = db::immersion::duo(db.conn(), d.duo.id).await.expect("duo");
    assert_eq!(d.state, DuoState::Expired);
    // Resumed, the student is not proposed the same host again.
    web::services::immersion::set_application_state(&over.state, &student, &c, ApplicationState::Active)
        .await
        .expect("resume");
    assert_eq!(web::services::immersion::tick(&over.state).await.expect("turn").rematched, 0);
});

db_test!(both_sides_answering_at_once_form_one_duo, |db| {
    let now = today();
    let app = app_at(&db, now).await;
    let (c, student, a) = one_host_one_student(&db, &app, PlaceMode::OnSite, false).await;
    // The same application sent twice at once: one row.
    let (x, y) = tokio::join!(
        web::services::immersion::save_application(&app.state, &student, &c, &a),
        web::services::immersion::save_application(&app.state, &student, &c, &a),
    );
    assert!(x.is_ok() || y.is_ok(), "{x:?} {y:?}");
    for r in [&x, &y] {
        if let Err(e) = r {
            assert!(!matches!(e, web::error::AppError::Internal(_)), "a clear refusal, never a 500: {e:?}");
        }
    }
    assert_eq!(db::immersion::applications_of(db.conn(), c.id).await.expect("apps").len(), 1);
    let (later, c, admin) = proposed(&db, now, &c).await;
    let (p, q) = tokio::join!(
        web::services::immersion::confirm(&later.state, &admin, &c),
        web::services::immersion::confirm(&later.state, &admin, &c),
    );
    assert!(p.is_ok() != q.is_ok(), "confirmed once: {p:?} {q:?}");
    let d = db::immersion::duos_of(db.conn(), c.id).await.expect("duos").remove(0);
    let (s, h) = tokio::join!(
        web::services::immersion::answer(&later.state, &d, Side::Student, Decision::Accept),
        web::services::immersion::answer(&later.state, &d, Side::Host, Decision::Accept),
    );
    let answers = [s, h];
    let formed = answers.iter().filter(|r| matches!(r, Ok(Answered::Accepted))).count();
    let waiting = answers.iter().filter(|r| matches!(r, Ok(Answered::Waiting))).count();
    assert!(answers.iter().all(|r| r.is_ok() || !matches!(r, Err(web::error::AppError::Internal(_)))), "{answers:?}");
    assert_eq!(db::immersion::duo(db.conn(), d.duo.id).await.expect("duo").state, DuoState::Accepted, "{answers:?}");
    assert!(formed <= 1 && formed + waiting >= 1, "{answers:?}");
    assert_eq!(mails(&db, "s@etudiant.fr", "Votre duo « Vis mon job » est formé").await, 1, "told once");
});

/// A session for an existing account, valid for a month (the test travels in time).
async fn session_for(db: &TestDb, user_id: i64) -> String {
    let id = tower_sessions::session::Id::default().to_string();
    let data = format!("{{\"user_id\":{user_id}}}");
    db::accounts::session_create(db.conn(), &id, Some(user_id), &data, today() + Duration::days(60))
        .await
        .expect("session");
    format!("metiers_session={id}")
}

db_test!(a_student_and_an_agent_go_through_the_pages, |db| {
    let now = today();
    let app = app_at(&db, now).await;
    // The administrators create a campaign; a bad one is refused with French messages.
    let admin = account(&db, "admin@agent.gouv.fr", Role::Administrator).await;
    let admin_cookie = session_for(&db, admin.id).await;
    let bad = app.send(&admin_cookie, "POST", "/admin/vis-mon-job", "nom=&jours=16%2F03&delai=0&objectif=60").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Renseignez le nom de la campagne"), "{}", bad.body);
    assert!(bad.body.contains("n’est pas une date"), "{}", bad.body);
    let made = app
        .send(
            &admin_cookie,
            "POST",
            "/admin/vis-mon-job",
            "nom=Vis+mon+job+2027&jours=2027-03-16&ouverture=2027-01-10T09%3A00&cloture=2027-02-10T18%3A00\
             &appariement=2027-02-15T10%3A00&delai=5&objectif=60&regles=Une+journ%C3%A9e",
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(made.header("location").starts_with("/admin/vis-mon-job/"));
    assert!(app.send(&admin_cookie, "GET", "/admin/vis-mon-job", "").await.body.contains("Vis mon job 2027"));

    // The campaign people take part in now (open today).
    let c = campaign(&db).await;
    let day = db::immersion::days_of(&c).expect("days")[0];
    let taxonomy = db::reference::taxonomy(db.conn()).await.expect("taxonomy");
    let profession = taxonomy.1.first().expect("a profession").slug.clone();
    let public = app.get("/vis-mon-job").await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("Vis mon job test") && public.body.contains("Je suis étudiant·e"), "{}", public.body);

    // An agent offers a day: an empty form is refused field by field, then it is saved.
    let inst =
        db::institutions::find_or_create(db.conn(), "Direction du numérique", None, None, now).await.expect("inst");
    let host =
        db::users::create(db.conn(), &Email::parse("h@agent.gouv.fr").expect("e"), Role::Recruiter, Some(inst.id), now)
            .await
            .expect("host");
    let host_cookie = session_for(&db, host.id).await;
    let page = app.send(&host_cookie, "GET", "/vis-mon-job/accueillir", "").await;
    assert!(page.body.contains("Direction du numérique"), "the employer is prefilled");
    let empty = app.send(&host_cookie, "POST", "/vis-mon-job/accueillir", "").await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains("Choisissez votre métier dans la liste") && empty.body.contains("Cochez au moins un jour")
    );
    let offer = format!(
        "employeur=DINUM&service=Incubateur&intitule=D%C3%A9veloppeuse&metier={profession}&mode=distance\
         &jours={day}&places=1&description=Revue+de+code+et+d%C3%A9mo"
    );
    let saved = app.send(&host_cookie, "POST", "/vis-mon-job/accueillir", &offer).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(mails(&db, "h@agent.gouv.fr", "Votre journée « Vis mon job » est enregistrée").await, 1);

    // A student applies.
    let student = account(&db, "ana@etudiant.fr", Role::Candidate).await;
    let student_cookie = session_for(&db, student.id).await;
    let no_place = app.send(&student_cookie, "POST", "/vis-mon-job/candidater", "prenom=Ana").await;
    assert_eq!(no_place.status, 422);
    assert!(no_place.body.contains("Cochez au moins une région, ou acceptez une journée à distance"));
    let application = format!(
        "prenom=Ana&nom=Lopez&etablissement=Universit%C3%A9+de+Lille&formation=Master+informatique&annee=m2\
         &metiers={profession}&regions=32&distance=oui&motivation=D%C3%A9couvrir&jours={day}"
    );
    let sent = app.send(&student_cookie, "POST", "/vis-mon-job/candidater", &application).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let mine = app.send(&student_cookie, "GET", "/vis-mon-job/candidater", "").await;
    assert!(mine.body.contains("Université de Lille") && mine.body.contains("Active"), "editable: {}", mine.body);

    // After the close: the administrators compute, review and confirm.
    let later = app_at(&db, now + Duration::days(3)).await;
    let early = app.send(&admin_cookie, "POST", &format!("/admin/vis-mon-job/{}/proposition", c.id), "").await;
    assert_eq!(early.status, 303);
    let notice = app.send(&admin_cookie, "GET", &format!("/admin/vis-mon-job/{}", c.id), "").await;
    assert!(notice.body.contains("une fois les offres et les candidatures closes"), "not while open");
    later.send(&admin_cookie, "POST", &format!("/admin/vis-mon-job/{}/proposition", c.id), "").await;
    let review = later.send(&admin_cookie, "GET", &format!("/admin/vis-mon-job/{}", c.id), "").await;
    assert!(review.body.contains("Même métier souhaité"), "explained: {}", review.body);
    assert!(review.body.contains("Ana Lopez"));
    let confirmed = later.send(&admin_cookie, "POST", &format!("/admin/vis-mon-job/{}/confirmer", c.id), "").await;
    assert_eq!(confirmed.status, 303);
    let d = db::immersion::duos_of(db.conn(), c.id).await.expect("duos").remove(0);
    let url = format!("/vis-mon-job/duos/{}", d.duo.id);

    // Before both accept, neither sees the other's name or address.
    let seen = later.send(&student_cookie, "GET", &url, "").await;
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("DINUM") && !seen.body.contains("h@agent.gouv.fr"), "{}", seen.body);
    let seen = later.send(&host_cookie, "GET", &url, "").await;
    assert!(seen.body.contains("Master informatique") && !seen.body.contains("Lopez"), "{}", seen.body);
    assert_eq!(later.send(&student_cookie, "POST", &format!("{url}/organisation"), "programme=x").await.status, 403);
    assert_eq!(later.send(&student_cookie, "POST", &format!("{url}/reponse"), "reponse=accepter").await.status, 303);
    assert_eq!(later.send(&host_cookie, "POST", &format!("{url}/reponse"), "reponse=accepter").await.status, 303);
    let seen = later.send(&host_cookie, "GET", &url, "").await;
    assert!(seen.body.contains("Lopez") && seen.body.contains("ana@etudiant.fr"), "contacts once accepted");

    // The host organises the day (remote: a link is required); both agree to the agreement.
    let missing = later.send(&host_cookie, "POST", &format!("{url}/organisation"), "programme=Matin%C3%A9e").await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("Renseignez le lien de la visioconférence"));
    let org = "lien=https%3A%2F%2Fvisio.exemple.fr%2Fduo&programme=Revue+de+code&responsable=Claire+Martin";
    assert_eq!(later.send(&host_cookie, "POST", &format!("{url}/organisation"), org).await.status, 303);
    assert_eq!(later.send(&student_cookie, "POST", &format!("{url}/convention"), "accord=oui").await.status, 303);
    let agreement = later.send(&student_cookie, "GET", &format!("{url}/convention"), "").await;
    assert!(agreement.body.contains("Ana Lopez") && agreement.body.contains("Claire Martin"), "{}", agreement.body);
    assert!(agreement.body.contains("accord donné en ligne le"));
    let pdf = later
        .request_bytes(
            axum::http::Request::get(format!("{url}/convention.pdf"))
                .header("cookie", &student_cookie)
                .body(axum::body::Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(pdf.0, 200);
    assert_eq!(pdf.1.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    let doc = lopdf::Document::load_mem(&pdf.2).expect("a PDF a reader opens");
    let text = doc.extract_text(&[1]).expect("text");
    assert!(text.contains("Ana Lopez") && text.contains("Claire Martin"), "{text}");

    // After the day: feedback and « garder le contact ».
    let after = app_at(&db, d.duo.ends_at + Duration::hours(2)).await;
    // Weeks later the old session has lapsed for inactivity: the student signs in again.
    let student_cookie = session_for(&db, student.id).await;
    let no_rating = after.send(&student_cookie, "POST", &format!("{url}/avis"), "recommande=oui").await;
    assert_eq!(no_rating.status, 422);
    assert!(no_rating.body.contains("Choisissez une note de 1 à 5"));
    let fb = "note=5&recommande=oui&decouverte=oui&commentaire=Super";
    assert_eq!(after.send(&student_cookie, "POST", &format!("{url}/avis"), fb).await.status, 303);
    assert_eq!(after.send(&student_cookie, "POST", &format!("{url}/garder-contact"), "").await.status, 303);
    let profile = db::profiles::get(db.conn(), student.id).await.expect("read").expect("a profile made");
    assert!(profile.profile.talent_pool, "in the talent pool");
    let stats = db::immersion::stats(db.conn(), &c, after.state.now()).await.expect("stats");
    assert_eq!((stats.accepted, stats.completed, stats.feedback, stats.joined_pool), (1, 1, 1, 1));
});

db_test!(the_demo_has_an_open_campaign_and_a_past_one_with_its_duos_rated, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    db::seed::seed_demo(&db, today()).await.expect("seeded twice");
    assert_eq!(db::immersion::campaigns(db.conn()).await.expect("campaigns").len(), 2, "written once");
    let open = db::immersion::current_campaign(db.conn(), today()).await.expect("current").expect("an open campaign");
    assert_eq!(web::services::immersion::phase(&open, today()), domain::immersion::Phase::Open);
    assert!(db::immersion::offers_of(db.conn(), open.id).await.expect("offers").len() >= 20);
    assert!(db::immersion::applications_of(db.conn(), open.id).await.expect("applications").len() >= 30);
    let past = db::immersion::past_campaigns(db.conn(), today()).await.expect("past").remove(0);
    let st = db::immersion::stats(db.conn(), &past, today()).await.expect("stats");
    assert!(st.accepted > 0 && st.completed == st.accepted, "{st:?}");
    assert_eq!(st.feedback, 2 * st.accepted, "both sides rated each day");
    assert!(st.rating_tenths.is_some());

    // The demo people are never written to: the past duos were asked for their feedback.
    let app = app_at(&db, today()).await;
    web::services::immersion::tick(&app.state).await.expect("the periodic turn");
    let written = db::outbox::all(db.conn()).await.expect("outbox");
    assert!(!written.iter().any(|m| m.recipient.ends_with("@vis-mon-job.exemple.fr")), "{written:?}");

    // The public page shows both.
    let page = app.get("/vis-mon-job").await;
    assert_eq!(page.status, axum::http::StatusCode::OK);
    assert!(page.body.contains(&open.name) && page.body.contains(&past.name), "{}", page.body);

    // Once entries close, the demo's students and hosts make a proposal that keeps the
    // hard constraints.
    let admin = account(&db, "admin@agent.gouv.fr", Role::Administrator).await;
    let later = app_at(&db, open.closes_at + Duration::hours(1)).await;
    let n = web::services::immersion::compute_proposal(&later.state, &admin, &open).await.expect("proposal");
    assert!(n >= 10, "{n} duos out of 20 hosts and 30 students");
    let apps = db::immersion::applications_of(db.conn(), open.id).await.expect("applications");
    for d in db::immersion::duos_of(db.conn(), open.id).await.expect("duos") {
        let a = apps.iter().find(|a| a.id == d.application.id).expect("its application");
        let regions: Vec<String> = serde_json::from_str(&a.regions).expect("régions");
        assert!(
            d.duo.remote || d.offer.region_code.as_ref().is_some_and(|r| regions.contains(r)),
            "duo {} keeps to the student's régions",
            d.duo.id
        );
    }
});

/// A refusal a user can read, never an internal error.
fn clear<T: std::fmt::Debug>(r: &Result<T, web::error::AppError>) {
    if let Err(e) = r {
        assert!(!matches!(e, web::error::AppError::Internal(_)), "a clear refusal, never a 500: {e:?}");
    }
}

db_test!(every_other_write_at_once_keeps_one_row_and_refuses_clearly, |db| {
    use web::services::immersion as im;
    let now = today();
    let app = app_at(&db, now).await;
    let c = campaign(&db).await;
    let host = account(&db, "h@agent.gouv.fr", Role::Recruiter).await;
    let student = account(&db, "s@etudiant.fr", Role::Candidate).await;
    // The same offer sent twice at once: one offer.
    let o = offer(&c, "dev", PlaceMode::OnSite, "11");
    let (x, y) = tokio::join!(im::save_offer(&app.state, &host, &c, &o), im::save_offer(&app.state, &host, &c, &o));
    clear(&x);
    clear(&y);
    assert!(x.is_ok() || y.is_ok(), "{x:?} {y:?}");
    assert_eq!(db::immersion::offers_of(db.conn(), c.id).await.expect("offers").len(), 1);
    let mut a = application(&["dev"], &["11"], false);
    a.days = db::immersion::days_of(&c).expect("days");
    im::save_application(&app.state, &student, &c, &a).await.expect("application");

    // Two administrators compute the proposal at once: one draft pair, not two.
    let admin = account(&db, "admin@agent.gouv.fr", Role::Administrator).await;
    let other = account(&db, "admin2@agent.gouv.fr", Role::Administrator).await;
    let later = app_at(&db, now + Duration::days(3)).await;
    let (p, q) =
        tokio::join!(im::compute_proposal(&later.state, &admin, &c), im::compute_proposal(&later.state, &other, &c));
    clear(&p);
    clear(&q);
    assert!(p.is_ok() || q.is_ok(), "{p:?} {q:?}");
    let drafts = db::immersion::duos_of(db.conn(), c.id).await.expect("duos");
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    // Removed twice at once, then added back twice at once: gone once, added once.
    let (r1, r2) = tokio::join!(
        im::remove_pair(&later.state, &admin, &c, drafts[0].duo.id),
        im::remove_pair(&later.state, &other, &c, drafts[0].duo.id),
    );
    clear(&r1);
    clear(&r2);
    assert!(db::immersion::duos_of(db.conn(), c.id).await.expect("duos").is_empty());
    let (offer_id, app_id) = (drafts[0].offer.id, drafts[0].application.id);
    let (a1, a2) = tokio::join!(
        im::add_pair(&later.state, &admin, &c, offer_id, app_id),
        im::add_pair(&later.state, &other, &c, offer_id, app_id),
    );
    clear(&a1);
    clear(&a2);
    assert!(a1.is_ok() != a2.is_ok(), "added once: {a1:?} {a2:?}");
    assert_eq!(db::immersion::duos_of(db.conn(), c.id).await.expect("duos").len(), 1);
    let c = db::immersion::campaign(db.conn(), c.id).await.expect("campaign");
    im::confirm(&later.state, &admin, &c).await.expect("confirm");
    let d = db::immersion::duos_of(db.conn(), c.id).await.expect("duos").remove(0);
    im::answer(&later.state, &d, Side::Student, Decision::Accept).await.expect("student");
    im::answer(&later.state, &d, Side::Host, Decision::Accept).await.expect("host");
    let d = db::immersion::duo(db.conn(), d.duo.id).await.expect("duo");

    // The host saves the organisation twice and both sides agree twice, at once.
    let org = db::immersion::Organisation {
        place: Some("20 avenue de Ségur".into()),
        online_url: None,
        programme: "Point d’équipe, revue de code.".into(),
        manager_name: None,
    };
    let (o1, o2) = tokio::join!(im::organise(&later.state, &d, &org), im::organise(&later.state, &d, &org));
    clear(&o1);
    clear(&o2);
    assert!(o1.is_ok() || o2.is_ok(), "{o1:?} {o2:?}");
    let (g1, g2, g3) = tokio::join!(
        im::agree(&later.state, &d, Side::Student),
        im::agree(&later.state, &d, Side::Student),
        im::agree(&later.state, &d, Side::Host),
    );
    for g in [&g1, &g2, &g3] {
        clear(g);
    }
    let agreed = db::immersion::duo(db.conn(), d.duo.id).await.expect("duo");
    assert!(agreed.duo.student_agreed_at.is_some() && agreed.duo.host_agreed_at.is_some(), "{g1:?} {g2:?} {g3:?}");
    assert_eq!(agreed.duo.place.as_deref(), Some("20 avenue de Ségur"));

    // After the day: feedback twice at once from one side, « garder le contact » twice at once.
    let after = app_at(&db, now + Duration::days(30)).await;
    let f = db::immersion::Feedback { rating: 5, recommends: true, discovered: Some(true), comment: None };
    let (f1, f2) = tokio::join!(
        im::feedback(&after.state, &agreed, Side::Student, &f),
        im::feedback(&after.state, &agreed, Side::Student, &f),
    );
    clear(&f1);
    clear(&f2);
    assert!(f1.is_ok() || f2.is_ok(), "{f1:?} {f2:?}");
    let (k1, k2) = tokio::join!(im::keep_in_touch(&after.state, &agreed), im::keep_in_touch(&after.state, &agreed));
    clear(&k1);
    clear(&k2);
    let joined = [&k1, &k2].iter().filter(|k| matches!(k, Ok(true))).count();
    assert_eq!(joined, 1, "joined once: {k1:?} {k2:?}");
    let st = db::immersion::stats(db.conn(), &c, after.state.now()).await.expect("stats");
    assert_eq!((st.feedback, st.joined_pool), (1, 1), "{st:?}");
    let profile = db::profiles::get(db.conn(), student.id).await.expect("profile").expect("made from the application");
    assert!(profile.profile.talent_pool);
});

db_test!(an_agent_without_an_account_asks_for_one_and_the_approval_leads_to_the_offer_form, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = app_at(&db, today()).await;
    let landing = app.get("/vis-mon-job").await;
    assert!(landing.body.contains("href=\"/demande-de-compte?pour=vis-mon-job\""), "{}", landing.body);
    let form = app.get("/demande-de-compte?pour=vis-mon-job").await;
    assert!(form.body.contains("accueillir un·e étudiant·e « Vis mon job »") && form.body.contains("name=\"pour\""));
    assert!(
        !app.get("/demande-de-compte").await.body.contains("name=\"pour\""),
        "the usual request says nothing of it"
    );
    let inst = db::institutions::list(db.conn()).await.expect("employers").remove(0);
    let body = format!(
        "nom=Ana+Lopez&email=ana%40exemple.gouv.fr&employeur={}&poste=D%C3%A9veloppeuse&pour=vis-mon-job",
        inst.id
    );
    let sent = app.send("", "POST", "/demande-de-compte", &body).await;
    assert!(sent.body.contains("Demande envoyée"), "{}", sent.body);
    // A made-up purpose is a request to recruit, not an error.
    let other =
        format!("nom=Bruno+Petit&email=bruno%40exemple.gouv.fr&employeur={}&poste=RH&pour=autre-chose", inst.id);
    assert!(app.send("", "POST", "/demande-de-compte", &other).await.body.contains("Demande envoyée"));
    let pending = db::backoffice::pending_access_requests(db.conn()).await.expect("pending");
    let purposes: Vec<_> = pending.iter().map(|r| (r.email.as_str(), db::backoffice::purpose_of(r))).collect();
    assert!(purposes.contains(&("ana@exemple.gouv.fr", domain::role::AccessPurpose::ImmersionHost)), "{purposes:?}");
    assert!(purposes.contains(&("bruno@exemple.gouv.fr", domain::role::AccessPurpose::Recruiting)), "{purposes:?}");

    // The administrator reads why, and approves.
    let admin = account(&db, "admin@agent.gouv.fr", Role::Administrator).await;
    let admin_cookie = session_for(&db, admin.id).await;
    let page = app.send(&admin_cookie, "GET", "/admin", "").await;
    assert!(page.body.contains("pour accueillir un·e étudiant·e « Vis mon job »"));
    let ana = pending.iter().find(|r| r.email == "ana@exemple.gouv.fr").expect("ana's request");
    let decided = app
        .send(
            &admin_cookie,
            "POST",
            &format!("/admin/demandes/{}/decision", ana.id),
            &format!("decision=approuver&employeur={}", inst.id),
        )
        .await;
    assert_eq!(decided.status, 303);
    let mail = db::outbox::all(db.conn())
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.recipient == "ana@exemple.gouv.fr" && m.subject == "Votre compte pour « Vis mon job » est ouvert")
        .expect("the approval");
    let start = mail.text_body.find("/connexion/lien/").expect("a link");
    let link = mail.text_body[start..].split_whitespace().next().expect("link");
    assert!(link.ends_with("?suivant=%2Fvis-mon-job%2Faccueillir"), "{link}");
    let signed = app.get(link).await;
    assert_eq!(signed.header("location"), "/vis-mon-job/accueillir");
    let cookie = signed.cookie().expect("signed in");
    let form = app.send(&cookie, "GET", "/vis-mon-job/accueillir", "").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Proposer ma journée"));

    // A sign-in link never leads off the site.
    let bruno =
        db::users::create(db.conn(), &Email::parse("c@agent.gouv.fr").expect("e"), Role::Recruiter, None, today())
            .await
            .expect("user");
    db::accounts::insert_token(
        db.conn(),
        bruno.id,
        db::accounts::TokenPurpose::SignIn,
        "jeton-ailleurs",
        Duration::hours(1),
        today(),
    )
    .await
    .expect("token");
    let off = app.get("/connexion/lien/jeton-ailleurs?suivant=%2F%2Fevil.example%2F").await;
    assert_eq!(off.header("location"), "/recruteur");
});
