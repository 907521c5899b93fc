//! Offer page views, counted in memory for every `200` answer to `GET /emploi/{slug}` (cache
//! hits included, which the handler never sees) and added to the database by the worker, so a
//! page view costs no write.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<String, i64>>,
}

impl ViewCounter {
    pub fn count(&self, slug: &str) {
        let mut p = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: an unknown flood of slugs cannot grow memory without limit between flushes.
        if p.len() < 100_000 || p.contains_key(slug) {
            *p.entry(slug.to_string()).or_default() += 1;
        }
    }

    pub fn take(&self) -> HashMap<String, i64> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Writes the counts to the database; what could not be written is kept for the next time.
    /// Each offer's total and its month's count move together (one transaction).
    pub async fn flush(&self, db: &db::Db, now: chrono::DateTime<chrono::Utc>) -> Result<usize, db::DbError> {
        let counts = self.take();
        let n = counts.len();
        let mut failed = None;
        for (slug, views) in counts {
            if failed.is_some() {
                self.add_back(slug, views);
                continue;
            }
            let written = async {
                let txn = db.begin().await?;
                db::offers::add_views(&txn, &slug, views, now).await?;
                txn.commit().await.map_err(db::DbError::from)
            }
            .await;
            if let Err(e) = written {
                self.add_back(slug, views);
                failed = Some(e);
            }
        }
        failed.map_or(Ok(n), Err)
    }

    fn add_back(&self, slug: String, views: i64) {
        let mut p = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *p.entry(slug).or_default() += views;
    }
}

/// The middleware that counts.
pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let slug = (req.method() == Method::GET)
        .then(|| req.uri().path().strip_prefix("/emploi/").map(str::to_string))
        .flatten()
        .filter(|s| !s.is_empty() && !s.contains('/'));
    let res = next.run(req).await;
    if let Some(slug) = slug
        && res.status() == StatusCode::OK
    {
        state.views.count(&slug);
    }
    res
}
