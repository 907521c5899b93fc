//! One pass over the matching documents: keeps those that pass every filter and, at the same
//! time, counts each facet's values over the documents that pass every *other* filter
//! (standard faceting: a facet's counts do not depend on its own selection).

use crate::{FACETS, SearchQuery};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

#[derive(Debug, Clone, Copy)]
pub struct Match {
    pub id: u64,
    pub score: Score,
    pub published_at: i64,
    pub salary: Option<u64>,
    pub address: DocAddress,
}

/// Facet values are small integers (list positions, database ids): counters are dense
/// vectors, far cheaper than hash maps on the hot path.
#[derive(Debug, Default)]
pub struct Fruit {
    pub matches: Vec<Match>,
    pub counts: [Vec<u64>; FACETS],
}

/// Values past this bound are ignored in counts (no real facet gets near it).
const MAX_VALUE: u64 = 1 << 22;

#[inline]
fn bump(counts: &mut Vec<u64>, v: u64) {
    if v >= MAX_VALUE {
        return;
    }
    let i = v as usize;
    if i >= counts.len() {
        counts.resize(i + 1, 0);
    }
    counts[i] += 1;
}

/// Facets that hold at most one value per offer: read with `first`, cheaper than iterating.
const SINGLE: [bool; FACETS] = [false, true, false, true, true, true, true, true, true, true];

pub struct Matches<'a> {
    pub query: &'a SearchQuery,
    pub scoring: bool,
}

impl Collector for Matches<'_> {
    type Fruit = Fruit;
    type Child = SegmentMatches;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentMatches> {
        let ff = reader.fast_fields();
        let mut facets = Vec::with_capacity(FACETS);
        for f in crate::Facet::ALL {
            facets.push(ff.u64(f.field())?);
        }
        let mut filters: [Vec<u64>; FACETS] = Default::default();
        for (i, values) in self.query.filters.iter().enumerate() {
            let mut v = values.clone();
            v.sort_unstable();
            v.dedup();
            filters[i] = v;
        }
        Ok(SegmentMatches {
            segment,
            id: ff.u64("id")?,
            salary: ff.u64("salary")?,
            published: ff.i64("published")?,
            expires: ff.i64("expires")?,
            facets,
            filters,
            salary_min: self.query.salary_min,
            now: self.query.now,
            fruit: Fruit::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut out = Fruit::default();
        for fruit in fruits {
            out.matches.extend(fruit.matches);
            for (acc, counts) in out.counts.iter_mut().zip(fruit.counts) {
                if acc.len() < counts.len() {
                    acc.resize(counts.len(), 0);
                }
                for (a, n) in acc.iter_mut().zip(counts) {
                    *a += n;
                }
            }
        }
        Ok(out)
    }
}

pub struct SegmentMatches {
    segment: SegmentOrdinal,
    id: Column<u64>,
    salary: Column<u64>,
    published: Column<i64>,
    expires: Column<i64>,
    facets: Vec<Column<u64>>,
    filters: [Vec<u64>; FACETS],
    salary_min: Option<u64>,
    now: i64,
    fruit: Fruit,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.expires.first(doc).is_some_and(|end| end <= self.now) {
            return;
        }
        let salary = self.salary.first(doc);
        if let Some(min) = self.salary_min {
            if salary.is_none_or(|s| s < min) {
                return;
            }
        }
        let mut failing = None;
        for (f, wanted) in self.filters.iter().enumerate() {
            if wanted.is_empty() {
                continue;
            }
            let ok = if SINGLE[f] {
                self.facets[f].first(doc).is_some_and(|v| wanted.binary_search(&v).is_ok())
            } else {
                self.facets[f].values_for_doc(doc).any(|v| wanted.binary_search(&v).is_ok())
            };
            if !ok {
                if failing.is_some() {
                    return; // fails two filters: counts for no facet
                }
                failing = Some(f);
            }
        }
        match failing {
            None => {
                for (f, column) in self.facets.iter().enumerate() {
                    if SINGLE[f] {
                        if let Some(v) = column.first(doc) {
                            bump(&mut self.fruit.counts[f], v);
                        }
                    } else {
                        for v in column.values_for_doc(doc) {
                            bump(&mut self.fruit.counts[f], v);
                        }
                    }
                }
                self.fruit.matches.push(Match {
                    id: self.id.first(doc).unwrap_or_default(),
                    score,
                    published_at: self.published.first(doc).unwrap_or_default(),
                    salary,
                    address: DocAddress::new(self.segment, doc),
                });
            }
            Some(f) => {
                for v in self.facets[f].values_for_doc(doc) {
                    bump(&mut self.fruit.counts[f], v);
                }
            }
        }
    }

    fn harvest(self) -> Fruit {
        self.fruit
    }
}
