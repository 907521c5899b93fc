//! The offers' index: the engine with the offers' layout, behind `SearchBackend`.

use crate::engine::{self, Doc, Engine, FacetField, Layout, TextField};
use crate::{FACETS, Facet, OfferDoc, Result, SALARY_STEPS, SearchBackend, SearchQuery, SearchResults, Sort};
use std::path::Path;

/// Bumped whenever the schema or the analyzer changes, or what the documents hold must be read
/// again (2: imported offers without a deadline got one): an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Relative weights: title over profession over employer over the rest; one typo tolerated on
/// titles.
const TEXTS: &[TextField] = &[
    TextField { name: "title", boost: 10.0, fuzzy: Some(3.0) },
    TextField { name: "profession", boost: 4.0, fuzzy: None },
    TextField { name: "employer", boost: 2.0, fuzzy: None },
    TextField { name: "text", boost: 1.0, fuzzy: None },
];

const fn facet(f: Facet, single: bool) -> FacetField {
    FacetField { field: f.field(), single }
}

/// In `Facet::ALL` order; domains and contract types hold several values per offer.
const FACET_FIELDS: &[FacetField] = &[
    facet(Facet::Domain, false),
    facet(Facet::Profession, true),
    facet(Facet::Contract, false),
    facet(Facet::Category, true),
    facet(Facet::Versant, true),
    facet(Facet::Region, true),
    facet(Facet::Departement, true),
    facet(Facet::Remote, true),
    facet(Facet::Experience, true),
    facet(Facet::Employer, true),
];

pub static OFFERS: Layout = Layout { texts: TEXTS, facets: FACET_FIELDS, steps: &SALARY_STEPS };

#[derive(Debug)]
pub struct TantivyIndex {
    engine: Engine,
}

impl TantivyIndex {
    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        Ok(Self { engine: Engine::in_memory(&OFFERS)? })
    }

    /// Opens the index stored in `dir`, or creates it; an index of another schema version is
    /// wiped first. Returns whether it was (re)created empty.
    pub fn open_or_create(dir: &Path) -> Result<(Self, bool)> {
        let (engine, fresh) = Engine::open_or_create(&OFFERS, dir, SCHEMA_VERSION)?;
        Ok((Self { engine }, fresh))
    }
}

fn to_doc(d: &OfferDoc) -> Doc {
    Doc {
        id: d.id,
        texts: vec![d.title.clone(), d.profession.clone(), d.employer.clone(), d.text.clone()],
        facets: d.facets.to_vec(),
        number: d.salary_max,
        date: d.published_at,
        expires: d.expires_at,
    }
}

impl SearchBackend for TantivyIndex {
    fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let r = self.engine.search(&engine::Query {
            text: q.text.clone(),
            filters: q.filters.to_vec(),
            number_min: q.salary_min,
            sort: match q.sort {
                Sort::Relevance => engine::Sort::Relevance,
                Sort::Date => engine::Sort::Date,
                Sort::Salary => engine::Sort::Number,
            },
            offset: q.offset,
            limit: q.limit,
            now: q.now,
            only: q.only.clone(),
        })?;
        let mut facets: [Vec<(u64, u64)>; FACETS] = Default::default();
        for (slot, counts) in facets.iter_mut().zip(r.facets) {
            *slot = counts;
        }
        Ok(SearchResults { total: r.total, hits: r.hits, facets, salary: r.steps })
    }

    fn upsert(&self, docs: &[OfferDoc]) -> Result<()> {
        self.engine.upsert(&docs.iter().map(to_doc).collect::<Vec<_>>())
    }

    fn remove(&self, ids: &[u64]) -> Result<()> {
        self.engine.remove(ids)
    }

    fn clear(&self) -> Result<()> {
        self.engine.clear()
    }

    fn commit(&self) -> Result<()> {
        self.engine.commit()
    }

    fn len(&self) -> u64 {
        self.engine.len()
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::FACETS;

    fn doc(id: u64, title: &str, region: u64, category: u64, published_at: i64) -> OfferDoc {
        let mut facets: [Vec<u64>; FACETS] = Default::default();
        facets[Facet::Region.index()] = vec![region];
        facets[Facet::Category.index()] = vec![category];
        facets[Facet::Contract.index()] = vec![1, 2];
        OfferDoc {
            id,
            title: title.into(),
            profession: String::new(),
            employer: "Direction interministérielle du numérique".into(),
            text: format!("{title} : une mission au service des usagers."),
            facets,
            salary_max: Some(40_000 + id * 1000),
            published_at,
            expires_at: None,
        }
    }

    fn index(docs: &[OfferDoc]) -> TantivyIndex {
        let idx = TantivyIndex::in_memory().expect("index");
        idx.upsert(docs).expect("upsert");
        idx.commit().expect("commit");
        idx
    }

    fn query(text: &str) -> SearchQuery {
        SearchQuery { text: text.into(), limit: 10, now: 1_000, ..Default::default() }
    }

    fn ids(r: &SearchResults) -> Vec<u64> {
        r.hits.iter().map(|h| h.id).collect()
    }

    #[test]
    fn inclusive_forms_and_typos_find_each_other() {
        let idx = index(&[
            doc(1, "Développeuse / Développeur Rust", 11, 1, 10),
            doc(2, "Data scientist", 11, 1, 20),
            doc(3, "Développeur·euse front-end", 84, 2, 30),
        ]);
        for q in ["développeuse", "Développeur", "développeurs", "developpeur", "développeur·euse", "developeur"] {
            let mut found = ids(&idx.search(&query(q)).expect("search"));
            found.sort_unstable();
            assert_eq!(found, vec![1, 3], "{q}");
        }
        assert_eq!(ids(&idx.search(&query("rust developpeuse")).expect("search")), vec![1]);
        assert!(idx.search(&query("boulanger")).expect("search").hits.is_empty());
    }

    #[test]
    fn facet_counts_ignore_their_own_selection() {
        let idx = index(&[doc(1, "A", 11, 1, 1), doc(2, "B", 11, 2, 2), doc(3, "C", 84, 1, 3), doc(4, "D", 84, 2, 4)]);
        let mut q = query("");
        q.filters[Facet::Region.index()] = vec![11];
        let r = idx.search(&q).expect("search");
        assert_eq!(r.total, 2);
        // Région counts ignore the région filter; category counts apply it.
        assert_eq!(r.facets[Facet::Region.index()], vec![(11, 2), (84, 2)]);
        assert_eq!(r.facets[Facet::Category.index()], vec![(1, 1), (2, 1)]);
        q.filters[Facet::Category.index()] = vec![2];
        let r = idx.search(&q).expect("search");
        assert_eq!(ids(&r), vec![2]);
        assert_eq!(r.facets[Facet::Region.index()], vec![(11, 1), (84, 1)]);
        assert_eq!(r.facets[Facet::Category.index()], vec![(1, 1), (2, 1)]);
        // Multi-select inside a facet is an OR.
        q.filters[Facet::Region.index()] = vec![11, 84];
        assert_eq!(idx.search(&q).expect("search").total, 2);
    }

    #[test]
    fn salary_steps_count_like_a_facet() {
        let paid = |id, region, salary| OfferDoc { salary_max: salary, ..doc(id, "Poste", region, 1, id as i64) };
        let idx = index(&[
            paid(1, 11, Some(35_000)),
            paid(2, 11, Some(52_000)),
            paid(3, 84, Some(61_000)),
            paid(4, 11, None),
            paid(5, 11, Some(80_000)),
        ]);
        let steps = |r: &SearchResults| r.salary.iter().map(|(_, n)| *n).collect::<Vec<_>>();
        let mut q = query("");
        let r = idx.search(&q).expect("search");
        assert_eq!(r.salary.first(), Some(&(30_000, 4)), "an offer without a salary counts for no step");
        assert_eq!(steps(&r), vec![4, 3, 3, 2, 1, 1]);
        // Counts apply the other filters, not the salary's own.
        q.filters[Facet::Region.index()] = vec![11];
        q.salary_min = Some(50_000);
        let r = idx.search(&q).expect("search");
        assert_eq!(ids(&r), vec![5, 2]);
        assert_eq!(steps(&r), vec![3, 2, 2, 1, 1, 1]);
        // …and the other facets apply the salary.
        assert_eq!(r.facets[Facet::Region.index()], vec![(11, 2), (84, 1)]);
    }

    #[test]
    fn expired_offers_are_not_found_and_sorts_apply() {
        let mut expired = doc(5, "Archiviste", 11, 1, 50);
        expired.expires_at = Some(999);
        let idx = index(&[doc(1, "A", 11, 1, 10), doc(2, "B", 11, 1, 30), doc(3, "C", 11, 1, 20), expired]);
        let r = idx.search(&query("")).expect("search");
        assert_eq!(ids(&r), vec![2, 3, 1], "by date, newest first");
        let mut q = query("");
        q.sort = Sort::Salary;
        assert_eq!(ids(&idx.search(&q).expect("search")), vec![3, 2, 1]);
        q.salary_min = Some(42_500);
        assert_eq!(ids(&idx.search(&q).expect("search")), vec![3]);
        let mut q = query("");
        q.offset = 1;
        q.limit = 1;
        let r = idx.search(&q).expect("search");
        assert_eq!((r.total, ids(&r)), (3, vec![3]));
        q.offset = 1_000_000;
        assert!(idx.search(&q).expect("search").hits.is_empty());
    }

    #[test]
    fn updates_replace_and_removals_remove() {
        let idx = index(&[doc(1, "Architecte", 11, 1, 10)]);
        idx.upsert(&[doc(1, "Designer", 11, 1, 10)]).expect("upsert");
        idx.commit().expect("commit");
        assert_eq!(idx.len(), 1);
        assert!(idx.search(&query("architecte")).expect("search").hits.is_empty());
        assert_eq!(ids(&idx.search(&query("designer")).expect("search")), vec![1]);
        idx.remove(&[1]).expect("remove");
        idx.commit().expect("commit");
        assert!(idx.is_empty());
    }

    #[test]
    fn snippets_highlight_the_matched_words() {
        let idx = index(&[doc(1, "Développeuse Rust", 11, 1, 10)]);
        let r = idx.search(&query("usagers")).expect("search");
        let snippet = r.hits[0].snippet.clone().expect("snippet");
        assert!(snippet.contains("<b>usagers</b>"), "{snippet}");
    }
}
