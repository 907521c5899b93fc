//! `/admin/journal`: the whole audit log, filtered by actor, action, target and dates (Paris
//! days), 50 entries a page, and the same selection as a CSV file.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::AppResult;
use crate::forms::{Form, query_param};
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use db::backoffice::AuditFilter;
use db::entity::audit_entry;

const PER_PAGE: u64 = 50;
/// What one export may hold.
const EXPORT_MAX: u64 = 10_000;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/journal.html")]
pub struct JournalPage {
    page: Page,
    form: Form,
    actions: Vec<crate::widgets::Opt>,
    rows: Vec<audit_entry::Model>,
    total: u64,
    current: u64,
    pages: u64,
    /// The filters as a query string (for the pages' links and the export).
    query: String,
}

/// When an entry was written, in Paris time.
pub(crate) fn when(at: &DateTime<Utc>) -> String {
    crate::format::paris(*at).format("%d/%m/%Y %H:%M").to_string()
}

/// The French label of a logged action; a code this version does not know (a row written by
/// a newer one, or damaged) is logged and shown as stored, never relabelled.
pub(crate) fn action_label(code: &str) -> String {
    match code.parse::<domain::audit::AuditAction>() {
        Ok(action) => action.label().to_string(),
        Err(e) => {
            tracing::error!(error = %e, "unknown action in the audit log");
            code.to_string()
        }
    }
}

/// A logged before/after value as people read it: the stage and state codes that moves store
/// are given their French labels ("recue" → "Reçue", "refusee (profil)" → "Refusée
/// (profil)"); anything else is shown as written.
pub(crate) fn readable(action: &str, value: &str) -> String {
    use domain::audit::AuditAction;
    let (code, rest) = value.split_once(' ').map_or((value, ""), |(c, r)| (c, r));
    let label = match action.parse::<AuditAction>() {
        Ok(AuditAction::ApplicationStage) => code.parse::<domain::candidate::Stage>().ok().map(|s| s.label()),
        Ok(AuditAction::OfferState) => code.parse::<domain::offer::OfferState>().ok().map(|s| s.label()),
        _ => None,
    };
    match label {
        Some(l) if rest.is_empty() => l.to_string(),
        Some(l) => format!("{l} {rest}"),
        None => value.to_string(),
    }
}

impl JournalPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        when(at)
    }

    fn action_label(&self, code: &str) -> String {
        action_label(code)
    }

    fn readable(&self, action: &str, value: &str) -> String {
        readable(action, value)
    }

    fn page_link(&self, n: u64) -> String {
        if self.query.is_empty() {
            format!("/admin/journal?page={n}")
        } else {
            format!("/admin/journal?{}&page={n}", self.query)
        }
    }
}

/// The filters read from the query string; a value that does not parse is an error next to
/// its field and does not filter.
fn read(raw: Option<&str>) -> (Form, AuditFilter, String) {
    let mut form = Form::default();
    let mut pairs = Vec::new();
    for key in ["acteur", "action", "cible", "du", "au"] {
        let v = query_param(raw, key).unwrap_or_default();
        let v = v.trim().to_string();
        form.set(key, &v);
        if !v.is_empty() {
            pairs.push((key, v));
        }
    }
    let mut filter = AuditFilter { actor: form.opt("acteur"), target: form.opt("cible"), ..Default::default() };
    if let Some(code) = form.opt("action") {
        match code.parse::<domain::audit::AuditAction>() {
            Ok(a) => filter.action = Some(a.code().to_string()),
            Err(_) => form.add_error("action", "Choisissez une action de la liste."),
        }
    }
    for (key, end) in [("du", false), ("au", true)] {
        if let Some(v) = form.opt(key) {
            match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                // «au» includes its whole day.
                Ok(d) => {
                    let day = if end { d.succ_opt() } else { Some(d) };
                    let at = day.and_then(|d| crate::format::paris_at(d, 0, 0, 0));
                    if end { filter.to = at } else { filter.from = at }
                }
                Err(_) => form.add_error(key, "Saisissez une date au format JJ/MM/AAAA."),
            }
        }
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    (form, filter, query)
}

/// `GET /admin/journal` (administrator).
pub async fn list(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    RawQuery(raw): RawQuery,
) -> AppResult<JournalPage> {
    let (form, filter, query) = read(raw.as_deref());
    let current =
        query_param(raw.as_deref(), "page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1).clamp(1, 100_000);
    let (rows, total) =
        db::backoffice::audit_search(state.db.conn(), &filter, (current - 1) * PER_PAGE, PER_PAGE).await?;
    let actions = domain::audit::AuditAction::ALL
        .iter()
        .map(|a| crate::widgets::Opt {
            value: a.code().to_string(),
            label: a.label().to_string(),
            checked: form.get("action") == a.code(),
        })
        .collect();
    let title = if form.is_valid() { "Journal des modifications" } else { "Journal des modifications – erreur" };
    Ok(JournalPage {
        page: Page::new(title).crumbs(&[("Administration", Some("/admin")), ("Journal des modifications", None)]),
        form,
        actions,
        rows,
        total,
        current,
        pages: total.div_ceil(PER_PAGE).max(1),
        query,
    })
}

/// `GET /admin/journal.csv` (administrator): the same selection, newest first, Paris time.
pub async fn export(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (_, filter, _) = read(raw.as_deref());
    let (rows, _) = db::backoffice::audit_search(state.db.conn(), &filter, 0, EXPORT_MAX).await?;
    let rows = rows.into_iter().map(|e| {
        vec![
            crate::format::sheet_time(e.at),
            e.actor_email.clone(),
            action_label(&e.action),
            e.target.clone(),
            e.before.as_deref().map(|b| readable(&e.action, b)).unwrap_or_default(),
            e.after.as_deref().map(|a| readable(&e.action, a)).unwrap_or_default(),
        ]
    });
    super::spreadsheet_download(
        "journal-des-modifications.csv",
        &["quand", "qui", "action", "sur", "avant", "apres"],
        rows,
    )
}
