//! `GET /` (public): the home page: a search box, the latest offers, employers who recruit,
//! live key figures.

use crate::AppState;
use crate::error::AppResult;
use crate::layout::{Nav, Page};
use crate::public::employers::EmployerItem;
use crate::public::offers::{Card, card};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use db::offers::KeyFigures;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct Home {
    page: Page,
    figures: KeyFigures,
    latest: Vec<Card>,
    employers: Vec<EmployerItem>,
    products: Vec<super::products::ProductCard>,
    stories: Vec<super::stories::StoryCard>,
}

pub async fn show(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
) -> AppResult<Home> {
    let now = state.clock.now();
    // The figures come from the search index: the same open offers the search shows, without
    // scanning the offers table on every visit of the home page.
    let all =
        state.search.backend().search(&search::SearchQuery { limit: 0, now: now.timestamp(), ..Default::default() })?;
    let nonzero = |f: search::Facet| all.facets[f.index()].iter().filter(|(_, n)| *n > 0).count() as u64;
    let figures = KeyFigures {
        open_offers: all.total as u64,
        employers: nonzero(search::Facet::Employer),
        regions: nonzero(search::Facet::Region),
    };
    let latest = db::listing::latest_open(state.db.conn(), now, 6, None, None, None).await?;
    // Employers who recruit most, from the same counts (no scan of the offers table).
    let top: Vec<(i64, u64)> =
        all.facets[search::Facet::Employer.index()].iter().take(6).map(|(id, n)| (*id as i64, *n)).collect();
    let ids: Vec<i64> = top.iter().map(|(id, _)| *id).collect();
    let mut by_id: std::collections::HashMap<i64, db::entity::institution::Model> =
        db::institutions::by_ids(state.db.conn(), &ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let employers = top
        .into_iter()
        .filter_map(|(id, n)| by_id.remove(&id).filter(|i| i.published).map(|i| EmployerItem::new(i, n)))
        .collect();
    let mut latest: Vec<_> = latest.iter().map(|v| card(v, None)).collect();
    super::offer::mark_favourites(&state, user.as_deref(), &mut latest, "/").await?;
    // Featured products: the most recently active ones still serving their users.
    let found = crate::showcase::execute(&state.products, &state.db, &Default::default(), 12).await?;
    let products = found
        .products()
        .into_iter()
        .filter(|v| v.phase.is_some_and(domain::product::Phase::is_live))
        .take(3)
        .map(super::products::ProductCard::of)
        .collect();
    let stories = db::stories::public_list(state.db.conn(), &Default::default()).await?;
    let stories = stories.iter().take(3).map(super::stories::StoryCard::of).collect();
    Ok(Home { page: Page::new("Accueil").nav(Nav::Home), figures, latest, employers, products, stories })
}
