//! One pass over the matching documents (of any layout: offers, products): keeps those that pass every filter and, at the same
//! time, counts each facet's values over the documents that pass every *other* filter
//! (standard faceting: a facet's counts do not depend on its own selection).
//!
//! The per-document values are read from `SegmentColumns`, plain arrays decoded once per
//! (immutable) segment, because this loop runs over every match of a query, often the whole
//! catalogue: it must cost nanoseconds per document.

use crate::engine::{Layout, Query, Sort};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

const NONE: u32 = u32::MAX;

/// A segment's fast fields, decoded into arrays indexed by document.
#[derive(Debug)]
pub struct SegmentColumns {
    id: Vec<u64>,
    salary: Vec<u32>,
    published: Vec<i64>,
    expires: Vec<i64>,
    /// Whether each facet holds at most one value per document.
    is_single: Vec<bool>,
    /// Single-valued facets: one value per document (`NONE` when absent).
    single: Vec<Vec<u32>>,
    /// Multi-valued facets: `offsets[doc]..offsets[doc + 1]` in `values`.
    multi: Vec<(Vec<u32>, Vec<u32>)>,
    /// Largest value of each facet, to size counters once.
    max: Vec<u32>,
}

impl SegmentColumns {
    pub fn load(reader: &SegmentReader, layout: &Layout) -> tantivy::Result<Self> {
        let ff = reader.fast_fields();
        let n = reader.max_doc();
        let id_col = ff.u64("id")?;
        let salary_col = ff.u64("salary")?;
        let published_col = ff.i64("published")?;
        let expires_col = ff.i64("expires")?;
        let facets = layout.facets.len();
        let mut single: Vec<Vec<u32>> = vec![Vec::new(); facets];
        let mut multi: Vec<(Vec<u32>, Vec<u32>)> = vec![Default::default(); facets];
        let mut max = vec![0u32; facets];
        let clamp = |v: u64| u32::try_from(v).unwrap_or(NONE - 1);
        for (i, f) in layout.facets.iter().enumerate() {
            let col = ff.u64(f.field)?;
            if f.single {
                single[i] = (0..n).map(|d| col.first(d).map(clamp).unwrap_or(NONE)).collect();
                max[i] = single[i].iter().copied().filter(|v| *v != NONE).max().unwrap_or(0);
            } else {
                let (offsets, values) = &mut multi[i];
                offsets.reserve(n as usize + 1);
                offsets.push(0);
                for d in 0..n {
                    values.extend(col.values_for_doc(d).map(clamp));
                    offsets.push(values.len() as u32);
                }
                max[i] = values.iter().copied().max().unwrap_or(0);
            }
        }
        Ok(Self {
            id: (0..n).map(|d| id_col.first(d).unwrap_or_default()).collect(),
            salary: (0..n).map(|d| salary_col.first(d).map(clamp).unwrap_or(NONE)).collect(),
            published: (0..n).map(|d| published_col.first(d).unwrap_or_default()).collect(),
            expires: (0..n).map(|d| expires_col.first(d).unwrap_or(i64::MAX)).collect(),
            is_single: layout.facets.iter().map(|f| f.single).collect(),
            single,
            multi,
            max,
        })
    }

    #[inline]
    fn values(&self, f: usize, doc: usize) -> &[u32] {
        if self.is_single[f] {
            let v = &self.single[f][doc..doc + 1];
            if v[0] == NONE { &[] } else { v }
        } else {
            let (offsets, values) = &self.multi[f];
            &values[offsets[doc] as usize..offsets[doc + 1] as usize]
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Match {
    pub id: u64,
    pub score: Score,
    pub published_at: i64,
    pub salary: Option<u64>,
    pub address: DocAddress,
}

impl Match {
    /// The order of results, larger first: the sort's own key, then newest, then id.
    pub fn key(&self, sort: Sort, scoring: bool) -> (u64, i64, u64) {
        let primary = match sort {
            // Scores are never negative, so their bits order like the numbers.
            Sort::Relevance if scoring => u64::from(self.score.max(0.0).to_bits()),
            Sort::Relevance | Sort::Date => 0,
            Sort::Number => self.salary.unwrap_or(0),
        };
        (primary, self.published_at, self.id)
    }
}

/// A match with its sort key, ordered by the key only.
#[derive(Debug, Clone, Copy)]
struct Keyed((u64, i64, u64), Match);

impl PartialEq for Keyed {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Keyed {}
impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

#[derive(Debug, Default)]
pub struct Fruit {
    /// The best `offset + limit` matches, in no particular order.
    pub matches: Vec<Match>,
    /// How many documents matched.
    pub total: usize,
    pub counts: Vec<Vec<u64>>,
    /// Per step of the layout's number steps, how many documents reach it (every filter
    /// applied but the number's own).
    pub salary: Vec<u64>,
}

pub struct Matches<'a> {
    pub layout: &'a Layout,
    pub query: &'a Query,
    pub scoring: bool,
    /// How many of the best matches to keep (`offset + limit`).
    pub keep: usize,
    pub columns: &'a HashMap<SegmentOrdinal, Arc<SegmentColumns>>,
}

impl Collector for Matches<'_> {
    type Fruit = Fruit;
    type Child = SegmentMatches;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentMatches> {
        let columns = match self.columns.get(&segment) {
            Some(c) => Arc::clone(c),
            None => Arc::new(SegmentColumns::load(reader, self.layout)?),
        };
        let facets = self.layout.facets.len();
        let mut filters: Vec<Vec<u32>> = vec![Vec::new(); facets];
        for (i, values) in self.query.filters.iter().enumerate().take(facets) {
            let mut v: Vec<u32> = values.iter().filter_map(|x| u32::try_from(*x).ok()).collect();
            v.sort_unstable();
            v.dedup();
            // A filter whose values are all impossible still filters (everything out).
            if v.is_empty() && !values.is_empty() {
                v.push(NONE);
            }
            filters[i] = v;
        }
        let counts = columns.max.iter().map(|m| vec![0u64; *m as usize + 1]).collect();
        Ok(SegmentMatches {
            segment,
            columns,
            active: filters.iter().map(|f| !f.is_empty()).collect(),
            filters,
            salary_min: self.query.number_min.map(|s| u32::try_from(s).unwrap_or(NONE - 1)),
            now: self.query.now,
            only: self.query.only.as_ref().map(|ids| {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids
            }),
            sort: self.query.sort,
            scoring: self.scoring,
            keep: self.keep,
            best: BinaryHeap::with_capacity(self.keep.min(4096) + 1),
            steps: self.layout.steps,
            fruit: Fruit { matches: Vec::new(), total: 0, counts, salary: vec![0; self.layout.steps.len()] },
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut out = Fruit {
            counts: vec![Vec::new(); self.layout.facets.len()],
            salary: vec![0; self.layout.steps.len()],
            ..Fruit::default()
        };
        for fruit in fruits {
            out.matches.extend(fruit.matches);
            out.total += fruit.total;
            for (acc, counts) in out.counts.iter_mut().zip(fruit.counts) {
                if acc.len() < counts.len() {
                    acc.resize(counts.len(), 0);
                }
                for (a, n) in acc.iter_mut().zip(counts) {
                    *a += n;
                }
            }
            for (a, n) in out.salary.iter_mut().zip(fruit.salary) {
                *a += n;
            }
        }
        Ok(out)
    }
}

pub struct SegmentMatches {
    segment: SegmentOrdinal,
    columns: Arc<SegmentColumns>,
    filters: Vec<Vec<u32>>,
    active: Vec<bool>,
    steps: &'static [u64],
    salary_min: Option<u32>,
    now: i64,
    /// Sorted: the only documents that may match.
    only: Option<Vec<u64>>,
    sort: Sort,
    scoring: bool,
    keep: usize,
    /// A min-heap of the best matches so far.
    best: BinaryHeap<Reverse<Keyed>>,
    fruit: Fruit,
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let c = &*self.columns;
        let d = doc as usize;
        if c.expires[d] <= self.now {
            return;
        }
        if let Some(only) = &self.only
            && only.binary_search(&c.id[d]).is_err()
        {
            return;
        }
        let salary = c.salary[d];
        // The salary is one more filter: a document failing it only still counts for the
        // salary steps, as one failing a facet only counts for that facet.
        let salary_fails = self.salary_min.is_some_and(|min| salary == NONE || salary < min);
        let mut failing = None;
        for f in 0..self.filters.len() {
            if !self.active[f] {
                continue;
            }
            let wanted = &self.filters[f];
            let ok = c.values(f, d).iter().any(|v| wanted.binary_search(v).is_ok());
            if !ok {
                if failing.is_some() || salary_fails {
                    return; // fails two filters: counts for no facet
                }
                failing = Some(f);
            }
        }
        if failing.is_none() && salary != NONE {
            for (step, n) in self.steps.iter().zip(self.fruit.salary.iter_mut()) {
                *n += u64::from(u64::from(salary) >= *step);
            }
        }
        if salary_fails {
            return;
        }
        match failing {
            None => {
                for f in 0..self.filters.len() {
                    for &v in c.values(f, d) {
                        self.fruit.counts[f][v as usize] += 1;
                    }
                }
                self.fruit.total += 1;
                if self.keep == 0 {
                    return;
                }
                let m = Match {
                    id: c.id[d],
                    score,
                    published_at: c.published[d],
                    salary: (salary != NONE).then_some(u64::from(salary)),
                    address: DocAddress::new(self.segment, doc),
                };
                let keyed = Keyed(m.key(self.sort, self.scoring), m);
                if self.best.len() < self.keep {
                    self.best.push(Reverse(keyed));
                } else if self.best.peek().is_some_and(|Reverse(worst)| keyed > *worst) {
                    self.best.pop();
                    self.best.push(Reverse(keyed));
                }
            }
            Some(f) => {
                for &v in c.values(f, d) {
                    self.fruit.counts[f][v as usize] += 1;
                }
            }
        }
    }

    fn harvest(mut self) -> Fruit {
        self.fruit.matches = self.best.into_iter().map(|Reverse(Keyed(_, m))| m).collect();
        self.fruit
    }
}
