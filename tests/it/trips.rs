//! What new users tripped over in their first hour (issue 12), each through the real router on
//! both databases.

use crate::support::{TestApp, candidate, db_test, today};
use axum::http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn json_ld(html: &str) -> Option<serde_json::Value> {
    let start = html.find("<script type=\"application/ld+json\">")? + 35;
    let end = start + html[start..].find("</script>")?;
    Some(serde_json::from_str(&html[start..end]).expect("valid JSON-LD"))
}

async fn open_offer(db: &db::Db) -> db::listing::OfferView {
    db::seed::seed_demo(db, today()).await.expect("seed");
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    offers.into_iter().find(|v| v.offer.application_url.is_none()).expect("an offer applied to here")
}

db_test!(search_engines_read_what_is_true, |db| {
    let offer = open_offer(&db).await;
    let app = TestApp::with_url(&db, today(), "https://metiers.exemple.fr").await;
    let page = format!("/emploi/{}", offer.offer.slug);
    // The employer's uploaded logo is an absolute address; the street address is given.
    db::institutions::set_logo(db.conn(), offer.offer.institution_id, Some("logos/abc.png"), today())
        .await
        .expect("logo");
    db::entity::offer::Entity::update_many()
        .col_expr(db::entity::offer::Column::Address, Expr::value("20 avenue de Ségur"))
        .filter(db::entity::offer::Column::Id.eq(offer.offer.id))
        .exec(db.conn())
        .await
        .expect("address");
    let body = app.get(&page).await.body;
    let ld = json_ld(&body).expect("an open offer is a JobPosting");
    assert_eq!(ld["hiringOrganization"]["logo"], "https://metiers.exemple.fr/logos/abc.png");
    assert_eq!(ld["jobLocation"]["address"]["streetAddress"], "20 avenue de Ségur");
    assert!(body.contains(&format!("<link rel=\"canonical\" href=\"https://metiers.exemple.fr{page}\">")));
    // Filled, it is no longer a job posting for search engines.
    db::entity::offer::Entity::update_many()
        .col_expr(db::entity::offer::Column::State, Expr::value("filled"))
        .filter(db::entity::offer::Column::Id.eq(offer.offer.id))
        .exec(db.conn())
        .await
        .expect("filled");
    let fresh = TestApp::with_url(&db, today(), "https://metiers.exemple.fr").await;
    let body = fresh.get(&page).await.body;
    assert!(body.contains("Cette offre a été pourvue"));
    assert!(json_ld(&body).is_none(), "no JobPosting for a filled offer");
    // Search pages name their one address, parameters in their normal order.
    let search = fresh.get("/offres-emploi?region=11&q=data&page=1").await.body;
    assert!(
        search.contains(
            "<link rel=\"canonical\" href=\"https://metiers.exemple.fr/offres-emploi?q=data&#38;region=11\">"
        ),
        "{}",
        &search[..search.find("</head>").unwrap_or(0)]
    );
});

db_test!(an_employer_page_offers_a_spontaneous_application, |db| {
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let slug = &offer.institution.slug;
    let page = app.get(&format!("/employeurs/{slug}")).await;
    let link = format!("/candidature-spontanee?employeur={slug}");
    assert!(page.body.contains(&format!("href=\"{link}\"")), "the employer's page links to it");
    let (_, cookie) = candidate(&db, "spontanee@exemple.fr").await;
    let form = app.send(&cookie, "GET", &link, "").await;
    assert_eq!(form.status, StatusCode::OK);
    let option = format!("<option value=\"{}\" selected>", offer.institution.id);
    assert!(form.body.contains(&option), "the employer is chosen already");
    // Anonymous visitors sign in first and come back to the same form.
    let res = app.get(&link).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.header("location").contains("suivant=%2Fcandidature-spontanee%3Femployeur%3D"),
        "{}",
        res.header("location")
    );
});

db_test!(an_alert_is_named_after_what_it_looks_for, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let d = db::entity::domain::Entity::find().one(db.conn()).await.expect("domains").expect("a domain");
    let (slug, label) = (d.slug, d.label);
    let body = format!("recherche=q%3Ddata%26domaine%3D{slug}%26region%3D11&email=veille%40exemple.fr");
    let res = app.request(crate::support::form_post("", "/alertes", &body)).await;
    assert_eq!(res.status, StatusCode::OK);
    let alert = db::entity::alert::Entity::find().one(db.conn()).await.expect("alert").expect("one alert");
    assert_eq!(alert.label, format!("« data » · {label} · Île-de-France"));
    let mail = db::outbox::all(db.conn()).await.expect("outbox").pop().expect("a confirmation");
    assert!(mail.text_body.contains(&alert.label), "{}", mail.text_body);
    // Without any criterion, it says so.
    let res = app.request(crate::support::form_post("", "/alertes", "recherche=&email=tout%40exemple.fr")).await;
    assert_eq!(res.status, StatusCode::OK);
    let all = db::entity::alert::Entity::find()
        .filter(db::entity::alert::Column::Email.eq("tout@exemple.fr"))
        .one(db.conn())
        .await
        .expect("alert")
        .expect("one alert");
    assert_eq!(all.label, "Toutes les offres");
});

db_test!(the_sign_out_page_shows_nobody_signed_in, |db| {
    let app = TestApp::new(&db, today()).await;
    let (_, cookie) = candidate(&db, "depart@exemple.fr").await;
    assert!(app.send(&cookie, "GET", "/espace-candidat", "").await.body.contains("Se déconnecter"));
    let res = app.send(&cookie, "POST", "/deconnexion", "").await;
    assert!(res.body.contains("Vous êtes déconnecté·e"));
    assert!(
        !res.body.contains("Se déconnecter") && res.body.contains(">Se connecter<"),
        "the header says who is signed in: nobody"
    );
});

db_test!(recruiters_find_the_way_in_and_choose_a_password, |db| {
    use domain::role::Role;
    let app = TestApp::new(&db, today()).await;
    // The way in is linked from the footer of every page and from the sign-in page.
    let home = app.get("/").await.body;
    assert!(home.contains("href=\"/espace-recruteurs\""), "footer link");
    let login = app.get("/connexion").await.body;
    assert!(login.contains("href=\"/demande-de-compte\"") && login.contains("href=\"/espace-recruteurs\""));
    let page = app.get("/espace-recruteurs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Espace recruteurs</h1>") && page.body.contains("href=\"/demande-de-compte\""));
    // A recruiter signed in with the one-time link is invited to choose a password.
    let offer = open_offer(&db).await;
    let cookie =
        crate::support::staff(&app, &db, "rh@exemple.gouv.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let space = app.send(&cookie, "GET", "/recruteur", "").await.body;
    assert!(space.contains("href=\"/compte/mot-de-passe\"") && space.contains("Choisir un mot de passe"));
    let weak = app.send(&cookie, "POST", "/compte/mot-de-passe", "password=motdepasse123").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("trop courant"), "{}", weak.body);
    let set = app.send(&cookie, "POST", "/compte/mot-de-passe", "password=une+phrase+pour+recruter+longue").await;
    assert_eq!((set.status, set.header("location")), (StatusCode::SEE_OTHER, "/recruteur"));
    let fresh = set.cookie().expect("a new session id");
    assert!(app.send(&fresh, "GET", "/recruteur", "").await.body.contains("Mot de passe enregistré"));
    assert_eq!(app.send(&cookie, "GET", "/recruteur", "").await.status, StatusCode::SEE_OTHER, "the old session ended");
    // Next time, the password signs in.
    let body = "email=rh%40exemple.gouv.fr&password=une+phrase+pour+recruter+longue";
    let res = app.request(crate::support::form_post("", "/connexion", body)).await;
    assert_eq!((res.status, res.header("location")), (StatusCode::SEE_OTHER, "/recruteur"));
    // Changing it asks for the current one.
    let next = res.cookie().expect("session");
    let page = app.send(&next, "GET", "/compte/mot-de-passe", "").await.body;
    assert!(page.contains("Mot de passe actuel") && !page.contains("Choisir un mot de passe pour vos"));
    let wrong =
        app.send(&next, "POST", "/compte/mot-de-passe", "actuel=faux&password=encore+une+phrase+longue+ok").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Mot de passe actuel incorrect."));
});

db_test!(the_offer_editor_refuses_a_past_deadline_and_names_what_is_missing, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let ra = crate::support::staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let base = "titre=Data+engineer&missions=Construire+les+flux&contrat=cdi";
    // Yesterday (Paris) is refused next to the field, and nothing is written.
    let past = app.send(&ra, "POST", "/recruteur/offres/nouvelle", &format!("{base}&date_limite=2026-11-23")).await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("La date limite de candidature doit être à venir"), "{}", past.body);
    assert!(past.body.contains("value=\"2026-11-23\""), "what was typed stays");
    let n = db::entity::offer::Entity::find()
        .filter(db::entity::offer::Column::Title.eq("Data engineer"))
        .all(db.conn())
        .await
        .expect("offers");
    assert!(n.is_empty(), "no draft was saved");
    // Today is still to come until midnight in Paris.
    let res = app.send(&ra, "POST", "/recruteur/offres/nouvelle", &format!("{base}&date_limite=2026-11-24")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id: i64 = res
        .header("location")
        .trim_start_matches("/recruteur/offres/")
        .split('/')
        .next()
        .expect("id")
        .parse()
        .expect("id");
    let o = db::backoffice::managed_offer(db.conn(), id, None).await.expect("offer");
    assert_eq!(o.expires_at.map(|e| e.to_rfc3339()), Some("2026-11-24T22:59:59+00:00".into()), "23:59:59 in Paris");
    // A reference people can read out.
    assert_eq!(o.reference.as_deref(), Some(format!("MDN-2026-{id:05}").as_str()));
    let page = app.send(&ra, "GET", &format!("/recruteur/offres/{id}/modifier"), "").await;
    assert_eq!(page.status, StatusCode::OK);
    // Publishing names what the form asks for: the département.
    let res = app.send(&ra, "POST", &format!("/recruteur/offres/{id}/etat"), "etat=published").await;
    let home = app.send(&ra, "GET", res.header("location"), "").await.body;
    assert!(home.contains("Pour publier, renseignez le département (la région en découle)."), "{home}");
});

db_test!(the_talent_pool_scores_what_is_known_and_invites_only_who_has_not_applied, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let ra = crate::support::staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    // A profile in the pool that says nothing of what it looks for.
    let (user_id, _) = candidate(&db, "vide@exemple.fr").await;
    let input = db::profiles::ProfileInput {
        first_name: "Alix".into(),
        last_name: "Vide".into(),
        talent_pool: true,
        ..Default::default()
    };
    db::profiles::save(db.conn(), user_id, &input, today()).await.expect("profile");
    let uri = format!("/recruteur/vivier?offre={}", offer.offer.id);
    let pool = app.send(&ra, "GET", &uri, "").await.body;
    assert!(pool.contains("Alix Vide — correspondance 0 %"), "{pool}");
    assert!(pool.contains("non précisé"), "the blank criteria are named");
    assert!(pool.contains(&format!("action=\"/recruteur/vivier/{user_id}/inviter\"")));
    // Once they applied, no invitation to the same offer.
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id,
        candidate_name: "Alix Vide".into(),
        candidate_email: "vide@exemple.fr".into(),
        cover_letter: Some("Bonjour".into()),
        links: None,
        cv_file_id: None,
    };
    db::applications::create(db.conn(), &new, today()).await.expect("application");
    let pool = app.send(&ra, "GET", &uri, "").await.body;
    assert!(pool.contains("A déjà candidaté à cette offre"));
    assert!(!pool.contains(&format!("action=\"/recruteur/vivier/{user_id}/inviter\"")));
    let res = app
        .send(&ra, "POST", &format!("/recruteur/vivier/{user_id}/inviter"), &format!("offre={}", offer.offer.id))
        .await;
    let told = app.send(&ra, "GET", res.header("location"), "").await.body;
    assert!(told.contains("déjà candidaté à cette offre"), "{told}");
    let invitations = db::entity::invitation::Entity::find().all(db.conn()).await.expect("invitations");
    assert!(invitations.is_empty());
});

db_test!(the_pipeline_shows_how_to_reach_each_candidate, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let ra = crate::support::staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let (user_id, _) = candidate(&db, "joignable@exemple.fr").await;
    let input = db::profiles::ProfileInput {
        first_name: "Sam".into(),
        last_name: "Joignable".into(),
        phone: Some("06 12 34 56 78".into()),
        current_position: Some("Développeuse".into()),
        years_experience: Some(4),
        ..Default::default()
    };
    db::profiles::save(db.conn(), user_id, &input, today()).await.expect("profile");
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id,
        candidate_name: "Sam Joignable".into(),
        candidate_email: "joignable@exemple.fr".into(),
        cover_letter: Some("Bonjour".into()),
        links: Some("https://github.com/sam\npas une adresse".into()),
        cv_file_id: None,
    };
    db::applications::create(db.conn(), &new, today()).await.expect("application");
    let page = app.send(&ra, "GET", &format!("/recruteur/offres/{}/candidatures", offer.offer.id), "").await.body;
    for expected in [
        "<a href=\"mailto:joignable@exemple.fr\">joignable@exemple.fr</a>",
        "<a href=\"tel:0612345678\">06 12 34 56 78</a>",
        "Poste actuel : Développeuse",
        "Expérience : 4 ans",
        "<a href=\"https://github.com/sam\"",
        "<li>pas une adresse</li>",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
});

db_test!(recruiters_hear_of_new_applications_as_they_chose, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let inst = offer.offer.institution_id;
    let app = TestApp::new(&db, today()).await;
    let each = crate::support::staff(&app, &db, "chaque@exemple.gouv.fr", Role::Recruiter, Some(inst)).await;
    let daily = crate::support::staff(&app, &db, "matin@exemple.gouv.fr", Role::Recruiter, Some(inst)).await;
    let never = crate::support::staff(&app, &db, "jamais@exemple.gouv.fr", Role::Recruiter, Some(inst)).await;
    // Each recruiter chooses on their home page (each application is the default).
    let home = app.send(&each, "GET", "/recruteur", "").await.body;
    assert!(home.contains("id=\"e-mails-candidatures\"") && home.contains("value=\"chaque\" checked"));
    for (cookie, choice) in [(&daily, "quotidien"), (&never, "jamais")] {
        let res = app.send(cookie, "POST", "/recruteur/e-mails-candidatures", &format!("frequence={choice}")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
    }
    let res = app.send(&never, "POST", "/recruteur/e-mails-candidatures", "frequence=souvent").await;
    let told = app.send(&never, "GET", res.header("location"), "").await.body;
    assert!(told.contains("Choisissez quand être prévenu·e"), "an unknown choice is refused");
    // Two applications to the offer a few minutes apart, and a spontaneous one.
    for (i, (offer_id, minutes)) in
        [(Some(offer.offer.id), 3), (Some(offer.offer.id), 5), (None, 7)].into_iter().enumerate()
    {
        let (user_id, _) = candidate(&db, &format!("c{i}@exemple.fr")).await;
        let new = db::applications::NewApplication {
            offer_id,
            institution_id: Some(inst),
            user_id,
            candidate_name: format!("Personne {i}"),
            candidate_email: format!("c{i}@exemple.fr"),
            cover_letter: Some("Bonjour".into()),
            links: None,
            cv_file_id: None,
        };
        db::applications::create(db.conn(), &new, today() + chrono::Duration::minutes(minutes))
            .await
            .expect("application");
    }
    let to = |who: &str| {
        let who = who.to_string();
        let conn = db.conn().clone();
        async move {
            db::outbox::all(&conn).await.expect("outbox").into_iter().filter(|m| m.recipient == who).collect::<Vec<_>>()
        }
    };
    // Once the window has closed, the worker tells them: one e-mail per offer, once.
    let later = TestApp::new(&db, today() + chrono::Duration::minutes(25)).await;
    web::jobs::run_periodic(&later.state).await.expect("periodic");
    web::jobs::run_periodic(&later.state).await.expect("periodic again");
    let mut subjects: Vec<String> = to("chaque@exemple.gouv.fr").await.into_iter().map(|m| m.subject).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [format!("2 nouvelles candidatures : {}", offer.offer.title), "Nouvelle candidature spontanée".into()]
    );
    let grouped =
        to("chaque@exemple.gouv.fr").await.into_iter().find(|m| m.subject.starts_with("2 ")).expect("grouped");
    assert!(grouped.text_body.contains("Personne 0, Personne 1"), "{}", grouped.text_body);
    assert!(to("matin@exemple.gouv.fr").await.is_empty() && to("jamais@exemple.gouv.fr").await.is_empty());
    // The next morning, the daily digest.
    let morning = TestApp::new(&db, crate::support::at(2026, 11, 25) - chrono::Duration::hours(3)).await;
    web::jobs::run_periodic(&morning.state).await.expect("periodic");
    let digest = to("matin@exemple.gouv.fr").await;
    assert_eq!(digest.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(), ["3 nouvelles candidatures hier"]);
    assert!(digest[0].text_body.contains(&format!("« {} » : 2", offer.offer.title)), "{}", digest[0].text_body);
    assert!(to("jamais@exemple.gouv.fr").await.is_empty(), "never means never");
});

db_test!(the_api_speaks_french_codes_with_their_labels, |db| {
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let (status, v) = app.json(&format!("/api/v1/offres/{}", offer.offer.slug)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["etat"], serde_json::json!({"code": "publiee", "libelle": "Publiée"}));
    assert_eq!(v["source"], serde_json::json!({"code": "plateforme", "libelle": "Métiers du numérique"}));
    let (_, list) = app.json("/api/v1/offres?par_page=100").await;
    let codes: std::collections::HashSet<String> = list["offres"]
        .as_array()
        .expect("offres")
        .iter()
        .map(|o| o["etat"]["code"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(codes, ["publiee".to_string()].into_iter().collect(), "no English code left");
});

db_test!(the_audit_log_reads_in_french_and_paris_time, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let app = TestApp::new(&db, today()).await;
    let ra = crate::support::staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let admin = crate::support::staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let (user_id, _) = candidate(&db, "journal@exemple.fr").await;
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id,
        candidate_name: "Jo Urnal".into(),
        candidate_email: "journal@exemple.fr".into(),
        cover_letter: Some("Bonjour".into()),
        links: None,
        cv_file_id: None,
    };
    let a = db::applications::create(db.conn(), &new, today()).await.expect("application");
    app.send(&ra, "POST", &format!("/recruteur/candidatures/{}/etape", a.id), "etape=entretien").await;
    app.send(
        &ra,
        "POST",
        "/recruteur/employeur",
        "presentation=Nous+construisons+des+services+publics&action=brouillon",
    )
    .await;
    let log = app.send(&admin, "GET", "/admin", "").await.body;
    let log = &log[log.find("id=\"journal\"").expect("the log")..];
    assert!(log.contains("<td>24/11/2026 13:00</td>"), "Paris time: {log}");
    assert!(log.contains(">Reçue<") && log.contains(">Entretien<"), "stages by their labels: {log}");
    assert!(log.contains("Présentation : Nous construisons des services publics"), "{log}");
    assert!(!log.contains("ShowcaseDraft") && !log.contains("Some("), "no debug dump: {log}");
});

db_test!(statistics_agree_with_themselves_and_per_employer, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let inst = offer.offer.institution_id;
    let app = TestApp::new(&db, today()).await;
    let admin = crate::support::staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    // An application to the offer this month, a spontaneous one, and one of two years ago.
    for (i, (offer_id, at)) in [
        (Some(offer.offer.id), today()),
        (None, today()),
        (Some(offer.offer.id), today() - chrono::Duration::days(700)),
    ]
    .into_iter()
    .enumerate()
    {
        let (user_id, _) = candidate(&db, &format!("s{i}@exemple.fr")).await;
        let new = db::applications::NewApplication {
            offer_id,
            institution_id: Some(inst),
            user_id,
            candidate_name: format!("S {i}"),
            candidate_email: format!("s{i}@exemple.fr"),
            cover_letter: Some("Bonjour".into()),
            links: None,
            cv_file_id: None,
        };
        db::applications::create(db.conn(), &new, at).await.expect("application");
    }
    let stats = db::stats::monthly(db.conn(), Some(inst), today(), 12).await.expect("stats");
    assert_eq!(
        stats.applications,
        stats.months.iter().map(|m| m.applications).sum::<u64>(),
        "the summary is the table's total"
    );
    assert_eq!(
        (stats.applications, stats.spontaneous),
        (2, 1),
        "the application of two years ago is not in these 12 months"
    );
    assert_eq!(stats.views, stats.months.iter().map(|m| m.views).sum::<i64>());
    // Administrators see one employer's figures.
    let page = app.send(&admin, "GET", &format!("/admin/statistiques?employeur={inst}"), "").await.body;
    assert!(page.contains(&format!("<option value=\"{inst}\" selected>")), "the employer is chosen");
    assert!(page.contains("2 candidatures, dont 1 spontanée"), "{page}");
    // A month without answers has no delay to draw (a gap, not 0).
    let delays = page.split("name='[\"Délai médian (jours)\"]'").next().expect("page");
    let delays = &delays[delays.rfind("<line-chart").expect("the delay chart")..];
    assert!(delays.contains("null"), "{delays}");
});

db_test!(the_home_page_offers_the_newsletter, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let home = app.get("/").await.body;
    assert!(home.contains("<form method=\"post\" action=\"/lettre-information\">") && home.contains("name=\"email\""));
    let res = app.request(crate::support::form_post("", "/lettre-information", "email=abonnee%40exemple.fr")).await;
    assert_eq!(res.status, StatusCode::OK);
    let mails = db::outbox::all(db.conn()).await.expect("outbox");
    assert!(
        mails
            .iter()
            .any(|m| m.recipient == "abonnee@exemple.fr" && m.subject.starts_with("Confirmez votre inscription"))
    );
});

db_test!(administrators_send_a_newsletter_issue_once_to_confirmed_readers, |db| {
    use domain::role::Role;
    let app = TestApp::new(&db, today()).await;
    let admin = crate::support::staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    // One confirmed reader, one who never confirmed, one who left.
    for (email, confirmed, left) in
        [("lit@exemple.fr", true, false), ("hesite@exemple.fr", false, false), ("parti@exemple.fr", true, true)]
    {
        let (sub, _) = db::alerts::newsletter_subscribe(db.conn(), email, &format!("jeton-{email}"), today())
            .await
            .expect("subscribe");
        if confirmed {
            db::entity::newsletter_subscription::Entity::update_many()
                .col_expr(db::entity::newsletter_subscription::Column::ConfirmedAt, Expr::value(today()))
                .filter(db::entity::newsletter_subscription::Column::Id.eq(sub.id))
                .exec(db.conn())
                .await
                .expect("confirm");
        }
        if left {
            db::alerts::newsletter_unsubscribe(db.conn(), &sub.token, today()).await.expect("leave");
        }
    }
    let page = app.send(&admin, "GET", "/admin/lettre-information", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1 abonné·e confirmé·e"), "{}", page.body);
    let empty = app.send(&admin, "POST", "/admin/lettre-information", "objet=&texte=&action=apercu").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = "objet=Les+m%C3%A9tiers+de+d%C3%A9cembre&texte=Bonjour%2C%0A%0AVoici+les+nouvelles.";
    let preview = app.send(&admin, "POST", "/admin/lettre-information", &format!("{body}&action=apercu")).await.body;
    assert!(preview.contains("Aperçu : Les métiers de décembre") && preview.contains("Voici les nouvelles."));
    assert!(db::outbox::all(db.conn()).await.expect("outbox").iter().all(|m| m.subject != "Les métiers de décembre"));
    // Three clicks on «Envoyer» at once: one issue sent.
    let send = || crate::support::form_post(&admin, "/admin/lettre-information", &format!("{body}&action=envoyer"));
    let responses = app.concurrently(vec![send(), send(), send()]).await;
    assert!(responses.iter().all(|r| r.status == StatusCode::SEE_OTHER));
    let sent: Vec<_> = db::outbox::all(db.conn())
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.subject == "Les métiers de décembre")
        .collect();
    assert_eq!(sent.len(), 1, "to the one confirmed reader, once");
    assert_eq!(sent[0].recipient, "lit@exemple.fr");
    assert!(
        sent[0]
            .unsubscribe_url
            .as_deref()
            .is_some_and(|u| u.ends_with("/lettre-information/desinscription/jeton-lit@exemple.fr"))
    );
    let log = db::backoffice::audit_log(db.conn(), 5).await.expect("log");
    assert!(log.iter().any(|e| e.action == "lettre.envoi"));
});

db_test!(the_whole_audit_log_is_filtered_paged_and_exported, |db| {
    use domain::audit::AuditAction;
    use domain::role::Role;
    let app = TestApp::new(&db, today()).await;
    let admin = crate::support::staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let alice = db::users::create(
        db.conn(),
        &domain::email::Email::parse("alice@exemple.gouv.fr").expect("e"),
        Role::Recruiter,
        None,
        today(),
    )
    .await
    .expect("alice");
    // 60 offer edits by Alice over 60 days, and one role change.
    for d in 0..60 {
        let entry = db::backoffice::Audit {
            actor: &alice,
            action: AuditAction::OfferEdited,
            target: format!("offre {d}"),
            before: None,
            after: Some(format!("=version {d}")),
        };
        db::backoffice::audit(db.conn(), entry, today() - chrono::Duration::days(d)).await.expect("audit");
    }
    let role = db::backoffice::Audit {
        actor: &alice,
        action: AuditAction::AccountRole,
        target: "compte 100_%".into(),
        before: None,
        after: None,
    };
    db::backoffice::audit(db.conn(), role, today()).await.expect("audit");
    let page = |q: &str| {
        let uri = format!("/admin/journal{q}");
        let (app, admin) = (&app, admin.clone());
        async move { app.send(&admin, "GET", &uri, "").await }
    };
    let all = page("?acteur=ALICE").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("61 modifications — page 1 sur 2"), "any case, part of the address");
    assert!(all.body.contains("Page suivante"));
    let second = page("?acteur=ALICE&page=2").await.body;
    assert!(second.contains("page 2 sur 2") && second.contains("offre 59"));
    let edits = page("?action=offre.modification&du=2026-11-20&au=2026-11-24").await.body;
    assert!(edits.contains("5 modifications"), "the 20th to the 24th, both included: {edits}");
    let literal = page("?cible=100_%25").await.body;
    assert!(literal.contains("1 modification") && literal.contains("Rôle d’un compte changé"), "% and _ are literal");
    let bad = page("?action=pirate&du=hier").await;
    assert!(bad.body.contains("Choisissez une action de la liste.") && bad.body.contains("JJ/MM/AAAA"));
    // The same selection as a CSV file.
    let csv = page(".csv?action=offre.modification&du=2026-11-20&au=2026-11-24").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let body = csv.body.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][0], "2026-11-24 13:00");
    assert_eq!(&rows[0][2], "Offre modifiée");
    assert_eq!(&rows[0][5], "'=version 0", "no live formula");
    // Administrators only.
    let (_, candidate_cookie) = candidate(&db, "curieux@exemple.fr").await;
    assert_eq!(app.send(&candidate_cookie, "GET", "/admin/journal", "").await.status, StatusCode::FORBIDDEN);
});

db_test!(long_facets_show_every_value_behind_voir_plus, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    app.sync().await;
    let page = app.get("/offres-emploi").await.body;
    let (_, api) = app.json("/api/v1/offres?par_page=1").await;
    for param in ["metier", "departement", "employeur"] {
        let values = api["facettes"][param].as_array().expect("facet").len();
        let boxes = page.matches(&format!("type=\"checkbox\" id=\"f-{param}-")).count();
        assert_eq!(boxes, values, "{param}: every value of the facet can be chosen");
        if values > 15 {
            let more = format!("Voir {} autres choix<span class=\"fr-sr-only\">", values - 15);
            assert!(page.contains(&more), "{param}: the values past 15 wait behind «Voir plus»");
        }
    }
    assert!(
        page.contains("<details class=\"fr-fieldset__element mdn-more\">"),
        "the demo has more than 15 professions"
    );
});

db_test!(the_offer_editor_takes_every_fact_the_offer_page_shows, |db| {
    use domain::role::Role;
    let offer = open_offer(&db).await;
    let inst = offer.offer.institution_id;
    let service = db::institutions::find_or_create_service(db.conn(), inst, None, "Bureau des données", None, today())
        .await
        .expect("service");
    let other = db::entity::institution::Entity::find()
        .filter(db::entity::institution::Column::Id.ne(inst))
        .one(db.conn())
        .await
        .expect("institutions")
        .expect("a second employer");
    let foreign = db::institutions::find_or_create_service(db.conn(), other.id, None, "Ailleurs", None, today())
        .await
        .expect("service");
    let app = TestApp::new(&db, today()).await;
    let ra = crate::support::staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(inst)).await;
    let form = app.send(&ra, "GET", "/recruteur/offres/nouvelle", "").await.body;
    for label in [
        "Nature de l’emploi",
        "Durée du contrat (mois)",
        "Niveau d’études",
        "Temps de travail",
        "Adresse",
        "Prise de poste",
        "Langues",
        "Service",
        "Poste susceptible d’être vacant",
    ] {
        assert!(form.contains(label), "the editor asks for {label}");
    }
    assert!(form.contains(&format!("<option value=\"{}\">Bureau des données</option>", service.id)));
    assert!(!form.contains("Ailleurs"), "only the employer's own services");
    let facts = format!(
        "titre=Data+engineer&missions=Construire+les+flux&contrat=cdd&departement=75&date_limite=2026-12-31\
         &nature=contractuels&duree=18&etudes=7&temps_travail=temps_complet&vacance=susceptible_vacant\
         &adresse=20+avenue+de+S%C3%A9gur&ville=Paris&prise_de_poste=2027-01-04&langues=Anglais+courant&service={}",
        service.id
    );
    // Values outside the lists are errors next to their field, and nothing is written.
    let bad = facts
        .replace("nature=contractuels", "nature=tous")
        .replace("etudes=7", "etudes=12")
        .replace("duree=18", "duree=dix-huit")
        .replace(&format!("service={}", service.id), &format!("service={}", foreign.id))
        .replace("contrat=cdd", "contrat=cdd&contrat=interim")
        .replace("prise_de_poste=2027-01-04", "prise_de_poste=2026-11-20");
    let res = app.send(&ra, "POST", "/recruteur/offres/nouvelle", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, message) in [
        ("nature", "Choisissez une valeur de la liste."),
        ("etudes", "Choisissez une valeur de la liste."),
        ("duree", "Saisissez une durée en mois, entre 1 et 72."),
        ("service", "Choisissez un service de votre employeur."),
        ("contrat-liste", "Choisissez les types de contrat dans la liste."),
        ("prise_de_poste", "La prise de poste doit être aujourd’hui ou plus tard."),
    ] {
        assert!(res.body.contains(&format!("<a href=\"#{field}\">{message}</a>")), "{field}: {}", res.body);
    }
    assert!(res.body.contains("value=\"dix-huit\""), "what was typed stays");
    let drafts = db::entity::offer::Entity::find()
        .filter(db::entity::offer::Column::Title.eq("Data engineer"))
        .all(db.conn())
        .await
        .expect("offers");
    assert!(drafts.is_empty(), "no draft was saved");
    // Every fact is saved, shown again in the editor, and published on the offer page.
    let res = app.send(&ra, "POST", "/recruteur/offres/nouvelle", &facts).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let edit_uri = res.header("location").split('?').next().expect("path").to_string();
    let editor = app.send(&ra, "GET", &edit_uri, "").await.body;
    for selected in [
        "<option value=\"contractuels\" selected>",
        "<option value=\"7\" selected>",
        "<option value=\"temps_complet\" selected>",
        "<option value=\"susceptible_vacant\" selected>",
    ] {
        assert!(editor.contains(selected), "{selected}");
    }
    assert!(editor.contains(&format!("<option value=\"{}\" selected>Bureau des données", service.id)));
    for value in ["value=\"18\"", "value=\"2027-01-04\"", "value=\"Anglais courant\"", "value=\"20 avenue de Ségur\""]
    {
        assert!(editor.contains(value), "{value}");
    }
    let id = edit_uri.trim_start_matches("/recruteur/offres/").trim_end_matches("/modifier");
    let res = app.send(&ra, "POST", &format!("/recruteur/offres/{id}/etat"), "etat=published").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let stored = db::backoffice::managed_offer(db.conn(), id.parse().expect("id"), None).await.expect("offer");
    assert_eq!(stored.state, "published", "{}", app.send(&ra, "GET", res.header("location"), "").await.body);
    let page = app.get(&format!("/emploi/{}", stored.slug)).await.body;
    for fact in [
        "Ouvert uniquement aux contractuels",
        "18 mois",
        "Niveau 7 (master, bac + 5)",
        "Temps complet",
        "20 avenue de Ségur",
        "4 janvier 2027",
        "Anglais courant",
        "Bureau des données",
        "Poste susceptible d’être vacant",
    ] {
        assert!(page.contains(fact), "the offer page shows {fact}");
    }
    // The audit log says what changed, in French, not a Rust dump.
    let res = app.send(&ra, "POST", &edit_uri, &facts.replace("duree=18", "duree=24")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let entry = db::entity::audit_entry::Entity::find()
        .filter(db::entity::audit_entry::Column::Action.eq("offre.modification"))
        .one(db.conn())
        .await
        .expect("audit")
        .expect("an entry");
    assert_eq!(
        (entry.before.as_deref(), entry.after.as_deref()),
        (Some("Durée (mois) : 18"), Some("Durée (mois) : 24"))
    );
});

db_test!(salaries_are_chosen_by_steps_with_their_counts, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    // "(N)" after a step's label.
    let count = |body: &str, id: &str| -> u64 {
        let at = body.find(&format!("for=\"{id}\"")).unwrap_or_else(|| panic!("no {id}"));
        let rest = &body[at..];
        let open = rest.find("<span class=\"mdn-count\">(").expect("a count") + 25;
        rest[open..open + rest[open..].find(')').expect(")")].parse().expect("a number")
    };
    let total = |body: &str| -> u64 {
        let at = body.find("id=\"nombre-offres\"").expect("count sentence");
        let at = at + body[at..].find('>').expect("tag end") + 1;
        let text = &body[at..at + body[at..].find("</h2>").expect("end")];
        text.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0)
    };
    let all = app.get("/offres-emploi").await.body;
    assert!(all.contains("id=\"salaire-indifferent\" name=\"salaire_min\" value=\"\" checked"));
    let (at_40, at_50) = (count(&all, "salaire-40000"), count(&all, "salaire-50000"));
    assert!(at_40 >= at_50 && at_50 > 0, "steps are «at least»: {at_40} ≥ {at_50} > 0");
    assert!(count(&all, "salaire-30000") < total(&all) + 1);
    // Choosing a step gives exactly the offers it counted, and keeps every step's count.
    let chosen = app.get("/offres-emploi?salaire_min=50000").await.body;
    assert_eq!(total(&chosen), at_50);
    assert!(chosen.contains("id=\"salaire-50000\" name=\"salaire_min\" value=\"50000\" checked"));
    assert_eq!(count(&chosen, "salaire-40000"), at_40, "the salary's counts ignore its own choice");
    // The other facets apply it: a région's count is what its filter then finds.
    let region_count = count(&chosen, "f-region-11");
    let both = app.get("/offres-emploi?salaire_min=50000&region=11").await.body;
    assert_eq!(total(&both), region_count);
    // A minimum typed in the address, not a step, stays chosen and said.
    let typed = app.get("/offres-emploi?salaire_min=45000").await.body;
    assert!(typed.contains("id=\"salaire-45000\" name=\"salaire_min\" value=\"45000\" checked"), "{typed}");
    assert!(typed.contains("Salaire minimum : 45\u{202f}000 €"));
});
