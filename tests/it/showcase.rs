//! The showcase of the State's products (issue 13): the import of the real catalogue, `/projets`
//! and its facets, product and technology pages, on both databases.

use crate::support::{TestApp, db_test, fixture, multipart, shared_data, staff, today};
use axum::http::StatusCode;
use domain::role::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;

async fn import(db: &db::Db, dir: &Path) -> import::betagouv::CatalogueReport {
    import::betagouv::run_catalogue(db, dir, false, &domain::FixedClock(today())).await.expect("import runs")
}

/// The front matter of a catalogue file, read independently of the importer.
fn front_matter(path: &Path) -> serde_yaml_ng::Value {
    let text = std::fs::read_to_string(path).expect("read");
    let yaml = text.split("---").nth(1).expect("front matter");
    serde_yaml_ng::from_str(yaml).expect("yaml")
}

fn md_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

/// `(label, count)` of a facet's options on a `/projets` page.
fn facet_counts(html: &str, param: &str) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    let marker = format!("name=\"{param}\" value=\"");
    for part in html.split(&marker).skip(1) {
        let value = &part[..part.find('"').expect("value end")];
        let count_at = part.find("<span class=\"mdn-count\">(").expect("count") + 25;
        let count: u64 =
            part[count_at..count_at + part[count_at..].find(')').expect("count end")].parse().expect("count");
        out.insert(value.to_string(), count);
    }
    out
}

db_test!(the_real_catalogue_is_imported_whole_and_once, |db| {
    let Some(data) = shared_data() else { return };
    let dir = data.join("betagouv");
    let report = import(&db, &dir).await;
    // Expected figures computed from the files themselves.
    let startups = md_files(&dir.join("startups"));
    let organisations = md_files(&dir.join("organisations"));
    assert_eq!(report.read, startups.len());
    assert_eq!(report.created, startups.len(), "{}", report.summary());
    assert!(report.rejected.is_empty(), "{}", report.summary());
    assert_eq!(report.organisations, organisations.len());
    let mut phases = BTreeSet::new();
    let mut slugs = BTreeSet::new();
    let mut with_sponsor = 0;
    for f in &startups {
        let fm = front_matter(f);
        if let Some(serde_yaml_ng::Value::Sequence(ps)) = fm.get("phases") {
            for p in ps {
                phases.insert(p.get("name").and_then(|n| n.as_str()).expect("phase name").to_string());
            }
        }
        if let Some(serde_yaml_ng::Value::Sequence(ts)) = fm.get("techno") {
            for t in ts.iter().filter_map(|t| t.as_str()) {
                slugs.extend(domain::product::technologies(t).into_iter().map(|t| t.slug));
            }
        }
        with_sponsor += usize::from(fm.get("sponsors").and_then(|s| s.as_sequence()).is_some_and(|s| !s.is_empty()));
    }
    let conn = db.conn();
    assert_eq!(db::entity::product::Entity::find().count(conn).await.expect("count") as usize, startups.len());
    assert_eq!(db::entity::technology::Entity::find().count(conn).await.expect("count") as usize, slugs.len());
    let views = db::products::all_published(conn).await.expect("products");
    let stored_phases: BTreeSet<String> =
        views.iter().flat_map(|v| v.phases.iter().map(|p| p.phase.code().to_string())).collect();
    assert_eq!(stored_phases, phases.into_iter().collect());
    assert!(views.iter().filter(|v| !v.sponsors.is_empty()).count() <= with_sponsor);
    // A sampled product, field by field.
    let stage = db::products::public_by_slug(conn, "1-eleve-1-stage").await.expect("product");
    assert_eq!(stage.product.title, "1 élève, 1 stage");
    assert_eq!(stage.phase, Some(domain::product::Phase::Transferred));
    assert_eq!(stage.product.link.as_deref(), Some("https://1eleve1stage.education.gouv.fr"));
    assert_eq!(stage.accessibility, Some(domain::product::Accessibility::NonCompliant));
    assert!(stage.technologies.iter().any(|t| t.slug == "ruby-on-rails"));
    assert!(stage.themes.contains(&"Jeunesse".to_string()));
    assert!(!stage.team.is_empty(), "team.json gives its team");
    // Idempotent: a second run changes nothing.
    let again = import(&db, &dir).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, startups.len()));
    assert_eq!(db::entity::product::Entity::find().count(conn).await.expect("count") as usize, startups.len());
    // A changed file updates its product only.
    let copy = tempfile::tempdir().expect("tmp");
    for sub in ["startups", "organisations"] {
        std::fs::create_dir_all(copy.path().join(sub)).expect("mkdir");
        for f in md_files(&dir.join(sub)) {
            std::fs::copy(&f, copy.path().join(sub).join(f.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::copy(dir.join("team.json"), copy.path().join("team.json")).expect("team");
    let changed = copy.path().join("startups/1-eleve-1-stage.md");
    let text = std::fs::read_to_string(&changed).expect("read");
    std::fs::write(&changed, text.replacen("mission: Aider", "mission: Aider vraiment", 1)).expect("write");
    let third = import(&db, copy.path()).await;
    assert_eq!((third.created, third.updated, third.unchanged), (0, 1, startups.len() - 1));
    let app = TestApp::new(&db, today()).await;
    let page = app.get("/projets/1-eleve-1-stage").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Aider vraiment les collégiens"));
});

db_test!(broken_catalogue_files_are_refused_with_their_reason, |db| {
    let report = import(&db, &fixture("betagouv-broken")).await;
    assert_eq!((report.read, report.created), (5, 1), "{}", report.summary());
    let reasons: HashMap<String, String> =
        report.rejected.iter().map(|r| (r.position.clone(), r.reason.clone())).collect();
    assert!(reasons["startups/yaml-casse.md"].starts_with("YAML illisible"), "{reasons:?}");
    assert!(reasons["startups/sans-titre.md"].contains("titre manquant"));
    assert!(reasons["startups/vieille-phase.md"].contains("phase inconnue « incubation »"));
    assert!(reasons["startups/sans-entete.md"].contains("en-tête YAML manquant"));
    assert_eq!(report.unknown_sponsors.len(), 1, "the unknown sponsor is reported, the product kept");
    assert_eq!(db::entity::product::Entity::find().count(db.conn()).await.expect("count"), 1, "nothing half-written");
    let good = db::products::public_by_slug(db.conn(), "bon-produit").await.expect("product");
    assert_eq!(good.sponsors.len(), 1);
    assert_eq!(good.sponsors[0].acronym.as_deref(), Some("AEN"));
    assert_eq!(good.sponsors[0].ministry.as_deref(), Some("Services du Premier ministre"));
    // "Rails, postgres" and "ruby on rails": two technologies.
    let techs: Vec<&str> = good.technologies.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(techs, vec!["PostgreSQL", "Ruby on Rails"]);
    assert_eq!(good.product.link, None, "a javascript: address is never kept");
    // Nothing the files carried runs in the page.
    let app = TestApp::new(&db, today()).await;
    let page = app.get("/projets/bon-produit").await;
    assert_eq!(page.status, StatusCode::OK);
    for bad in ["<script>alert", "href=\"javascript:", "<img"] {
        assert!(!page.body.contains(bad), "{bad} reached the page");
    }
    // Raw HTML in the Markdown is shown as text, never interpreted.
    assert!(
        page.body.contains("&lt;img src=x onerror=alert(1)&gt;")
            || page.body.contains("&#60;img src=x onerror=alert(1)&#62;")
    );
    assert!(page.body.contains("<h2>Contexte</h2>"), "the body's sections are headings");
    assert!(page.body.contains("Aujourd’hui, 2 personnes : 2 en développement."));
    assert!(page.body.contains("Par le passé : 1 personne : 1 en design."));
});

db_test!(products_are_searched_with_live_facet_counts, |db| {
    let Some(data) = shared_data() else { return };
    import(&db, &data.join("betagouv")).await;
    let app = TestApp::new(&db, today()).await;
    let views = db::products::all_published(db.conn()).await.expect("products");
    let page = app.get("/projets").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("{} produits", web::format::number(views.len() as u64))));
    // The phase counts are the database's.
    let mut by_phase: HashMap<String, u64> = HashMap::new();
    for v in &views {
        *by_phase.entry(v.phase.expect("phase").code().to_string()).or_default() += 1;
    }
    assert_eq!(facet_counts(&page.body, "phase"), by_phase);
    // With a technology chosen, each phase counts the products using it.
    let python: Vec<_> = views.iter().filter(|v| v.technologies.iter().any(|t| t.slug == "python")).collect();
    assert!(!python.is_empty());
    let mut expected: HashMap<String, u64> = HashMap::new();
    for v in &python {
        *expected.entry(v.phase.expect("phase").code().to_string()).or_default() += 1;
    }
    let filtered = app.get("/projets?techno=python").await.body;
    assert_eq!(facet_counts(&filtered, "phase"), expected);
    // The technology facet ignores its own selection: Python keeps its full count.
    assert_eq!(facet_counts(&filtered, "techno")["python"], python.len() as u64);
    // French queries: accents, plurals.
    for (q, word) in [("accessibilité", "accessib"), ("données de santé", "sant")] {
        let body = app.get(&format!("/projets?q={}", urlencode(q))).await.body;
        let first = body.split("class=\"fr-card__title\"><a href=\"/projets/").nth(1).expect("a result");
        let slug = &first[..first.find('"').expect("slug end")];
        let v = views.iter().find(|v| v.product.slug == slug).expect("known product");
        let text = domain::text::fold(&format!("{} {} {}", v.product.title, v.product.mission, v.product.body));
        assert!(text.contains(word), "{q}: {slug}");
    }
    // Sort by name, pages without JavaScript.
    let by_name = app.get("/projets?tri=nom").await.body;
    let mut titles: Vec<String> = views.iter().map(|v| domain::text::match_key(&v.product.title)).collect();
    titles.sort();
    let first = by_name.split("class=\"fr-card__title\"><a href=\"/projets/").nth(1).expect("a result");
    let slug = &first[..first.find('"').expect("slug end")];
    let v = views.iter().find(|v| v.product.slug == slug).expect("known");
    assert_eq!(domain::text::match_key(&v.product.title), titles[0]);
    assert!(
        by_name.contains("href=\"/projets?tri=nom&amp;page=2\"")
            || by_name.contains("href=\"/projets?tri=nom&#38;page=2\"")
    );
    // Bad parameters are said, never a 500.
    for bad in ["/projets?tri=prix", "/projets?page=0", "/projets?page=abc"] {
        let r = app.get(bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.body.contains("Adresse de recherche incorrecte"), "{bad}");
    }
    // An unknown value filters everything out rather than widening the search.
    assert!(app.get("/projets?techno=inexistante").await.body.contains("Aucun produit ne correspond"));
});

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

db_test!(product_and_technology_pages_say_what_the_data_says, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::with_url(&db, today(), "https://metiers.exemple.fr").await;
    let v = db::products::public_by_slug(db.conn(), "rdv-hopital").await.expect("demo product");
    let page = app.get("/projets/rdv-hopital").await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let end = start + page.body[start..].find("</script>").expect("end");
    let ld: serde_json::Value = serde_json::from_str(&page.body[start..end]).expect("json");
    assert_eq!(ld["@type"], "SoftwareApplication");
    assert_eq!(ld["provider"][0]["@type"], "GovernmentOrganization");
    assert_eq!(ld["url"], "https://metiers.exemple.fr/projets/rdv-hopital");
    assert!(page.body.contains("<link rel=\"canonical\" href=\"https://metiers.exemple.fr/projets/rdv-hopital\">"));
    for s in &v.sponsors {
        assert!(page.body.contains(&format!("href=\"/employeurs/{}\"", s.slug)));
    }
    // The demo attaches offers: each is on the page.
    let attached = db::products::open_offer_ids(db.conn(), v.product.id, today()).await.expect("offers");
    assert!(!attached.is_empty());
    for view in db::listing::public_views_by_ids(db.conn(), &attached).await.expect("views") {
        assert!(page.body.contains(&format!("/emploi/{}", view.offer.slug)));
    }
    assert_eq!(app.get("/projets/inconnu").await.status, StatusCode::NOT_FOUND);
    // Technologies: every product using one, and the offers that name it.
    let uses = db::products::technology_uses(db.conn()).await.expect("uses");
    assert!(uses.len() >= 30, "{}", uses.len());
    let list = app.get("/technologies").await;
    assert_eq!(list.status, StatusCode::OK);
    for u in &uses {
        assert!(list.body.contains(&format!("<a href=\"/technologies/{}\">", u.technology.slug)));
    }
    let python = uses.iter().find(|u| u.technology.slug == "python").expect("python");
    let page = app.get("/technologies/python").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("class=\"fr-card__title\"><a href=\"/projets/").count(), python.products);
    let offers = db::listing::latest_open(db.conn(), today(), 500, None, None, None).await.expect("offers");
    let naming: Vec<_> = offers
        .iter()
        .filter(|o| {
            let text = format!("{} {}", o.offer.title, o.offer.profile.clone().unwrap_or_default()).to_lowercase();
            text.contains("python")
        })
        .collect();
    assert!(!naming.is_empty());
    for o in naming {
        assert!(page.body.contains(&format!("/emploi/{}", o.offer.slug)), "{} names Python", o.offer.slug);
    }
    // "rails" and "Ruby on Rails" in the demo are one technology.
    let rails = uses.iter().find(|u| u.technology.slug == "ruby-on-rails").expect("rails");
    assert!(rails.products >= 2);
    assert_eq!(app.get("/technologies/inconnue").await.status, StatusCode::NOT_FOUND);
    // The sitemap names every product and every technology in use.
    let sitemap = app.get("/sitemap.xml").await.body;
    for v in db::products::all_published(db.conn()).await.expect("products") {
        assert!(sitemap.contains(&format!("/projets/{}</loc>", v.product.slug)), "{}", v.product.slug);
    }
    for u in &uses {
        assert!(sitemap.contains(&format!("/technologies/{}</loc>", u.technology.slug)), "{}", u.technology.slug);
    }
});

db_test!(the_products_api_answers_like_the_page, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let views = db::products::all_published(db.conn()).await.expect("products");
    let (status, all) = app.json("/api/v1/projets").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], views.len());
    let phases: u64 =
        all["facettes"]["phase"].as_array().expect("phases").iter().map(|v| v["nombre"].as_u64().expect("n")).sum();
    assert_eq!(phases as usize, views.len(), "every product has one phase");
    let (_, python) = app.json("/api/v1/projets?techno=python&tri=nom").await;
    let expected = views.iter().filter(|v| v.technologies.iter().any(|t| t.slug == "python")).count();
    assert_eq!(python["total"], expected);
    let names: Vec<String> = python["resultats"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| domain::text::match_key(r["titre"].as_str().expect("title")))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");
    let (status, bad) = app.json("/api/v1/projets?tri=prix").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["erreur"], "parametre_invalide");
    let (status, one) = app.json("/api/v1/projets/rdv-hopital").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["phase"], "opere");
    assert!(one["phases"].as_array().expect("phases").len() >= 4);
    assert!(!one["offres"].as_array().expect("offers").is_empty());
    assert_eq!(app.json("/api/v1/projets/inconnu").await.0, StatusCode::NOT_FOUND);
    let (status, techs) = app.json("/api/v1/technologies").await;
    assert_eq!(status, StatusCode::OK);
    let uses = db::products::technology_uses(db.conn()).await.expect("uses");
    assert_eq!(techs.as_array().expect("list").len(), uses.len());
    let (_, doc) = app.json("/api/openapi.json").await;
    for path in ["/api/v1/projets", "/api/v1/projets/{slug}", "/api/v1/technologies"] {
        assert!(doc["paths"][path].is_object(), "{path} in the OpenAPI document");
    }
});

db_test!(a_recruiter_attaches_an_offer_to_their_own_products_only, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    // The AP-HP sponsors "rdv-hopital"; "signal-cyber" is the ANSSI's alone.
    let own = db::products::public_by_slug(db.conn(), "rdv-hopital").await.expect("own");
    let other = db::products::public_by_slug(db.conn(), "signal-cyber").await.expect("other");
    let inst = db::institutions::by_slug(db.conn(), "ap-hp").await.expect("ap-hp");
    let ra =
        crate::support::staff(&app, &db, "recrutement@aphp.exemple.fr", domain::role::Role::Recruiter, Some(inst.id))
            .await;
    let body = "titre=Ing%C3%A9nieure+donn%C3%A9es+de+sant%C3%A9&missions=Construire+les+flux&contrat=cdi&categorie=A&metier=developpeuse-developpeur&departement=75&ville=Paris&date_limite=2027-01-31";
    let refused =
        app.send(&ra, "POST", "/recruteur/offres/nouvelle", &format!("{body}&produit={}", other.product.id)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Choisissez un produit de votre employeur."));
    let created =
        app.send(&ra, "POST", "/recruteur/offres/nouvelle", &format!("{body}&produit={}", own.product.id)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id: i64 = created
        .header("location")
        .trim_start_matches("/recruteur/offres/")
        .split('/')
        .next()
        .expect("id")
        .parse()
        .expect("id");
    let o = db::backoffice::managed_offer(db.conn(), id, Some(inst.id)).await.expect("offer");
    assert_eq!(o.product_id, Some(own.product.id));
    // The editor offers its employer's products, not the others'.
    let form = app.send(&ra, "GET", &format!("/recruteur/offres/{id}/modifier"), "").await.body;
    assert!(form.contains(&format!("value=\"{}\" selected", own.product.id)), "the attached product is chosen");
    assert!(!form.contains(&other.product.title));
    // Published, the offer page shows the product.
    db::entity::offer::Entity::update_many()
        .col_expr(db::entity::offer::Column::State, sea_orm::sea_query::Expr::value("published"))
        .filter(db::entity::offer::Column::Id.eq(id))
        .exec(db.conn())
        .await
        .expect("publish");
    let fresh = TestApp::new(&db, today()).await;
    let page = fresh.get(&format!("/emploi/{}", o.slug)).await.body;
    assert!(page.contains("href=\"/projets/rdv-hopital\""));
    let product_page = fresh.get("/projets/rdv-hopital").await.body;
    assert!(product_page.contains(&format!("/emploi/{}", o.slug)));
});

db_test!(a_recruiter_writes_a_product_previews_it_then_publishes_it, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let aphp = db::institutions::by_slug(db.conn(), "ap-hp").await.expect("ap-hp");
    let anssi = db::institutions::by_slug(db.conn(), "anssi").await.expect("anssi");
    let ra =
        crate::support::staff(&app, &db, "recrutement@aphp.exemple.fr", domain::role::Role::Recruiter, Some(aphp.id))
            .await;
    let rb =
        crate::support::staff(&app, &db, "recrutement@anssi.exemple.fr", domain::role::Role::Recruiter, Some(anssi.id))
            .await;
    // Every bad field is said; nothing is written.
    let before = db::entity::product::Entity::find().count(db.conn()).await.expect("count");
    let bad = app
        .send(
            &ra,
            "POST",
            "/recruteur/projets/nouveau",
            "titre=&mission=&phase=lancement&site=ftp%3A%2F%2Fx&phase_debut=hier",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for m in [
        "Renseignez le nom du produit.",
        "Renseignez la mission.",
        "Choisissez la phase dans la liste.",
        "commence par https://",
        "Date de début de la phase",
    ] {
        assert!(bad.body.contains(m), "{m}");
    }
    assert_eq!(db::entity::product::Entity::find().count(db.conn()).await.expect("count"), before);
    // A draft, with the offers' hostile text in every field and Markdown in the description.
    let xss = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let body = format!(
        "titre=Suivi%20des%20greffes%20{x}&mission=Coordonner%20{x}&recit=%23%23%20Contexte%0A%0A%5Blien%5D(javascript%3Aalert(3))%20{x}&phase=construction&phase_debut=2026-06-01&technologies=rails%2C%20PostgreSQL%2C%20{x}&thematiques=Sant%C3%A9&publics=Patients&site=https%3A%2F%2Fgreffes.exemple.gouv.fr&accessibilite=partiellement-conforme",
        x = urlencode(xss)
    );
    let created = app.send(&ra, "POST", "/recruteur/projets/nouveau", &body).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id: i64 = created.header("location").split('/').nth(3).expect("id").parse().expect("id");
    let v = db::products::managed(db.conn(), id, Some(aphp.id)).await.expect("managed");
    assert_eq!(v.state, domain::product::ProductState::Draft);
    assert!(v.technologies.iter().any(|t| t.slug == "ruby-on-rails"), "rails is Ruby on Rails");
    assert_eq!(v.sponsors.iter().map(|s| s.id).collect::<Vec<_>>(), vec![aphp.id]);
    // Not public; another institution's recruiter cannot reach it.
    assert_eq!(app.get(&format!("/projets/{}", v.product.slug)).await.status, StatusCode::NOT_FOUND);
    for path in [format!("/recruteur/projets/{id}/modifier"), format!("/recruteur/projets/{id}/apercu")] {
        assert_eq!(app.send(&rb, "GET", &path, "").await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.send(&rb, "POST", &format!("/recruteur/projets/{id}/etat"), "etat=published").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!app.send(&rb, "GET", "/recruteur/projets", "").await.body.contains("Suivi des greffes"));
    // The preview: escaped, not indexed.
    let preview = app.send(&ra, "GET", &format!("/recruteur/projets/{id}/apercu"), "").await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(
        !preview.body.contains("<script>alert(1)")
            && !preview.body.contains("<img src=x")
            && !preview.body.contains("href=\"javascript:")
    );
    // Published: in the search at once (the index follows the table), with its technology.
    app.send(&ra, "POST", &format!("/recruteur/projets/{id}/etat"), "etat=published").await;
    let page = app.get(&format!("/projets/{}", v.product.slug)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)") && !page.body.contains("<img src=x"));
    assert!(app.get("/projets?q=greffes").await.body.contains(&format!("href=\"/projets/{}\"", v.product.slug)));
    assert!(
        app.get("/projets?techno=ruby-on-rails").await.body.contains(&format!("href=\"/projets/{}\"", v.product.slug))
    );
    // A new phase is added to the history.
    let edit = body.replace("phase=construction&phase_debut=2026-06-01", "phase=acceleration&phase_debut=2026-11-02");
    let saved = app.send(&ra, "POST", &format!("/recruteur/projets/{id}/modifier"), &edit).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let v = db::products::managed(db.conn(), id, None).await.expect("managed");
    assert_eq!(v.phases.iter().map(|p| p.phase.code()).collect::<Vec<_>>(), ["construction", "acceleration"]);
    assert_eq!(v.phases[0].end, chrono::NaiveDate::from_ymd_opt(2026, 11, 2));
    // Archived: gone from the public pages; every step is in the audit log.
    app.send(&ra, "POST", &format!("/recruteur/projets/{id}/etat"), "etat=archived").await;
    assert_eq!(app.get(&format!("/projets/{}", v.product.slug)).await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/projets?q=greffes").await.body.contains(&format!("/projets/{}", v.product.slug)));
    let actions: Vec<String> = db::entity::audit_entry::Entity::find()
        .all(db.conn())
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.target.starts_with(&format!("produit {id} ")))
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["produit.creation", "produit.etat", "produit.modification", "produit.etat"]);
    // An imported product its employer sponsors is edited the same way; concurrent saves give
    // one row and no 500.
    let imported = db::products::public_by_slug(db.conn(), "rdv-hopital").await.expect("rdv-hopital");
    let uri = format!("/recruteur/projets/{}/modifier", imported.product.id);
    let form = app.send(&ra, "GET", &uri, "").await;
    assert_eq!(form.status, StatusCode::OK);
    let saves = (0..6)
        .map(|n| {
            crate::support::form_post(
                &ra,
                &uri,
                &format!("titre=Rendez-vous+{n}&mission=Prendre+rendez-vous&phase=acceleration"),
            )
        })
        .collect();
    for res in app.concurrently(saves).await {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let after = db::products::public_by_slug(db.conn(), "rdv-hopital").await.expect("rdv-hopital");
    assert!(after.product.title.starts_with("Rendez-vous "));
    let same = db::entity::product::Entity::find()
        .filter(db::entity::product::Column::Slug.eq("rdv-hopital"))
        .count(db.conn())
        .await
        .expect("count");
    assert_eq!(same, 1);
});

db_test!(administrators_merge_and_rename_technologies_and_old_links_keep_working, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    let admin = crate::support::staff(&app, &db, "admin@exemple.fr", domain::role::Role::Administrator, None).await;
    let aphp = db::institutions::by_slug(db.conn(), "ap-hp").await.expect("ap-hp");
    let ra =
        crate::support::staff(&app, &db, "recrutement@aphp.exemple.fr", domain::role::Role::Recruiter, Some(aphp.id))
            .await;
    // Two spellings the normalisation cannot know are one.
    for (title, tech) in [("Registre A", "Fhir Server"), ("Registre B", "HAPI FHIR")] {
        let body = format!("titre={}&mission=Tenir+le+registre&technologies={}", urlencode(title), urlencode(tech));
        let res = app.send(&ra, "POST", "/recruteur/projets/nouveau", &body).await;
        let id = res.header("location").split('/').nth(3).expect("id").to_string();
        app.send(&ra, "POST", &format!("/recruteur/projets/{id}/etat"), "etat=published").await;
    }
    let rows = db::products::technology_rows(db.conn()).await.expect("rows");
    let find = |slug: &str| rows.iter().find(|r| r.technology.slug == slug).expect(slug).technology.id;
    let (from, into) = (find("fhir-server"), find("hapi-fhir"));
    let list = app.send(&admin, "GET", "/admin/technologies", "").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("HAPI FHIR"));
    assert_eq!(app.send(&ra, "GET", "/admin/technologies", "").await.status, StatusCode::FORBIDDEN);
    // Into itself: refused, said.
    let res = app.send(&admin, "POST", "/admin/technologies/fusion", &format!("source={from}&cible={from}")).await;
    let page = app.send(&admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Fusion impossible : une technologie ne peut pas être fusionnée dans elle-même."));
    // Crossed merges at once: one wins, the other is refused, never a cycle or a 500.
    let crossed = vec![
        crate::support::form_post(&admin, "/admin/technologies/fusion", &format!("source={from}&cible={into}")),
        crate::support::form_post(&admin, "/admin/technologies/fusion", &format!("source={into}&cible={from}")),
    ];
    for res in app.concurrently(crossed).await {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let merged: Vec<_> = db::entity::technology::Entity::find()
        .filter(db::entity::technology::Column::Id.is_in([from, into]))
        .all(db.conn())
        .await
        .expect("techs");
    assert_eq!(merged.iter().filter(|t| t.merged_into.is_some()).count(), 1, "exactly one merged: {merged:?}");
    let (gone, kept) = if merged.iter().any(|t| t.id == from && t.merged_into.is_some()) {
        ("fhir-server", "hapi-fhir")
    } else {
        ("hapi-fhir", "fhir-server")
    };
    // The old address redirects; both products now use the one left, in the search too.
    let old = app.get(&format!("/technologies/{gone}")).await;
    assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(old.header("location"), format!("/technologies/{kept}"));
    let kept_page = app.get(&format!("/projets?techno={kept}")).await.body;
    assert!(kept_page.contains("2 produits"), "{kept_page}");
    // Renamed: a new slug, and both old slugs lead to it.
    let kept_id = db::products::technology_rows(db.conn())
        .await
        .expect("rows")
        .iter()
        .find(|r| r.technology.slug == kept)
        .expect("kept")
        .technology
        .id;
    let res =
        app.send(&admin, "POST", "/admin/technologies/renommer", &format!("technologie={kept_id}&nom=FHIR")).await;
    let page = app.send(&admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("Technologie renommée « FHIR »"), "{}", page.body);
    for slug in [gone, kept] {
        let res = app.get(&format!("/technologies/{slug}")).await;
        assert_eq!(
            (res.status, res.header("location")),
            (StatusCode::PERMANENT_REDIRECT, "/technologies/fhir"),
            "{slug}"
        );
    }
    assert_eq!(app.get("/technologies/fhir").await.status, StatusCode::OK);
    assert!(app.get("/projets?techno=fhir").await.body.contains("2 produits"));
    // A name that is another technology's: merge instead.
    let python = db::products::technology_rows(db.conn())
        .await
        .expect("rows")
        .iter()
        .find(|r| r.technology.slug == "python")
        .expect("python")
        .technology
        .id;
    let res = app.send(&admin, "POST", "/admin/technologies/renommer", &format!("technologie={python}&nom=FHIR")).await;
    let page = app.send(&admin, "GET", res.header("location"), "").await;
    assert!(page.body.contains("la technologie « FHIR » existe déjà"));
    let actions: Vec<String> = db::entity::audit_entry::Entity::find()
        .all(db.conn())
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.action.starts_with("technologie."))
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["technologie.fusion", "technologie.renommee"]);
});

db_test!(concurrent_renames_to_one_name_leave_one_technology_with_it, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    // One administrator per request: each reads its own notice after the redirect.
    let mut admins = Vec::new();
    for n in 0..8 {
        admins.push(staff(&app, &db, &format!("admin{n}@exemple.fr"), Role::Administrator, None).await);
    }
    let rows = db::products::technology_rows(db.conn()).await.expect("rows");
    // technology_rows lists the technologies still in use (merged ones are not).
    let ids: Vec<i64> = rows.iter().take(4).map(|r| r.technology.id).collect();
    assert_eq!(ids.len(), 4);
    // Four technologies renamed « Socle commun » at once, each twice: one takes the name, the
    // others are told it exists (then they would merge), never a 500 or two of that name.
    let requests = ids
        .iter()
        .chain(ids.iter())
        .zip(&admins)
        .map(|(id, admin)| {
            crate::support::form_post(
                admin,
                "/admin/technologies/renommer",
                &format!("technologie={id}&nom=Socle+commun"),
            )
        })
        .collect();
    let answers = app.concurrently(requests).await;
    let mut notices = Vec::new();
    for (res, admin) in answers.iter().zip(&admins) {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        notices.push(app.send(admin, "GET", res.header("location"), "").await.body);
    }
    let named: Vec<_> = db::entity::technology::Entity::find()
        .filter(db::entity::technology::Column::Name.eq("Socle commun"))
        .all(db.conn())
        .await
        .expect("techs");
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(notices.iter().any(|b| b.contains("Technologie renommée « Socle commun »")));
    assert!(notices.iter().filter(|b| b.contains("la technologie « Socle commun » existe déjà")).count() >= 6);
    assert_eq!(app.get("/technologies/socle-commun").await.status, StatusCode::OK);
});

db_test!(offers_are_searched_by_product, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    app.sync().await;
    let v = db::products::public_by_slug(db.conn(), "guichet-aides-numeriques").await.expect("product");
    let ids = db::products::open_offer_ids(db.conn(), v.product.id, today()).await.expect("ids");
    assert!(!ids.is_empty(), "the demo attaches offers to this product");
    let page = app.get("/offres-emploi?projet=guichet-aides-numeriques").await;
    assert_eq!(page.status, StatusCode::OK);
    let sentence = if ids.len() == 1 { "1 offre".to_string() } else { format!("{} offres", ids.len()) };
    assert!(page.body.contains(&sentence), "{sentence}");
    assert!(page.body.contains("Produit : Guichet des aides au numérique"));
    assert!(page.body.contains("<input type=\"hidden\" name=\"projet\" value=\"guichet-aides-numeriques\">"));
    // Every card found is one of its offers; another filter narrows further, never widens.
    let cards = page.body.matches("class=\"fr-card__title\"><a href=\"/emploi/").count();
    assert_eq!(cards, ids.len().min(20));
    let (status, json) = app.json("/api/v1/offres?projet=guichet-aides-numeriques").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["total"], ids.len());
    // An unknown product matches nothing rather than everything.
    assert!(app.get("/offres-emploi?projet=inconnu").await.body.contains("Aucune offre"));
    let (_, json) = app.json("/api/v1/offres?projet=inconnu").await;
    assert_eq!(json["total"], 0);
    assert!(
        app.get("/projets/guichet-aides-numeriques")
            .await
            .body
            .contains("href=\"/offres-emploi?projet=guichet-aides-numeriques\"")
    );
});

/// The folder `dir` as a ZIP archive, its files under `prefix` (e.g. `"catalogue/"`).
fn zip_of(dir: &Path, prefix: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("dir") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
            w.start_file(format!("{prefix}{name}"), options).expect("entry");
            w.write_all(&std::fs::read(&path).expect("read")).expect("write");
        }
    }
    w.finish().expect("zip").into_inner()
}

db_test!(an_administrator_imports_the_catalogue_from_a_zip_archive, |db| {
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@numerique.gouv.fr", Role::Administrator, None).await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let req = multipart(&admin, "/admin/imports/catalogue", &[("archive", Some(name), &bytes)]);
        app.request(req)
    };
    let products = || async { db::entity::product::Entity::find().count(db.conn()).await.expect("count") };

    // The broken fixtures, wrapped in one folder as a repository download is: the report lists
    // every rejected file with its reason, the good product is public and its search is fresh.
    let wrapped = zip_of(&fixture("betagouv-broken"), "catalogue-main/");
    let first = upload(wrapped.clone(), "catalogue.zip").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains(
            "Archive « catalogue.zip » importée : 5 produits lus, 1 créés, 0 mis à jour, 0 inchangés, 4 rejetés"
        ),
        "{}",
        first.body
    );
    for file in
        ["startups/yaml-casse.md", "startups/sans-titre.md", "startups/vieille-phase.md", "startups/sans-entete.md"]
    {
        assert!(first.body.contains(&format!("<td>{file}</td>")), "{file} is listed");
    }
    assert!(first.body.contains("phase inconnue « incubation »"));
    assert!(first.body.contains("Financeurs inconnus"));
    assert_eq!(app.get("/projets/bon-produit").await.status, StatusCode::OK);
    assert!(app.get("/projets?q=bon").await.body.contains("/projets/bon-produit"), "the search sees the new product");
    let journal = db::entity::audit_entry::Entity::find()
        .filter(db::entity::audit_entry::Column::Target.eq("catalogue beta.gouv.fr (catalogue.zip)"))
        .count(db.conn())
        .await
        .expect("audit");
    assert_eq!(journal, 1, "the import is in the audit log");

    // The same archive again changes nothing.
    let again = upload(wrapped, "catalogue.zip").await;
    assert!(again.body.contains("1 inchangés"), "{}", again.body);
    assert_eq!(products().await, 1);

    // Archives that are not the catalogue are refused with a reason, and write nothing.
    let cases: [(Vec<u8>, &str); 3] = [
        (b"ceci n'est pas une archive".to_vec(), "n’est pas une archive ZIP lisible"),
        (zip_of(&fixture("csp"), ""), "ne contient pas de dossier startups/"),
        (Vec::new(), "Choisissez l’archive ZIP du catalogue à importer."),
    ];
    for (bytes, reason) in cases {
        let r = upload(bytes, "autre.zip").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains(reason), "{reason}: {}", r.body);
    }
    assert_eq!(products().await, 1);
});

db_test!(concurrent_catalogue_uploads_give_one_product_per_file_and_clear_answers, |db| {
    let app = TestApp::new(&db, today()).await;
    let admin = staff(&app, &db, "admin@numerique.gouv.fr", Role::Administrator, None).await;
    let archive = zip_of(&fixture("betagouv-broken"), "");
    let requests = (0..4)
        .map(|_| multipart(&admin, "/admin/imports/catalogue", &[("archive", Some("catalogue.zip"), &archive)]))
        .collect();
    let answers = app.concurrently(requests).await;
    for r in &answers {
        assert!(
            r.status == StatusCode::OK || (r.status == StatusCode::CONFLICT && r.body.contains("déjà en cours")),
            "{}: {}",
            r.status,
            r.body
        );
    }
    assert!(answers.iter().any(|r| r.status == StatusCode::OK));
    assert_eq!(db::entity::product::Entity::find().count(db.conn()).await.expect("count"), 1);
});
