//! The authorization matrix: every route of the router (from `web::route_table()`, the same
//! builder that makes the router), for an anonymous visitor, a candidate, another candidate,
//! a recruiter of institution A, a recruiter of institution B and an administrator. Path
//! parameters are filled with institution A's offer and the first candidate's own
//! application, CV, alert and invitation, so the other candidate, a recruiter of B and
//! everyone else must be refused exactly where the table says.

use crate::support::{TestApp, TestDb, db_test, pdf, today};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use domain::email::Email;
use domain::role::Role;
use web::routes::Access;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    Anonymous,
    Candidate,
    /// Another candidate: must never reach the first one's rows.
    CandidateB,
    RecruiterA,
    RecruiterB,
    Admin,
}

const PERSONAS: [Persona; 6] = [
    Persona::Anonymous,
    Persona::Candidate,
    Persona::CandidateB,
    Persona::RecruiterA,
    Persona::RecruiterB,
    Persona::Admin,
];

struct World {
    users: Vec<(Persona, i64)>,
    offer_slug: String,
    employer_slug: String,
    product_slug: String,
    technology_slug: String,
    story_slug: String,
    story_id: i64,
    product_id: i64,
    offer_id: i64,
    application_id: i64,
    cv_id: i64,
    alert_id: i64,
    target_user: i64,
    access_request: i64,
    invitation: i64,
    import_run: i64,
    reason: i64,
    institution_a: i64,
    domain_id: i64,
    profession_id: i64,
    edition_id: i64,
    event_slug: String,
    event_id: i64,
    registration_id: i64,
    booth_slug: String,
    /// Free, for the candidates' booking route.
    slot_free: i64,
    /// Free, for the recruiter's removal route.
    slot_removable: i64,
    /// The first candidate's own booking (their space's cancellation).
    booking_own: i64,
    /// The target account's booking (the recruiter's meeting record).
    booking_recorded: i64,
    /// A « Vis mon job » duo, accepted: the first candidate with recruiter A.
    duo_id: i64,
    /// A draft pair of the proposal.
    draft_id: i64,
    immersion_campaign: i64,
}

/// An open « Vis mon job » campaign, an accepted duo of `student` with `host`, and a draft
/// pair of `another` with the same host (removed by the administrators' route).
async fn immersion_world(
    db: &TestDb,
    host: &db::entity::user::Model,
    student: i64,
    another: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> (i64, i64, i64) {
    use domain::immersion::{PlaceMode, Reason, StudyYear};
    let first = (now + chrono::Duration::days(21)).date_naive();
    let (starts_at, ends_at) = web::services::immersion::day_bounds(first).expect("day");
    let input = db::immersion::CampaignInput {
        name: "Vis mon job matrice".into(),
        rules: "Une journée.".into(),
        days: vec![first],
        opens_at: now - chrono::Duration::days(1),
        closes_at: now + chrono::Duration::days(2),
        matching_on: now + chrono::Duration::days(3),
        ends_at,
        answer_days: 5,
        objective_duos: 60,
    };
    let c = db::immersion::create_campaign(db.conn(), &input, now).await.expect("campaign");
    let offer = db::immersion::OfferInput {
        employer: "Employeur A".into(),
        service: "Équipe".into(),
        job_title: "Développeuse".into(),
        profession: "dev".into(),
        domain: None,
        mode: PlaceMode::Remote,
        commune_code: None,
        region_code: None,
        days: vec![first],
        seats: 2,
        description: "Une journée.".into(),
        accessibility: String::new(),
    };
    let o = db::immersion::save_offer(db.conn(), c, host.id, host.institution_id, &offer, now).await.expect("offer");
    let app = db::immersion::ApplicationInput {
        first_name: "Camille".into(),
        last_name: "Roux".into(),
        phone: Some("0600000000".into()),
        school: "Université".into(),
        programme: "Master".into(),
        year: StudyYear::Master1,
        professions: Vec::new(),
        domains: Vec::new(),
        regions: Vec::new(),
        remote_ok: true,
        motivation: "Découvrir.".into(),
        days: vec![first],
    };
    let a = db::immersion::save_application(db.conn(), c, student, &app, now).await.expect("application");
    let duo = db::immersion::NewDuo {
        offer_id: o,
        application_id: a,
        day: first,
        starts_at,
        ends_at,
        remote: true,
        score: 0,
        reasons: vec![Reason::RemoteBoth],
    };
    let d = db::immersion::insert_duo(db.conn(), c, &duo, domain::immersion::DuoState::Accepted, None, now)
        .await
        .expect("duo");
    let b = db::immersion::save_application(db.conn(), c, another, &app, now).await.expect("application");
    let pair = db::immersion::NewDuo { application_id: b, ..duo };
    let draft = db::immersion::insert_duo(db.conn(), c, &pair, domain::immersion::DuoState::Draft, None, now)
        .await
        .expect("draft");
    (c, d, draft)
}

async fn world(db: &TestDb, app: &TestApp) -> World {
    db::seed::seed_demo(db, today()).await.expect("seed");
    let taxonomy = db::reference::taxonomy(db.conn()).await.expect("taxonomy");
    let now = today();
    let offers = db::listing::latest_open(db.conn(), now, 100, None, None, None).await.expect("offers");
    let a = offers.iter().find(|v| v.offer.application_url.is_none()).expect("an offer applied to here");
    let b_inst =
        offers.iter().map(|v| v.offer.institution_id).find(|i| *i != a.offer.institution_id).expect("another employer");
    let mk = |email: &str| Email::parse(email).expect("email");
    let candidate =
        db::accounts::create_candidate(db.conn(), &mk("cand@exemple.fr"), "x", now).await.expect("candidate");
    db::accounts::mark_verified(db.conn(), candidate.id, now).await.expect("verified");
    let target = db::accounts::create_candidate(db.conn(), &mk("cible@exemple.fr"), "x", now).await.expect("target");
    let other = db::accounts::create_candidate(db.conn(), &mk("autre@exemple.fr"), "x", now).await.expect("other");
    db::accounts::mark_verified(db.conn(), other.id, now).await.expect("verified");
    let ra = db::users::create(db.conn(), &mk("ra@exemple.fr"), Role::Recruiter, Some(a.offer.institution_id), now)
        .await
        .expect("ra");
    let rb = db::users::create(db.conn(), &mk("rb@exemple.fr"), Role::Recruiter, Some(b_inst), now).await.expect("rb");
    let admin =
        db::users::create(db.conn(), &mk("admin@exemple.fr"), Role::Administrator, None, now).await.expect("admin");
    let users = vec![
        (Persona::Candidate, candidate.id),
        (Persona::CandidateB, other.id),
        (Persona::RecruiterA, ra.id),
        (Persona::RecruiterB, rb.id),
        (Persona::Admin, admin.id),
    ];
    // The candidate applies with a CV (through the router) and saves an alert.
    let cookie = session(db, candidate.id).await;
    let boundary = "----matrice";
    let mut body = Vec::new();
    for (k, v) in [("prenom", "Camille"), ("nom", "Roux"), ("lettre", "Bonjour")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend_from_slice(&pdf());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/candidature/{}", a.offer.slug))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, &cookie)
        .body(Body::from(body))
        .expect("req");
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let apps = db::applications::list_for_user(db.conn(), candidate.id).await.expect("apps");
    let application = &apps[0].application;
    let alert = db::alerts::create(
        db.conn(),
        &db::alerts::NewAlert {
            user_id: Some(candidate.id),
            email: candidate.email.clone(),
            query: "q=data".into(),
            label: "data".into(),
            frequency: domain::candidate::Frequency::Daily,
            token: "jeton-matrice".into(),
            confirmed: true,
        },
        now,
    )
    .await
    .expect("alert");
    // In the talent pool but hidden from institution B, invited once by recruiter A.
    let profile = db::profiles::ProfileInput {
        first_name: "Camille".into(),
        last_name: "Roux".into(),
        talent_pool: true,
        hidden_institutions: vec![b_inst],
        ..Default::default()
    };
    db::profiles::save(db.conn(), candidate.id, &profile, now).await.expect("profile");
    db::backoffice::invite(db.conn(), candidate.id, a.offer.id, ra.id, now).await.expect("invite");
    let invitation = db::backoffice::invitations_of(db.conn(), candidate.id).await.expect("invitations")[0].id;
    let request = db::backoffice::create_access_request(
        db.conn(),
        &db::backoffice::NewAccessRequest {
            name: "Agent Public".into(),
            email: "agent@exemple.gouv.fr".into(),
            institution_id: None,
            institution_name: "Une direction".into(),
            service: None,
            position: "Recruteuse".into(),
            purpose: domain::role::AccessPurpose::Recruiting,
        },
        now,
    )
    .await
    .expect("request");
    let import_run = db::runs::record(
        db.conn(),
        db::runs::NewRun {
            source: "csp",
            format: "csp-csv",
            file_name: "offres.csv",
            started_at: now,
            finished_at: now,
            read: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            archived: 0,
            rejected: 0,
            report: "[]".into(),
        },
    )
    .await
    .expect("run");
    let reason = db::applications::refusal_reasons(db.conn()).await.expect("reasons")[0].id;
    // A draft story of institution A with captions, so that its preview files exist.
    let input = db::stories::StoryInput {
        display_name: "Agent A".into(),
        job_title: "Développeuse".into(),
        quote: "Bonjour".into(),
        ..Default::default()
    };
    let story_id = db::stories::create(db.conn(), a.offer.institution_id, &input, now).await.expect("story");
    let captions = db::stories::VideoChange {
        captions: Some("WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n".into()),
        ..Default::default()
    };
    db::stories::set_video(db.conn(), story_id, &captions, now).await.expect("captions");
    let edit =
        db::products::ProductEdit { title: "Produit de A".into(), mission: "Servir".into(), ..Default::default() };
    let product_id = db::products::create_local(db.conn(), a.offer.institution_id, &edit, now).await.expect("product");
    let forum = forum_world(db, a.offer.institution_id, candidate.id, target.id, now).await;
    let (immersion_campaign, duo_id, draft_id) = immersion_world(db, &ra, candidate.id, target.id, now).await;
    World {
        duo_id,
        draft_id,
        immersion_campaign,
        edition_id: forum.0,
        event_slug: forum.1,
        event_id: forum.2,
        registration_id: forum.3,
        booth_slug: forum.4,
        slot_free: forum.5,
        slot_removable: forum.6,
        booking_own: forum.7,
        booking_recorded: forum.8,
        institution_a: a.offer.institution_id,
        domain_id: taxonomy.0[0].id,
        profession_id: taxonomy.1[0].id,
        import_run,
        reason,
        access_request: request.id,
        invitation,
        users,
        offer_slug: a.offer.slug.clone(),
        employer_slug: a.institution.slug.clone(),
        product_slug: "rdv-hopital".into(),
        technology_slug: "python".into(),
        story_slug: "amina-developpeuse-dinum".into(),
        story_id,
        product_id,
        offer_id: a.offer.id,
        application_id: application.id,
        cv_id: application.cv_file_id.expect("cv"),
        alert_id: alert.id,
        target_user: target.id,
    }
}

/// The forum's rows: an edition open at `now`, a past session with captions (its media are
/// public) and one registration, institution A's booth with four slots, two of them booked.
#[allow(clippy::type_complexity)]
async fn forum_world(
    db: &TestDb,
    institution: i64,
    candidate: i64,
    target: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> (i64, String, i64, i64, String, i64, i64, i64, i64) {
    use chrono::Duration;
    let edition = db::forum::EditionInput {
        name: "Forum de la matrice".into(),
        description: String::new(),
        starts_at: now - Duration::days(2),
        ends_at: now + Duration::days(20),
        registration_opens_at: now - Duration::days(10),
        registration_closes_at: now + Duration::days(19),
        booking_opens_at: now - Duration::days(10),
        booking_closes_minutes: 60,
        objective_participants: 10,
        objective_services: 1,
        objective_posts: 1,
    };
    let e = db::forum::create_edition(db.conn(), &edition, now).await.expect("edition");
    let input = db::forum::SessionInput {
        kind: domain::forum::SessionKind::Conference,
        title: "Conférence passée".into(),
        description: String::new(),
        institution_id: Some(institution),
        story_id: None,
        themes: Vec::new(),
        starts_at: now - Duration::days(1),
        ends_at: now - Duration::days(1) + Duration::hours(1),
        online_url: "https://visio.exemple.fr/x".into(),
        place: None,
        capacity: 10,
        speakers: Vec::new(),
    };
    let s =
        db::forum::create_session(db.conn(), e, &input, domain::forum::SessionState::Published, now).await.expect("s");
    db::forum::set_replay(db.conn(), s, None, "WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n", "Bonjour", now)
        .await
        .expect("captions");
    let slug = db::forum::session(db.conn(), s).await.expect("s").slug;
    let p = db::forum::participant_for(db.conn(), "cand@exemple.fr", Some(candidate), "agenda-matrice", now)
        .await
        .expect("p");
    let (r, _) = db::forum::register(db.conn(), s, p.id, true, "inscription-matrice", now).await.expect("registration");
    let booth_id = db::forum::create_booth(db.conn(), e, institution, "", now).await.expect("booth");
    let booth = db::forum::booth(db.conn(), booth_id).await.expect("booth");
    let start = now + Duration::days(5);
    let spans =
        (0..4).map(|i| (start + Duration::hours(i), start + Duration::hours(i) + Duration::minutes(20))).collect();
    let series = db::forum::SlotSeries {
        spans,
        buffer_minutes: 0,
        online_url: "https://v.exemple.fr".into(),
        question: None,
        offer_ids: vec![],
    };
    db::forum::create_slots(db.conn(), &booth, &series, None, now).await.expect("slots");
    let slots = db::forum::slots_of_booth(db.conn(), booth_id).await.expect("slots");
    let own = db::forum::book(db.conn(), slots[0].slot.id, candidate, None, now).await.expect("own");
    let recorded = db::forum::book(db.conn(), slots[1].slot.id, target, None, now).await.expect("target's");
    (e, slug, s, r.id, booth.slug, slots[2].slot.id, slots[3].slot.id, own.id, recorded.id)
}

/// A fresh session for `user_id`, as the sign-in makes (so that one request cannot sign the
/// next one out).
async fn session(db: &TestDb, user_id: i64) -> String {
    let id = tower_sessions::session::Id::default().to_string();
    let data = format!("{{\"user_id\":{user_id}}}");
    db::accounts::session_create(db.conn(), &id, Some(user_id), &data, today() + chrono::Duration::days(1))
        .await
        .expect("session");
    format!("metiers_session={id}")
}

/// Whom the rows named by a filled path belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Named {
    /// The parameters name real rows (a 404 then means refused, not "no such thing").
    real: bool,
    /// One of them is the first candidate's own (application, alert, CV, invitation).
    candidates_own: bool,
}

/// The path with its parameters filled, and what they name.
fn fill(path: &str, w: &World) -> (String, Named) {
    let mut real = false;
    let candidates_own = [
        "/espace-candidat/candidatures/",
        "/espace-candidat/alertes/",
        "/fichiers/",
        "/espace-candidat/invitations/",
        "/espace-candidat/forum/",
        "/vis-mon-job/duos/",
    ]
    .iter()
    .any(|p| path.starts_with(p) && path.contains('{'));
    let mut out = Vec::new();
    for seg in path.split('/') {
        let v = match seg {
            "{slug}" => {
                real = true;
                if path.starts_with("/employeurs/") {
                    w.employer_slug.clone()
                } else if path.starts_with("/projets/") || path.starts_with("/api/v1/projets/") {
                    w.product_slug.clone()
                } else if path.starts_with("/technologies/") {
                    w.technology_slug.clone()
                } else if path.starts_with("/temoignages/") {
                    w.story_slug.clone()
                } else if path.starts_with("/evenements/") {
                    w.event_slug.clone()
                } else if path.starts_with("/stands/") {
                    w.booth_slug.clone()
                } else {
                    w.offer_slug.clone()
                }
            }
            "{id}" => {
                real = true;
                let id = if path.starts_with("/espace-candidat/candidatures/")
                    || path.starts_with("/recruteur/candidatures/")
                {
                    w.application_id
                } else if path.starts_with("/espace-candidat/alertes/") {
                    w.alert_id
                } else if path.starts_with("/fichiers/") {
                    w.cv_id
                } else if path.starts_with("/recruteur/offres/") {
                    w.offer_id
                } else if path.starts_with("/recruteur/temoignages/") {
                    w.story_id
                } else if path.starts_with("/recruteur/projets/") {
                    w.product_id
                } else if path.starts_with("/admin/utilisateurs/") {
                    w.target_user
                } else if path.starts_with("/admin/demandes/") {
                    w.access_request
                } else if path.starts_with("/admin/imports/") {
                    w.import_run
                } else if path.starts_with("/admin/motifs/") {
                    w.reason
                } else if path.starts_with("/admin/metiers/domaines/") {
                    w.domain_id
                } else if path.starts_with("/admin/metiers/metiers/") {
                    w.profession_id
                } else if path.starts_with("/admin/employeurs/") {
                    w.institution_a
                } else if path.starts_with("/espace-candidat/invitations/") {
                    w.invitation
                } else if path.starts_with("/stands/") {
                    w.slot_free
                } else if path.starts_with("/recruteur/forum/creneaux/") {
                    w.slot_removable
                } else if path.starts_with("/recruteur/forum/rendez-vous/") {
                    w.booking_recorded
                } else if path.starts_with("/espace-candidat/forum/rendez-vous/") {
                    w.booking_own
                } else if path.starts_with("/vis-mon-job/duos/") {
                    w.duo_id
                } else if path.starts_with("/admin/vis-mon-job/duos/") {
                    w.draft_id
                } else if path.starts_with("/admin/vis-mon-job/") {
                    w.immersion_campaign
                } else if path.starts_with("/admin/forum/sessions/") {
                    w.event_id
                } else if path.starts_with("/admin/forum/inscriptions/") {
                    w.registration_id
                } else if path.starts_with("/admin/forum/") {
                    w.edition_id
                } else if path.starts_with("/recruteur/vivier/") {
                    w.users.iter().find(|(p, _)| *p == Persona::Candidate).map(|(_, id)| *id).expect("candidate")
                } else {
                    panic!("no fixture for {{id}} in {path}: add one to the matrix")
                };
                id.to_string()
            }
            "{media}" => "sous-titres.vtt".into(),
            "{etape}" => {
                real = true;
                "entretien".into()
            }
            "{token}" => "jeton-inconnu".into(),
            "{name}" => "inconnu.png".into(),
            "{sitemap_part}" => "sitemap-1.xml".into(),
            "{version}" => "0".into(),
            "{*path}" => "app/app.css".into(),
            "{*rest}" => "inconnu".into(),
            s if s.starts_with('{') => panic!("no fixture for {s} in {path}: add one to the matrix"),
            s => s.into(),
        };
        out.push(v);
    }
    (out.join("/"), Named { real, candidates_own })
}

fn allowed(access: Access, who: Persona, named: Named) -> bool {
    use Persona::*;
    match access {
        Access::Public => true,
        Access::SignedIn => who != Anonymous,
        Access::Candidate => who == Candidate || (who == CandidateB && !named.candidates_own),
        Access::Administrator => who == Admin,
        Access::Recruiter => matches!(who, RecruiterA | Admin) || (who == RecruiterB && !named.real),
        Access::FileReaders => matches!(who, Candidate | RecruiterA | Admin),
        Access::DuoParties => matches!(who, Candidate | RecruiterA),
        Access::DuoHost => who == RecruiterA,
    }
}

db_test!(every_route_refuses_whom_it_must, |db| {
    let app = TestApp::new(&db, today()).await;
    let w = world(&db, &app).await;
    let table = web::route_table();
    assert!(table.len() > 40, "the table lists the whole router: {}", table.len());
    let mut failures = Vec::new();
    for spec in &table {
        let (uri, named) = fill(spec.path, &w);
        for who in PERSONAS {
            let mut req = Request::builder().method(spec.method.clone()).uri(&uri);
            if let Some((_, id)) = w.users.iter().find(|(p, _)| *p == who) {
                req = req.header(header::COOKIE, session(&db, *id).await);
            }
            if spec.method == Method::POST {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            }
            let res = app.request(req.body(Body::empty()).expect("req")).await;
            let to_login = res.status.is_redirection() && res.header("location").starts_with("/connexion");
            let refused =
                res.status == StatusCode::FORBIDDEN || to_login || (named.real && res.status == StatusCode::NOT_FOUND);
            let expected = allowed(spec.access, who, named);
            if res.status.is_server_error() {
                failures.push(format!("{} {uri} as {who:?}: {}", spec.method, res.status));
            } else if expected == refused {
                failures.push(format!(
                    "{} {uri} ({:?}) as {who:?}: {} {} — expected {}",
                    spec.method,
                    spec.access,
                    res.status,
                    res.header("location"),
                    if expected { "access" } else { "refusal" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix:\n{}", failures.join("\n"));
    let own = table.iter().filter(|s| fill(s.path, &w).1.candidates_own).count();
    assert!(own >= 5, "the other candidate is tried on the first one's rows ({own} routes)");
});
