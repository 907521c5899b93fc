//! `GET /technologies` and `GET /technologies/{slug}` (public): which technologies the State's
//! products use, by how many products and ministries, and the open offers asking for them.

use crate::error::{AppError, AppResult};
use crate::layout::{Nav, Page};
use crate::offer_search::SearchParams;
use crate::public::offers::{Card, card, execute};
use crate::public::products::ProductCard;
use crate::{AppState, format};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use db::products::TechnologyLookup;
use std::collections::HashSet;

pub struct TechnologyRow {
    pub slug: String,
    pub name: String,
    pub products: usize,
    pub ministries: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "technologies/list.html")]
pub struct Technologies {
    pub page: Page,
    pub rows: Vec<TechnologyRow>,
    /// The most used, for the chart (JSON arrays).
    pub chart_x: String,
    pub chart_y: String,
}

pub async fn list(State(state): State<AppState>) -> AppResult<Technologies> {
    let uses = crate::showcase::technology_uses(&state).await?;
    let rows: Vec<TechnologyRow> = uses
        .into_iter()
        .map(|u| TechnologyRow {
            slug: u.technology.slug,
            name: u.technology.name,
            products: u.products,
            ministries: u.ministries,
        })
        .collect();
    let top = &rows[..rows.len().min(10)];
    Ok(Technologies {
        page: Page::new("Les technologies des produits de l’État")
            .nav(Nav::Technologies)
            .description("Les langages, cadriciels et outils qu’utilisent les produits numériques de l’État, et les postes ouverts qui les demandent.")
            .canonical(format!("{}/technologies", state.config.public_url))
            .crumbs(&[("Technologies", None)]),
        chart_x: serde_json::json!([top.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()]).to_string(),
        chart_y: serde_json::json!([top.iter().map(|r| r.products).collect::<Vec<_>>()]).to_string(),
        rows,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "technologies/show.html")]
pub struct TechnologyPage {
    pub page: Page,
    pub name: String,
    pub sentence: String,
    pub products: Vec<ProductCard>,
    pub offers: Vec<Card>,
    pub offers_sentence: String,
}

/// The open offers that name a technology under any of its spellings, best matches first.
async fn offers_naming(state: &AppState, spellings: &[String], limit: usize) -> AppResult<Vec<Card>> {
    let mut seen = HashSet::new();
    let mut cards = Vec::new();
    for spelling in spellings {
        let params = SearchParams { q: spelling.clone(), page: 1, ..Default::default() };
        let found = execute(state, params, limit).await?;
        for o in &found.offers {
            if seen.insert(o.offer.id) {
                cards.push(card(o, None));
            }
        }
    }
    cards.truncate(limit);
    Ok(cards)
}

pub async fn show(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let technology = match db::products::technology_by_slug(state.db.conn(), &slug).await? {
        TechnologyLookup::Found(t) => t,
        // A merged technology's address keeps working.
        TechnologyLookup::MovedTo(target) => {
            return Ok(Redirect::permanent(&format!("/technologies/{target}")).into_response());
        }
    };
    let products = db::products::public_using(state.db.conn(), technology.id).await?;
    if products.is_empty() {
        return Err(AppError::NotFound);
    }
    let key = domain::text::compact_key(&technology.name);
    let mut spellings = vec![technology.name.clone()];
    for s in domain::product::known_spellings(&key) {
        // Spellings of one letter or two ("js", "ts", "go") would match unrelated words.
        if s.chars().count() > 2 && !spellings.iter().any(|k| domain::text::match_key(k) == domain::text::match_key(&s))
        {
            spellings.push(s);
        }
    }
    let mut offers = offers_naming(&state, &spellings, 30).await?;
    let path = format!("/technologies/{}", technology.slug);
    super::offer::mark_favourites(&state, user.as_deref(), &mut offers, &path).await?;
    let ministries: HashSet<String> = products
        .iter()
        .flat_map(|p| p.sponsors.iter().map(|s| s.ministry.clone().unwrap_or_else(|| s.name.clone())))
        .collect();
    let sentence = format!(
        "Utilisée par {} de {}.",
        plural(products.len(), "produit", "produits"),
        plural(ministries.len(), "ministère ou organisme", "ministères ou organismes"),
    );
    let offers_sentence = match offers.len() {
        0 => format!("Aucune offre ouverte ne mentionne {} en ce moment.", technology.name),
        n => format!(
            "{} qui mentionne{} {}",
            crate::format::open_offers(n as u64),
            if n > 1 { "nt" } else { "" },
            technology.name
        ),
    };
    let page = Page::new(technology.name.clone())
        .nav(Nav::Technologies)
        .description(sentence.clone())
        .canonical(format!("{}{path}", state.config.public_url))
        .crumbs(&[("Technologies", Some("/technologies")), (technology.name.as_str(), None)]);
    Ok(TechnologyPage {
        page,
        name: technology.name,
        sentence,
        products: products.iter().map(ProductCard::of).collect(),
        offers,
        offers_sentence,
    }
    .into_response())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", format::number(n as u64)) }
}
