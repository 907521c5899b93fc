//! The search service: keeps the index in step with the database (following `updated_at`),
//! and translates between URL parameters (DESIGN.md §4) and index queries.

use chrono::{DateTime, Duration, Utc};
use db::Db;
use db::listing::IndexRow;
use domain::Clock;
use domain::offer::{Category, ContractType, Experience, Remote, Versant};
use search::{FACETS, Facet, OfferDoc, SearchBackend, Sort};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Search(#[from] search::SearchError),
    #[error("repère de synchronisation : {0}")]
    Mark(#[from] std::io::Error),
}

/// Where the index is in the stream of changes: `(updated_at, id)` of the last row read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Cursor {
    since: Option<DateTime<Utc>>,
    after_id: i64,
}

/// Changes made by a transaction that committed late, or by an instance whose clock is a bit
/// behind, are caught by re-reading this window at each poll (indexing is idempotent).
const OVERLAP: i64 = 5;
const PAGE: u64 = 1000;

#[derive(Debug)]
pub struct SearchService {
    backend: Arc<dyn SearchBackend>,
    /// Bumped at each change of the index: cached pages of an older generation are stale.
    generation: std::sync::atomic::AtomicU64,
    cursor: tokio::sync::Mutex<Cursor>,
    mark_file: Option<PathBuf>,
}

impl SearchService {
    pub fn in_memory() -> Result<Self, SyncError> {
        let backend = Arc::new(search::TantivyIndex::in_memory()?);
        Ok(Self { backend, generation: Default::default(), cursor: Default::default(), mark_file: None })
    }

    /// Opens the index under `dir`; a missing, other-version or unreadable mark means a full
    /// rebuild at the first sync.
    pub fn open(dir: &Path) -> Result<Self, SyncError> {
        let (index, fresh) = search::TantivyIndex::open_or_create(dir)?;
        let mark_file = dir.join("sync-mark.json");
        let cursor = if fresh {
            Cursor::default()
        } else {
            std::fs::read(&mark_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
        };
        if cursor.since.is_none() && !index.is_empty() {
            index.clear()?;
            index.commit()?;
        }
        Ok(Self {
            backend: Arc::new(index),
            generation: Default::default(),
            cursor: tokio::sync::Mutex::new(cursor),
            mark_file: Some(mark_file),
        })
    }

    pub fn backend(&self) -> &dyn SearchBackend {
        &*self.backend
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Brings the index up to date; returns how many offers were read.
    pub async fn sync(&self, db: &Db, taxonomy: &Taxonomy, now: DateTime<Utc>) -> Result<usize, SyncError> {
        self.sync_with_progress(db, taxonomy, now, |_| {}).await
    }

    pub async fn sync_with_progress(
        &self,
        db: &Db,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
        progress: impl Fn(usize),
    ) -> Result<usize, SyncError> {
        let mut cursor = self.cursor.lock().await;
        let mut read = 0;
        // Re-read the overlap window only while the last change seen is recent: a transaction
        // that commits late does so within seconds of its timestamp. Once changes are older,
        // the exact cursor suffices and an idle poll reads nothing.
        let recent = now - Duration::seconds(2 * OVERLAP);
        let mut next = match cursor.since {
            Some(since) if since > recent => Cursor { since: Some(since - Duration::seconds(OVERLAP)), after_id: 0 },
            _ => cursor.clone(),
        };
        loop {
            let rows = db::listing::index_rows_since(db.conn(), next.since, next.after_id, PAGE).await?;
            let Some(last) = rows.last() else { break };
            next = Cursor { since: Some(last.offer.updated_at), after_id: last.offer.id };
            let (docs, gone): (Vec<&IndexRow>, Vec<&IndexRow>) = rows.iter().partition(|r| r.indexable);
            self.backend.remove(&gone.iter().map(|r| r.offer.id as u64).collect::<Vec<_>>())?;
            self.backend.upsert(&docs.iter().map(|r| taxonomy.doc(r)).collect::<Vec<_>>())?;
            read += rows.len();
            progress(read);
            if (rows.len() as u64) < PAGE {
                break;
            }
        }
        if read > 0 {
            self.backend.commit()?;
            self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            if next.since > cursor.since {
                *cursor = next;
            }
            if let Some(file) = &self.mark_file {
                std::fs::write(file, serde_json::to_vec(&*cursor).unwrap_or_default())?;
            }
        }
        Ok(read)
    }

    /// Empties the index and reads every offer again.
    pub async fn rebuild(
        &self,
        db: &Db,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
        progress: impl Fn(usize),
    ) -> Result<usize, SyncError> {
        {
            let mut cursor = self.cursor.lock().await;
            self.backend.clear()?;
            self.backend.commit()?;
            self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            *cursor = Cursor::default();
        }
        self.sync_with_progress(db, taxonomy, now, progress).await
    }

    /// Follows the database every `period` until the process stops; the taxonomy is read
    /// again about once a minute, so that what an administrator changed on another instance
    /// shows here too.
    pub fn spawn_follower(
        self: Arc<Self>,
        db: Db,
        taxonomy: Arc<TaxonomyCell>,
        clock: Arc<dyn Clock>,
        period: std::time::Duration,
    ) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let every = (60 / period.as_secs().max(1)).max(1);
            let mut n: u64 = 0;
            loop {
                tick.tick().await;
                n += 1;
                if n.is_multiple_of(every)
                    && let Err(e) = taxonomy.reload(&db).await
                {
                    tracing::error!(error = %e, "taxonomy reload failed");
                }
                if let Err(e) = self.sync(&db, &taxonomy.current(), clock.now()).await {
                    tracing::error!(error = %e, "search index sync failed");
                }
            }
        });
    }
}

/// The taxonomy in force: administrators edit professions and domains, so it is read again
/// after each change (and periodically) rather than once at start.
#[derive(Debug, Default)]
pub struct TaxonomyCell(std::sync::RwLock<Arc<Taxonomy>>);

impl TaxonomyCell {
    pub async fn load(db: &Db) -> Result<Self, db::DbError> {
        Ok(Self(std::sync::RwLock::new(Arc::new(Taxonomy::load(db).await?))))
    }

    /// A snapshot: cheap, and consistent for the whole request.
    pub fn current(&self) -> Arc<Taxonomy> {
        match self.0.read() {
            Ok(t) => Arc::clone(&t),
            // A writer cannot panic while holding the lock (it only swaps an Arc).
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub async fn reload(&self, db: &Db) -> Result<(), db::DbError> {
        let fresh = Arc::new(Taxonomy::load(db).await?);
        match self.0.write() {
            Ok(mut t) => *t = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}

/// The closed lists and the taxonomy with their index codes (positions in fixed lists, or
/// database ids): a snapshot of [`TaxonomyCell`].
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// (id, slug, label)
    pub domains: Vec<(i64, String, String)>,
    /// (id, slug, label)
    pub professions: Vec<(i64, String, String)>,
    /// (profession slug, domain slug): which domain each profession belongs to.
    pub profession_domains: Vec<(String, String)>,
}

fn position<T: PartialEq>(all: &[T], v: &T) -> Option<u64> {
    all.iter().position(|x| x == v).map(|p| p as u64)
}

impl Taxonomy {
    pub async fn load(db: &Db) -> Result<Self, db::DbError> {
        let (domains, professions) = db::reference::taxonomy(db.conn()).await?;
        let profession_domains = professions
            .iter()
            .filter_map(|p| {
                let d = domains.iter().find(|d| Some(d.id) == p.domain_id)?;
                Some((p.slug.clone(), d.slug.clone()))
            })
            .collect();
        Ok(Self {
            domains: domains.into_iter().map(|x| (x.id, x.slug, x.label)).collect(),
            professions: professions.into_iter().map(|x| (x.id, x.slug, x.label)).collect(),
            profession_domains,
        })
    }

    pub fn doc(&self, row: &IndexRow) -> OfferDoc {
        let o = &row.offer;
        let mut facets: [Vec<u64>; FACETS] = Default::default();
        facets[Facet::Domain.index()] = row.domain_ids.iter().map(|d| *d as u64).collect();
        facets[Facet::Profession.index()] = o.profession_id.map(|p| p as u64).into_iter().collect();
        facets[Facet::Contract.index()] = row
            .contract_types
            .iter()
            .filter_map(|c| c.parse::<ContractType>().ok())
            .filter_map(|c| position(ContractType::ALL, &c))
            .collect();
        let code = |v: &Option<String>, f: &dyn Fn(&str) -> Option<u64>| v.as_deref().and_then(f).into_iter().collect();
        facets[Facet::Category.index()] =
            code(&o.category, &|s| s.parse::<Category>().ok().and_then(|c| position(Category::ALL, &c)));
        facets[Facet::Versant.index()] =
            code(&o.versant, &|s| s.parse::<Versant>().ok().and_then(|c| position(Versant::ALL, &c)));
        facets[Facet::Remote.index()] =
            code(&o.remote, &|s| s.parse::<Remote>().ok().and_then(|c| position(Remote::ALL, &c)));
        facets[Facet::Experience.index()] =
            code(&o.experience, &|s| s.parse::<Experience>().ok().and_then(|c| position(Experience::ALL, &c)));
        facets[Facet::Region.index()] = code(&o.region_code, &region_code);
        facets[Facet::Departement.index()] = code(&o.departement_code, &departement_code);
        facets[Facet::Employer.index()] = vec![o.institution_id as u64];
        let text = [&o.mission, &o.profile, &o.team, &o.context, &o.perks, &o.particularities]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n");
        OfferDoc {
            id: o.id as u64,
            title: o.title.clone(),
            profession: row.profession.clone().unwrap_or_default(),
            employer: row.employer.clone(),
            text,
            facets,
            salary_max: o.salary_max.or(o.salary_min).and_then(|s| u64::try_from(s).ok()),
            published_at: o.published_at.timestamp(),
            expires_at: o.expires_at.map(|e| e.timestamp()),
        }
    }

    pub fn domain_by_slug(&self, slug: &str) -> Option<&(i64, String, String)> {
        self.domains.iter().find(|d| d.1 == slug)
    }

    pub fn profession_by_slug(&self, slug: &str) -> Option<&(i64, String, String)> {
        self.professions.iter().find(|p| p.1 == slug)
    }

    /// Whether a profession belongs to a domain.
    pub fn in_domain(&self, profession_slug: &str, domain_slug: &str) -> bool {
        self.profession_domains.iter().any(|(p, d)| p == profession_slug && d == domain_slug)
    }

    pub fn domain(&self, id: i64) -> Option<&(i64, String, String)> {
        self.domains.iter().find(|d| d.0 == id)
    }

    pub fn profession(&self, id: i64) -> Option<&(i64, String, String)> {
        self.professions.iter().find(|p| p.0 == id)
    }
}

pub fn region_code(code: &str) -> Option<u64> {
    domain::geo::regions().iter().position(|r| r.code == code).map(|p| p as u64)
}

pub fn departement_code(code: &str) -> Option<u64> {
    domain::geo::departements().iter().position(|d| d.code == code).map(|p| p as u64)
}

/// The value of a fixed-list facet back to its URL code and label.
pub fn fixed_value(facet: Facet, v: u64) -> Option<(String, String)> {
    let i = usize::try_from(v).ok()?;
    match facet {
        Facet::Contract => ContractType::ALL.get(i).map(|c| (c.code().into(), c.label().into())),
        Facet::Category => Category::ALL.get(i).map(|c| (c.code().into(), c.label().into())),
        Facet::Versant => Versant::ALL.get(i).map(|c| (c.code().into(), c.label().into())),
        Facet::Remote => Remote::ALL.get(i).map(|c| (c.code().into(), c.label().into())),
        Facet::Experience => Experience::ALL.get(i).map(|c| (c.code().into(), c.label().into())),
        Facet::Region => domain::geo::regions().get(i).map(|r| (r.code.clone(), r.name.clone())),
        Facet::Departement => {
            domain::geo::departements().get(i).map(|d| (d.code.clone(), format!("{} ({})", d.name, d.code)))
        }
        Facet::Domain | Facet::Profession | Facet::Employer => None,
    }
}

/// A URL code of a fixed-list facet to its index value.
pub fn fixed_code(facet: Facet, code: &str) -> Option<u64> {
    match facet {
        Facet::Contract => code.parse::<ContractType>().ok().and_then(|c| position(ContractType::ALL, &c)),
        Facet::Category => code.parse::<Category>().ok().and_then(|c| position(Category::ALL, &c)),
        Facet::Versant => code.parse::<Versant>().ok().and_then(|c| position(Versant::ALL, &c)),
        Facet::Remote => code.parse::<Remote>().ok().and_then(|c| position(Remote::ALL, &c)),
        Facet::Experience => code.parse::<Experience>().ok().and_then(|c| position(Experience::ALL, &c)),
        Facet::Region => region_code(code),
        Facet::Departement => departement_code(code),
        Facet::Domain | Facet::Profession | Facet::Employer => None,
    }
}

/// The URL parameter of each facet (DESIGN.md §4) and its French legend.
pub fn param(facet: Facet) -> (&'static str, &'static str) {
    match facet {
        Facet::Domain => ("domaine", "Domaine"),
        Facet::Profession => ("metier", "Métier"),
        Facet::Contract => ("contrat", "Type de contrat"),
        Facet::Category => ("categorie", "Catégorie"),
        Facet::Versant => ("versant", "Versant de la fonction publique"),
        Facet::Region => ("region", "Région"),
        Facet::Departement => ("departement", "Département"),
        Facet::Remote => ("teletravail", "Télétravail"),
        Facet::Experience => ("experience", "Expérience"),
        Facet::Employer => ("employeur", "Employeur"),
    }
}

/// The search parameters of a URL, read leniently: unknown parameters and values are ignored,
/// sizes are bounded, and what is kept can be written back into a URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchParams {
    pub q: String,
    /// `projet`: the slug of a product; only its open offers.
    pub product: Option<String>,
    /// Raw codes per facet, as in the URL.
    pub filters: [Vec<String>; FACETS],
    pub salary_min: Option<u32>,
    pub sort: Option<Sort>,
    pub page: usize,
}

pub const MAX_PAGE: usize = 10_000;
const MAX_VALUES: usize = 50;
const MAX_Q: usize = 200;

impl SearchParams {
    pub fn parse(raw: Option<&str>) -> Self {
        let mut p = SearchParams { page: 1, ..Default::default() };
        let Some(raw) = raw else { return p };
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "q" => p.q = value.chars().take(MAX_Q).collect(),
                "projet" => p.product = Some(value.to_string()).filter(|v| !v.is_empty() && v.len() <= 120),
                "salaire_min" => p.salary_min = value.parse::<u32>().ok().filter(|s| *s > 0 && *s < 1_000_000),
                "tri" => {
                    p.sort = match value {
                        "pertinence" => Some(Sort::Relevance),
                        "date" => Some(Sort::Date),
                        "salaire" => Some(Sort::Salary),
                        _ => None,
                    }
                }
                "page" => p.page = value.parse::<usize>().ok().filter(|n| *n >= 1).map_or(1, |n| n.min(MAX_PAGE)),
                key => {
                    if let Some(f) = Facet::ALL.iter().find(|f| param(**f).0 == key) {
                        let list = &mut p.filters[f.index()];
                        if !value.is_empty()
                            && value.len() <= 100
                            && list.len() < MAX_VALUES
                            && !list.iter().any(|v| v == value)
                        {
                            list.push(value.to_string());
                        }
                    }
                }
            }
        }
        p
    }

    /// Relevance when there is a query, newest first otherwise.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(if self.q.trim().is_empty() { Sort::Date } else { Sort::Relevance })
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("q", self.q.clone()));
        }
        if let Some(p) = &self.product {
            out.push(("projet", p.clone()));
        }
        for f in Facet::ALL {
            for v in &self.filters[f.index()] {
                out.push((param(f).0, v.clone()));
            }
        }
        if let Some(s) = self.salary_min {
            out.push(("salaire_min", s.to_string()));
        }
        if let Some(s) = self.sort {
            out.push(("tri", sort_code(s).into()));
        }
        if self.page > 1 {
            out.push(("page", self.page.to_string()));
        }
        out
    }

    /// The query string (without `?`).
    pub fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            s.append_pair(k, &v);
        }
        s.finish()
    }

    pub fn url(&self, path: &str) -> String {
        let qs = self.query_string();
        if qs.is_empty() { path.to_string() } else { format!("{path}?{qs}") }
    }

    pub fn with_page(&self, page: usize) -> Self {
        Self { page, ..self.clone() }
    }

    /// The same search without one filter value (back to page 1).
    pub fn without(&self, facet: Facet, value: &str) -> Self {
        let mut p = self.clone();
        p.filters[facet.index()].retain(|v| v != value);
        p.page = 1;
        p
    }

    pub fn is_filtered(&self) -> bool {
        self.filters.iter().any(|f| !f.is_empty()) || self.salary_min.is_some() || self.product.is_some()
    }
}

pub fn sort_code(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "pertinence",
        Sort::Date => "date",
        Sort::Salary => "salaire",
    }
}

/// Institution ids of employer slugs (unknown slugs are dropped).
pub async fn employer_ids(db: &Db, slugs: &[String]) -> Result<HashMap<String, (i64, String)>, db::DbError> {
    if slugs.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(db::institutions::by_slugs(db.conn(), slugs).await?.into_iter().map(|i| (i.slug, (i.id, i.name))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_leniently_and_written_back() {
        let p = SearchParams::parse(Some(
            "q=d%C3%A9veloppeur&region=11&region=84&region=11&tri=date&page=2&x=1&categorie=",
        ));
        assert_eq!(p.q, "développeur");
        assert_eq!(p.filters[Facet::Region.index()], vec!["11", "84"]);
        assert!(p.filters[Facet::Category.index()].is_empty());
        assert_eq!((p.sort, p.page), (Some(Sort::Date), 2));
        assert_eq!(p.query_string(), "q=d%C3%A9veloppeur&region=11&region=84&tri=date&page=2");
        assert_eq!(p.without(Facet::Region, "11").query_string(), "q=d%C3%A9veloppeur&region=84&tri=date");
        let absurd = SearchParams::parse(Some("page=99999999999999999999&salaire_min=-3&tri=n%27importe"));
        assert_eq!((absurd.page, absurd.salary_min, absurd.sort), (1, None, None));
        assert_eq!(SearchParams::parse(Some("page=123456")).page, MAX_PAGE);
        let long = "a".repeat(10_000);
        assert_eq!(SearchParams::parse(Some(&format!("q={long}"))).q.len(), MAX_Q);
    }

    #[test]
    fn default_sort_depends_on_the_query() {
        assert_eq!(SearchParams::parse(Some("q=data")).effective_sort(), Sort::Relevance);
        assert_eq!(SearchParams::parse(None).effective_sort(), Sort::Date);
    }

    #[test]
    fn fixed_codes_round_trip() {
        for f in [
            Facet::Contract,
            Facet::Category,
            Facet::Versant,
            Facet::Remote,
            Facet::Experience,
            Facet::Region,
            Facet::Departement,
        ] {
            let (code, _) = fixed_value(f, 0).expect("first value");
            assert_eq!(fixed_code(f, &code), Some(0), "{f:?}");
        }
        assert_eq!(fixed_code(Facet::Category, "A+"), Some(0));
        assert_eq!(fixed_code(Facet::Region, "99"), None);
    }
}
