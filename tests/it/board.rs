//! The public job board through the real router: search and its facets, offer and employer
//! pages, home, API, feeds, sitemap, and every bad input the issue lists.

use crate::support::{TestApp, TestDb, at, db_test, shared_data, today};
use axum::http::StatusCode;
use db::entity::offer;
use domain::offer::{OfferState, is_open};
use import::ImportOptions;
use sea_orm::EntityTrait;
use std::collections::HashMap;

/// The real PEP offers, imported and searched on 23 September 2021, when most were open.
async fn real_board(db: &TestDb) -> Option<TestApp> {
    let data = shared_data()?;
    let file = data.join("pep/pep-talentsoft-offers-2021-09.json");
    import::run(db, &file, &ImportOptions::default(), &domain::FixedClock(at(2021, 9, 23))).await.expect("import");
    Some(TestApp::new(db, at(2021, 9, 23)).await)
}

async fn search_ids(app: &TestApp, query: &str) -> Vec<String> {
    let (status, v) = app.json(&format!("/api/v1/offres?par_page=100&{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {v}");
    v["offres"]
        .as_array()
        .expect("offres")
        .iter()
        .map(|o| o["reference_source"].as_str().expect("ref").to_string())
        .collect()
}

fn encode(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

db_test!(relevance_on_the_real_offers, |db| {
    let Some(app) = real_board(&db).await else { return };
    // Every spelling of "développeur" finds the same offers, the two whose title says so first.
    // "Concepteur développeur d'applications" (2021-636409) closed on 22 September.
    let reference = search_ids(&app, "q=d%C3%A9veloppeur").await;
    assert_eq!(
        reference,
        vec!["2021-708135", "2021-693293", "2021-611723", "2021-633374"],
        "« Développeur informatique » first, then the « études et développement » posts"
    );
    for variant in [
        "developpeur",
        "développeuse",
        "Développeuse / Développeur",
        "développeur·euse",
        "développeurs",
        "DEVELOPPEURS",
    ] {
        let ids = search_ids(&app, &format!("q={}", encode(variant))).await;
        assert_eq!(ids, reference, "{variant}");
    }
    // One typo is tolerated on titles.
    assert_eq!(search_ids(&app, "q=developeur").await.first(), reference.first());
    let later = TestApp::new(&db, at(2021, 9, 20)).await;
    assert!(search_ids(&later, "q=developpeur").await.contains(&"2021-636409".to_string()), "open on the 20th");
    // Several words must all match; feminine, plural and unaccented forms agree.
    let admin = search_ids(&app, &format!("q={}", encode("administrateur systèmes"))).await;
    assert!(admin.len() >= 4);
    for (variant, expected) in [("administratrice systemes", &admin), ("administrateurs système", &admin)] {
        assert_eq!(&search_ids(&app, &format!("q={}", encode(variant))).await, expected, "{variant}");
    }
    assert!(admin.contains(&"2021-656136".to_string()) && admin.contains(&"2021-696982".to_string()));
    // Title over description: the lawyer for personal data comes before offers that only
    // mention data in their text.
    let data = search_ids(&app, "q=donn%C3%A9es+personnelles").await;
    assert_eq!(data.first().map(String::as_str), Some("2021-630210"));
    assert!(search_ids(&app, "q=boulangerie+patissiere").await.is_empty());
});

/// Counts computed in the test from the database rows, independently of the index.
fn expected_counts(
    offers: &[offer::Model],
    now: chrono::DateTime<chrono::Utc>,
    keep: impl Fn(&offer::Model) -> bool,
    key: impl Fn(&offer::Model) -> Option<String>,
) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for o in offers
        .iter()
        .filter(|o| is_open(o.state.parse().unwrap_or(OfferState::Draft), o.expires_at, now))
        .filter(|o| keep(o))
    {
        if let Some(k) = key(o) {
            *out.entry(k).or_default() += 1;
        }
    }
    out
}

fn facet(v: &serde_json::Value, name: &str) -> HashMap<String, u64> {
    v["facettes"][name]
        .as_array()
        .expect("facet")
        .iter()
        .map(|x| (x["valeur"].as_str().expect("valeur").to_string(), x["nombre"].as_u64().expect("nombre")))
        .collect()
}

db_test!(facet_counts_match_counts_computed_independently, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = offer::Entity::find().all(db.conn()).await.expect("offers");
    let now = today();
    let in_idf = |o: &offer::Model| o.region_code.as_deref() == Some("11");
    let cat_a = |o: &offer::Model| o.category.as_deref() == Some("A");

    let (_, v) = app.json("/api/v1/offres?region=11&categorie=A").await;
    let both = expected_counts(&offers, now, |o| in_idf(o) && cat_a(o), |_| Some("all".into()));
    assert_eq!(v["total"].as_u64(), both.get("all").copied().or(Some(0)));
    // The région facet ignores the région filter but applies the category one, and conversely.
    assert_eq!(facet(&v, "region"), expected_counts(&offers, now, cat_a, |o| o.region_code.clone()));
    assert_eq!(facet(&v, "categorie"), expected_counts(&offers, now, in_idf, |o| o.category.clone()));
    assert_eq!(facet(&v, "versant"), expected_counts(&offers, now, |o| in_idf(o) && cat_a(o), |o| o.versant.clone()));
    // Multi-select is an OR inside a facet.
    let (_, v) = app.json("/api/v1/offres?region=11&region=53").await;
    let either =
        expected_counts(&offers, now, |o| matches!(o.region_code.as_deref(), Some("11" | "53")), |_| Some("n".into()));
    assert_eq!(v["total"].as_u64(), either.get("n").copied());
    // The page says the same in French.
    let page = app.get("/offres-emploi?region=11&categorie=A").await;
    let n = both.get("all").copied().unwrap_or(0);
    assert!(page.body.contains(&format!(">{n} offres correspondent à votre recherche<")), "{n}");
});

db_test!(the_count_sentence_is_correct_french, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    assert!(
        app.get("/offres-emploi?q=zzzqqqwww").await.body.contains(">Aucune offre ne correspond à votre recherche<")
    );
    let one = app.get("/offres-emploi?q=rust").await;
    assert!(one.body.contains(">1 offre correspond à votre recherche<"), "demo has one Rust offer");
    let all = app.get("/offres-emploi").await;
    let total = offer::Entity::find()
        .all(db.conn())
        .await
        .expect("offers")
        .iter()
        .filter(|o| is_open(o.state.parse().unwrap_or(OfferState::Draft), o.expires_at, today()))
        .count();
    assert!(all.body.contains(&format!(">{total} offres correspondent à votre recherche<")));
});

db_test!(bad_search_inputs_get_a_normal_page, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let long = format!("/offres-emploi?q={}", "a%20".repeat(2_500));
    for uri in [
        "/offres-emploi?q=",
        "/offres-emploi?region=99&categorie=Z&contrat=xx&domaine=nope&metier=&employeur=inconnu&tri=bizarre",
        "/offres-emploi?page=-1",
        "/offres-emploi?page=abc",
        "/offres-emploi?page=99999999999999999999",
        "/offres-emploi?page=9999",
        "/offres-emploi?salaire_min=-5&salaire_min=abc",
        "/offres-emploi?q=%22%27%3C%3E%26%25%00",
        "/offres-emploi?q=%FF%FE",
        long.as_str(),
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{}", &uri[..uri.len().min(80)]);
        assert!(res.body.contains("<h1>Offres d’emploi du numérique public</h1>"));
        assert!(!res.body.contains("<script>alert") && !res.body.contains("\"'<>"), "escaped");
    }
    let far = app.get("/offres-emploi?page=9999").await;
    assert!(far.body.contains("Cette page n’existe pas pour cette recherche."));
    let unknown = app.get("/offres-emploi?region=99").await;
    assert!(!unknown.body.contains("Filtres actifs, activez"), "an unknown value is not an active filter");
});

db_test!(the_index_follows_changes_from_any_instance, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let one = TestApp::new(&db, today()).await;
    let other = TestApp::new(&db, today()).await;
    assert!(search_ids(&one, "q=cobol").await.is_empty());
    // Another instance writes an offer; both indexes pick it up on their next poll.
    let mut data = db::seed::demo_offer_data(today()).expect("demo").remove(0);
    data.source_ref = "MDN-TEST-COBOL".into();
    data.slug_hint = Some("developpeur-cobol".into());
    data.title = "Développeur COBOL".into();
    let ids = db::reference::TaxonomyIds::load(&db).await.expect("ids");
    db::offers::upsert(db.conn(), &ids, &data, today()).await.expect("upsert");
    assert!(one.sync().await >= 1);
    assert!(other.sync().await >= 1);
    assert_eq!(search_ids(&one, "q=cobol").await, vec!["MDN-TEST-COBOL"]);
    assert_eq!(search_ids(&other, "q=cobol").await, vec!["MDN-TEST-COBOL"]);
    // Deleted: gone from the search, 410 on its page.
    let o =
        db::offers::by_source_ref(db.conn(), domain::offer::Source::Platform, "MDN-TEST-COBOL").await.expect("offer");
    db::offers::mark_deleted(db.conn(), o.id, today()).await.expect("delete");
    one.sync().await;
    assert!(search_ids(&one, "q=cobol").await.is_empty());
    assert_eq!(one.get("/emploi/developpeur-cobol").await.status, StatusCode::GONE);
    assert_eq!(one.json("/api/v1/offres/developpeur-cobol").await.0, StatusCode::GONE);
});

db_test!(offer_pages_by_state, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let offers = offer::Entity::find().all(db.conn()).await.expect("offers");
    let by_state = |s: &str| offers.iter().find(|o| o.state == s).expect("an offer in that state");
    assert_eq!(app.get("/emploi/inconnue").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/emploi/{}", by_state("draft").slug)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.json(&format!("/api/v1/offres/{}", by_state("draft").slug)).await.0, StatusCode::NOT_FOUND);
    let filled = app.get(&format!("/emploi/{}", by_state("filled").slug)).await;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(filled.body.contains("Cette offre a été pourvue"));
    let open = offers.iter().find(|o| o.state == "published" && o.expires_at.is_some()).expect("open offer");
    let page = app.get(&format!("/emploi/{}", open.slug)).await;
    assert!(!page.body.contains("Offre fermée"));
    for section in ["Vos missions", "Votre profil", "L’équipe", "Le contexte", "Comment candidater"] {
        assert!(page.body.contains(section), "{section}");
    }
    for fact in [
        "Type de contrat",
        "Catégorie",
        "Versant",
        "Expérience",
        "Télétravail",
        "Lieu",
        "Date limite de candidature",
        "Référence",
        "Métier",
        "Domaine",
    ] {
        assert!(page.body.contains(&format!(">{fact}</dt>")), "{fact}");
    }
    assert!(
        page.body.contains(&format!("<link rel=\"canonical\" href=\"http://127.0.0.1:8080/emploi/{}\">", open.slug))
    );
    assert!(page.body.contains("<meta property=\"og:title\""));
    // After its deadline, the same page says so.
    let later = TestApp::new(&db, open.expires_at.expect("deadline") + chrono::Duration::days(1)).await;
    let expired = later.get(&format!("/emploi/{}", open.slug)).await;
    assert_eq!(expired.status, StatusCode::OK);
    assert!(expired.body.contains("La date limite de candidature de cette offre est passée."));
});

fn json_ld(html: &str) -> serde_json::Value {
    let start = html.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let end = start + html[start..].find("</script>").expect("end of script");
    serde_json::from_str(&html[start..end]).expect("valid JSON-LD")
}

db_test!(json_ld_job_posting, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let page = app.get("/emploi/developpeuse-developpeur-back-end-rust-dinum").await;
    let ld = json_ld(&page.body);
    insta::assert_json_snapshot!("json_ld_rust_offer", ld);
    // A title that tries to close the script element cannot.
    let mut data = db::seed::demo_offer_data(today()).expect("demo").remove(0);
    data.source_ref = "MDN-TEST-XSS".into();
    data.slug_hint = Some("offre-piege".into());
    data.title = "Dév </script><script>alert(1)</script> & co".into();
    let ids = db::reference::TaxonomyIds::load(&db).await.expect("ids");
    db::offers::upsert(db.conn(), &ids, &data, today()).await.expect("upsert");
    let page = app.get("/emploi/offre-piege").await;
    assert!(!page.body.contains("<script>alert(1)"), "no executable injection");
    assert_eq!(json_ld(&page.body)["title"], "Dév </script><script>alert(1)</script> & co");
});

db_test!(feeds_and_sitemaps, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let feed = app.get("/offres-emploi/atom.xml?q=data&region=11").await;
    assert_eq!(feed.header("content-type"), "application/atom+xml; charset=utf-8");
    insta::assert_snapshot!("atom_data_idf", feed.body);
    let robots = app.get("/robots.txt").await;
    assert!(robots.body.contains("Sitemap: http://127.0.0.1:8080/sitemap.xml"));
    let sitemap = app.get("/sitemap.xml").await.body;
    let open = db::offers::count_open(db.conn(), today()).await.expect("count") as usize;
    assert_eq!(sitemap.matches("<loc>http://127.0.0.1:8080/emploi/").count(), open);
    assert!(sitemap.contains("<loc>http://127.0.0.1:8080/employeurs/dinum</loc><lastmod>"));
    // Past the limit, an index of parts that together list every offer once.
    let small = TestApp::with_config(
        &db,
        today(),
        web::WebConfig { sitemap_max: 30, ..web::WebConfig::new("http://127.0.0.1:8080") },
    )
    .await;
    let index = small.get("/sitemap.xml").await.body;
    assert!(index.contains("<sitemapindex"));
    let parts: Vec<String> = index
        .match_indices("<loc>http://127.0.0.1:8080/")
        .map(|(i, _)| {
            let rest = &index[i + 27..];
            rest[..rest.find("</loc>").expect("loc")].to_string()
        })
        .collect();
    assert_eq!(parts.len(), open.div_ceil(30) + 1);
    let mut listed = 0;
    for p in &parts {
        let res = small.get(&format!("/{p}")).await;
        assert_eq!(res.status, StatusCode::OK, "{p}");
        listed += res.body.matches("/emploi/").count();
    }
    assert_eq!(listed, open);
    assert_eq!(small.get("/sitemap-999.xml").await.status, StatusCode::NOT_FOUND);
});

db_test!(api_contract, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let (status, v) = app.json("/api/v1/offres?q=developpeuse&par_page=5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["total"].as_u64().expect("total") > 5);
    let first = &v["offres"][0];
    for key in [
        "slug",
        "reference_source",
        "intitule",
        "employeur",
        "lieu",
        "date_publication",
        "contrats",
        "categorie",
        "versant",
    ] {
        assert!(!first[key].is_null(), "{key}");
    }
    let (status, detail) = app.json(&format!("/api/v1/offres/{}", first["slug"].as_str().expect("slug"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail["textes"]["missions"].is_string());
    let everything = app.get("/api/v1/offres?par_page=100").await.body + &app.get("/api/v1/employeurs").await.body;
    assert!(!everything.contains(".example.fr\"") || !everything.contains("contact"), "no contact e-mail");
    assert!(!everything.contains("contact_email") && !everything.contains("recrutement@"), "no internal field");
    for (uri, message) in [
        ("/api/v1/offres?region=99", "region : valeur inconnue « 99 »"),
        ("/api/v1/offres?page=0", "page : un entier entre 1 et 10000 est attendu, reçu « 0 »"),
        ("/api/v1/offres?par_page=1000", "par_page : un entier entre 1 et 100 est attendu, reçu « 1000 »"),
        ("/api/v1/offres?tri=hasard", "tri : pertinence, date ou salaire est attendu, reçu « hasard »"),
        ("/api/v1/offres?ville=Paris", "paramètre inconnu « ville »"),
    ] {
        let (status, v) = app.json(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(v, serde_json::json!({"erreur": "parametre_invalide", "message": message}));
    }
    assert_eq!(app.json("/api/v1/rien").await.0, StatusCode::NOT_FOUND);
    let req = axum::http::Request::get("/api/v1/offres")
        .header("origin", "https://reutilisateur.example")
        .body(axum::body::Body::empty())
        .expect("req");
    assert_eq!(app.request(req).await.header("access-control-allow-origin"), "*");
    let (status, spec) = app.json("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["openapi"].as_str().expect("version").starts_with("3.1"));
    for path in ["/api/v1/offres", "/api/v1/offres/{slug}", "/api/v1/employeurs"] {
        assert!(spec["paths"][path]["get"].is_object(), "{path}");
    }
    let (_, employers) = app.json("/api/v1/employeurs?q=numerique").await;
    assert!(
        employers
            .as_array()
            .expect("list")
            .iter()
            .any(|e| e["slug"] == "dinum" && e["offres_ouvertes"].as_u64() > Some(0))
    );
});

db_test!(employer_pages_and_home, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let list = app.get("/employeurs").await;
    assert!(list.body.contains("href=\"/employeurs/dinum\""));
    let found = app.get("/employeurs?q=num%C3%A9rique").await;
    assert!(found.body.contains("href=\"/employeurs/dinum\"") && !found.body.contains("href=\"/employeurs/anssi\""));
    assert!(app.get("/employeurs?q=zzz").await.body.contains("Aucun employeur"));
    let dinum = app.get("/employeurs/dinum").await;
    for section in [
        "Présentation",
        "Nos valeurs",
        "Nos missions",
        "Nos projets",
        "En chiffres",
        "Notre processus de recrutement",
        "Travailler avec nous",
        "Ses services",
        "Ses offres ouvertes",
    ] {
        assert!(dinum.body.contains(section), "{section}");
    }
    assert_eq!(app.get("/employeurs/inconnu").await.status, StatusCode::NOT_FOUND);
    let home = app.get("/").await;
    assert!(home.body.contains("action=\"/offres-emploi\""));
    assert!(home.body.contains("Dernières offres") && home.body.contains("Ils recrutent"));
});

db_test!(anonymous_pages_are_cached_per_index_generation, |db| {
    use db::entity::institution;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter};
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    assert!(app.get("/offres-emploi?q=cobol").await.body.contains("Aucune offre ne correspond"));
    // A new offer appears in the cached search page as soon as the index has it.
    let mut data = db::seed::demo_offer_data(today()).expect("demo").remove(0);
    data.source_ref = "MDN-TEST-COBOL".into();
    data.title = "Développeur COBOL".into();
    let ids = db::reference::TaxonomyIds::load(&db).await.expect("ids");
    db::offers::upsert(db.conn(), &ids, &data, today()).await.expect("upsert");
    app.sync().await;
    assert!(app.get("/offres-emploi?q=cobol").await.body.contains("1 offre correspond"));
    // An employer page edited in the database: anonymous visitors may see the previous version
    // for up to a minute; a request with a cookie is never served from the cache.
    assert!(app.get("/employeurs/dinum").await.body.contains("Présentation"));
    let dinum = institution::Entity::find()
        .filter(institution::Column::Slug.eq("dinum"))
        .one(db.conn())
        .await
        .expect("q")
        .expect("dinum");
    let mut edit: institution::ActiveModel = dinum.into();
    edit.presentation = Set(Some("Texte modifié pour le test du cache.".into()));
    edit.update(db.conn()).await.expect("update");
    assert!(!app.get("/employeurs/dinum").await.body.contains("Texte modifié"), "served from the cache");
    let with_cookie = axum::http::Request::get("/employeurs/dinum")
        .header("cookie", "id=abc")
        .body(axum::body::Body::empty())
        .expect("req");
    assert!(app.request(with_cookie).await.body.contains("Texte modifié pour le test du cache."));
    // Errors are not cached.
    assert_eq!(app.get("/emploi/pas-encore").await.status, StatusCode::NOT_FOUND);
});

// The shape of every API answer, whole, on both databases (the same snapshot for both): a
// change of a field's name, type or code shows in review as a snapshot diff.
db_test!(api_response_shapes, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let (status, detail) = app.json("/api/v1/offres/developpeuse-developpeur-back-end-rust-dinum").await;
    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!("api_offer", detail);
    let (status, list) = app.json("/api/v1/offres?q=rust&tri=date&par_page=2").await;
    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!("api_offers_page", list);
    let (status, employers) = app.json("/api/v1/employeurs?q=dinum").await;
    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!("api_employers", employers);
    let (status, refused) = app.json("/api/v1/offres?tri=hasard").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("api_bad_parameter", refused);
    let (status, missing) = app.json("/api/v1/offres/offre-qui-n-existe-pas").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!("api_not_found", missing);
});
