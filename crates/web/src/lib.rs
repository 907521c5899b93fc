//! The web application: router, middleware, handlers and templates.
//!
//! Error policy: handlers return `Result<_, AppError>`. Expected outcomes (not found, gone,
//! bad input) become DSFR pages with the right status; anything else is logged with its cause
//! and the request id, and the user sees the generic 500 page, never the cause.

pub mod agent_signin;
pub mod api;
pub mod assets;
pub mod auth;
pub mod backoffice;
pub mod bounded;
pub mod cache;
pub mod calendar;
pub mod candidate;
pub mod error;
pub mod flash;
pub mod format;
pub mod forms;
pub mod immersion;
pub mod jobs;
pub mod layout;
pub mod markdown;
pub mod offer_search;
pub mod ops;
pub mod public;
pub mod routes;
pub mod security;
pub mod services;
pub mod showcase;
pub mod storage;
pub mod views;
pub mod widgets;

use axum::Router;
use axum::http::{HeaderName, Request};
use db::Db;
use domain::Clock;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public base URL (`https://…` turns on HSTS and secure cookies).
    pub public_url: String,
    /// Addresses per sitemap file before `/sitemap.xml` becomes an index (50,000 by the
    /// protocol; lower in tests).
    pub sitemap_max: u64,
    /// Agents' sign-in with ProConnect, when the platform is registered with it.
    pub proconnect: Option<Arc<proconnect::ProConnect>>,
    /// Behind a reverse proxy: the client's address is the last one the proxy appended to
    /// `X-Forwarded-For` (never trusted otherwise: a client could write any address there).
    pub trust_proxy: bool,
}

impl WebConfig {
    pub fn new(public_url: impl Into<String>) -> Self {
        Self { public_url: public_url.into(), sitemap_max: public::SITEMAP_MAX, proconnect: None, trust_proxy: false }
    }
}

impl WebConfig {
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// What every handler may use; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub search: Arc<offer_search::SearchService>,
    pub taxonomy: Arc<offer_search::TaxonomyCell>,
    pub pages: Arc<cache::PageCache>,
    /// CVs and other uploads.
    pub files: storage::FileStore,
    /// Delivers the outbox (used by the worker, never inside a request).
    pub mailer: Arc<mail::Mailer>,
    /// Offer page views not yet written to the database.
    pub views: Arc<views::ViewCounter>,
    /// The products' search (`/projets`), rebuilt when the products change.
    pub products: Arc<showcase::ProductSearch>,
}

/// What differs between the processes that run the application (`serve`, `worker`, the
/// tests); [`AppState::build`] makes the rest the same for all of them.
#[derive(Debug)]
pub struct Parts {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: WebConfig,
    pub search: offer_search::SearchService,
    pub files: storage::FileStore,
    pub mailer: mail::Mailer,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("chargement des métiers : {0}")]
    Taxonomy(#[from] db::DbError),
    #[error("index de recherche : {0}")]
    Search(#[from] offer_search::SyncError),
}

impl AppState {
    /// The one way to assemble an instance: loads the taxonomy and brings the search index
    /// up to date with the database before the first request.
    pub async fn build(parts: Parts) -> Result<Self, BuildError> {
        let taxonomy = Arc::new(offer_search::TaxonomyCell::load(&parts.db).await?);
        let search = Arc::new(parts.search);
        let read = search.sync(&parts.db, &taxonomy.current(), parts.clock.now()).await?;
        tracing::debug!(offers = read, "search index up to date");
        Ok(Self {
            db: parts.db,
            clock: parts.clock,
            config: Arc::new(parts.config),
            search,
            taxonomy,
            pages: Default::default(),
            files: parts.files,
            mailer: Arc::new(parts.mailer),
            views: Default::default(),
            products: Default::default(),
        })
    }

    /// Keeps this instance's search index and taxonomy following the database (what other
    /// instances write), every `period`.
    pub fn follow_database(&self, period: Duration) {
        Arc::clone(&self.search).spawn_follower(
            self.db.clone(),
            Arc::clone(&self.taxonomy),
            Arc::clone(&self.clock),
            period,
        );
    }

    /// Brings the search index up to date now (the follower does it every `period`).
    pub async fn sync_search(&self) -> Result<usize, offer_search::SyncError> {
        self.search.sync(&self.db, &self.taxonomy.current(), self.now()).await
    }

    /// An absolute address on the public site, for e-mails.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.public_url.trim_end_matches('/'))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every area's routes, with who may use each.
fn all_routes() -> routes::Routes {
    routes::Routes::new()
        .merge(public::routes())
        .merge(candidate::routes())
        .merge(backoffice::routes())
        .merge(immersion::routes())
        .merge(api::routes())
        .merge(ops::routes())
        .get("/static/{version}/{*path}", routes::Access::Public, assets::serve)
}

/// The table of every route the router serves (method, path, who may use it).
pub fn route_table() -> Vec<routes::RouteSpec> {
    all_routes().into_parts().1
}

/// The whole application with its middleware stack.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
    });
    let https = state.config.is_https();
    let trust_proxy = state.config.trust_proxy;
    let (routes, _) = all_routes().into_parts();
    routes
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::load_user))
        .layer(axum::middleware::from_fn(flash::layer))
        .layer(
            tower_sessions::SessionManagerLayer::new(auth::DbSessionStore::new(
                state.db.clone(),
                Arc::clone(&state.clock),
            ))
            .with_name("metiers_session")
            .with_http_only(true)
            .with_same_site(tower_sessions::cookie::SameSite::Lax)
            .with_secure(https)
            .with_expiry(tower_sessions::Expiry::OnInactivity(
                tower_sessions::cookie::time::Duration::days(auth::SESSION_DAYS),
            )),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), views::count))
        .layer(tower_http::csrf::CsrfLayer::new().with_rejection_response(|_: tower_http::csrf::ProtectionError| {
            error::error_page(axum::http::StatusCode::FORBIDDEN)
        }))
        .layer(axum::middleware::from_fn(ops::track_metrics))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
                .layer(CatchPanicLayer::custom(error::panic_response))
                .layer(axum::middleware::from_fn(move |req, next| security::headers(https, trust_proxy, req, next)))
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
                .layer(RequestBodyLimitLayer::new(12 * 1024 * 1024))
                // Videos are already compressed, and answered by byte ranges that must stay
                // the file's own bytes.
                .layer(CompressionLayer::new().compress_when({
                    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
                    DefaultPredicate::new().and(NotForContentType::const_new("video/"))
                })),
        )
        .with_state(state)
}

/// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested, finishing requests in flight");
}
