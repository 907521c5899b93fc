//! Offer page views, counted in memory for every `200` answer to `GET /emploi/{slug}` (cache
//! hits included, which the handler never sees) and added to the database by the worker, so a
//! page view costs no write.
//!
//! A visitor counts once per offer and per day, and known robots not at all, so that plain
//! reloads cannot inflate an offer's figures. Visitors are told apart by a keyed hash of their
//! address and browser, held in memory only and with a new key every day: nothing personal is
//! stored, and one day's hashes cannot be linked to the next.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::hash::RandomState;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<String, i64>>,
    seen: Mutex<Seen>,
}

/// Who was counted today, as keyed hashes.
#[derive(Debug, Default)]
struct Seen {
    day: Option<chrono::NaiveDate>,
    key: RandomState,
    hashes: HashSet<u64>,
}

/// Visitors remembered in a day (8 bytes each); past it nothing more is counted that day, so a
/// flood of invented visitors neither grows memory nor inflates figures.
const MAX_SEEN: usize = 500_000;

impl ViewCounter {
    /// Whether this is `visitor`'s first `what` (a view, a click on an offer) of `today`.
    pub fn first_today(&self, what: &str, visitor: &str, today: chrono::NaiveDate) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.day != Some(today) {
            *seen = Seen { day: Some(today), key: RandomState::new(), hashes: HashSet::new() };
        }
        let hash = seen.key.hash_one((what, visitor));
        if seen.hashes.len() >= MAX_SEEN && !seen.hashes.contains(&hash) {
            return false;
        }
        seen.hashes.insert(hash)
    }

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
    #[expect(clippy::disallowed_methods, reason = "the worker writes counted views in batches, outside any request")]
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
    let visitor = slug.as_ref().and_then(|_| visitor(&state, req.headers(), req.extensions()));
    let res = next.run(req).await;
    if let (Some(slug), Some(visitor)) = (slug, visitor)
        && res.status() == StatusCode::OK
        && state.views.first_today(&format!("vue {slug}"), &visitor, state.now().date_naive())
    {
        state.views.count(&slug);
    }
    res
}

/// Who is asking, to count them once: their address and browser, or `None` for a robot.
fn visitor(state: &AppState, headers: &HeaderMap, extensions: &Extensions) -> Option<String> {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if is_robot(agent) {
        return None;
    }
    let socket = extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    Some(format!("{} {agent}", crate::security::client_ip(state.config.trust_proxy, headers, socket)))
}

/// Crawlers, link previews, monitoring and scripts: what declares itself, or sends no
/// browser name at all.
pub fn is_robot(user_agent: &str) -> bool {
    const MARKS: [&str; 16] = [
        "bot",
        "crawl",
        "spider",
        "slurp",
        "preview",
        "facebookexternalhit",
        "curl",
        "wget",
        "python",
        "go-http",
        "java/",
        "okhttp",
        "libwww",
        "httpclient",
        "monitor",
        "lighthouse",
    ];
    let ua = user_agent.to_ascii_lowercase();
    ua.trim().is_empty() || MARKS.iter().any(|m| ua.contains(m))
}

/// The visitor of a handler's request (`None`: a robot), for counts made there (clicks on an
/// offer's external link).
pub struct Visitor(pub Option<String>);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Visitor(visitor(state, &parts.headers, &parts.extensions)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_counts_once_a_day() {
        let c = ViewCounter::default();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        assert!(c.first_today("vue a", "1.2.3.4 Firefox", day));
        assert!(!c.first_today("vue a", "1.2.3.4 Firefox", day));
        assert!(c.first_today("vue b", "1.2.3.4 Firefox", day), "another offer");
        assert!(c.first_today("vue a", "1.2.3.4 Chrome", day), "another visitor");
        assert!(c.first_today("vue a", "1.2.3.4 Firefox", day.succ_opt().expect("next day")), "the next day");
    }

    #[test]
    fn robots_are_recognised() {
        for ua in ["", "Googlebot/2.1", "curl/8.5.0", "python-requests/2.31", "Mozilla/5.0 (compatible; bingbot/2.0)"] {
            assert!(is_robot(ua), "{ua}");
        }
        assert!(!is_robot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
        ));
    }
}
