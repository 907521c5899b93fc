//! Operations: `/healthz`, `/metrics` and the request metrics middleware.

use crate::AppState;
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

pub fn routes() -> crate::routes::Routes {
    crate::routes::Routes::new().get("/healthz", crate::routes::Access::Public, healthz).get(
        "/metrics",
        crate::routes::Access::Public,
        metrics_text,
    )
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; metrics then go there.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// `GET /healthz` (public): 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok", "database": "ok"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "error", "database": "unreachable"})))
                .into_response()
        }
    }
}

/// `GET /metrics` (public, no personal data): Prometheus text format.
async fn metrics_text() -> Response {
    let body = prometheus().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

/// Counts requests and their latency by route pattern (never by raw path, which would let
/// anyone create series).
pub async fn track_metrics(req: Request, next: Next) -> Response {
    prometheus();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "inconnue".into());
    // Every label takes known values only, or each invented method would be a new series.
    let method = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "autre",
    };
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}
