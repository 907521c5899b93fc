//! Statistics: a recruiter's institution (`/recruteur/statistiques`) or the whole platform
//! (`/admin/statistiques`), by month, as accessible tables, with the platform's objectives.

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
}

impl StatsPage {
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
    })
}

/// `GET /admin/statistiques` (administrator).
pub async fn platform(State(state): State<AppState>, AdminUser(_): AdminUser) -> AppResult<StatsPage> {
    Ok(StatsPage {
        page: Page::new("Statistiques de la plateforme")
            .crumbs(&[("Administration", Some("/admin")), ("Statistiques", None)]),
        stats: db::stats::monthly(state.db.conn(), None, state.now(), 12).await?,
        objectives: db::stats::objectives(state.db.conn(), state.now()).await?,
        scope: "toute la plateforme".into(),
    })
}
