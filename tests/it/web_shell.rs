//! The DSFR shell through the real router: pages, error pages, headers, assets, operations.

use crate::support::{TestApp, db_test, today};
use axum::body::Body;
use axum::http::{Request, StatusCode};

const SHELL_PAGES: [(&str, &str); 5] = [
    ("/", "Les métiers du numérique de l’État"),
    ("/accessibilite", "Déclaration d’accessibilité"),
    ("/mentions-legales", "Mentions légales"),
    ("/donnees-personnelles", "Données personnelles"),
    ("/plan-du-site", "Plan du site"),
];

/// No inline script, no style element, no style attribute: the CSP would block them.
fn assert_csp_clean(path: &str, html: &str) {
    assert!(!html.contains("<style"), "{path}: style element");
    assert!(!html.contains(" style="), "{path}: style attribute");
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..i + html[i..].find('>').expect("closed tag")];
        assert!(tag.contains(" src=\"/static/"), "{path}: inline or foreign script {tag}");
    }
    assert!(!html.contains(" on") || !html.contains("onclick="), "{path}: inline event handler");
}

db_test!(every_shell_page_renders_with_the_dsfr_layout, |db| {
    db::seed::seed_demo(&db, today()).await.expect("seed");
    let app = TestApp::new(&db, today()).await;
    for (path, heading) in SHELL_PAGES {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("content-type"), "text/html; charset=utf-8");
        let html = &res.body;
        assert!(html.starts_with("<!doctype html>\n<html lang=\"fr\""), "{path}");
        assert!(html.contains("<p class=\"fr-logo\">République<br>Française</p>"), "{path}: bloc marque");
        assert!(html.contains("fr-header__service-title\">Métiers du numérique"), "{path}: service name");
        assert!(html.contains("<nav class=\"fr-nav\" id=\"navigation-principale\""), "{path}: main navigation");
        assert!(html.contains("<a class=\"fr-link\" href=\"#contenu\">Contenu</a>"), "{path}: skip link");
        assert!(html.contains("<main id=\"contenu\""), "{path}: skip link target");
        assert!(html.contains("id=\"pied-de-page\""), "{path}: footer");
        assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
        assert!(html.contains(heading), "{path}: heading {heading}");
        assert!(html.contains(&format!("<title>{}", if path == "/" { "Accueil" } else { heading })), "{path}: title");
        if path != "/" {
            assert!(html.contains("class=\"fr-breadcrumb\""), "{path}: breadcrumb");
            assert!(html.contains("aria-current=\"page\">"), "{path}: current page in breadcrumb");
        }
        assert_csp_clean(path, html);
    }
});

db_test!(the_home_page_shows_live_key_figures, |db| {
    let app = TestApp::new(&db, today()).await;
    let empty = app.get("/").await;
    assert!(empty.body.contains("<p class=\"fr-h3 fr-mb-0\">0</p><p>offre d’emploi ouverte</p>"), "{}", empty.body);
    db::seed::seed_demo(&db, today()).await.expect("seed");
    app.sync().await;
    let figures = db::offers::key_figures(db.conn(), today()).await.expect("figures");
    let res = app.get("/").await;
    assert!(
        res.body.contains(&format!(
            "<p class=\"fr-h3 fr-mb-0\">{}</p><p>offres d’emploi ouvertes</p>",
            figures.open_offers
        ))
    );
    assert!(res.body.contains("<p class=\"fr-h3 fr-mb-0\">18</p><p>régions représentées</p>"));
});

db_test!(unknown_pages_get_the_dsfr_404, |db| {
    let app = TestApp::new(&db, today()).await;
    for path in ["/nulle-part", "/emploi/", "/static/x", "/%E9%80", "/a/b/c/d?x=%3Cscript%3E"] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(res.body.contains("<h1>Page non trouvée</h1>"), "{path}");
        assert!(res.body.contains("Erreur 404"));
        assert_csp_clean(path, &res.body);
    }
    let post = app.request(Request::post("/").body(Body::empty()).expect("req")).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
});

db_test!(security_headers_are_on_every_response, |db| {
    let app = TestApp::new(&db, today()).await;
    for path in ["/", "/nulle-part", "/healthz"] {
        let res = app.get(path).await;
        let csp = res.header("content-security-policy");
        assert!(csp.starts_with("default-src 'self';"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(res.header("x-content-type-options"), "nosniff");
        assert_eq!(res.header("referrer-policy"), "strict-origin-when-cross-origin");
        assert_eq!(res.header("x-frame-options"), "DENY");
        assert!(!res.header("x-request-id").is_empty(), "{path}: request id");
        assert_eq!(res.header("strict-transport-security"), "", "no HSTS over plain HTTP");
    }
    // HSTS behind a trusted HTTPS proxy (a client's own X-Forwarded-Proto means nothing, see
    // hardening.rs), and when the public URL is HTTPS.
    let mut config = web::WebConfig::new("http://127.0.0.1:8080");
    config.trust_proxy = true;
    let proxied = TestApp::with_config(&db, today(), config).await;
    let req = Request::get("/").header("x-forwarded-proto", "https").body(Body::empty()).expect("req");
    assert!(proxied.request(req).await.header("strict-transport-security").starts_with("max-age="));
    let https = TestApp::with_url(&db, today(), "https://metiers.numerique.gouv.fr").await;
    assert!(https.get("/").await.header("strict-transport-security").contains("includeSubDomains"));
    // A request id given by a proxy is kept.
    let req = Request::get("/healthz").header("x-request-id", "abc-123").body(Body::empty()).expect("req");
    assert_eq!(app.request(req).await.header("x-request-id"), "abc-123");
});

db_test!(static_files_are_versioned_and_cached_for_a_year, |db| {
    let app = TestApp::new(&db, today()).await;
    let home = app.get("/").await;
    let prefix = web::assets::prefix();
    let css = format!("{prefix}/dsfr/dsfr.min.css");
    assert!(home.body.contains(&format!("href=\"{css}\"")));
    for (path, mime) in [
        (css.clone(), "text/css"),
        (format!("{prefix}/dsfr/dsfr.module.min.js"), "text/javascript"),
        (format!("{prefix}/htmx/htmx.min.js"), "text/javascript"),
        (format!("{prefix}/app/app.css"), "text/css"),
        (format!("{prefix}/dsfr/fonts/Marianne-Regular.woff2"), "font/woff2"),
        (format!("{prefix}/dsfr/icons/system/close-line.svg"), "image/svg+xml"),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("content-type"), mime, "{path}");
        assert_eq!(res.header("cache-control"), "public, max-age=31536000, immutable", "{path}");
    }
    let old = app.get("/static/0ld/dsfr/dsfr.min.css").await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(old.header("cache-control"), "public, max-age=300", "another version is not cached for a year");
    for path in
        [format!("{prefix}/dsfr/../../Cargo.toml"), format!("{prefix}/dsfr/package.json"), format!("{prefix}/x/y")]
    {
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
});

db_test!(health_and_metrics, |db| {
    let app = TestApp::new(&db, today()).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, r#"{"database":"ok","status":"ok"}"#);
    app.get("/mentions-legales").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.header("content-type").starts_with("text/plain; version=0.0.4"));
    assert!(metrics.body.contains(r#"http_requests_total{method="GET",route="/mentions-legales",status="200"}"#));
    assert!(metrics.body.contains("http_request_duration_seconds_bucket"));

    // A database that no longer answers makes /healthz fail.
    let url = db.url.clone();
    let broken = db::Db::connect(&url).await.expect("connect");
    broken.clone().close().await.expect("close");
    let app = TestApp::new(&db, today()).await;
    let app = TestApp {
        router: web::router(web::AppState { db: broken.clone(), ..app.state.clone() }),
        state: app.state.clone(),
    };
    let res = app.get("/healthz").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.body, r#"{"database":"unreachable","status":"error"}"#);
});
