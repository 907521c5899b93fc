//! A short-lived cache of anonymous public pages. Most traffic is anonymous and repeats (the
//! home page, popular searches, shared offers): rendering them once per index generation, for
//! at most a minute, spares the database and the index. A request with a cookie is never
//! served from or stored in the cache, so nothing personal can leak through it.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Offers expire with time, and employer pages change without touching the index: a minute
/// bounds how stale a page can be.
const TTL: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 2_000;
/// Pages larger than this are not kept.
const MAX_BODY: usize = 512 * 1024;
/// Our pages are far smaller; the limit only guards the buffering itself.
const READ_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Debug, Clone)]
struct Cached {
    at: Instant,
    generation: u64,
    content_type: HeaderValue,
    body: Bytes,
}

#[derive(Debug, Default)]
pub struct PageCache {
    entries: Mutex<HashMap<String, Cached>>,
}

fn cacheable(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !req.headers().contains_key(header::COOKIE)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && (path == "/" || path == "/offres-emploi" || path.starts_with("/emploi/") || path.starts_with("/employeurs"))
}

impl PageCache {
    /// Forgets every page (after a change the index does not see, such as an employer page
    /// published). Other instances still show the old page for at most [`TTL`].
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    fn get(&self, key: &str, generation: u64) -> Option<Cached> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(key).filter(|c| c.generation == generation && c.at.elapsed() < TTL).cloned()
    }

    fn put(&self, key: String, value: Cached) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            // Simple and bounded: start afresh rather than track recency.
            entries.clear();
        }
        entries.insert(key, value);
    }
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !cacheable(&req) {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    let generation = state.search.generation();
    if let Some(hit) = state.pages.get(&key, generation) {
        return ([(header::CONTENT_TYPE, hit.content_type)], hit.body).into_response();
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK || res.headers().contains_key(header::SET_COOKIE) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, READ_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page body could not be read for the cache");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if bytes.len() <= MAX_BODY
        && let Some(content_type) = parts.headers.get(header::CONTENT_TYPE).cloned()
    {
        state.pages.put(key, Cached { at: Instant::now(), generation, content_type, body: bytes.clone() });
    }
    Response::from_parts(parts, Body::from(bytes))
}
