//! The back-offices through the real router: the one-time sign-in link, the recruiter's offers
//! and pipeline, the administrators' accounts.

use crate::support::{TestApp, db_test, staff, staff_session, today};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::email::Email;
use domain::role::Role;

fn cookie_of(res: &crate::support::Response) -> String {
    res.cookie().unwrap_or_default()
}

async fn send(app: &TestApp, cookie: &str, method: &str, uri: &str, body: &str) -> crate::support::Response {
    app.send(cookie, method, uri, body).await
}

db_test!(recruiter_pipeline_and_administration, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers[0].clone();
    let other_inst =
        offers.iter().map(|v| v.offer.institution_id).find(|i| *i != offer.offer.institution_id).expect("B");
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let rb = staff(&app, &db, "rb@exemple.fr", Role::Recruiter, Some(other_inst)).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;

    let cand = db::accounts::create_candidate(db.conn(), &Email::parse("paul@exemple.fr").expect("e"), "x", today())
        .await
        .expect("c");
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id: cand.id,
        candidate_name: "Paul Girard".into(),
        candidate_email: "paul@exemple.fr".into(),
        cover_letter: Some("Ma lettre".into()),
        links: Some("https://exemple.fr/paul".into()),
        cv_file_id: None,
    };
    let a = db::applications::create(db.conn(), &new, today()).await.expect("application");

    let home = send(&app, &ra, "GET", "/recruteur", "").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(&offer.offer.title));
    let other_home = send(&app, &rb, "GET", "/recruteur", "").await;
    assert!(
        !other_home.body.contains(&format!("/recruteur/offres/{}/candidatures", offer.offer.id)),
        "B does not see A's offers"
    );

    let pipeline = send(&app, &ra, "GET", &format!("/recruteur/offres/{}/candidatures", offer.offer.id), "").await;
    assert!(pipeline.body.contains("Paul Girard") && pipeline.body.contains("Reçue"));
    let res = send(&app, &ra, "POST", &format!("/recruteur/candidatures/{}/etape", a.id), "etape=refusee&motif=").await;
    let page = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(page.body.contains("un refus demande un motif"), "{}", page.body);
    send(&app, &ra, "POST", &format!("/recruteur/candidatures/{}/etape", a.id), "etape=entretien").await;
    let view = db::applications::get(db.conn(), a.id).await.expect("a");
    assert_eq!(view.application.stage, "entretien");
    let mails = db::outbox::all(db.conn()).await.expect("outbox");
    assert!(mails.iter().any(|m| m.recipient == "paul@exemple.fr" && m.subject == "Votre candidature : Entretien"));
    let log = db::backoffice::audit_log(db.conn(), 10).await.expect("log");
    assert!(log.iter().any(|e| e.action == "candidature.etape"
        && e.actor_email == "ra@exemple.fr"
        && e.before.as_deref() == Some("recue")
        && e.after.as_deref() == Some("entretien")));
    // B cannot move A's application, even by guessing its id.
    let res = send(&app, &rb, "POST", &format!("/recruteur/candidatures/{}/etape", a.id), "etape=acceptee").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(db::applications::get(db.conn(), a.id).await.expect("a").application.stage, "entretien");

    // The board view: a column per stage, the card in "Entretien", its form back to the board.
    let board =
        send(&app, &ra, "GET", &format!("/recruteur/offres/{}/candidatures?vue=tableau", offer.offer.id), "").await;
    assert_eq!(board.status, StatusCode::OK);
    let interview = board.body.split("data-stage=\"entretien\"").nth(1).expect("interview column");
    let interview = interview.split("data-stage=").next().expect("column");
    assert!(interview.contains("Paul Girard") && interview.contains("data-movable"), "{interview}");
    assert!(board.body.contains("aria-current=\"page\">Tableau par étape"));
    let res =
        send(&app, &ra, "POST", &format!("/recruteur/candidatures/{}/etape", a.id), "vue=tableau&etape=refusee").await;
    assert!(res.header("location").ends_with("/candidatures?vue=tableau"), "{}", res.header("location"));
    let back = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(back.body.contains("un refus demande un motif"), "the refusal is explained once, on the board");
    let again = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(!again.body.contains("un refus demande un motif"), "a status message is shown once");
    let list =
        send(&app, &rb, "GET", &format!("/recruteur/offres/{}/candidatures?vue=tableau", offer.offer.id), "").await;
    assert_eq!(list.status, StatusCode::NOT_FOUND, "B does not see A's board");

    let csv = send(&app, &ra, "GET", &format!("/recruteur/offres/{}/candidatures.csv", offer.offer.id), "").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let body = csv.body.strip_prefix('\u{feff}').expect("a byte-order mark, for Excel");
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("id;nom;email;envoyee_le;etape;motif_refus;liens;cv"));
    let row = lines.next().expect("a row");
    assert!(row.contains("Paul Girard;paul@exemple.fr;") && row.contains(";Entretien;"), "{row}");

    // Offer states: archive, then publishing back checks the deadline.
    send(&app, &ra, "POST", &format!("/recruteur/offres/{}/etat", offer.offer.id), "etat=archived").await;
    assert_eq!(db::backoffice::managed_offer(db.conn(), offer.offer.id, None).await.expect("o").state, "archived");
    let res = send(&app, &ra, "POST", &format!("/recruteur/offres/{}/etat", offer.offer.id), "etat=published").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let state = db::backoffice::managed_offer(db.conn(), offer.offer.id, None).await.expect("o").state;
    assert_eq!(state, "published");

    // Administration: accounts; deactivation signs out.
    let admin_home = send(&app, &admin, "GET", "/admin", "").await;
    assert!(admin_home.body.contains("rb@exemple.fr") && admin_home.body.contains("paul@exemple.fr"));
    let rb_user =
        db::users::by_email(db.conn(), &Email::parse("rb@exemple.fr").expect("e")).await.expect("db").expect("rb");
    send(&app, &admin, "POST", &format!("/admin/utilisateurs/{}/activation", rb_user.id), "etat=0").await;
    let res = send(&app, &rb, "GET", "/recruteur", "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.header("location").starts_with("/connexion"));
    // An administrator cannot lock themselves out.
    let admin_user =
        db::users::by_email(db.conn(), &Email::parse("admin@exemple.fr").expect("e")).await.expect("db").expect("a");
    let res =
        send(&app, &admin, "POST", &format!("/admin/utilisateurs/{}/role", admin_user.id), "role=candidate").await;
    let page = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Vous ne pouvez pas changer votre propre rôle."));
    let res = send(&app, &admin, "POST", &format!("/admin/utilisateurs/{}/role", cand.id), "role=recruiter").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cand_now = db::accounts::by_id(db.conn(), cand.id).await.expect("db").expect("c");
    assert_eq!(cand_now.role, "recruiter");
});

db_test!(access_requests_are_decided_with_an_email_either_way, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let inst = db::institutions::list(db.conn()).await.expect("institutions").remove(0);

    // The public form validates and keeps what was typed.
    let res =
        send(&app, "", "POST", "/demande-de-compte", "nom=Ana+Lopez&email=pas-une-adresse&employeur=&poste=").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("Ana Lopez")
            && res.body.contains("adresse e-mail professionnelle")
            && res.body.contains("Renseignez votre fonction.")
    );
    for (email, who) in [("ana@exemple.gouv.fr", "Ana Lopez"), ("bruno@exemple.gouv.fr", "Bruno Petit")] {
        let body = format!(
            "nom={}&email={}&employeur={}&poste=Recruteuse",
            who.replace(' ', "+"),
            email.replace('@', "%40"),
            inst.id
        );
        let res = send(&app, "", "POST", "/demande-de-compte", &body).await;
        assert!(res.body.contains("Demande envoyée"), "{}", res.body);
    }
    let pending = db::backoffice::pending_access_requests(db.conn()).await.expect("pending");
    assert_eq!(pending.len(), 2);
    // Every administrator is told a request waits, with a link to decide.
    let told: Vec<_> = db::outbox::all(db.conn())
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.recipient == "admin@exemple.fr" && m.subject == "Nouvelle demande d’accès recruteur")
        .collect();
    assert_eq!(told.len(), 2);
    assert!(told.iter().any(|m| m.text_body.contains("Ana Lopez (ana@exemple.gouv.fr)") && m.text_body.contains("/admin#demandes")));
    let page = send(&app, &admin, "GET", "/admin", "").await;
    assert!(page.body.contains("Ana Lopez") && page.body.contains("Bruno Petit"));

    let res = send(
        &app,
        &admin,
        "POST",
        &format!("/admin/demandes/{}/decision", pending[0].id),
        &format!("decision=approuver&employeur={}", inst.id),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    send(&app, &admin, "POST", &format!("/admin/demandes/{}/decision", pending[1].id), "decision=refuser").await;
    // Deciding twice is refused.
    let res =
        send(&app, &admin, "POST", &format!("/admin/demandes/{}/decision", pending[1].id), "decision=refuser").await;
    let page = send(&app, &admin, "GET", res.header("location").split('#').next().unwrap_or_default(), "").await;
    assert!(page.body.contains("cette demande a déjà été traitée"), "{}", res.header("location"));

    let ana = db::users::by_email(db.conn(), &Email::parse("ana@exemple.gouv.fr").expect("e"))
        .await
        .expect("db")
        .expect("ana");
    assert_eq!((ana.role.as_str(), ana.institution_id), ("recruiter", Some(inst.id)));
    assert!(
        db::users::by_email(db.conn(), &Email::parse("bruno@exemple.gouv.fr").expect("e")).await.expect("db").is_none()
    );
    let mails = db::outbox::all(db.conn()).await.expect("outbox");
    let approved = mails
        .iter()
        .find(|m| m.recipient == "ana@exemple.gouv.fr" && m.subject == "Votre accès recruteur est ouvert")
        .expect("approval mail");
    assert!(
        mails.iter().any(|m| m.recipient == "bruno@exemple.gouv.fr" && m.subject == "Votre demande d’accès recruteur")
    );
    // The link of the e-mail opens the recruiter space.
    let start = approved.text_body.find("/connexion/lien/").expect("link");
    let link = approved.text_body[start..].split_whitespace().next().expect("link");
    let res = app.get(link).await;
    assert_eq!(res.header("location"), "/recruteur");

    // Every decision is in the audit log, with who made it.
    let log = db::backoffice::audit_log(db.conn(), 10).await.expect("log");
    assert!(log.iter().any(|e| e.action == "demande_acces.approuvee" && e.actor_email == "admin@exemple.fr"));
    assert!(log.iter().any(|e| e.action == "demande_acces.refusee"));
    let page = send(&app, &admin, "GET", "/admin", "").await;
    assert!(page.body.contains("Journal des modifications") && page.body.contains("Demande d’accès approuvée"));
    assert!(!page.body.contains("<td>demande_acces.approuvee</td>"), "administrators read labels, not codes");
});

db_test!(recruiters_write_preview_publish_and_duplicate_offers, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let inst = db::institutions::list(db.conn()).await.expect("institutions").remove(0);
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(inst.id)).await;

    // Errors keep what was typed.
    let res = send(
        &app,
        &ra,
        "POST",
        "/recruteur/offres/nouvelle",
        "titre=&missions=Construire+**l%E2%80%99API**&salaire_min=12&date_limite=demain",
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Renseignez l’intitulé du poste.") && res.body.contains("Construire **l’API**"));
    assert!(res.body.contains("entre 10 000 et 300 000") && res.body.contains("JJ/MM/AAAA"));

    let body = "titre=D%C3%A9veloppeuse+Rust&missions=Construire+**l%E2%80%99API**&contrat=cdi&contrat=fonctionnaire&categorie=A&metier=developpeuse-developpeur&departement=35&ville=Rennes&salaire_min=45000&salaire_max=60000&date_limite=2027-01-31&action=apercu";
    let res = send(&app, &ra, "POST", "/recruteur/offres/nouvelle", body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let location = res.header("location").to_string();
    assert!(location.contains("apercu=1"));
    let id: i64 = location.trim_start_matches("/recruteur/offres/").split('/').next().expect("id").parse().expect("id");
    let page = send(&app, &ra, "GET", &location, "").await;
    assert!(page.body.contains("Aperçu") && page.body.contains("<strong>l’API</strong>"), "Markdown preview");
    let o = db::backoffice::managed_offer(db.conn(), id, Some(inst.id)).await.expect("offer");
    assert_eq!((o.state.as_str(), o.region_code.as_deref(), o.source.as_str()), ("draft", Some("53"), "platform"));
    assert_eq!(app.get(&format!("/emploi/{}", o.slug)).await.status, StatusCode::NOT_FOUND, "a draft is not public");

    // Autosave (htmx) answers a status line.
    let req = Request::post(format!("/recruteur/offres/{id}/modifier"))
        .header(header::COOKIE, &ra)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("hx-request", "true")
        .body(Body::from(body.replace("Rust", "Rust+et+Python")))
        .expect("req");
    let res = app.request(req).await;
    assert!(res.body.contains("Enregistré automatiquement"), "{}", res.body);
    let o = db::backoffice::managed_offer(db.conn(), id, None).await.expect("offer");
    assert_eq!(o.title, "Développeuse Rust et Python");

    // Without a deadline, publishing is refused and says what is missing.
    let undated =
        body.replace("Rust", "Rust+et+Python").replace("&date_limite=2027-01-31", "").replace("&action=apercu", "");
    send(&app, &ra, "POST", &format!("/recruteur/offres/{id}/modifier"), &undated).await;
    let res = send(&app, &ra, "POST", &format!("/recruteur/offres/{id}/etat"), "etat=published").await;
    let page = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Pour publier, renseignez la date limite de candidature."), "{}", page.body);
    assert_eq!(db::backoffice::managed_offer(db.conn(), id, None).await.expect("o").state, "draft");
    send(
        &app,
        &ra,
        "POST",
        &format!("/recruteur/offres/{id}/modifier"),
        &body.replace("Rust", "Rust+et+Python").replace("&action=apercu", ""),
    )
    .await;

    // Publishing makes it public and searchable; a past deadline is refused.
    send(&app, &ra, "POST", &format!("/recruteur/offres/{id}/etat"), "etat=published").await;
    app.sync().await;
    let public = app.get(&format!("/emploi/{}", o.slug)).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.body.contains("Développeuse Rust et Python")
            && public.body.contains(&format!("href=\"/candidature/{}\"", o.slug))
    );
    let (_, api) = app.json("/api/v1/offres?q=python").await;
    assert!(api.to_string().contains(&o.slug), "indexed");
    // A past deadline is refused by the form itself.
    let past = body.replace("Rust", "Rust+et+Python").replace("2027-01-31", "2026-01-01").replace("&action=apercu", "");
    let res = send(&app, &ra, "POST", &format!("/recruteur/offres/{id}/modifier"), &past).await;
    assert!(res.body.contains("La date limite de candidature doit être à venir"), "{}", res.body);
    let kept = db::backoffice::managed_offer(db.conn(), id, None).await.expect("o").expires_at;
    assert_eq!(kept.map(|e| e.date_naive().to_string()), Some("2027-01-31".into()), "the deadline is unchanged");
    // Once the deadline has passed, republishing a filled offer is refused.
    let when = crate::support::at(2027, 2, 15);
    let later = TestApp::new(&db, when).await;
    let me = db::users::by_email(db.conn(), &Email::parse("ra@exemple.fr").expect("e")).await.expect("u").expect("ra");
    let sid = tower_sessions::session::Id::default().to_string();
    let data = format!("{{\"user_id\":{}}}", me.id);
    db::accounts::session_create(db.conn(), &sid, Some(me.id), &data, when + chrono::Duration::days(1))
        .await
        .expect("session");
    let ra_later = format!("metiers_session={sid}");
    send(&later, &ra_later, "POST", &format!("/recruteur/offres/{id}/etat"), "etat=filled").await;
    let res = send(&later, &ra_later, "POST", &format!("/recruteur/offres/{id}/etat"), "etat=published").await;
    let page = send(&later, &ra_later, "GET", res.header("location"), "").await;
    assert!(page.body.contains("La date limite de candidature est passée"), "{}", res.header("location"));

    // Duplicate: a new draft with the same content.
    let res = send(&app, &ra, "POST", &format!("/recruteur/offres/{id}/dupliquer"), "").await;
    let copy_id: i64 = res
        .header("location")
        .trim_start_matches("/recruteur/offres/")
        .split('/')
        .next()
        .expect("id")
        .parse()
        .expect("id");
    let copy = db::backoffice::managed_offer(db.conn(), copy_id, None).await.expect("copy");
    assert_eq!((copy.title.as_str(), copy.state.as_str()), ("Développeuse Rust et Python (copie)", "draft"));
    assert_eq!(db::backoffice::offer_contracts(db.conn(), copy_id).await.expect("c").len(), 2);
});

db_test!(notes_pool_spontaneous_and_statistics, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers.iter().find(|v| v.profession.is_some() && v.offer.region_code.is_some()).expect("offer").clone();
    let inst_a = offer.offer.institution_id;
    let inst_b = offers.iter().map(|v| v.offer.institution_id).find(|i| *i != inst_a).expect("B");
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(inst_a)).await;
    let rb = staff(&app, &db, "rb@exemple.fr", Role::Recruiter, Some(inst_b)).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;

    // Three candidates: one in the pool matching the offer, one in the pool hidden from A, one
    // not in the pool.
    let mk = |e: &str| Email::parse(e).expect("e");
    let prof = offer.profession.as_ref().expect("profession").slug.clone();
    let region = offer.offer.region_code.clone().expect("region");
    let mut ids = Vec::new();
    for (email, pool, hidden) in
        [("lea@exemple.fr", true, false), ("max@exemple.fr", true, true), ("noe@exemple.fr", false, false)]
    {
        let u = db::accounts::create_candidate(db.conn(), &mk(email), "x", today()).await.expect("c");
        // A profile that answers every criterion the offer has, as the offer asks it.
        let mut choices = vec![
            (domain::candidate::ChoiceKind::Profession, prof.clone()),
            (domain::candidate::ChoiceKind::Region, region.clone()),
        ];
        choices.extend(offer.domains.iter().map(|d| (domain::candidate::ChoiceKind::Domain, d.slug.clone())));
        choices.extend(offer.contract_types.iter().map(|c| (domain::candidate::ChoiceKind::Contract, c.clone())));
        let input = db::profiles::ProfileInput {
            first_name: email.split('@').next().expect("n").to_uppercase(),
            last_name: "Test".into(),
            years_experience: Some(10),
            remote: offer.offer.remote.clone(),
            talent_pool: pool,
            choices,
            hidden_institutions: if hidden { vec![inst_a] } else { vec![] },
            ..Default::default()
        };
        db::profiles::save(db.conn(), u.id, &input, today()).await.expect("profile");
        ids.push(u.id);
    }
    let pool = send(&app, &ra, "GET", &format!("/recruteur/vivier?offre={}", offer.offer.id), "").await;
    assert_eq!(pool.status, StatusCode::OK);
    assert!(
        pool.body.contains("LEA Test") && !pool.body.contains("MAX Test") && !pool.body.contains("NOE Test"),
        "{}",
        pool.body
    );
    assert!(pool.body.contains("correspondance 100 %") && pool.body.contains("Métier recherché"));
    assert!(!pool.body.contains("lea@exemple.fr"), "no address in the pool");
    // By domain: the profession's domain finds Léa; another domain does not.
    let taxonomy = app.state.taxonomy.current();
    let (_, prof_domain) = taxonomy.profession_domains.iter().find(|(p, _)| *p == prof).expect("domain").clone();
    let other_domain = taxonomy.domains.iter().find(|d| d.1 != prof_domain).expect("another domain").1.clone();
    let by_domain = send(&app, &ra, "GET", &format!("/recruteur/vivier?domaine={prof_domain}"), "").await;
    assert!(by_domain.body.contains("LEA Test"), "{}", by_domain.body);
    let elsewhere = send(&app, &ra, "GET", &format!("/recruteur/vivier?domaine={other_domain}"), "").await;
    assert!(!elsewhere.body.contains("LEA Test"));
    let pool_b = send(&app, &rb, "GET", "/recruteur/vivier", "").await;
    assert!(pool_b.body.contains("MAX Test"), "hidden from A only");
    // Invite (once), hidden candidates cannot be invited by guessing their id.
    let res =
        send(&app, &ra, "POST", &format!("/recruteur/vivier/{}/inviter", ids[0]), &format!("offre={}", offer.offer.id))
            .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let again =
        send(&app, &ra, "POST", &format!("/recruteur/vivier/{}/inviter", ids[0]), &format!("offre={}", offer.offer.id))
            .await;
    let told = send(&app, &ra, "GET", again.header("location"), "").await;
    assert!(told.body.contains("déjà"), "a second invitation is refused with a message: {}", again.header("location"));
    let hidden =
        send(&app, &ra, "POST", &format!("/recruteur/vivier/{}/inviter", ids[1]), &format!("offre={}", offer.offer.id))
            .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let invites = db::outbox::all(db.conn()).await.expect("outbox");
    assert_eq!(invites.iter().filter(|m| m.subject.starts_with("Une offre pour vous")).count(), 1);
    // The candidate sees the invitation and declines it.
    let lea = db::accounts::by_id(db.conn(), ids[0]).await.expect("db").expect("lea");
    let token = "jeton-lea";
    db::accounts::insert_token(
        db.conn(),
        lea.id,
        db::accounts::TokenPurpose::SignIn,
        token,
        chrono::Duration::hours(1),
        today(),
    )
    .await
    .expect("token");
    let lea_cookie = cookie_of(&app.get(&format!("/connexion/lien/{token}")).await);
    let space = send(&app, &lea_cookie, "GET", "/espace-candidat", "").await;
    assert!(space.body.contains("Invitations à candidater") && space.body.contains(&offer.offer.title));
    let inv = db::backoffice::invitations_of(db.conn(), lea.id).await.expect("inv")[0].id;
    send(&app, &lea_cookie, "POST", &format!("/espace-candidat/invitations/{inv}/decliner"), "").await;
    assert!(db::backoffice::invitations_of(db.conn(), lea.id).await.expect("inv")[0].declined_at.is_some());

    // Applications: a note and a rating, for recruiters only.
    let new = |offer_id: Option<i64>, inst: Option<i64>, user: i64| db::applications::NewApplication {
        offer_id,
        institution_id: inst,
        user_id: user,
        candidate_name: "Léa Test".into(),
        candidate_email: "lea@exemple.fr".into(),
        cover_letter: Some("Lettre".into()),
        links: None,
        cv_file_id: None,
    };
    let a = db::applications::create(db.conn(), &new(Some(offer.offer.id), Some(inst_a), lea.id), today())
        .await
        .expect("a");
    send(
        &app,
        &ra,
        "POST",
        &format!("/recruteur/candidatures/{}/note", a.id),
        "texte=Tr%C3%A8s+bon+profil&note_globale=4",
    )
    .await;
    let page = send(&app, &ra, "GET", &format!("/recruteur/offres/{}/candidatures", offer.offer.id), "").await;
    assert!(page.body.contains("Très bon profil") && page.body.contains("Note : 4/5"));
    let bad = send(&app, &ra, "POST", &format!("/recruteur/candidatures/{}/note", a.id), "note_globale=9").await;
    let back = send(&app, &ra, "GET", bad.header("location"), "").await;
    assert!(back.body.contains("La note va de 1 à 5."), "{}", bad.header("location"));
    assert_eq!(
        send(&app, &rb, "POST", &format!("/recruteur/candidatures/{}/note", a.id), "texte=x").await.status,
        StatusCode::NOT_FOUND
    );
    let mine = send(&app, &lea_cookie, "GET", &format!("/espace-candidat/candidatures/{}", a.id), "").await;
    assert!(!mine.body.contains("Très bon profil"), "notes are never shown to the candidate");

    // Spontaneous applications: to A, to everyone, to B.
    let noe = ids[2];
    for (inst, who) in [(Some(inst_a), lea.id), (None, noe), (Some(inst_b), lea.id)] {
        db::applications::create(db.conn(), &new(None, inst, who), today()).await.expect("spontaneous");
    }
    let inbox = send(&app, &ra, "GET", "/recruteur/candidatures-spontanees", "").await;
    assert_eq!(inbox.body.matches("action=\"/recruteur/candidatures/").count(), 2, "to A and to everyone, not to B");
    assert!(inbox.body.contains("envoyée à tous les employeurs"));

    // Statistics: this month's figures agree with what was just done.
    db::applications::move_stage(db.conn(), a.id, domain::candidate::Stage::Accepted, None, today())
        .await
        .expect("hire");
    let stats = db::stats::monthly(db.conn(), Some(inst_a), today(), 12).await.expect("stats");
    let this_month = stats.months.last().expect("month");
    assert_eq!(this_month.month, "2026-11");
    assert_eq!(this_month.applications, 2, "one to the offer, one spontaneous to A");
    assert_eq!(this_month.hires, 1);
    assert_eq!(this_month.median_days_to_answer, Some(0));
    assert_eq!(stats.months.len(), 12);
    let page = send(&app, &ra, "GET", "/recruteur/statistiques", "").await;
    assert!(page.body.contains("<th scope=\"row\">nov. 2026</th>") && page.body.contains("talents dans le vivier"));
    // The chart draws the table's figures: this month's 2 applications and 1 hire end their series.
    let chart = page.body.split("<bar-chart").nth(1).expect("a bar chart").split('>').next().expect("attributes");
    assert!(chart.contains(",2],[") && chart.contains(",1]]\""), "{chart}");
    assert!(page.body.contains("dsfr-chart/DSFRChart.js"));
    let objectives = db::stats::objectives(db.conn(), today()).await.expect("objectives");
    assert_eq!((objectives.talents_in_pool, objectives.hires), (2, 1));
    assert_eq!(send(&app, &admin, "GET", "/admin/statistiques", "").await.status, StatusCode::OK);
});

db_test!(views_are_counted_and_recruiters_get_a_weekly_recap, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offer = db::listing::latest_open(db.conn(), today(), 1, None, None, None).await.expect("offers").remove(0);
    let before = offer.offer.views;
    let view = |slug: String, agent: &'static str| {
        let app = &app;
        async move {
            let req = axum::http::Request::get(format!("/emploi/{slug}"))
                .header(axum::http::header::USER_AGENT, agent)
                .body(axum::body::Body::empty())
                .expect("request");
            app.request(req).await.status
        }
    };
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const CHROME: &str =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    // Three views by one visitor (the second and third come from the page cache), two by a
    // robot, one by another visitor: two views.
    for _ in 0..3 {
        assert_eq!(view(offer.offer.slug.clone(), FIREFOX).await, StatusCode::OK);
    }
    for _ in 0..2 {
        assert_eq!(view(offer.offer.slug.clone(), "Mozilla/5.0 (compatible; Googlebot/2.1)").await, StatusCode::OK);
    }
    assert_eq!(app.get(&format!("/emploi/{}", offer.offer.slug)).await.status, StatusCode::OK, "no browser named");
    assert_eq!(view(offer.offer.slug.clone(), CHROME).await, StatusCode::OK);
    view("offre-qui-n-existe-pas".into(), FIREFOX).await;
    assert_eq!(app.state.views.flush(&app.state.db, today()).await.expect("flush"), 1, "only the real offer");
    let after = db::backoffice::managed_offer(db.conn(), offer.offer.id, None).await.expect("offer").views;
    assert_eq!(after, before + 2, "a visitor counts once a day, robots never");
    // The month's count adds up across flushes, for the statistics by month.
    view(offer.offer.slug.clone(), "Mozilla/5.0 (Android 15; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0").await;
    app.state.views.flush(&app.state.db, today()).await.expect("flush");
    let stats = db::stats::monthly(db.conn(), Some(offer.offer.institution_id), today(), 12).await.expect("stats");
    assert_eq!(stats.months.last().expect("this month").views, 3);
    assert_eq!(stats.months.first().expect("a year ago").views, 0);

    // The recap: one application waiting for 10 days, one of yesterday, one answered.
    staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let mut ids = Vec::new();
    for (i, age) in [10, 1, 10].into_iter().enumerate() {
        let email = format!("c{i}@exemple.fr");
        let u = db::accounts::create_candidate(db.conn(), &Email::parse(&email).expect("e"), "x", today())
            .await
            .expect("c");
        let new = db::applications::NewApplication {
            offer_id: Some(offer.offer.id),
            institution_id: Some(offer.offer.institution_id),
            user_id: u.id,
            candidate_name: "X".into(),
            candidate_email: email,
            cover_letter: None,
            links: None,
            cv_file_id: None,
        };
        ids.push(db::applications::create(db.conn(), &new, today() - chrono::Duration::days(age)).await.expect("a").id);
    }
    db::applications::move_stage(db.conn(), ids[2], domain::candidate::Stage::Review, None, today())
        .await
        .expect("answer");
    assert_eq!(web::jobs::send_recruiter_recaps(&app.state).await.expect("recap"), 1);
    let mails = db::outbox::all(db.conn()).await.expect("outbox");
    let recap = mails.iter().find(|m| m.recipient == "ra@exemple.fr").expect("recap");
    assert_eq!(recap.subject, "1 candidature attend une réponse");
});

db_test!(administrators_import_files_and_edit_refusal_reasons, |db| {
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let fixture = std::fs::read(crate::support::fixture("csp/offres-datagouv-20261116.csv")).expect("fixture");
    let boundary = "----import";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"../offres-csp.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(&fixture);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post("/admin/imports")
        .header(header::COOKIE, &admin)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("req");
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let report = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(report.body.contains("Rapport d’import : offres-csp.csv"), "{}", report.body);
    let run = db::runs::latest(db.conn(), 1).await.expect("runs").remove(0);
    assert!(run.created > 0);
    assert!(report.body.contains(&format!("{} créées", run.created)));
    let list = send(&app, &admin, "GET", "/admin/imports", "").await;
    assert!(list.body.contains("offres-csp.csv"));
    // A file that is no export: a clear message, nothing recorded.
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"photo.png\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&[0x89, b'P', b'N', b'G', 0, 1, 2, 3]);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post("/admin/imports")
        .header(header::COOKIE, &admin)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("req");
    let res = app.request(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("fr-alert--error"), "{}", res.body);
    assert_eq!(db::runs::latest(db.conn(), 10).await.expect("runs").len(), 1);

    // Refusal reasons: add one, withdraw one; recruiters' lists follow.
    let res = send(&app, &admin, "POST", "/admin/motifs", "libelle=").await;
    assert!(res.body.contains("Renseignez le texte du motif."));
    send(
        &app,
        &admin,
        "POST",
        "/admin/motifs",
        "libelle=Le+poste+demande+une+habilitation+que+vous+n%E2%80%99avez+pas.",
    )
    .await;
    let reasons = db::applications::refusal_reasons(db.conn()).await.expect("reasons");
    assert_eq!(reasons.len(), 6);
    let added = reasons.last().expect("added");
    assert_eq!(added.code, "le-poste-demande-une", "a code derived from the text, cut at a word");
    let first = reasons[0].id;
    send(&app, &admin, "POST", &format!("/admin/motifs/{first}/etat"), "actif=0").await;
    let reasons = db::applications::refusal_reasons(db.conn()).await.expect("reasons");
    assert!(!reasons[0].active && reasons[1].active);
});

db_test!(recruiters_edit_preview_and_publish_their_employer_page, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let inst =
        db::institutions::list(db.conn()).await.expect("institutions").into_iter().find(|i| i.published).expect("inst");
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(inst.id)).await;
    let page = send(&app, &ra, "GET", "/recruteur/employeur", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&inst.name));

    // A draft with a preview leaves the public page as it was.
    let res = send(
        &app,
        &ra,
        "POST",
        "/recruteur/employeur",
        "presentation=Nous+construisons+**des+services+publics**&action=apercu",
    )
    .await;
    let draft_page = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(
        draft_page.body.contains("Aperçu du brouillon")
            && draft_page.body.contains("<strong>des services publics</strong>")
    );
    assert!(draft_page.body.contains("Brouillon non publié"));
    let public = app.get(&format!("/employeurs/{}", inst.slug)).await;
    assert!(!public.body.contains("des services publics"));
    let bad =
        send(&app, &ra, "POST", "/recruteur/employeur", "site=pas-une-adresse&presentation=Texte+gard%C3%A9").await;
    assert!(bad.body.contains("commence par https://") && bad.body.contains("Texte gardé"));
    // Publishing shows it.
    send(
        &app,
        &ra,
        "POST",
        "/recruteur/employeur",
        "presentation=Nous+construisons+**des+services+publics**&action=publier",
    )
    .await;
    let public = app.get(&format!("/employeurs/{}", inst.slug)).await;
    assert!(public.body.contains("<strong>des services publics</strong>"), "published");
    assert!(!send(&app, &ra, "GET", "/recruteur/employeur", "").await.body.contains("Brouillon non publié"));

    // Logo: a real image is resized and served; anything else is refused.
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(1200, 600, image::Rgb([0, 0, 145]))
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    let upload = |bytes: Vec<u8>, name: &str| {
        let boundary = "----logo";
        let mut body =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{name}\"\r\n\r\n")
                .into_bytes();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::post("/recruteur/employeur/logo")
            .header(header::COOKIE, &ra)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("req")
    };
    let res = app.request(upload(b"pas une image".to_vec(), "logo.png")).await;
    assert!(res.body.contains("Le logo doit être une image PNG ou JPEG."));
    let res = app.request(upload(png.into_inner(), "logo.png")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let key = db::institutions::by_id(db.conn(), inst.id).await.expect("inst").logo_path.expect("logo");
    let public = app.get(&format!("/employeurs/{}", inst.slug)).await;
    assert!(public.body.contains(&format!("src=\"/{key}\"")), "the logo is on the public page");
    let served = app.get(&format!("/{key}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), "image/png");
    let stored = app.state.files.get(&key).await.expect("stored");
    let img = image::load_from_memory(&stored).expect("decodes");
    assert_eq!((img.width(), img.height()), (400, 200), "fitted in 400 pixels");

    // Services.
    send(&app, &ra, "POST", "/recruteur/employeur/services", "nom=Bureau+des+donn%C3%A9es").await;
    let services = db::institutions::services(db.conn(), inst.id).await.expect("services");
    assert!(services.iter().any(|s| s.name == "Bureau des données"));
    let log = db::backoffice::audit_log(db.conn(), 10).await.expect("log");
    assert!(log.iter().any(|e| e.action == "page_employeur.publication"));
});

db_test!(bulk_refusal_moves_only_the_selected_open_applications_of_the_offer, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers[0].clone();
    let other =
        offers.iter().find(|v| v.offer.id != offer.offer.id && v.offer.institution_id == offer.offer.institution_id);
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let email = format!("lot{i}@exemple.fr");
        let u = db::accounts::create_candidate(db.conn(), &Email::parse(&email).expect("e"), "x", today())
            .await
            .expect("c");
        let new = db::applications::NewApplication {
            offer_id: Some(offer.offer.id),
            institution_id: Some(offer.offer.institution_id),
            user_id: u.id,
            candidate_name: format!("Lot {i}"),
            candidate_email: email,
            cover_letter: None,
            links: None,
            cv_file_id: None,
        };
        ids.push(db::applications::create(db.conn(), &new, today()).await.expect("a").id);
    }
    let uri = format!("/recruteur/offres/{}/candidatures/lot", offer.offer.id);
    let res = send(&app, &ra, "POST", &uri, &format!("etape=refusee&ids={}&ids={}", ids[0], ids[1])).await;
    let back = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(back.body.contains("motif"), "a refusal without a reason is refused: {}", res.header("location"));
    assert_eq!(db::applications::get(db.conn(), ids[0]).await.expect("a").application.stage, "recue");
    let res = send(&app, &ra, "POST", &uri, &format!("etape=refusee&motif=pourvu&ids={}&ids={}", ids[0], ids[1])).await;
    let page = send(&app, &ra, "GET", res.header("location"), "").await;
    assert!(page.body.contains("2 candidatures passées à l’étape « Refusée »"), "{}", res.header("location"));
    for (i, stage) in [(0, "refusee"), (1, "refusee"), (2, "recue")] {
        assert_eq!(db::applications::get(db.conn(), ids[i]).await.expect("a").application.stage, stage);
    }
    let refusals = db::outbox::all(db.conn())
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.subject == "Votre candidature : Refusée")
        .count();
    assert_eq!(refusals, 2, "one e-mail each");
    // Applications of another offer are ignored, even of the same institution.
    if let Some(other) = other {
        let res = send(
            &app,
            &ra,
            "POST",
            &format!("/recruteur/offres/{}/candidatures/lot", other.offer.id),
            &format!("etape=examen&ids={}", ids[2]),
        )
        .await;
        let page = send(&app, &ra, "GET", res.header("location"), "").await;
        assert!(page.body.contains("0 candidature passée"));
        assert_eq!(db::applications::get(db.conn(), ids[2]).await.expect("a").application.stage, "recue");
    }
});

db_test!(administrators_manage_employers_and_services, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let res = send(&app, &admin, "POST", "/admin/employeurs", "nom=&sigle=ABC").await;
    assert!(res.body.contains("Renseignez le nom de l’employeur.") && res.body.contains("value=\"ABC\""));
    send(&app, &admin, "POST", "/admin/employeurs", "nom=Agence+du+num%C3%A9rique+en+sant%C3%A9&sigle=ANS").await;
    let inst = db::institutions::list(db.conn())
        .await
        .expect("list")
        .into_iter()
        .find(|i| i.name == "Agence du numérique en santé")
        .expect("created");
    assert_eq!(inst.acronym.as_deref(), Some("ANS"));
    let again = send(&app, &admin, "POST", "/admin/employeurs", "nom=agence+du+numerique+en+sante").await;
    let page = send(&app, &admin, "GET", again.header("location"), "").await;
    assert!(page.body.contains("existe déjà"), "the same name, spelt differently");
    assert_eq!(app.get(&format!("/employeurs/{}", inst.slug)).await.status, StatusCode::OK);
    send(&app, &admin, "POST", &format!("/admin/employeurs/{}/publication", inst.id), "etat=0").await;
    assert_eq!(app.get(&format!("/employeurs/{}", inst.slug)).await.status, StatusCode::NOT_FOUND, "hidden at once");
    send(&app, &admin, "POST", &format!("/admin/employeurs/{}/services", inst.id), "nom=P%C3%B4le+donn%C3%A9es").await;
    let services = db::institutions::services(db.conn(), inst.id).await.expect("services");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].name, "Pôle données");
});

db_test!(administrators_rewrite_the_stage_emails, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = db::listing::latest_open(db.conn(), today(), 10, None, None, None).await.expect("offers");
    let offer = offers[0].clone();
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    // Recruiters do not edit the platform's templates.
    assert_eq!(send(&app, &ra, "GET", "/admin/modeles-courriels", "").await.status, StatusCode::FORBIDDEN);

    let page = send(&app, &admin, "GET", "/admin/modeles-courriels", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Étape « Entretien »") && page.body.contains("Texte par défaut"));

    // Mistakes are named and what was typed stays.
    let bad = "objet-entretien=Entretien+pour+%7Boffer%7D&texte-entretien=Bonjour+%7Bprenom%7D&action=enregistrer";
    let res = send(&app, &admin, "POST", "/admin/modeles-courriels/entretien", bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("La variable {offer} (dans l’objet) n’existe pas"), "{}", res.body);
    assert!(res.body.contains("La variable {prenom} (dans le texte) n’existe pas"));
    assert!(res.body.contains("Bonjour {prenom}"), "what was typed is kept");
    let (_, default) = db::mail_templates::in_force(db.conn(), domain::candidate::Stage::Interview).await.expect("t");
    assert!(default, "nothing saved");

    // A preview fills the variables with an example, without saving.
    let good = "objet-entretien=Rencontrons-nous+%3A+%7Boffre%7D&texte-entretien=Bonjour%2C%0D%0A%0D%0A%7Bemployeur%7D+vous+propose+un+entretien+pour+%C2%AB+%7Boffre%7D+%C2%BB.";
    let res = send(&app, &admin, "POST", "/admin/modeles-courriels/entretien", &format!("{good}&action=apercu")).await;
    assert!(res.body.contains("Aperçu (exemple) : Rencontrons-nous : Développeur·euse back-end Rust"), "{}", res.body);
    assert!(db::mail_templates::in_force(db.conn(), domain::candidate::Stage::Interview).await.expect("t").1);
    // Saved, it is the e-mail of the next move to interview.
    let res =
        send(&app, &admin, "POST", "/admin/modeles-courriels/entretien", &format!("{good}&action=enregistrer")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cand = db::accounts::create_candidate(db.conn(), &Email::parse("lea@exemple.fr").expect("e"), "x", today())
        .await
        .expect("c");
    let new = db::applications::NewApplication {
        offer_id: Some(offer.offer.id),
        institution_id: Some(offer.offer.institution_id),
        user_id: cand.id,
        candidate_name: "Léa Martin".into(),
        candidate_email: "lea@exemple.fr".into(),
        cover_letter: None,
        links: None,
        cv_file_id: None,
    };
    let a = db::applications::create(db.conn(), &new, today()).await.expect("application");
    send(&app, &ra, "POST", &format!("/recruteur/candidatures/{}/etape", a.id), "etape=entretien").await;
    let mails = db::outbox::all(db.conn()).await.expect("outbox");
    let mail = mails.iter().find(|m| m.recipient == "lea@exemple.fr").expect("the stage e-mail");
    assert_eq!(mail.subject, format!("Rencontrons-nous : {}", offer.offer.title));
    let employer = db::institutions::by_id(db.conn(), offer.offer.institution_id).await.expect("i").name;
    assert!(mail.text_body.contains(&format!("{employer} vous propose un entretien pour « {} ».", offer.offer.title)));
    assert!(mail.text_body.contains("Voir ma candidature"), "the layout stays the platform's");

    // Back to the default wording; both changes are in the audit log.
    send(&app, &admin, "POST", "/admin/modeles-courriels/entretien", "action=retablir").await;
    assert!(db::mail_templates::in_force(db.conn(), domain::candidate::Stage::Interview).await.expect("t").1);
    let log = db::backoffice::audit_log(db.conn(), 10).await.expect("log");
    assert!(
        log.iter().any(|e| e.action == "modele_courriel.modifie"
            && e.after.as_deref().is_some_and(|a| a.contains("Rencontrons-nous")))
    );
    assert!(log.iter().any(|e| e.action == "modele_courriel.retabli"));
    // Stages without a template do not exist as pages.
    let res = send(&app, &admin, "POST", "/admin/modeles-courriels/retiree", "action=retablir").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
});

db_test!(administrators_act_for_an_employer, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let institutions = db::institutions::list(db.conn()).await.expect("institutions");
    let (inst, other) = (&institutions[0], &institutions[1]);
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(other.id)).await;

    // Without an employer, the administrator is asked to choose one.
    let res = send(&app, &admin, "GET", "/recruteur/offres/nouvelle", "").await;
    assert_eq!(res.header("location"), "/admin/employeurs");
    let list = send(&app, &admin, "GET", "/admin/employeurs", "").await;
    assert!(list.body.contains("Choisissez l’employeur, puis « Publier une offre pour cet employeur »"));
    let res = send(&app, &admin, "GET", "/recruteur/employeur", "").await;
    assert_eq!(res.header("location"), "/admin/employeurs");
    let list = send(&app, &admin, "GET", "/admin/employeurs", "").await;
    assert!(list.body.contains("Choisissez un employeur, puis « Modifier sa page »"));
    let crafted = send(&app, &admin, "GET", "/admin/employeurs?message=Votre%20compte%20est%20suspendu", "").await;
    assert!(!crafted.body.contains("Votre compte est suspendu"), "a status message never comes from the address");
    let fiche = send(&app, &admin, "GET", &format!("/admin/employeurs/{}", inst.id), "").await;
    assert!(fiche.body.contains(&format!("/recruteur/offres/nouvelle?employeur={}", inst.id)));

    // A new offer for that employer.
    let form = send(&app, &admin, "GET", &format!("/recruteur/offres/nouvelle?employeur={}", inst.id), "").await;
    assert!(form.body.contains(&format!("Pour : {}", inst.name)) && form.body.contains("name=\"employeur\""));
    let body = format!("employeur={}&titre=Architecte+cloud&missions=Concevoir", inst.id);
    let res = send(&app, &admin, "POST", "/recruteur/offres/nouvelle", &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let id: i64 = res.header("location").split('/').nth(3).and_then(|s| s.parse().ok()).expect("offer id");
    let offer = db::backoffice::managed_offer(db.conn(), id, None).await.expect("offer");
    assert_eq!(
        (offer.institution_id, offer.title.as_str(), offer.state.as_str()),
        (inst.id, "Architecte cloud", "draft")
    );
    // A recruiter cannot slip another employer in: the field is ignored.
    let body = format!("employeur={}&titre=Intrus&missions=x", inst.id);
    let res = send(&app, &ra, "POST", "/recruteur/offres/nouvelle", &body).await;
    let id: i64 = res.header("location").split('/').nth(3).and_then(|s| s.parse().ok()).expect("offer id");
    assert_eq!(db::backoffice::managed_offer(db.conn(), id, None).await.expect("o").institution_id, other.id);

    // The employer page, drafted and published by the administrator, stays on that employer.
    let editor = send(&app, &admin, "GET", &format!("/recruteur/employeur?employeur={}", inst.id), "").await;
    assert!(editor.body.contains(&format!("Page employeur : {}", inst.name)));
    let body = format!("employeur={}&presentation=Texte+de+l%E2%80%99administration&action=apercu", inst.id);
    let res = send(&app, &admin, "POST", "/recruteur/employeur", &body).await;
    assert!(
        res.header("location").contains(&format!("employeur={}", inst.id))
            && res.header("location").contains("apercu=1")
    );
    let draft = db::institutions::draft(db.conn(), inst.id).await.expect("db").expect("draft");
    assert_eq!(draft.presentation.as_deref(), Some("Texte de l’administration"));
    assert!(db::institutions::draft(db.conn(), other.id).await.expect("db").is_none());
    let body = format!("employeur={}&nom=Bureau+des+talents", inst.id);
    send(&app, &admin, "POST", "/recruteur/employeur/services", &body).await;
    let services = db::institutions::services(db.conn(), inst.id).await.expect("services");
    assert!(services.iter().any(|s| s.name == "Bureau des talents"));
    // An unknown employer is a 404, not a 500.
    assert_eq!(
        send(&app, &admin, "GET", "/recruteur/employeur?employeur=999999", "").await.status,
        StatusCode::NOT_FOUND
    );
});

db_test!(recruiters_belong_to_an_employer_and_its_services, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let institutions = db::institutions::list(db.conn()).await.expect("institutions");
    let (inst, other) = (&institutions[0], &institutions[1]);
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;

    // The service named in the request is the recruiter's once approved.
    let body = format!(
        "nom=Ana+Lopez&email=ana%40exemple.gouv.fr&employeur={}&service=Bureau+des+talents&poste=Recruteuse",
        inst.id
    );
    send(&app, "", "POST", "/demande-de-compte", &body).await;
    let request =
        db::backoffice::pending_access_request_of(db.conn(), "ana@exemple.gouv.fr").await.expect("db").expect("r");
    let decision = format!("decision=approuver&employeur={}", inst.id);
    send(&app, &admin, "POST", &format!("/admin/demandes/{}/decision", request.id), &decision).await;
    let ana =
        db::users::by_email(db.conn(), &Email::parse("ana@exemple.gouv.fr").expect("e")).await.expect("db").expect("a");
    let services = db::institutions::services(db.conn(), inst.id).await.expect("services");
    let talents = services.iter().find(|s| s.name == "Bureau des talents").expect("service created");
    assert_eq!(db::backoffice::user_service_ids(db.conn(), ana.id).await.expect("db"), [talents.id]);
    let ana_session = staff_session(&app, &db, ana.id).await;
    let home = send(&app, &ana_session, "GET", "/recruteur", "").await;
    assert!(home.body.contains(&format!("Employeur : {} — service : Bureau des talents", inst.name)), "{}", home.body);

    // The account page shows it; another service of the same employer can be added, one of
    // another employer cannot.
    let page = send(&app, &admin, "GET", &format!("/admin/utilisateurs/{}", ana.id), "").await;
    assert!(
        page.body
            .contains(&format!("id=\"service-{}\" name=\"services\" value=\"{}\" checked", talents.id, talents.id)),
        "{}",
        page.body
    );
    let lab = db::institutions::find_or_create_service(db.conn(), inst.id, None, "Laboratoire", None, today())
        .await
        .expect("s");
    let foreign = db::institutions::find_or_create_service(db.conn(), other.id, None, "Ailleurs", None, today())
        .await
        .expect("s");
    let body = format!("employeur={}&services={}&services={}&services={}", inst.id, talents.id, lab.id, foreign.id);
    send(&app, &admin, "POST", &format!("/admin/utilisateurs/{}/rattachement", ana.id), &body).await;
    let mut mine = db::backoffice::user_service_ids(db.conn(), ana.id).await.expect("db");
    mine.sort();
    let mut expected = vec![talents.id, lab.id];
    expected.sort();
    assert_eq!(mine, expected);

    // Another employer: the former one's services go.
    let body = format!("employeur={}&services={}", other.id, foreign.id);
    let res = send(&app, &admin, "POST", &format!("/admin/utilisateurs/{}/rattachement", ana.id), &body).await;
    let page = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("choisissez maintenant ses services"), "{}", page.body);
    let ana = db::accounts::by_id(db.conn(), ana.id).await.expect("db").expect("a");
    assert_eq!(ana.institution_id, Some(other.id));
    assert!(db::backoffice::user_service_ids(db.conn(), ana.id).await.expect("db").is_empty());
    let log = db::backoffice::audit_log(db.conn(), 10).await.expect("log");
    assert!(log.iter().any(|e| e.action == "compte.rattachement"));

    // Candidates are not attached to employers; an unknown account is a 404.
    let cand = db::accounts::create_candidate(db.conn(), &Email::parse("paul@exemple.fr").expect("e"), "x", today())
        .await
        .expect("c");
    let body = format!("employeur={}", inst.id);
    let res = send(&app, &admin, "POST", &format!("/admin/utilisateurs/{}/rattachement", cand.id), &body).await;
    let page = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Seuls les comptes recruteur"));
    assert_eq!(db::accounts::by_id(db.conn(), cand.id).await.expect("db").expect("c").institution_id, None);
    assert_eq!(send(&app, &admin, "GET", "/admin/utilisateurs/999999", "").await.status, StatusCode::NOT_FOUND);
});

db_test!(administrators_edit_professions_and_domains, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    // An hour after the catalogue was written: the renamed offers change after the index's
    // cursor, whatever the wall clock says.
    let app = TestApp::new(&db, today() + chrono::Duration::hours(1)).await;
    let admin = staff(&app, &db, "admin@exemple.fr", Role::Administrator, None).await;
    let offers = db::listing::latest_open(db.conn(), today(), 100, None, None, None).await.expect("offers");
    let offer = offers.iter().find(|v| v.offer.profession_id.is_some()).expect("an offer with a profession").clone();
    let pid = offer.offer.profession_id.expect("profession");
    let (domains, professions) = db::reference::taxonomy(db.conn()).await.expect("taxonomy");
    let prof = professions.iter().find(|p| p.id == pid).expect("p").clone();
    let page = send(&app, &admin, "GET", "/admin/metiers", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&prof.label));

    // Mistakes are refused with a message, nothing changes.
    let res = send(&app, &admin, "POST", &format!("/admin/metiers/metiers/{pid}"), "libelle=+&domaine=").await;
    let page = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Saisissez un libellé."));
    let res = send(&app, &admin, "POST", &format!("/admin/metiers/metiers/{pid}"), "libelle=X&domaine=999999").await;
    let page = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Choisissez un domaine de la liste."));

    // Renamed: the offer, the search facets and the index follow; the address stays.
    let body = format!("libelle=Ing%C3%A9nieur%C2%B7e+plateforme&domaine={}", domains[0].id);
    send(&app, &admin, "POST", &format!("/admin/metiers/metiers/{pid}"), &body).await;
    let stored = db::backoffice::managed_offer(db.conn(), offer.offer.id, None).await.expect("o");
    assert_eq!(stored.profession_label.as_deref(), Some("Ingénieur·e plateforme"));
    app.sync().await;
    let search = app.get(&format!("/offres-emploi?metier={}", prof.slug)).await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(search.body.contains("Ingénieur·e plateforme"), "the facet shows the new label");
    let found = app.get("/offres-emploi?q=plateforme").await;
    assert!(found.body.contains(&offer.offer.title), "the index reads the renamed profession");

    // A new domain and a new profession, usable at once in the offer form.
    send(&app, &admin, "POST", "/admin/metiers/domaines", "libelle=Sobri%C3%A9t%C3%A9+num%C3%A9rique").await;
    let res = send(&app, &admin, "POST", "/admin/metiers/domaines", "libelle=Sobri%C3%A9t%C3%A9+num%C3%A9rique").await;
    let page = send(&app, &admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("existe déjà"), "no duplicates");
    let (domains, _) = db::reference::taxonomy(db.conn()).await.expect("taxonomy");
    let green = domains.iter().find(|d| d.slug == "sobriete-numerique").expect("domain added");
    let body = format!("libelle=Analyste+en+%C3%A9coconception&domaine={}", green.id);
    send(&app, &admin, "POST", "/admin/metiers/metiers", &body).await;
    let ra = staff(&app, &db, "ra@exemple.fr", Role::Recruiter, Some(offer.offer.institution_id)).await;
    let form = send(&app, &ra, "GET", "/recruteur/offres/nouvelle", "").await;
    assert!(form.body.contains("value=\"analyste-en-ecoconception\""), "the new profession is offered");
    let log = db::backoffice::audit_log(db.conn(), 10).await.expect("log");
    for action in ["metier.modifie", "domaine.creation", "metier.creation"] {
        assert!(log.iter().any(|e| e.action == action), "{action} audited");
    }
    assert_eq!(
        send(&app, &admin, "POST", "/admin/metiers/domaines/999999", "libelle=X").await.status,
        StatusCode::NOT_FOUND
    );
});
