//! For crawlers and feed readers (public): `/robots.txt`, `/sitemap.xml` (an index past 50,000
//! addresses), the Atom feeds `/offres-emploi/atom.xml` (any search, same parameters),
//! `/projets/atom.xml` and `/temoignages/atom.xml` (same filters as the list).

use crate::error::{AppError, AppResult};
use crate::offer_search::SearchParams;
use crate::public::offers::execute;
use crate::{AppState, markdown};
use atom_syndication::{Entry, Feed, Link, Person, Text};
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use search::Sort;
use std::fmt::Write;

/// The sitemap protocol's limit of addresses per file.
pub const SITEMAP_MAX: u64 = 50_000;

fn base(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_string()
}

pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!("User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {}/sitemap.xml\n", base(&state));
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn xml(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `/sitemap.xml`: the pages themselves, or an index of `/sitemap-{n}.xml` parts when there
/// are more than 50,000 addresses.
pub async fn sitemap(State(state): State<AppState>) -> AppResult<Response> {
    let now = state.clock.now();
    let offers = db::offers::count_open(state.db.conn(), now).await?;
    let employers = db::institutions::directory(state.db.conn(), now, "").await?;
    // A bound (every product and technology), only to decide whether the sitemap splits.
    let showcase =
        db::products::version(state.db.conn()).await?.0 + db::products::technology_count(state.db.conn()).await?;
    let stories = db::stories::public_slugs(state.db.conn()).await?.len() as u64;
    let fixed = 6 + employers.len() as u64 + showcase + stories;
    let max = state.config.sitemap_max.max(1);
    if offers + fixed <= max {
        return Ok(xml(urlset(&state, Some(&employers), 0, max).await?));
    }
    let parts = offers.div_ceil(max) + 1;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 0..parts {
        let _ = writeln!(out, "  <sitemap><loc>{}/sitemap-{n}.xml</loc></sitemap>", base(&state));
    }
    out.push_str("</sitemapindex>\n");
    Ok(xml(out))
}

/// `/sitemap-{n}.xml`: part 0 holds the fixed pages, employers, products and technologies, part n ≥ 1 the n-th
/// 50,000 offers.
pub async fn sitemap_part(State(state): State<AppState>, Path(part): Path<String>) -> AppResult<Response> {
    let n: u64 = part.strip_suffix(".xml").and_then(|p| p.parse().ok()).ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    if n == 0 {
        let employers = db::institutions::directory(state.db.conn(), now, "").await?;
        return Ok(xml(urlset(&state, Some(&employers), 0, 0).await?));
    }
    let offers = db::offers::count_open(state.db.conn(), now).await?;
    let max = state.config.sitemap_max.max(1);
    if (n - 1) * max >= offers {
        return Err(AppError::NotFound);
    }
    Ok(xml(urlset(&state, None, (n - 1) * max, max).await?))
}

async fn urlset(
    state: &AppState,
    employers: Option<&[(db::entity::institution::Model, u64)]>,
    offset: u64,
    limit: u64,
) -> AppResult<String> {
    let base = base(state);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, lastmod: Option<DateTime<Utc>>| {
        let _ = write!(out, "  <url><loc>{}{}</loc>", base, escape(path));
        if let Some(d) = lastmod {
            let _ = write!(out, "<lastmod>{}</lastmod>", d.format("%Y-%m-%d"));
        }
        out.push_str("</url>\n");
    };
    if let Some(employers) = employers {
        for path in [
            "/",
            "/offres-emploi",
            "/employeurs",
            "/projets",
            "/technologies",
            "/temoignages",
            "/forum",
            "/evenements",
            "/stands",
        ] {
            url(path, None);
        }
        for (i, _) in employers {
            url(&format!("/employeurs/{}", i.slug), Some(i.updated_at));
        }
        for (slug, updated) in db::products::public_slugs(state.db.conn()).await? {
            url(&format!("/projets/{slug}"), Some(updated));
        }
        for slug in db::products::used_technology_slugs(state.db.conn()).await? {
            url(&format!("/technologies/{slug}"), None);
        }
        for (slug, updated) in db::stories::public_slugs(state.db.conn()).await? {
            url(&format!("/temoignages/{slug}"), Some(updated));
        }
    }
    if limit > 0 {
        for (slug, updated) in db::listing::open_slugs(state.db.conn(), state.clock.now(), offset, limit).await? {
            url(&format!("/emploi/{slug}"), Some(updated));
        }
    }
    out.push_str("</urlset>\n");
    Ok(out)
}

/// When an entry last changed for its readers: its publication, or a later edit. The row's
/// `updated_at` alone is the time it was written, the same for every offer of one import.
fn entry_updated(o: &db::entity::offer::Model) -> chrono::DateTime<chrono::Utc> {
    if o.updated_at > o.created_at { o.updated_at.max(o.published_at) } else { o.published_at }
}

/// One entry of a feed: a page of the site, by its absolute address.
fn entry(
    url: String,
    title: &str,
    updated: DateTime<Utc>,
    published: Option<DateTime<Utc>>,
    author: &str,
    summary: Option<String>,
) -> Entry {
    Entry {
        id: url.clone(),
        title: Text::plain(title),
        updated: updated.fixed_offset(),
        published: published.map(|p| p.fixed_offset()),
        authors: vec![Person { name: author.to_string(), ..Default::default() }],
        links: vec![Link {
            href: url,
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Default::default()
        }],
        summary: summary.map(Text::plain),
        ..Default::default()
    }
}

/// An Atom document for the HTML page `page_url`, served from `self_url`; with no entry, it
/// dates from now.
fn atom_response(state: &AppState, title: String, page_url: String, self_url: String, entries: Vec<Entry>) -> Response {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_else(|| state.clock.now().fixed_offset());
    let feed = Feed {
        id: page_url.clone(),
        title: Text::plain(title),
        updated,
        links: vec![
            Link { href: page_url, rel: "alternate".into(), mime_type: Some("text/html".into()), ..Default::default() },
            Link {
                href: self_url,
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
        ],
        entries,
        ..Default::default()
    };
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string()).into_response()
}

/// `/offres-emploi/atom.xml`: the 50 newest offers of any search.
pub async fn atom(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let mut params = SearchParams::parse(raw.as_deref());
    params.page = 1;
    if params.sort.is_none() {
        params.sort = Some(Sort::Date);
    }
    let ex = execute(&state, params, 50).await?;
    let base = base(&state);
    let entries: Vec<Entry> = ex
        .offers
        .iter()
        .map(|v| {
            let o = &v.offer;
            entry(
                format!("{base}/emploi/{}", o.slug),
                &o.title,
                entry_updated(o),
                Some(o.published_at),
                &v.institution.name,
                o.mission.as_deref().map(|m| markdown::to_plain(m, 400)),
            )
        })
        .collect();
    // The feed is named after its search, as its alert would be.
    let criteria = super::offers::describe(&state, &ex.params).await?;
    let title = if criteria == "Toutes les offres" {
        "Offres d’emploi — Métiers du numérique".to_string()
    } else {
        format!("Offres d’emploi : {criteria} — Métiers du numérique")
    };
    let page_url = format!("{base}{}", ex.params.url("/offres-emploi"));
    let self_url = format!("{base}{}", ex.params.url("/offres-emploi/atom.xml"));
    Ok(atom_response(&state, title, page_url, self_url, entries))
}

/// How many entries the products' and the stories' feeds carry.
const FEED_ENTRIES: u64 = 50;

/// `/projets/atom.xml`: the most recently active published products (a new phase, an edit).
pub async fn products_atom(State(state): State<AppState>) -> AppResult<Response> {
    let base = base(&state);
    let entries = db::products::public_recent(state.db.conn(), FEED_ENTRIES)
        .await?
        .iter()
        .map(|v| {
            let p = &v.product;
            let author = v.sponsors.first().map_or("Métiers du numérique", |s| s.name.as_str());
            entry(
                format!("{base}/projets/{}", p.slug),
                &p.title,
                p.updated_at.max(p.activity_at),
                Some(p.created_at),
                author,
                Some(markdown::to_plain(&p.mission, 400)),
            )
        })
        .collect();
    let (page_url, self_url) = (format!("{base}/projets"), format!("{base}/projets/atom.xml"));
    Ok(atom_response(&state, "Produits de l’État — Métiers du numérique".into(), page_url, self_url, entries))
}

/// `/temoignages/atom.xml`: the latest published stories, with the list's filters.
pub async fn stories_atom(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let filter = super::stories::filter_of(raw.as_deref());
    let stories = db::stories::public_list(state.db.conn(), &filter).await?;
    let base = base(&state);
    // Every story kept matches the filter, so the first one names what was chosen.
    let criteria: Vec<String> = stories
        .first()
        .map(|v| {
            [
                filter.profession.as_ref().and(v.profession.as_ref()).map(|p| p.1.clone()),
                filter.employer.as_ref().map(|_| v.institution.name.clone()),
                filter.product.as_ref().and(v.product.as_ref()).map(|p| p.1.clone()),
            ]
            .into_iter()
            .flatten()
            .collect()
        })
        .unwrap_or_default();
    let title = if criteria.is_empty() {
        "Témoignages d’agents — Métiers du numérique".to_string()
    } else {
        format!("Témoignages d’agents : {} — Métiers du numérique", criteria.join(", "))
    };
    let entries = stories
        .iter()
        .take(FEED_ENTRIES as usize)
        .map(|v| {
            let s = &v.story;
            entry(
                format!("{base}/temoignages/{}", s.slug),
                &format!("{}, {}", s.display_name, s.job_title),
                s.updated_at,
                s.published_at,
                &v.institution.name,
                Some(s.quote.clone()),
            )
        })
        .collect();
    let query = super::stories::filter_query(&filter);
    let (page_url, self_url) = (format!("{base}/temoignages{query}"), format!("{base}/temoignages/atom.xml{query}"));
    Ok(atom_response(&state, title, page_url, self_url, entries))
}
