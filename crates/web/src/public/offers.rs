//! `GET /offres-emploi` (public): the search page, with facets, map and pagination.

use crate::error::AppResult;
use crate::layout::{Nav, Page};
use crate::offer_search::{self, SearchParams, Taxonomy};
use crate::{AppState, format};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use db::listing::OfferView;
use search::{FACETS, Facet, SearchQuery, SearchResults, Sort};

pub const PER_PAGE: usize = 20;

/// A search run against the index, with the filters the URL named that exist.
pub struct Executed {
    pub params: SearchParams,
    pub results: SearchResults,
    pub offers: Vec<OfferView>,
    /// Employer id → (slug, name) of the employers shown in the facet and the filters.
    pub employers: std::collections::HashMap<u64, (String, String)>,
    /// The title of the product `projet` names, when it is a public one.
    pub product: Option<String>,
}

/// Runs a search for the page, the feed and the API.
pub async fn execute(state: &AppState, mut params: SearchParams, per_page: usize) -> AppResult<Executed> {
    let mut filters: [Vec<u64>; FACETS] = Default::default();
    let employers = offer_search::employer_ids(&state.db, &params.filters[Facet::Employer.index()]).await?;
    for f in Facet::ALL {
        let mut kept = Vec::new();
        for code in &params.filters[f.index()] {
            let value = match f {
                Facet::Domain => state.taxonomy.current().domain_by_slug(code).map(|d| d.0 as u64),
                Facet::Profession => state.taxonomy.current().profession_by_slug(code).map(|p| p.0 as u64),
                Facet::Employer => employers.get(code).map(|e| e.0 as u64),
                _ => offer_search::fixed_code(f, code),
            };
            if let Some(v) = value {
                filters[f.index()].push(v);
                kept.push(code.clone());
            }
        }
        params.filters[f.index()] = kept;
    }
    // `projet`: its open offers only; an unknown product matches nothing rather than everything.
    let (product, only) = match &params.product {
        None => (None, None),
        Some(slug) => match db::products::public_by_slug(state.db.conn(), slug).await {
            Ok(v) => {
                let ids = db::products::open_offer_ids(state.db.conn(), v.product.id, state.clock.now()).await?;
                (Some(v.product.title), Some(ids.into_iter().map(|id| id as u64).collect()))
            }
            Err(db::DbError::NotFound) => (None, Some(Vec::new())),
            Err(e) => return Err(e.into()),
        },
    };
    let query = SearchQuery {
        text: params.q.clone(),
        filters,
        salary_min: params.salary_min.map(u64::from),
        sort: params.effective_sort(),
        offset: (params.page - 1) * per_page,
        limit: per_page,
        now: state.clock.now().timestamp(),
        only,
    };
    let results = state.search.backend().search(&query)?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id as i64).collect();
    let offers = db::listing::views_by_ids(state.db.conn(), &ids).await?;
    let mut employer_ids: Vec<i64> = results.facets[Facet::Employer.index()].iter().map(|(id, _)| *id as i64).collect();
    employer_ids.extend(employers.values().map(|e| e.0));
    let employers = db::institutions::by_ids(state.db.conn(), &employer_ids)
        .await?
        .into_iter()
        .map(|i| (i.id as u64, (i.slug, i.name)))
        .collect();
    Ok(Executed { params, results, offers, employers, product })
}

pub struct FacetOption {
    pub id: String,
    pub value: String,
    pub label: String,
    pub count: u64,
    pub checked: bool,
}

pub struct FacetGroup {
    pub param: &'static str,
    pub legend: &'static str,
    /// The most frequent values (and every chosen one).
    pub options: Vec<FacetOption>,
    /// The others, behind «Voir plus» (long lists: employers, professions, départements).
    pub more: Vec<FacetOption>,
}

/// A salary choice: "at least" a step, with how many offers pay that.
pub struct SalaryOption {
    pub id: String,
    /// `salaire_min`'s value ("" for no minimum).
    pub value: String,
    pub label: String,
    pub count: Option<u64>,
    pub checked: bool,
}

pub struct ActiveFilter {
    pub label: String,
    pub remove_url: String,
}

pub struct Card {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub employer: String,
    pub location: String,
    pub contracts: String,
    pub published: String,
    pub snippet: Option<String>,
    pub remote: Option<&'static str>,
    pub salary: Option<String>,
    pub favourite: super::offer::FavouriteButton,
}

pub struct MapTile {
    pub name: String,
    pub short: String,
    pub count: u64,
    pub url: String,
    pub x: u32,
    pub y: u32,
    pub level: u8,
    pub selected: bool,
}

pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/search.html")]
pub struct SearchPage {
    pub page: Page,
    pub params: SearchParams,
    pub total: u64,
    pub sentence: String,
    pub cards: Vec<Card>,
    pub groups: Vec<FacetGroup>,
    pub salary: Vec<SalaryOption>,
    pub active: Vec<ActiveFilter>,
    pub pages: Vec<PageLink>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub first: Option<String>,
    pub last: Option<String>,
    pub out_of_range: Option<String>,
    pub sorts: Vec<(&'static str, &'static str, bool)>,
    pub map: Vec<MapTile>,
    pub feed_url: String,
}

pub fn card(v: &OfferView, snippet: Option<String>) -> Card {
    let o = &v.offer;
    let location = match (&o.city, o.departement_code.as_deref().and_then(domain::geo::departement)) {
        (Some(city), Some(d)) if city != &d.name => format!("{city} ({})", d.code),
        (_, Some(d)) => format!("{} ({})", d.name, d.code),
        (Some(city), None) => city.clone(),
        (None, None) => {
            o.region_code.as_deref().and_then(domain::geo::region).map(|r| r.name.clone()).unwrap_or_default()
        }
    };
    let contracts = v
        .contract_types
        .iter()
        .filter_map(|c| c.parse::<domain::offer::ContractType>().ok())
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ");
    Card {
        id: o.id,
        favourite: super::offer::FavouriteButton::anonymous(&o.slug, &o.title),
        slug: o.slug.clone(),
        title: o.title.clone(),
        employer: v.institution.name.clone(),
        location,
        contracts,
        published: format::date(o.published_at),
        snippet,
        remote: o
            .remote
            .as_deref()
            .and_then(|r| r.parse::<domain::offer::Remote>().ok())
            .filter(|r| *r != domain::offer::Remote::No)
            .map(|r| r.label()),
        salary: format::salary(o.salary_min, o.salary_max),
    }
}

/// Tile positions of the régions on the cartogram (column, row).
const TILES: [(&str, &str, u32, u32); 18] = [
    ("32", "HDF", 2, 0),
    ("28", "NOR", 1, 1),
    ("11", "IDF", 2, 1),
    ("44", "GES", 3, 1),
    ("53", "BRE", 0, 2),
    ("52", "PDL", 1, 2),
    ("24", "CVL", 2, 2),
    ("27", "BFC", 3, 2),
    ("75", "NAQ", 1, 3),
    ("84", "ARA", 3, 3),
    ("76", "OCC", 2, 4),
    ("93", "PAC", 3, 4),
    ("94", "COR", 4, 5),
    ("01", "GUA", 0, 6),
    ("02", "MTQ", 1, 6),
    ("03", "GUF", 2, 6),
    ("04", "REU", 3, 6),
    ("06", "MAY", 4, 6),
];

pub async fn show(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
    RawQuery(raw): RawQuery,
) -> AppResult<SearchPage> {
    let params = SearchParams::parse(raw.as_deref());
    let ex = execute(&state, params, PER_PAGE).await?;
    let mut page = build(ex, &state.taxonomy.current());
    // One address per search for search engines: the parameters in their normal order.
    let qs = page.params.query_string();
    let base = format!("{}/offres-emploi", state.config.public_url.trim_end_matches('/'));
    page.page.canonical = Some(if qs.is_empty() { base } else { format!("{base}?{qs}") });
    let back = page.params.url("/offres-emploi");
    super::offer::mark_favourites(&state, user.as_deref(), &mut page.cards, &back).await?;
    Ok(page)
}

fn build(ex: Executed, taxonomy: &Taxonomy) -> SearchPage {
    let Executed { params, results, offers, employers, product } = ex;
    let total = results.total as u64;
    let snippets: std::collections::HashMap<i64, Option<String>> =
        results.hits.iter().map(|h| (h.id as i64, h.snippet.clone())).collect();
    let cards = offers.iter().map(|v| card(v, snippets.get(&v.offer.id).cloned().flatten())).collect();

    let mut groups = Vec::new();
    let mut active = Vec::new();
    for f in Facet::ALL {
        let (param, legend) = offer_search::param(f);
        let selected = &params.filters[f.index()];
        let mut options: Vec<FacetOption> = Vec::new();
        let mut more: Vec<FacetOption> = Vec::new();
        let limit = match f {
            Facet::Employer | Facet::Profession | Facet::Departement => 15,
            _ => usize::MAX,
        };
        for (value, count) in results.facets[f.index()].iter() {
            if let Some((code, label)) = value_label(taxonomy, f, *value, &employers) {
                let option = FacetOption {
                    id: option_id(param, &code),
                    checked: selected.contains(&code),
                    value: code,
                    label,
                    count: *count,
                };
                // A chosen value always shows; past the limit, the rest waits behind «Voir plus».
                if options.len() < limit || option.checked {
                    options.push(option);
                } else {
                    more.push(option);
                }
            }
        }
        for code in selected {
            if !options.iter().any(|o| &o.value == code) {
                let label = code_label(taxonomy, f, code, &employers).unwrap_or_else(|| code.clone());
                options.push(FacetOption {
                    id: option_id(param, code),
                    value: code.clone(),
                    label,
                    count: 0,
                    checked: true,
                });
            }
            let label = code_label(taxonomy, f, code, &employers).unwrap_or_else(|| code.clone());
            active.push(ActiveFilter {
                label: format!("{legend} : {label}"),
                remove_url: params.without(f, code).url("/offres-emploi"),
            });
        }
        if f == Facet::Region {
            options.sort_by(|a, b| a.label.cmp(&b.label));
        }
        groups.push(FacetGroup { param, legend, options, more });
    }
    if let Some(slug) = &params.product {
        let mut p = params.clone();
        p.product = None;
        p.page = 1;
        let name = product.clone().unwrap_or_else(|| slug.clone());
        active.push(ActiveFilter { label: format!("Produit : {name}"), remove_url: p.url("/offres-emploi") });
    }
    let salary = salary_options(&results.salary, params.salary_min);
    if let Some(s) = params.salary_min {
        let mut p = params.clone();
        p.salary_min = None;
        p.page = 1;
        active.push(ActiveFilter {
            label: format!("Salaire minimum : {} €", format::number(u64::from(s))),
            remove_url: p.url("/offres-emploi"),
        });
    }

    let last_page = (results.total.max(1) - 1) / PER_PAGE + 1;
    let url = |n: usize| params.with_page(n).url("/offres-emploi");
    let out_of_range = (params.page > last_page && results.total > 0).then(|| url(last_page));
    let current = params.page.min(last_page);
    let window = current.saturating_sub(2).max(1)..=(current + 2).min(last_page);
    let pages = window.map(|n| PageLink { number: n, url: url(n), current: n == params.page }).collect();

    let region_counts: std::collections::HashMap<u64, u64> =
        results.facets[Facet::Region.index()].iter().copied().collect();
    let max = region_counts.values().copied().max().unwrap_or(0).max(1);
    let selected_regions = &params.filters[Facet::Region.index()];
    let map = TILES
        .iter()
        .filter_map(|(code, short, x, y)| {
            let region = domain::geo::region(code)?;
            let count = offer_search::region_code(code).and_then(|v| region_counts.get(&v)).copied().unwrap_or(0);
            let selected = selected_regions.iter().any(|r| r == code);
            let mut p = if selected { params.without(Facet::Region, code) } else { params.clone() };
            if !selected {
                p.filters[Facet::Region.index()].push((*code).to_string());
                p.page = 1;
            }
            let level = if count == 0 { 0 } else { (1 + (count * 3) / max).min(4) as u8 };
            Some(MapTile {
                name: region.name.clone(),
                short: (*short).into(),
                count,
                url: p.url("/offres-emploi"),
                x: *x,
                y: *y,
                level,
                selected,
            })
        })
        .collect();

    let sort = params.effective_sort();
    let sorts = vec![
        ("pertinence", "Pertinence", sort == Sort::Relevance),
        ("date", "Date de publication", sort == Sort::Date),
        ("salaire", "Salaire", sort == Sort::Salary),
    ];
    let sentence = match total {
        0 => "Aucune offre ne correspond à votre recherche".to_string(),
        1 => "1 offre correspond à votre recherche".to_string(),
        n => format!("{} correspondent à votre recherche", format::offers(n)),
    };
    let title = if params.q.is_empty() {
        "Offres d’emploi".to_string()
    } else {
        format!("Offres d’emploi « {} »", params.q)
    };
    let title = if params.page > 1 { format!("{title} — page {}", params.page) } else { title };
    SearchPage {
        page: Page::new(title).nav(Nav::Offers).crumbs(&[("Offres d’emploi", None)]),
        feed_url: format!("/offres-emploi/atom.xml{}", {
            let mut p = params.clone();
            p.page = 1;
            let qs = p.query_string();
            if qs.is_empty() { String::new() } else { format!("?{qs}") }
        }),
        previous: (current > 1).then(|| url(current - 1)),
        next: (current < last_page).then(|| url(current + 1)),
        first: (current > 1).then(|| url(1)),
        last: (current < last_page).then(|| url(last_page)),
        params,
        total,
        sentence,
        cards,
        groups,
        salary,
        active,
        pages,
        out_of_range,
        sorts,
        map,
    }
}

/// "Indifférent", then each step with its count; a minimum typed in the URL that is not a step
/// is kept as a choice of its own, so the form says what the results apply.
fn salary_options(steps: &[(u64, u64)], chosen: Option<u32>) -> Vec<SalaryOption> {
    let mut out = vec![SalaryOption {
        id: "salaire-indifferent".into(),
        value: String::new(),
        label: "Indifférent".into(),
        count: None,
        checked: chosen.is_none(),
    }];
    let chosen = chosen.map(u64::from);
    if let Some(c) = chosen
        && !steps.iter().any(|(step, _)| *step == c)
    {
        out.push(SalaryOption {
            id: format!("salaire-{c}"),
            value: c.to_string(),
            label: format!("{} € et plus", format::number(c)),
            count: None,
            checked: true,
        });
    }
    out.extend(steps.iter().map(|(step, n)| SalaryOption {
        id: format!("salaire-{step}"),
        value: step.to_string(),
        label: format!("{} € et plus", format::number(*step)),
        count: Some(*n),
        checked: chosen == Some(*step),
    }));
    out
}

type Employers = std::collections::HashMap<u64, (String, String)>;

/// A facet value of the index → (URL code, label).
fn value_label(taxonomy: &Taxonomy, f: Facet, v: u64, employers: &Employers) -> Option<(String, String)> {
    match f {
        Facet::Domain => taxonomy.domain(v as i64).map(|d| (d.1.clone(), d.2.clone())),
        Facet::Profession => taxonomy.profession(v as i64).map(|p| (p.1.clone(), p.2.clone())),
        Facet::Employer => employers.get(&v).cloned(),
        _ => offer_search::fixed_value(f, v),
    }
}

/// What a search looks for, in words, for an alert's name and its e-mails' subject:
/// « data » · Sécurité · Île-de-France · CDI. "Toutes les offres" when it has no criterion.
pub async fn describe(state: &AppState, params: &SearchParams) -> AppResult<String> {
    let taxonomy = state.taxonomy.current();
    let employers: Employers = offer_search::employer_ids(&state.db, &params.filters[Facet::Employer.index()])
        .await?
        .into_iter()
        .map(|(slug, (id, name))| (id as u64, (slug, name)))
        .collect();
    let mut parts = Vec::new();
    if !params.q.is_empty() {
        parts.push(format!("« {} »", params.q));
    }
    for f in Facet::ALL {
        for code in &params.filters[f.index()] {
            if let Some(label) = code_label(&taxonomy, f, code, &employers) {
                parts.push(label);
            }
        }
    }
    if let Some(min) = params.salary_min {
        parts.push(format!("à partir de {} € par an", format::number(u64::from(min))));
    }
    let text = if parts.is_empty() { "Toutes les offres".to_string() } else { parts.join(" · ") };
    Ok(text.chars().take(120).collect())
}

/// A URL code → its label.
fn code_label(taxonomy: &Taxonomy, f: Facet, code: &str, employers: &Employers) -> Option<String> {
    match f {
        Facet::Domain => taxonomy.domain_by_slug(code).map(|d| d.2.clone()),
        Facet::Profession => taxonomy.profession_by_slug(code).map(|p| p.2.clone()),
        Facet::Employer => employers.values().find(|(slug, _)| slug == code).map(|(_, name)| name.clone()),
        _ => offer_search::fixed_code(f, code).and_then(|v| offer_search::fixed_value(f, v)).map(|(_, label)| label),
    }
}

/// A stable id per facet option ("A+" and "A" must differ), so that htmx keeps the focus on
/// the checkbox that was just used.
fn option_id(param: &str, code: &str) -> String {
    format!("f-{param}-{}", domain::text::slugify(&code.replace('+', "-plus")))
}
