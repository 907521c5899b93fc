//! Statistics: a recruiter's institution (`/recruteur/statistiques`) or the whole platform
//! (`/admin/statistiques`), by month, as DSFR charts with the same figures in accessible
//! tables (the charts are hidden from assistive technologies, which read the tables), with
//! the platform's objectives.

use crate::AppState;
use crate::auth::{AdminUser, StaffUser};
use crate::error::AppResult;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use db::stats::{Objectives, Stats};

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/stats.html")]
pub struct StatsPage {
    page: Page,
    scope: String,
    stats: Stats,
    objectives: Objectives,
    /// Administrators choose an employer (or the whole platform); empty for recruiters.
    employers: Vec<crate::widgets::Opt>,
}

const MONTHS: [&str; 12] =
    ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/// `2026-03` → `mars 2026`, for the charts' axis and the table's row headers.
fn month_label(month: &str) -> String {
    let (year, m) = month.split_once('-').unwrap_or((month, ""));
    match m.parse::<usize>().ok().and_then(|m| MONTHS.get(m.wrapping_sub(1))) {
        Some(name) => format!("{name} {year}"),
        None => month.to_string(),
    }
}

impl StatsPage {
    fn month(&self, month: &str) -> String {
        month_label(month)
    }

    /// The charts' attributes are JSON (the DSFR chart components parse them); the labels
    /// are ours, without `<` or `&`.
    fn chart_x(&self) -> String {
        let labels: Vec<String> = self.stats.months.iter().map(|m| month_label(&m.month)).collect();
        serde_json::json!([labels]).to_string()
    }

    fn chart_counts(&self) -> String {
        let m = &self.stats.months;
        let series = |f: fn(&db::stats::Month) -> u64| m.iter().map(f).collect::<Vec<_>>();
        serde_json::json!([series(|m| m.offers_published), series(|m| m.applications), series(|m| m.hires)]).to_string()
    }

    fn chart_views(&self) -> String {
        let views: Vec<i64> = self.stats.months.iter().map(|m| m.views).collect();
        serde_json::json!([views]).to_string()
    }

    /// Applications per 100 views in a month, in French.
    fn month_conversion(&self, m: &db::stats::Month) -> String {
        if m.views == 0 {
            return "—".into();
        }
        format!("{:.1} %", m.applications as f64 * 100.0 / m.views as f64).replace('.', ",")
    }

    /// A month without any answer has no delay: a gap in the line, not a 0.
    fn chart_delays(&self) -> String {
        let days: Vec<Option<i64>> = self.stats.months.iter().map(|m| m.median_days_to_answer).collect();
        serde_json::json!([days]).to_string()
    }

    fn conversion(&self) -> String {
        self.stats.conversion_percent.map(|c| format!("{c:.1} %").replace('.', ",")).unwrap_or_else(|| "—".into())
    }
}

/// `GET /recruteur/statistiques` (recruiter: their institution; administrator: everything).
pub async fn recruiter(State(state): State<AppState>, staff: StaffUser) -> AppResult<StatsPage> {
    let scope = match staff.institution_id {
        Some(id) => db::institutions::by_ids(state.db.conn(), &[id]).await?.pop().map(|i| i.name).unwrap_or_default(),
        None => "toute la plateforme".into(),
    };
    Ok(StatsPage {
        page: Page::new("Statistiques").crumbs(&[("Espace recruteur", Some("/recruteur")), ("Statistiques", None)]),
        stats: db::stats::monthly(state.db.conn(), staff.institution_id, state.now(), 12).await?,
        objectives: db::stats::objectives(state.db.conn(), state.now()).await?,
        scope,
        employers: Vec::new(),
    })
}

/// `GET /admin/statistiques` (administrator): the whole platform, or one employer with
/// `?employeur=ID` (an unknown one is the platform).
pub async fn platform(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> AppResult<StatsPage> {
    let all = db::institutions::list(state.db.conn()).await?;
    let wanted = crate::forms::query_param(q.as_deref(), "employeur");
    let chosen = all.iter().find(|i| wanted.as_deref() == Some(i.id.to_string().as_str()));
    let mut employers = vec![crate::widgets::Opt {
        value: String::new(),
        label: "Toute la plateforme".into(),
        checked: chosen.is_none(),
    }];
    employers.extend(all.iter().map(|i| crate::widgets::Opt {
        value: i.id.to_string(),
        label: i.name.clone(),
        checked: chosen.is_some_and(|c| c.id == i.id),
    }));
    Ok(StatsPage {
        page: Page::new("Statistiques de la plateforme")
            .crumbs(&[("Administration", Some("/admin")), ("Statistiques", None)]),
        stats: db::stats::monthly(state.db.conn(), chosen.map(|i| i.id), state.now(), 12).await?,
        objectives: db::stats::objectives(state.db.conn(), state.now()).await?,
        scope: chosen.map_or_else(|| "toute la plateforme".to_string(), |i| i.name.clone()),
        employers,
    })
}

#[cfg(test)]
mod tests {
    use super::month_label;

    #[test]
    fn months_read_in_french() {
        assert_eq!(month_label("2026-03"), "mars 2026");
        assert_eq!(month_label("2025-12"), "déc. 2025");
        assert_eq!(month_label("bizarre"), "bizarre");
        assert_eq!(month_label("2026-13"), "2026-13");
    }
}
