//! Static files: the DSFR, its charts and htmx from `node_modules` (installed by the build, never
//! committed) and our own `static/` folder, embedded in release builds and served under a
//! versioned prefix with a one-year immutable cache.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// Changes whenever the lock file or our static files change (see build.rs).
pub const VERSION: &str = env!("ASSET_VERSION");

/// The URL prefix of every static file.
pub fn prefix() -> String {
    format!("/static/{VERSION}")
}

#[derive(RustEmbed)]
#[folder = "../../node_modules/@gouvfr/dsfr/dist/"]
#[include = "dsfr.min.css"]
#[include = "dsfr.module.min.js"]
#[include = "dsfr.nomodule.min.js"]
#[include = "fonts/*.woff2"]
#[include = "fonts/*.woff"]
#[include = "icons/**/*.svg"]
#[include = "favicon/*"]
#[include = "utility/icons/icons.min.css"]
#[include = "artwork/**/*.svg"]
struct Dsfr;

#[derive(RustEmbed)]
#[folder = "../../node_modules/htmx.org/dist/"]
#[include = "htmx.min.js"]
struct Htmx;

/// The DSFR's charts (Vue and Chart.js bundled): the ES-module build, loaded only by the
/// pages that draw charts. The per-chart builds render in a shadow root the DSFR styles do
/// not reach, hence the all-in-one file.
#[derive(RustEmbed)]
#[folder = "../../node_modules/@gouvfr/dsfr-chart/dist/DSFRChart/"]
#[include = "DSFRChart.js"]
#[include = "DSFRChart.css"]
struct DsfrChart;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Own;

fn lookup(path: &str) -> Option<rust_embed::EmbeddedFile> {
    if let Some(rest) = path.strip_prefix("dsfr/") {
        Dsfr::get(rest)
    } else if let Some(rest) = path.strip_prefix("dsfr-chart/") {
        DsfrChart::get(rest)
    } else if let Some(rest) = path.strip_prefix("htmx/") {
        Htmx::get(rest)
    } else if let Some(rest) = path.strip_prefix("app/") {
        Own::get(rest)
    } else {
        None
    }
}

/// `GET /static/{version}/{*path}`. Another version than ours (a page from before a deploy)
/// is still served, but not cached for long.
pub async fn serve(Path((version, path)): Path<(String, String)>) -> Response {
    if path.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(file) = lookup(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let cache = if version == VERSION { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let mut res = file.data.into_owned().into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}
