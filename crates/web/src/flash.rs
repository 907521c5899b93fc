//! One-time status messages (post/redirect/get): a handler answers [`redirect`] with the
//! message for the person who acted; the message waits in their session and the next page
//! that shows a notice ([`take`]) shows it once.
//!
//! It never travels in the address: a `?message=` link would let anyone make the platform's
//! own notice say what they wrote.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_sessions::Session;

const KEY: &str = "flash";
/// What a notice may hold; a longer message is cut, not refused.
const MAX_CHARS: usize = 300;

/// A message for the next page, carried from the handler to [`layer`] on the response.
#[derive(Debug, Clone)]
struct Pending(String);

#[derive(Debug, Default)]
struct Slot {
    message: Option<String>,
    shown: AtomicBool,
}

tokio::task_local! {
    static SLOT: Arc<Slot>;
}

/// A 303 to `path` (which may end with `#anchor`) that leaves `message` for the page there.
pub fn redirect(path: &str, message: &str) -> Response {
    let mut res = Redirect::to(path).into_response();
    res.extensions_mut().insert(Pending(message.chars().take(MAX_CHARS).collect()));
    res
}

/// The message left for the page being rendered, if any; it is then gone from the session.
pub fn take() -> Option<String> {
    SLOT.try_with(|slot| {
        slot.shown.store(true, Ordering::Release);
        slot.message.clone()
    })
    .ok()
    .flatten()
}

/// Reads the waiting message before the handler, stores the one it leaves after it, and
/// forgets the old one once a page has shown it (a page without a notice leaves it waiting).
pub async fn layer(session: Session, req: Request, next: Next) -> Response {
    let message = match session.get::<String>(KEY).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable flash message");
            None
        }
    };
    let waiting = message.is_some();
    let slot = Arc::new(Slot { message, shown: AtomicBool::new(false) });
    let mut res = SLOT.scope(Arc::clone(&slot), next.run(req)).await;
    let stored = if let Some(Pending(m)) = res.extensions_mut().remove::<Pending>() {
        session.insert(KEY, m).await
    } else if waiting && slot.shown.load(Ordering::Acquire) {
        session.remove::<String>(KEY).await.map(|_| ())
    } else {
        Ok(())
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "flash message not saved");
    }
    res
}
