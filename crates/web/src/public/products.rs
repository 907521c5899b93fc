//! `GET /projets` and `GET /projets/{slug}` (public): the State's digital products, searched
//! with facets, and each one's page.

use crate::error::AppResult;
use crate::layout::{Nav, Page};
use crate::public::offers::{ActiveFilter, Card, FacetGroup, FacetOption, PageLink, card};
use crate::showcase::{self, Found, ProductParams};
use crate::{AppState, format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use db::products::ProductView;
use domain::product::TeamComposition;
use search::products::{ProductFacet, ProductSort};

/// A product card (`products/_card.html`): on `/projets`, technology and employer pages, home.
pub struct ProductCard {
    pub slug: String,
    pub title: String,
    pub mission: String,
    pub phase: &'static str,
    pub live: bool,
    pub sponsors: String,
    pub technologies: Vec<(String, String)>,
}

impl ProductCard {
    pub fn of(v: &ProductView) -> Self {
        Self {
            slug: v.product.slug.clone(),
            title: v.product.title.clone(),
            mission: markdown::to_plain(&v.product.mission, 220),
            phase: showcase::phase_label(v.phase),
            live: v.phase.is_none_or(domain::product::Phase::is_live),
            sponsors: v
                .sponsors
                .iter()
                .map(|s| s.acronym.clone().unwrap_or_else(|| s.name.clone()))
                .collect::<Vec<_>>()
                .join(", "),
            technologies: v.technologies.iter().take(6).map(|t| (t.slug.clone(), t.name.clone())).collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "products/search.html")]
pub struct Projects {
    pub page: Page,
    pub q: String,
    pub sort_by_name: bool,
    pub notice: Option<String>,
    pub groups: Vec<FacetGroup>,
    pub active: Vec<ActiveFilter>,
    pub cards: Vec<ProductCard>,
    pub total: usize,
    pub sentence: String,
    pub pages: Vec<PageLink>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// The facet groups with their live counts, chosen values first.
fn groups(found: &Found, params: &ProductParams) -> (Vec<FacetGroup>, Vec<ActiveFilter>) {
    let mut groups = Vec::new();
    let mut active = Vec::new();
    for f in ProductFacet::ALL {
        let dict = &found.snapshot.dictionaries[f.index()];
        let chosen = &params.filters[f.index()];
        let param = showcase::param(f);
        let mut options: Vec<FacetOption> = found.results.facets[f.index()]
            .iter()
            .filter_map(|(id, n)| dict.value(*id).map(|v| (v, *n)))
            .map(|(v, n)| FacetOption {
                id: format!("{param}-{}", v.slug),
                value: v.slug.clone(),
                label: v.label.clone(),
                count: n,
                checked: chosen.contains(&v.slug),
            })
            .collect();
        // A chosen value nothing matches any more stays visible, to be unticked.
        for slug in chosen {
            if !options.iter().any(|o| &o.value == slug)
                && let Some(v) = dict.lookup(slug).and_then(|id| dict.value(id))
            {
                options.push(FacetOption {
                    id: format!("{param}-{}", v.slug),
                    value: v.slug.clone(),
                    label: v.label.clone(),
                    count: 0,
                    checked: true,
                });
            }
        }
        if f == ProductFacet::Phase {
            // Life order, as the dictionary was seeded.
            options.sort_by_key(|o| dict.lookup(&o.value));
        }
        for slug in chosen {
            let label = dict
                .lookup(slug)
                .and_then(|id| dict.value(id))
                .map(|v| v.label.clone())
                .unwrap_or_else(|| slug.clone());
            let mut without = params.clone();
            without.filters[f.index()].retain(|s| s != slug);
            without.page = 1;
            active.push(ActiveFilter {
                label: format!("{} : {label}", showcase::legend(f)),
                remove_url: without.url("/projets"),
            });
        }
        let keep = 8;
        let (shown, more): (Vec<_>, Vec<_>) =
            options.into_iter().enumerate().partition(|(i, o)| *i < keep || o.checked);
        groups.push(FacetGroup {
            param,
            legend: showcase::legend(f),
            options: shown.into_iter().map(|(_, o)| o).collect(),
            more: more.into_iter().map(|(_, o)| o).collect(),
        });
    }
    (groups, active)
}

pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let (params, notice) = match ProductParams::parse(raw.as_deref().unwrap_or_default()) {
        Ok(p) => (p, None),
        Err(bad) => (
            ProductParams { page: 1, ..Default::default() },
            Some(format!("Adresse de recherche incorrecte : {}.", bad.message)),
        ),
    };
    let found = showcase::execute(&state.products, &state.db, &params, showcase::PER_PAGE).await?;
    let total = found.results.total;
    let (groups, active) = groups(&found, &params);
    let last_page = (total.max(1) - 1) / found.per_page + 1;
    let url = |n: usize| ProductParams { page: n, ..params.clone() }.url("/projets");
    let current = params.page.min(last_page);
    let pages = (current.saturating_sub(2).max(1)..=(current + 2).min(last_page))
        .map(|n| PageLink { number: n, url: url(n), current: n == params.page })
        .collect();
    let sentence = match total {
        0 => "Aucun produit ne correspond à cette recherche".to_string(),
        1 => "1 produit".to_string(),
        n => format!("{} produits", format::number(n as u64)),
    };
    let title = if params.q.is_empty() {
        "Les produits numériques de l’État".to_string()
    } else {
        format!("Produits : « {} »", params.q)
    };
    let view = Projects {
        page: Page::new(title)
            .nav(Nav::Projects)
            .description("Les services numériques que construisent les équipes de l’État : leur mission, leurs technologies, leurs équipes, les postes ouverts.")
            .canonical(format!("{}{}", state.config.public_url, ProductParams { page: params.page, ..Default::default() }.url("/projets")))
            .crumbs(&[("Projets", None)]),
        q: params.q.clone(),
        sort_by_name: params.sort == ProductSort::Name,
        notice: notice.clone(),
        cards: found.products().into_iter().map(ProductCard::of).collect(),
        groups,
        active,
        total,
        sentence,
        pages,
        previous: (params.page > 1).then(|| url(params.page - 1)),
        next: (params.page < last_page).then(|| url(params.page + 1)),
    };
    let status = if notice.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, view).into_response())
}

pub struct PhaseLine {
    pub label: &'static str,
    pub start: String,
    pub end: Option<String>,
    pub current: bool,
}

pub struct Link {
    pub label: &'static str,
    pub url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "products/show.html")]
pub struct ProductPage {
    pub page: Page,
    pub preview: Option<String>,
    pub slug: String,
    pub title: String,
    pub mission: String,
    pub body: String,
    pub phase: &'static str,
    pub phases: Vec<PhaseLine>,
    pub sponsors: Vec<(Option<String>, String)>,
    pub technologies: Vec<(String, String)>,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub team_now: Option<String>,
    pub team_past: Option<String>,
    pub links: Vec<Link>,
    pub accessibility: &'static str,
    pub offers: Vec<Card>,
    pub stories: Vec<super::stories::StoryCard>,
    pub json_ld: String,
}

pub async fn show(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
    Path(slug): Path<String>,
) -> AppResult<ProductPage> {
    let v = db::products::public_by_slug(state.db.conn(), &slug).await?;
    page_of(&state, v, user.as_deref(), None).await
}

/// A product's page; `preview` is the banner of the recruiters' preview (not indexed, no
/// canonical address).
pub async fn page_of(
    state: &AppState,
    v: ProductView,
    user: Option<&db::entity::user::Model>,
    preview: Option<String>,
) -> AppResult<ProductPage> {
    let now = state.clock.now();
    let offer_ids = db::products::open_offer_ids(state.db.conn(), v.product.id, now).await?;
    let offers = db::listing::public_views_by_ids(state.db.conn(), &offer_ids).await?;
    let mut cards: Vec<Card> = offers.iter().map(|o| card(o, None)).collect();
    let path = format!("/projets/{}", v.product.slug);
    super::offer::mark_favourites(state, user, &mut cards, &path).await?;
    let team = TeamComposition::of(&v.team, format::paris(now).date_naive());
    let current = domain::product::current_phase(&v.phases);
    let mut links = Vec::new();
    for (label, url) in [
        ("Site du service", &v.product.link),
        ("Code source", &v.product.repository),
        ("Statistiques d’usage", &v.product.stats_url),
    ] {
        if let Some(u) = url {
            links.push(Link { label, url: u.clone() });
        }
    }
    let canonical = format!("{}{path}", state.config.public_url);
    let json_ld = json_ld(&v, &canonical, &state.config.public_url);
    let title = v.product.title.clone();
    let mut page = Page::new(title.clone())
        .nav(Nav::Projects)
        .description(markdown::to_plain(&v.product.mission, 160))
        .crumbs(&[("Projets", Some("/projets")), (title.as_str(), None)]);
    if preview.is_none() {
        page = page.canonical(canonical);
    }
    Ok(ProductPage {
        page,
        preview,
        slug: v.product.slug.clone(),
        mission: v.product.mission.clone(),
        body: markdown::to_html_sections(&v.product.body),
        phase: showcase::phase_label(v.phase),
        phases: v
            .phases
            .iter()
            .rev()
            .map(|p| PhaseLine {
                label: p.phase.label(),
                start: format::naive_date(p.start),
                end: p.end.map(format::naive_date),
                current: Some(p.phase) == current,
            })
            .collect(),
        sponsors: v
            .sponsors
            .iter()
            .map(|s| (s.published.then(|| format!("/employeurs/{}", s.slug)), s.name.clone()))
            .collect(),
        technologies: v.technologies.iter().map(|t| (t.slug.clone(), t.name.clone())).collect(),
        themes: v.themes.clone(),
        audiences: v.audiences.clone(),
        team_now: TeamComposition::sentence(team.current, &team.current_by_domain),
        team_past: TeamComposition::sentence(team.past, &team.past_by_domain),
        links,
        accessibility: showcase::accessibility_label(v.accessibility),
        offers: cards,
        stories: db::stories::public_of_product(state.db.conn(), v.product.id)
            .await?
            .iter()
            .map(super::stories::StoryCard::of)
            .collect(),
        json_ld,
        title,
    })
}

/// schema.org `SoftwareApplication` (a web service) with its government providers.
fn json_ld(v: &ProductView, canonical: &str, base: &str) -> String {
    let providers: Vec<serde_json::Value> = v
        .sponsors
        .iter()
        .map(|s| {
            let mut o = serde_json::json!({ "@type": "GovernmentOrganization", "name": s.name });
            if s.published {
                o["url"] = format!("{base}/employeurs/{}", s.slug).into();
            }
            o
        })
        .collect();
    let mut doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "SoftwareApplication",
        "name": v.product.title,
        "description": markdown::to_plain(&v.product.mission, 300),
        "applicationCategory": "GovernmentApplication",
        "operatingSystem": "Web",
        "url": canonical,
        "provider": providers,
        "dateModified": v.product.updated_at.to_rfc3339(),
    });
    if let Some(link) = &v.product.link {
        doc["sameAs"] = link.clone().into();
    }
    if !v.technologies.is_empty() {
        doc["keywords"] = v.technologies.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ").into();
    }
    super::offer::script_safe_json(&doc)
}
