//! The one faceting search engine, for any catalogue: a `Layout` names the searched text fields
//! (with their weights) and the facets; documents carry their values in that order. Offers and
//! products are two layouts of it (`offers.rs`, `products.rs`).

use crate::Result;
use crate::analyzer::{self, FRENCH};
use crate::collector::{Fruit, Match, Matches, SegmentColumns};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query as TantivyQuery, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

/// A searched text field and its weight.
#[derive(Debug, Clone, Copy)]
pub struct TextField {
    pub name: &'static str,
    pub boost: f32,
    /// One typo tolerated (when exact words find nothing), with this weight.
    pub fuzzy: Option<f32>,
}

/// A facet: its index field, and whether a document holds at most one value of it.
#[derive(Debug, Clone, Copy)]
pub struct FacetField {
    pub field: &'static str,
    pub single: bool,
}

/// What a catalogue's index holds. The last text field is stored and gives the snippets.
#[derive(Debug)]
pub struct Layout {
    pub texts: &'static [TextField],
    pub facets: &'static [FacetField],
    /// "At least" thresholds of the number (salaries), counted like a facet.
    pub steps: &'static [u64],
}

/// A document of a layout: texts and facets in the layout's order.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub id: u64,
    pub texts: Vec<String>,
    pub facets: Vec<Vec<u64>>,
    /// Filtered by `number_min`, sorted on by `Sort::Number` (salaries; a name's rank).
    pub number: Option<u64>,
    /// Unix seconds: the date sort (publication, latest activity).
    pub date: i64,
    /// Unix seconds; `None` for never: past it, the document is not found.
    pub expires: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
    /// Largest number first.
    Number,
}

#[derive(Debug, Clone, Default)]
pub struct Query {
    pub text: String,
    /// Accepted values per facet (OR inside a facet, AND between facets); empty = no filter.
    pub filters: Vec<Vec<u64>>,
    pub number_min: Option<u64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Unix seconds: documents expired at this instant are not found.
    pub now: i64,
    /// Only these documents (any order), facet counts included; `None`: all.
    pub only: Option<Vec<u64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: u64,
    pub score: f32,
    /// An HTML excerpt of the text with the matched words in `<b>`, already escaped.
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Per facet, `(value, count)` by decreasing count: each facet's counts apply every other
    /// active filter but not its own.
    pub facets: Vec<Vec<(u64, u64)>>,
    /// Per step, `(step, documents reaching it)`, with every filter but the number's own.
    pub steps: Vec<(u64, u64)>,
}

#[derive(Debug, Clone)]
struct Fields {
    id: Field,
    texts: Vec<Field>,
    facets: Vec<Field>,
    number: Field,
    date: Field,
    expires: Field,
}

fn schema(layout: &Layout) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default().set_tokenizer(FRENCH).set_index_option(IndexRecordOption::WithFreqs);
    let text = TextOptions::default().set_indexing_options(indexing);
    let id = b.add_u64_field("id", INDEXED | FAST | STORED);
    let last = layout.texts.len().saturating_sub(1);
    let texts = layout
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| b.add_text_field(t.name, if i == last { text.clone().set_stored() } else { text.clone() }))
        .collect();
    let facets = layout.facets.iter().map(|f| b.add_u64_field(f.field, FAST)).collect();
    // Named after the offers' columns, so that existing offer indexes stay readable.
    let number = b.add_u64_field("salary", FAST);
    let date = b.add_i64_field("published", FAST);
    let expires = b.add_i64_field("expires", FAST);
    (b.build(), Fields { id, texts, facets, number, date, expires })
}

pub struct Engine {
    layout: &'static Layout,
    _index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Decoded fast fields of each segment (segments never change once written).
    columns: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("docs", &self.reader.searcher().num_docs()).finish()
    }
}

impl Engine {
    /// An index in memory.
    pub fn in_memory(layout: &'static Layout) -> Result<Self> {
        let (schema, fields) = schema(layout);
        Self::from_index(layout, Index::create_in_ram(schema), fields)
    }

    /// Opens the index stored in `dir`, or creates it; an index of another schema version is
    /// wiped first. Returns whether it was (re)created empty.
    pub fn open_or_create(layout: &'static Layout, dir: &Path, version: u32) -> Result<(Self, bool)> {
        let (schema, fields) = schema(layout);
        let version_file = dir.join("schema-version");
        let current = std::fs::read_to_string(&version_file).ok().and_then(|v| v.trim().parse::<u32>().ok());
        let usable = current == Some(version) && dir.join("meta.json").is_file();
        if !usable && dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let index = if usable {
            Index::open_in_dir(dir)?
        } else {
            let index = Index::create_in_dir(dir, schema)?;
            std::fs::write(&version_file, version.to_string())?;
            index
        };
        Ok((Self::from_index(layout, index, fields)?, !usable))
    }

    fn from_index(layout: &'static Layout, index: Index, fields: Fields) -> Result<Self> {
        index.tokenizers().register(FRENCH, analyzer::french());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        // One indexing thread with a small arena: documents arrive a few at a time, and the
        // process must stay small next to the web server.
        let writer = index.writer_with_num_threads(1, 20_000_000)?;
        Ok(Self {
            layout,
            _index: index,
            reader,
            writer: Mutex::new(writer),
            fields,
            columns: Mutex::new(HashMap::new()),
        })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while holding the writer leaves it usable: tantivy rolls back on error.
        self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The decoded columns of every segment of `searcher`, decoding new segments once and
    /// forgetting merged-away ones.
    fn segment_columns(&self, searcher: &tantivy::Searcher) -> Result<HashMap<u32, Arc<SegmentColumns>>> {
        let mut cache = self.columns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = HashMap::new();
        let mut live = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let id = reader.segment_id();
            live.push(id);
            let columns = match cache.get(&id) {
                Some(c) => Arc::clone(c),
                None => {
                    let c = Arc::new(SegmentColumns::load(reader, self.layout)?);
                    cache.insert(id, Arc::clone(&c));
                    c
                }
            };
            out.insert(ord as u32, columns);
        }
        cache.retain(|id, _| live.contains(id));
        Ok(out)
    }

    /// Without words to match, every live document is a candidate: the columns are walked
    /// directly, without the query machinery.
    fn collect_all(&self, searcher: &tantivy::Searcher, matches: &Matches<'_>) -> Result<Fruit> {
        let mut fruits = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let mut segment = matches.for_segment(ord as u32, reader)?;
            let alive = reader.alive_bitset();
            for doc in 0..reader.max_doc() {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    segment.collect(doc, 0.0);
                }
            }
            fruits.push(segment.harvest());
        }
        Ok(matches.merge_fruits(fruits)?)
    }

    fn text_query(&self, text: &str, fuzzy: bool) -> Option<Box<dyn TantivyQuery>> {
        let terms = analyzer::terms(text);
        if terms.is_empty() {
            return None;
        }
        let per_term: Vec<(Occur, Box<dyn TantivyQuery>)> = terms
            .iter()
            .take(32)
            .map(|t| {
                let mut fields: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
                for (spec, field) in self.layout.texts.iter().zip(&self.fields.texts) {
                    let term = Term::from_field_text(*field, t);
                    let q = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                    fields.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), spec.boost))));
                    // One typo tolerated, for words long enough not to match everything.
                    if fuzzy
                        && let Some(boost) = spec.fuzzy
                        && t.chars().count() >= 5
                    {
                        let q = FuzzyTermQuery::new(term, 1, true);
                        fields.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
                    }
                }
                (Occur::Must, Box::new(BooleanQuery::new(fields)) as Box<dyn TantivyQuery>)
            })
            .collect();
        Some(Box::new(BooleanQuery::new(per_term)))
    }

    pub fn search(&self, q: &Query) -> Result<Results> {
        let searcher = self.reader.searcher();
        let columns = self.segment_columns(&searcher)?;
        let keep = q.offset.saturating_add(q.limit);
        let layout = self.layout;
        // Exact words first; only when they find nothing, the same words with one typo
        // tolerated (fuzzy matching is the expensive part of a query).
        let mut text_query = self.text_query(&q.text, false);
        let mut scoring = text_query.is_some() && q.sort == Sort::Relevance;
        let mut fruit = match &text_query {
            None => self.collect_all(&searcher, &Matches { layout, query: q, scoring, keep, columns: &columns })?,
            Some(query) => {
                searcher.search(&**query, &Matches { layout, query: q, scoring, keep, columns: &columns })?
            }
        };
        if fruit.total == 0
            && let Some(fuzzy) = self.text_query(&q.text, true)
        {
            fruit = searcher.search(&*fuzzy, &Matches { layout, query: q, scoring, keep, columns: &columns })?;
            text_query = Some(fuzzy);
            scoring = q.sort == Sort::Relevance;
        }
        let query: Box<dyn TantivyQuery> = text_query.unwrap_or_else(|| Box::new(AllQuery));
        let total = fruit.total;
        fruit.matches.sort_unstable_by_key(|m| std::cmp::Reverse(m.key(q.sort, scoring)));
        let page: Vec<Match> = fruit.matches.into_iter().skip(q.offset).take(q.limit).collect();

        let snippet_field = self.fields.texts.last().copied();
        let snippets = match snippet_field {
            Some(field) if scoring && !page.is_empty() => {
                let mut generator = SnippetGenerator::create(&searcher, &*query, field)?;
                generator.set_max_num_chars(220);
                Some(generator)
            }
            _ => None,
        };
        let mut hits = Vec::with_capacity(page.len());
        for m in page {
            let snippet = match &snippets {
                Some(g) => {
                    let doc: TantivyDocument = searcher.doc(m.address)?;
                    let s = g.snippet_from_doc(&doc);
                    (!s.fragment().is_empty() && !s.highlighted().is_empty()).then(|| s.to_html())
                }
                None => None,
            };
            hits.push(Hit { id: m.id, score: m.score, snippet });
        }
        let mut facets: Vec<Vec<(u64, u64)>> = fruit
            .counts
            .into_iter()
            .map(|counts| {
                let mut v: Vec<(u64, u64)> =
                    counts.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(i, n)| (i as u64, n)).collect();
                v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                v
            })
            .collect();
        facets.resize(layout.facets.len(), Vec::new());
        let steps = layout.steps.iter().copied().zip(fruit.salary).collect();
        Ok(Results { total, hits, facets, steps })
    }

    /// Adds or replaces documents; visible after `commit`.
    pub fn upsert(&self, docs: &[Doc]) -> Result<()> {
        let f = &self.fields;
        let writer = self.writer();
        for d in docs {
            writer.delete_term(Term::from_field_u64(f.id, d.id));
            let mut doc = doc!(
                f.id => d.id,
                f.date => d.date,
                f.expires => d.expires.unwrap_or(i64::MAX),
            );
            for (field, text) in f.texts.iter().zip(&d.texts) {
                doc.add_text(*field, text);
            }
            if let Some(n) = d.number {
                doc.add_u64(f.number, n);
            }
            for (field, values) in f.facets.iter().zip(&d.facets) {
                for v in values {
                    doc.add_u64(*field, *v);
                }
            }
            writer.add_document(doc)?;
        }
        Ok(())
    }

    pub fn remove(&self, ids: &[u64]) -> Result<()> {
        let writer = self.writer();
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id));
        }
        Ok(())
    }

    /// Removes everything (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    pub fn commit(&self) -> Result<()> {
        self.writer().commit()?;
        self.reader.reload()?;
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
