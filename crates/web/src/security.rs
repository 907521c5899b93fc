//! Security headers on every response.
//!
//! The CSP is `default-src 'self'` with two documented additions: `img-src data:` because the
//! DSFR stylesheet draws a few small images as `data:` SVG URLs, and nothing else. No inline
//! script or style is ever emitted, so `'unsafe-inline'` is not needed.

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; \
form-action 'self'; frame-ancestors 'none'";

/// `https`: the public URL is https. `trust_proxy`: a reverse proxy in front sets
/// `X-Forwarded-Proto`; without it the header is the client's own and means nothing.
pub async fn headers(https: bool, trust_proxy: bool, req: Request, next: Next) -> Response {
    let forwarded_https = trust_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        header::HeaderName::from_static("permissions-policy"),
        "geolocation=(), camera=(), microphone=(), interest-cohort=()",
    );
    set(header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if https || forwarded_https {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
    }
    res
}

/// The client's address, as the limits count it (sign-in failures, e-mails asked for).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<crate::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &crate::AppState) -> Result<Self, Self::Rejection> {
        let socket = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(client_ip(state.config.trust_proxy, &parts.headers, socket)))
    }
}

/// The address failures are counted against: the socket's, or behind a trusted proxy the last
/// address of `X-Forwarded-For` (the one the proxy itself appended; those before it are the
/// client's word).
pub fn client_ip(trust_proxy: bool, headers: &axum::http::HeaderMap, socket: Option<std::net::IpAddr>) -> String {
    let forwarded = trust_proxy
        .then(|| {
            headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",")
        })
        .and_then(|all| {
            all.rsplit(',').map(str::trim).find(|s| !s.is_empty()).and_then(|s| s.parse::<std::net::IpAddr>().ok())
        });
    forwarded.or(socket).map(|ip| ip.to_string()).unwrap_or_else(|| "inconnue".into())
}

/// E-mails public forms may make: per address (a mailbox nobody may flood) and per client
/// address (a script asking for many mailboxes), over an hour. A room of students signing up
/// at the forum from one network stays under the IP limit.
pub const MAIL_LIMITS: db::mail_requests::Limits =
    db::mail_requests::Limits { per_address: 5, per_ip: 50, window: chrono::Duration::hours(1) };

/// What a throttled form says, next to the address field.
pub const TOO_MANY_MAILS: &str =
    "Trop d’e-mails demandés pour cette adresse ou depuis votre connexion : réessayez dans une heure.";

/// Whether a public form may e-mail `address` now (recorded when it may).
pub async fn mail_admitted(
    state: &crate::AppState,
    kind: &str,
    address: &str,
    ip: &str,
) -> Result<bool, crate::error::AppError> {
    let key = domain::text::fold(address).trim().to_string();
    Ok(db::mail_requests::admit(state.db.conn(), kind, &key, ip, MAIL_LIMITS, state.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::client_ip;
    use axum::http::HeaderMap;

    #[test]
    fn the_proxy_address_is_trusted_only_when_configured() {
        let socket = Some("10.0.0.2".parse().expect("ip"));
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", "1.2.3.4, 203.0.113.7".parse().expect("header"));
        assert_eq!(client_ip(false, &h, socket), "10.0.0.2", "a client may write anything there");
        assert_eq!(client_ip(true, &h, socket), "203.0.113.7", "the address the proxy appended");
        h.append("x-forwarded-for", "198.51.100.1".parse().expect("header"));
        assert_eq!(client_ip(true, &h, socket), "198.51.100.1", "several headers read as one list");
        let mut bad = HeaderMap::new();
        bad.append("x-forwarded-for", "pas-une-adresse".parse().expect("header"));
        assert_eq!(client_ip(true, &bad, socket), "10.0.0.2");
        assert_eq!(client_ip(true, &HeaderMap::new(), None), "inconnue");
    }
}
