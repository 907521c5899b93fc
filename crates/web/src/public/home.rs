//! `GET /` (public): the home page.

use crate::AppState;
use crate::error::AppResult;
use crate::layout::{Nav, Page};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use db::offers::KeyFigures;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct Home {
    page: Page,
    figures: KeyFigures,
}

pub async fn show(State(state): State<AppState>) -> AppResult<Home> {
    let figures = db::offers::key_figures(state.db.conn(), state.clock.now()).await?;
    Ok(Home { page: Page::new("Accueil").nav(Nav::Home), figures })
}
