//! The products' search (`/projets`, its API): an in-memory index of the published products,
//! rebuilt whole when the products change (they are few), with the dictionaries that turn
//! facet values into URL slugs and French labels; and the URL parameters ↔ query translation.

use db::Db;
use db::products::ProductView;
use domain::product::{Accessibility, Phase};
use domain::text::slugify_max;
use search::products::{
    PRODUCT_FACETS, ProductDoc, ProductFacet, ProductIndex, ProductQuery, ProductResults, ProductSort,
};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ShowcaseError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Search(#[from] search::SearchError),
}

impl From<ShowcaseError> for crate::error::AppError {
    fn from(e: ShowcaseError) -> Self {
        match e {
            ShowcaseError::Db(e) => e.into(),
            ShowcaseError::Search(e) => e.into(),
        }
    }
}

/// One value of a facet: its slug in URLs and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    pub slug: String,
    pub label: String,
}

/// The values of one facet, numbered in the order first met.
#[derive(Debug, Default)]
pub struct Dictionary {
    pub values: Vec<FacetValue>,
    by_slug: HashMap<String, u64>,
}

impl Dictionary {
    fn id(&mut self, slug: &str, label: &str) -> Option<u64> {
        if slug.is_empty() {
            return None;
        }
        if let Some(id) = self.by_slug.get(slug) {
            return Some(*id);
        }
        let id = self.values.len() as u64;
        self.values.push(FacetValue { slug: slug.to_string(), label: label.trim().to_string() });
        self.by_slug.insert(slug.to_string(), id);
        Some(id)
    }

    pub fn lookup(&self, slug: &str) -> Option<u64> {
        self.by_slug.get(slug).copied()
    }

    pub fn value(&self, id: u64) -> Option<&FacetValue> {
        self.values.get(usize::try_from(id).ok()?)
    }
}

/// The working methods a product can show.
pub const METHODS: [(&str, &str); 3] = [
    ("code-ouvert", "Code source ouvert"),
    ("accessibilite-declaree", "Accessibilité déclarée"),
    ("dsfr", "Système de design de l’État"),
];

/// One state of the published products: their index, dictionaries and views.
#[derive(Debug)]
pub struct Snapshot {
    pub index: ProductIndex,
    pub dictionaries: [Dictionary; PRODUCT_FACETS],
    pub products: HashMap<u64, ProductView>,
    version: (u64, Option<chrono::DateTime<chrono::Utc>>),
}

fn facet_values(v: &ProductView, dicts: &mut [Dictionary; PRODUCT_FACETS]) -> [Vec<u64>; PRODUCT_FACETS] {
    let mut out: [Vec<u64>; PRODUCT_FACETS] = Default::default();
    let mut put = |f: ProductFacet, slug: &str, label: &str| {
        if let Some(id) = dicts[f.index()].id(slug, label)
            && !out[f.index()].contains(&id)
        {
            out[f.index()].push(id);
        }
    };
    for s in &v.sponsors {
        if let Some(m) = s.ministry.as_deref().filter(|m| !m.trim().is_empty()) {
            put(ProductFacet::Ministry, &slugify_max(m, 80), m);
        }
        if s.published {
            put(ProductFacet::Employer, &s.slug, &s.name);
        }
    }
    if let Some(p) = v.phase {
        put(ProductFacet::Phase, p.code(), p.label());
    }
    for t in &v.technologies {
        put(ProductFacet::Technology, &t.slug, &t.name);
    }
    for t in &v.themes {
        put(ProductFacet::Theme, &slugify_max(t, 80), t);
    }
    for a in &v.audiences {
        put(ProductFacet::Audience, &slugify_max(a, 80), a);
    }
    let [open, accessibility, dsfr] = METHODS;
    if v.product.repository.is_some() {
        put(ProductFacet::Method, open.0, open.1);
    }
    if v.accessibility.is_some() {
        put(ProductFacet::Method, accessibility.0, accessibility.1);
    }
    if v.technologies.iter().any(|t| t.slug.contains("dsfr")) {
        put(ProductFacet::Method, dsfr.0, dsfr.1);
    }
    out
}

impl Snapshot {
    fn build(
        views: Vec<ProductView>,
        version: (u64, Option<chrono::DateTime<chrono::Utc>>),
    ) -> Result<Self, ShowcaseError> {
        let mut dictionaries: [Dictionary; PRODUCT_FACETS] = Default::default();
        // Phases in their life order, so that facet labels read as a timeline.
        for p in Phase::ALL {
            dictionaries[ProductFacet::Phase.index()].id(p.code(), p.label());
        }
        let mut by_name: Vec<(String, i64)> =
            views.iter().map(|v| (domain::text::match_key(&v.product.title), v.product.id)).collect();
        by_name.sort();
        let rank: HashMap<i64, u32> =
            by_name.iter().enumerate().map(|(n, (_, id))| (*id, u32::try_from(n).unwrap_or(u32::MAX))).collect();
        let mut docs = Vec::with_capacity(views.len());
        for v in &views {
            let facets = facet_values(v, &mut dictionaries);
            let tags: Vec<&str> = v
                .technologies
                .iter()
                .map(|t| t.name.as_str())
                .chain(v.themes.iter().map(String::as_str))
                .chain(v.audiences.iter().map(String::as_str))
                .collect();
            docs.push(ProductDoc {
                id: v.product.id as u64,
                title: v.product.title.clone(),
                mission: v.product.mission.clone(),
                tags: tags.join(" · "),
                employer: v
                    .sponsors
                    .iter()
                    .map(|s| format!("{} {}", s.name, s.acronym.as_deref().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(" · "),
                text: crate::markdown::to_plain(&v.product.body, 4000),
                facets,
                activity_at: v.product.activity_at.timestamp(),
                name_rank: rank.get(&v.product.id).copied().unwrap_or(u32::MAX),
            });
        }
        let index = ProductIndex::build(&docs)?;
        let products = views.into_iter().map(|v| (v.product.id as u64, v)).collect();
        Ok(Self { index, dictionaries, products, version })
    }
}

/// The current snapshot, rebuilt when the products' `(count, latest change)` moved: a product
/// published through any instance shows at the next search.
#[derive(Debug, Default)]
pub struct ProductSearch {
    current: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
}

impl ProductSearch {
    pub async fn snapshot(&self, db: &Db) -> Result<Arc<Snapshot>, ShowcaseError> {
        let version = db::products::version(db.conn()).await?;
        let mut current = self.current.lock().await;
        if let Some(s) = current.as_ref()
            && s.version == version
        {
            return Ok(Arc::clone(s));
        }
        let views = db::products::all_published(db.conn()).await?;
        let snapshot = Arc::new(Snapshot::build(views, version)?);
        *current = Some(Arc::clone(&snapshot));
        Ok(snapshot)
    }

    /// Forgets the snapshot after a change committed here (two changes within the same
    /// instant leave the version as it was); other instances follow the version.
    pub async fn invalidate(&self) {
        *self.current.lock().await = None;
    }
}

/// Every technology the published products use, most used first, counted on the products'
/// snapshot (the pages and the API do not read every product again).
pub async fn technology_uses(state: &crate::AppState) -> Result<Vec<db::products::TechnologyUse>, ShowcaseError> {
    let snapshot = state.products.snapshot(&state.db).await?;
    Ok(db::products::technology_uses_in(state.db.conn(), snapshot.products.values()).await?)
}

/// The URL parameters of `/projets` (and its API), as read: unknown values are kept so that
/// the page says they match nothing rather than silently widening the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductParams {
    pub q: String,
    /// Per facet, the slugs asked for, in `ProductFacet::ALL` order.
    pub filters: [Vec<String>; PRODUCT_FACETS],
    pub sort: ProductSort,
    pub page: usize,
}

pub const PER_PAGE: usize = 20;

/// The URL parameter of each facet.
pub fn param(f: ProductFacet) -> &'static str {
    match f {
        ProductFacet::Ministry => "ministere",
        ProductFacet::Employer => "employeur",
        ProductFacet::Phase => "phase",
        ProductFacet::Technology => "techno",
        ProductFacet::Theme => "thematique",
        ProductFacet::Audience => "public",
        ProductFacet::Method => "methode",
    }
}

pub fn legend(f: ProductFacet) -> &'static str {
    match f {
        ProductFacet::Ministry => "Ministère",
        ProductFacet::Employer => "Employeur",
        ProductFacet::Phase => "Phase",
        ProductFacet::Technology => "Technologie",
        ProductFacet::Theme => "Thématique",
        ProductFacet::Audience => "Public",
        ProductFacet::Method => "Méthodes",
    }
}

/// A refused parameter, worded for people and programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadParam {
    pub param: &'static str,
    pub message: String,
}

impl ProductParams {
    pub fn parse(raw: &str) -> Result<Self, BadParam> {
        let mut p = Self { page: 1, ..Default::default() };
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let v = v.trim();
            match k.as_ref() {
                "q" => p.q = v.chars().take(200).collect(),
                "tri" => {
                    p.sort = match v {
                        "" | "activite" => ProductSort::Activity,
                        "nom" => ProductSort::Name,
                        _ => {
                            return Err(BadParam {
                                param: "tri",
                                message: format!("tri inconnu « {} » : activite ou nom", short(v)),
                            });
                        }
                    }
                }
                "page" => {
                    p.page = v.parse::<usize>().ok().filter(|n| (1..=10_000).contains(n)).ok_or_else(|| BadParam {
                        param: "page",
                        message: format!("numéro de page invalide « {} »", short(v)),
                    })?;
                }
                key => {
                    if let Some(f) = ProductFacet::ALL.into_iter().find(|f| param(*f) == key)
                        && !v.is_empty()
                    {
                        let slugs = &mut p.filters[f.index()];
                        if slugs.len() < 50 && !slugs.iter().any(|s| s == v) {
                            slugs.push(v.chars().take(100).collect());
                        }
                    }
                }
            }
        }
        Ok(p)
    }

    /// The parameters as a query string (without `page` when it is 1), in a stable order.
    pub fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        for f in ProductFacet::ALL {
            for v in &self.filters[f.index()] {
                s.append_pair(param(f), v);
            }
        }
        if self.sort == ProductSort::Name {
            s.append_pair("tri", "nom");
        }
        if self.page > 1 {
            s.append_pair("page", &self.page.to_string());
        }
        s.finish()
    }

    pub fn url(&self, base: &str) -> String {
        let q = self.query_string();
        if q.is_empty() { base.to_string() } else { format!("{base}?{q}") }
    }

    pub fn active_filters(&self) -> usize {
        self.filters.iter().map(Vec::len).sum()
    }
}

fn short(v: &str) -> String {
    v.chars().take(40).collect()
}

/// A search run: its results and the snapshot they refer to.
#[derive(Debug)]
pub struct Found {
    pub snapshot: Arc<Snapshot>,
    pub results: ProductResults,
    pub per_page: usize,
}

impl Found {
    /// The products of this page, in order.
    pub fn products(&self) -> Vec<&ProductView> {
        self.results.hits.iter().filter_map(|h| self.snapshot.products.get(&h.id)).collect()
    }
}

/// Runs `params` on the current products.
pub async fn execute(
    products: &ProductSearch,
    db: &Db,
    params: &ProductParams,
    per_page: usize,
) -> Result<Found, ShowcaseError> {
    let snapshot = products.snapshot(db).await?;
    let mut filters: [Vec<u64>; PRODUCT_FACETS] = Default::default();
    for f in ProductFacet::ALL {
        let slugs = &params.filters[f.index()];
        let dict = &snapshot.dictionaries[f.index()];
        filters[f.index()] = slugs.iter().filter_map(|s| dict.lookup(s)).collect();
        // Values that exist nowhere still filter: they match nothing.
        if filters[f.index()].is_empty() && !slugs.is_empty() {
            filters[f.index()].push(u64::MAX);
        }
    }
    let results = snapshot.index.search(&ProductQuery {
        text: params.q.clone(),
        filters,
        sort: params.sort,
        offset: (params.page.saturating_sub(1)).saturating_mul(per_page),
        limit: per_page,
    })?;
    Ok(Found { snapshot, results, per_page })
}

/// The label of the product's accessibility, phase: what cards show.
pub fn phase_label(p: Option<Phase>) -> &'static str {
    p.map(Phase::label).unwrap_or("Phase non renseignée")
}

pub fn accessibility_label(a: Option<Accessibility>) -> &'static str {
    a.map(Accessibility::label).unwrap_or("Non déclarée")
}
