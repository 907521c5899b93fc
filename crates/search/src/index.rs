//! The tantivy implementation of `SearchBackend`.

use crate::analyzer::{self, FRENCH};
use crate::collector::{Fruit, Match, Matches, SegmentColumns};
use crate::{Facet, Hit, OfferDoc, Result, SALARY_STEPS, SearchBackend, SearchQuery, SearchResults, Sort};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

/// Bumped whenever the schema or the analyzer changes, or what the documents hold must be read
/// again (2: imported offers without a deadline got one): an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// Relative weights: title over profession over employer over the rest.
const BOOST_TITLE: f32 = 10.0;
const BOOST_TITLE_FUZZY: f32 = 3.0;
const BOOST_PROFESSION: f32 = 4.0;
const BOOST_EMPLOYER: f32 = 2.0;
const BOOST_TEXT: f32 = 1.0;

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    profession: Field,
    employer: Field,
    text: Field,
    facets: [Field; crate::FACETS],
    salary: Field,
    published: Field,
    expires: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default().set_tokenizer(FRENCH).set_index_option(IndexRecordOption::WithFreqs);
    let text = TextOptions::default().set_indexing_options(indexing);
    let id = b.add_u64_field("id", INDEXED | FAST | STORED);
    let title = b.add_text_field("title", text.clone());
    let profession = b.add_text_field("profession", text.clone());
    let employer = b.add_text_field("employer", text.clone());
    let body = b.add_text_field("text", text.set_stored());
    let facets = Facet::ALL.map(|f| b.add_u64_field(f.field(), FAST));
    let salary = b.add_u64_field("salary", FAST);
    let published = b.add_i64_field("published", FAST);
    let expires = b.add_i64_field("expires", FAST);
    (b.build(), Fields { id, title, profession, employer, text: body, facets, salary, published, expires })
}

pub struct TantivyIndex {
    _index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Decoded fast fields of each segment (segments never change once written).
    columns: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl std::fmt::Debug for TantivyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TantivyIndex").field("docs", &self.reader.searcher().num_docs()).finish()
    }
}

impl TantivyIndex {
    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    /// Opens the index stored in `dir`, or creates it; an index of another schema version is
    /// wiped first. Returns whether it was (re)created empty.
    pub fn open_or_create(dir: &Path) -> Result<(Self, bool)> {
        let (schema, fields) = schema();
        let version_file = dir.join("schema-version");
        let current = std::fs::read_to_string(&version_file).ok().and_then(|v| v.trim().parse::<u32>().ok());
        let usable = current == Some(SCHEMA_VERSION) && dir.join("meta.json").is_file();
        if !usable && dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let index = if usable {
            Index::open_in_dir(dir)?
        } else {
            let index = Index::create_in_dir(dir, schema)?;
            std::fs::write(&version_file, SCHEMA_VERSION.to_string())?;
            index
        };
        Ok((Self::from_index(index, fields)?, !usable))
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self> {
        index.tokenizers().register(FRENCH, analyzer::french());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        // One indexing thread with a small arena: offers arrive a few at a time, and the
        // process must stay small next to the web server.
        let writer = index.writer_with_num_threads(1, 20_000_000)?;
        Ok(Self { _index: index, reader, writer: Mutex::new(writer), fields, columns: Mutex::new(HashMap::new()) })
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
                    let c = Arc::new(SegmentColumns::load(reader)?);
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

    fn text_query(&self, text: &str, fuzzy: bool) -> Option<Box<dyn Query>> {
        let terms = analyzer::terms(text);
        if terms.is_empty() {
            return None;
        }
        let f = self.fields;
        let per_term: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .take(32)
            .map(|t| {
                let term = |field| Term::from_field_text(field, t);
                let boosted = |field, boost| -> (Occur, Box<dyn Query>) {
                    let q = TermQuery::new(term(field), IndexRecordOption::WithFreqs);
                    (Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost)))
                };
                let mut fields = vec![
                    boosted(f.title, BOOST_TITLE),
                    boosted(f.profession, BOOST_PROFESSION),
                    boosted(f.employer, BOOST_EMPLOYER),
                    boosted(f.text, BOOST_TEXT),
                ];
                // One typo tolerated on titles, for words long enough not to match everything.
                if fuzzy && t.chars().count() >= 5 {
                    let fuzzy = FuzzyTermQuery::new(term(f.title), 1, true);
                    fields.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), BOOST_TITLE_FUZZY))));
                }
                (Occur::Must, Box::new(BooleanQuery::new(fields)) as Box<dyn Query>)
            })
            .collect();
        Some(Box::new(BooleanQuery::new(per_term)))
    }
}

impl SearchBackend for TantivyIndex {
    fn search(&self, q: &SearchQuery) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let columns = self.segment_columns(&searcher)?;
        let keep = q.offset.saturating_add(q.limit);
        // Exact words first; only when they find nothing, the same words with one typo
        // tolerated on titles (fuzzy matching is the expensive part of a query).
        let mut text_query = self.text_query(&q.text, false);
        let mut scoring = text_query.is_some() && q.sort == Sort::Relevance;
        let mut fruit = match &text_query {
            None => self.collect_all(&searcher, &Matches { query: q, scoring, keep, columns: &columns })?,
            Some(query) => searcher.search(&**query, &Matches { query: q, scoring, keep, columns: &columns })?,
        };
        if fruit.total == 0
            && let Some(fuzzy) = self.text_query(&q.text, true)
        {
            fruit = searcher.search(&*fuzzy, &Matches { query: q, scoring, keep, columns: &columns })?;
            text_query = Some(fuzzy);
            scoring = q.sort == Sort::Relevance;
        }
        let query: Box<dyn Query> = text_query.unwrap_or_else(|| Box::new(AllQuery));
        let total = fruit.total;
        fruit.matches.sort_unstable_by_key(|m| std::cmp::Reverse(m.key(q.sort, scoring)));
        let page: Vec<Match> = fruit.matches.into_iter().skip(q.offset).take(q.limit).collect();

        let snippets = if scoring && !page.is_empty() {
            let mut generator = SnippetGenerator::create(&searcher, &*query, self.fields.text)?;
            generator.set_max_num_chars(220);
            Some(generator)
        } else {
            None
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
        let facets = fruit.counts.map(|counts| {
            let mut v: Vec<(u64, u64)> =
                counts.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(i, n)| (i as u64, n)).collect();
            v.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        });
        let salary = SALARY_STEPS.iter().copied().zip(fruit.salary).collect();
        Ok(SearchResults { total, hits, facets, salary })
    }

    fn upsert(&self, docs: &[OfferDoc]) -> Result<()> {
        let f = self.fields;
        let writer = self.writer();
        for d in docs {
            writer.delete_term(Term::from_field_u64(f.id, d.id));
            let mut doc = doc!(
                f.id => d.id,
                f.title => d.title.as_str(),
                f.profession => d.profession.as_str(),
                f.employer => d.employer.as_str(),
                f.text => d.text.as_str(),
                f.published => d.published_at,
                f.expires => d.expires_at.unwrap_or(i64::MAX),
            );
            if let Some(s) = d.salary_max {
                doc.add_u64(f.salary, s);
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

    fn remove(&self, ids: &[u64]) -> Result<()> {
        let writer = self.writer();
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id));
        }
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    fn commit(&self) -> Result<()> {
        self.writer().commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
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
