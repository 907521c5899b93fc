//! The products' index (`/projets`): the same engine with the products' layout. Products are
//! few (hundreds, thousands): the index lives in memory and is rebuilt whole when they change.

use crate::engine::{self, Doc, Engine, FacetField, Layout, TextField};
use crate::{Hit, Result};

/// The product facets, in index order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProductFacet {
    Ministry,
    Employer,
    Phase,
    Technology,
    Theme,
    Audience,
    /// Working methods: open source, accessibility declared, the State's design system.
    Method,
}

pub const PRODUCT_FACETS: usize = 7;

impl ProductFacet {
    pub const ALL: [ProductFacet; PRODUCT_FACETS] = [
        ProductFacet::Ministry,
        ProductFacet::Employer,
        ProductFacet::Phase,
        ProductFacet::Technology,
        ProductFacet::Theme,
        ProductFacet::Audience,
        ProductFacet::Method,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

const TEXTS: &[TextField] = &[
    TextField { name: "title", boost: 10.0, fuzzy: Some(3.0) },
    TextField { name: "mission", boost: 4.0, fuzzy: None },
    TextField { name: "tags", boost: 3.0, fuzzy: None },
    TextField { name: "employer", boost: 2.0, fuzzy: None },
    TextField { name: "text", boost: 1.0, fuzzy: None },
];

const FACET_FIELDS: &[FacetField] = &[
    FacetField { field: "f_ministry", single: false },
    FacetField { field: "f_employer", single: false },
    FacetField { field: "f_phase", single: true },
    FacetField { field: "f_technology", single: false },
    FacetField { field: "f_theme", single: false },
    FacetField { field: "f_audience", single: false },
    FacetField { field: "f_method", single: false },
];

pub static PRODUCTS: Layout = Layout { texts: TEXTS, facets: FACET_FIELDS, steps: &[] };

/// What the index holds of a product.
#[derive(Debug, Clone, Default)]
pub struct ProductDoc {
    pub id: u64,
    pub title: String,
    pub mission: String,
    /// Technologies, themes, publics: words people search for.
    pub tags: String,
    pub employer: String,
    /// The Markdown body as text.
    pub text: String,
    pub facets: [Vec<u64>; PRODUCT_FACETS],
    /// Unix seconds of its latest activity.
    pub activity_at: i64,
    /// Its place in name order (0 first).
    pub name_rank: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    /// Relevance with words, else the most recently active first.
    #[default]
    Activity,
    Name,
}

#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    pub text: String,
    pub filters: [Vec<u64>; PRODUCT_FACETS],
    pub sort: ProductSort,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, Default)]
pub struct ProductResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: [Vec<(u64, u64)>; PRODUCT_FACETS],
}

#[derive(Debug)]
pub struct ProductIndex {
    engine: Engine,
}

impl ProductIndex {
    /// An index of exactly these products.
    pub fn build(docs: &[ProductDoc]) -> Result<Self> {
        let engine = Engine::in_memory(&PRODUCTS)?;
        let docs: Vec<Doc> = docs
            .iter()
            .map(|d| Doc {
                id: d.id,
                texts: vec![d.title.clone(), d.mission.clone(), d.tags.clone(), d.employer.clone(), d.text.clone()],
                facets: d.facets.to_vec(),
                // Larger first: the first name gets the largest number.
                number: Some(u64::from(u32::MAX - 1 - d.name_rank.min(u32::MAX - 1))),
                date: d.activity_at,
                expires: None,
            })
            .collect();
        engine.upsert(&docs)?;
        engine.commit()?;
        Ok(Self { engine })
    }

    pub fn len(&self) -> u64 {
        self.engine.len()
    }

    pub fn is_empty(&self) -> bool {
        self.engine.is_empty()
    }

    pub fn search(&self, q: &ProductQuery) -> Result<ProductResults> {
        let words = !crate::analyzer::terms(&q.text).is_empty();
        let r = self.engine.search(&engine::Query {
            text: q.text.clone(),
            filters: q.filters.to_vec(),
            number_min: None,
            sort: match q.sort {
                ProductSort::Activity if words => engine::Sort::Relevance,
                ProductSort::Activity => engine::Sort::Date,
                ProductSort::Name => engine::Sort::Number,
            },
            offset: q.offset,
            limit: q.limit,
            now: i64::MIN,
            only: None,
        })?;
        let mut facets: [Vec<(u64, u64)>; PRODUCT_FACETS] = Default::default();
        for (slot, counts) in facets.iter_mut().zip(r.facets) {
            *slot = counts;
        }
        Ok(ProductResults { total: r.total, hits: r.hits, facets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u64, title: &str, mission: &str, phase: u64, techs: &[u64], rank: u32) -> ProductDoc {
        let mut facets: [Vec<u64>; PRODUCT_FACETS] = Default::default();
        facets[ProductFacet::Phase.index()] = vec![phase];
        facets[ProductFacet::Technology.index()] = techs.to_vec();
        ProductDoc {
            id,
            title: title.into(),
            mission: mission.into(),
            activity_at: id as i64 * 100,
            name_rank: rank,
            facets,
            ..Default::default()
        }
    }

    fn ids(r: &ProductResults) -> Vec<u64> {
        r.hits.iter().map(|h| h.id).collect()
    }

    #[test]
    fn products_are_searched_faceted_and_sorted() {
        let idx = ProductIndex::build(&[
            doc(1, "Zéro papier", "Dématérialiser les démarches", 1, &[1, 2], 2),
            doc(2, "Accessibilité facile", "Rendre les sites accessibles", 2, &[2], 0),
            doc(3, "Data santé", "Les données de santé ouvertes", 2, &[3], 1),
        ])
        .expect("index");
        let q = |text: &str| ProductQuery { text: text.into(), limit: 10, ..Default::default() };
        assert_eq!(ids(&idx.search(&q("accessibles")).expect("search")), vec![2]);
        assert_eq!(ids(&idx.search(&q("données de santé")).expect("search")), vec![3]);
        let all = idx.search(&q("")).expect("search");
        assert_eq!(ids(&all), vec![3, 2, 1], "most recently active first");
        assert_eq!(all.facets[ProductFacet::Technology.index()], vec![(2, 2), (1, 1), (3, 1)]);
        let mut by_name = q("");
        by_name.sort = ProductSort::Name;
        assert_eq!(ids(&idx.search(&by_name).expect("search")), vec![2, 3, 1]);
        let mut filtered = q("");
        filtered.filters[ProductFacet::Technology.index()] = vec![2];
        filtered.filters[ProductFacet::Phase.index()] = vec![2];
        let r = idx.search(&filtered).expect("search");
        assert_eq!(ids(&r), vec![2]);
        // The phase counts ignore the phase filter, not the technology's.
        assert_eq!(r.facets[ProductFacet::Phase.index()], vec![(1, 1), (2, 1)]);
    }
}
