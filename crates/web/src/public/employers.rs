//! `GET /employeurs` and `GET /employeurs/{slug}` (public): the employers and their showcase.

use crate::error::{AppError, AppResult};
use crate::layout::{Nav, Page};
use crate::public::offers::{Card, card};
use crate::{AppState, format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};

/// An employer tile (`employers/_tile.html`), on the directory and the home page.
pub struct EmployerItem {
    pub slug: String,
    pub name: String,
    pub acronym: Option<String>,
    pub ministry: Option<String>,
    pub offers: String,
}

impl EmployerItem {
    pub fn new(i: db::entity::institution::Model, open_offers: u64) -> Self {
        Self {
            slug: i.slug,
            name: i.name,
            acronym: i.acronym,
            ministry: i.ministry,
            offers: format::open_offers(open_offers),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "employers/list.html")]
pub struct Directory {
    pub page: Page,
    pub q: String,
    pub items: Vec<EmployerItem>,
    pub sentence: String,
}

pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Directory> {
    let q: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().chars().take(100).collect())
        .unwrap_or_default();
    let rows = db::institutions::directory(state.db.conn(), state.clock.now(), &q).await?;
    let sentence = match rows.len() {
        0 => "Aucun employeur".to_string(),
        1 => "1 employeur".to_string(),
        n => format!("{} employeurs", format::number(n as u64)),
    };
    let items = rows.into_iter().map(|(i, n)| EmployerItem::new(i, n)).collect();
    Ok(Directory {
        page: Page::new("Employeurs").nav(Nav::Employers).crumbs(&[("Employeurs", None)]),
        q,
        items,
        sentence,
    })
}

pub struct ServiceItem {
    pub name: String,
    pub depth: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "employers/show.html")]
pub struct Showcase {
    pub page: Page,
    pub name: String,
    pub slug: String,
    pub acronym: Option<String>,
    pub ministry: Option<String>,
    pub website: Option<String>,
    /// Path of the logo uploaded in the employer page editor.
    pub logo: Option<String>,
    pub sections: Vec<(&'static str, &'static str, String)>,
    pub services: Vec<ServiceItem>,
    pub offers: Vec<Card>,
    pub products: Vec<super::products::ProductCard>,
    pub stories: Vec<super::stories::StoryCard>,
}

pub async fn show(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
    Path(slug): Path<String>,
) -> AppResult<Showcase> {
    let inst = db::institutions::by_slug(state.db.conn(), &slug).await?;
    if !inst.published {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    let offers = db::listing::latest_open(state.db.conn(), now, 500, Some(inst.id), None, None).await?;
    let services = db::institutions::services(state.db.conn(), inst.id).await?;
    let products = db::products::public_of_institution(state.db.conn(), inst.id).await?;
    // Depth-first: each service followed by its children.
    let mut items = Vec::new();
    fn walk(all: &[db::entity::service::Model], parent: Option<i64>, depth: usize, out: &mut Vec<ServiceItem>) {
        for s in all.iter().filter(|s| s.parent_id == parent) {
            out.push(ServiceItem { name: s.name.clone(), depth });
            if depth < 8 {
                walk(all, Some(s.id), depth + 1, out);
            }
        }
    }
    walk(&services, None, 0, &mut items);
    let mut sections = Vec::new();
    for (id, title, text) in [
        ("presentation", "Présentation", &inst.presentation),
        ("valeurs", "Nos valeurs", &inst.values),
        ("missions", "Nos missions", &inst.missions),
        ("projets", "Nos projets", &inst.projects),
        ("chiffres", "En chiffres", &inst.figures),
        ("recrutement", "Notre processus de recrutement", &inst.recruitment_process),
        ("travailler", "Travailler avec nous", &inst.working_with_us),
    ] {
        if let Some(t) = text {
            sections.push((id, title, markdown::to_html(t)));
        }
    }
    let mut cards: Vec<_> = offers.iter().map(|v| card(v, None)).collect();
    super::offer::mark_favourites(&state, user.as_deref(), &mut cards, &format!("/employeurs/{}", inst.slug)).await?;
    let description = inst
        .presentation
        .as_deref()
        .map(|p| markdown::to_plain(p, 160))
        .unwrap_or_else(|| format!("Les offres d’emploi du numérique de {}.", inst.name));
    Ok(Showcase {
        page: Page::new(inst.name.clone())
            .nav(Nav::Employers)
            .description(description)
            .crumbs(&[("Employeurs", Some("/employeurs")), (inst.name.as_str(), None)]),
        offers: cards,
        products: products.iter().map(super::products::ProductCard::of).collect(),
        stories: db::stories::public_of_institution(state.db.conn(), inst.id)
            .await?
            .iter()
            .map(super::stories::StoryCard::of)
            .collect(),
        logo: inst.logo_path.clone().filter(|l| l.starts_with("logos/")).map(|l| format!("/{l}")),
        name: inst.name,
        slug: inst.slug,
        acronym: inst.acronym,
        ministry: inst.ministry,
        website: inst.website,
        sections,
        services: items,
    })
}
