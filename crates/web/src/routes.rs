//! Every route says who may use it. Areas declare their routes through [`Routes`], which builds
//! the axum router and records (method, path, access) in the same step, so the table used by
//! the authorization-matrix test is the router itself, not a list kept beside it.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{MethodFilter, on};
use tower_http::set_header::SetResponseHeaderLayer;

/// Who may use a route. The handler enforces it (through its extractors); the table states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone, anonymous visitors included.
    Public,
    /// Any signed-in account, acting on itself.
    SignedIn,
    /// A signed-in candidate, on their own rows only.
    Candidate,
    /// A recruiter, on their own institution's rows only (administrators too).
    Recruiter,
    /// Administrators only.
    Administrator,
    /// A file: its owner, the recruiters it was sent to, administrators.
    FileReaders,
    /// A « Vis mon job » duo: its student, its host agent, administrators.
    DuoParties,
    /// A « Vis mon job » duo's host agent only (the day's organisation).
    DuoHost,
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// A router under construction, with the table of what it serves.
pub struct Routes {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), specs: Vec::new() }
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = if method == Method::POST { MethodFilter::POST } else { MethodFilter::GET };
        let route = on(filter, handler);
        // What a signed-in route answers is somebody's own data: no shared or browser cache
        // may keep it (the back button on a shared computer, a proxy).
        let route = if access == Access::Public {
            route
        } else {
            route.layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ))
        };
        self.router = self.router.route(path, route);
        self.specs.push(RouteSpec { method, path, access });
        self
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, handler)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, handler)
    }

    /// Adds another area's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.specs.extend(other.specs);
        self
    }

    /// Applies a layer to the routes declared so far.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response: axum::response::IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error: Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
    }
}
