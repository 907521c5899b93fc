//! Full-text search of offers and products: one faceting engine (`engine`), the offers'
//! `SearchBackend` trait and its tantivy implementation with a
//! French analyzer. The index is a cache derived from the database: the web layer feeds it
//! `OfferDoc`s and asks it for offer ids; titles, employers and the rest are read from the
//! database for the page shown.
//!
//! Error policy: `SearchError` wraps tantivy and I/O errors; callers log them and fall back to
//! a 500 page (a search never returns partial results silently).

pub mod analyzer;
mod collector;
pub mod engine;
mod index;
pub mod products;

pub use engine::Hit;
pub use index::TantivyIndex;

/// The filters that come with counts (DESIGN.md §4), in a fixed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    Domain,
    Profession,
    Contract,
    Category,
    Versant,
    Region,
    Departement,
    Remote,
    Experience,
    Employer,
}

pub const FACETS: usize = 10;

impl Facet {
    pub const ALL: [Facet; FACETS] = [
        Facet::Domain,
        Facet::Profession,
        Facet::Contract,
        Facet::Category,
        Facet::Versant,
        Facet::Region,
        Facet::Departement,
        Facet::Remote,
        Facet::Experience,
        Facet::Employer,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The index field name.
    pub const fn field(self) -> &'static str {
        match self {
            Facet::Domain => "f_domain",
            Facet::Profession => "f_profession",
            Facet::Contract => "f_contract",
            Facet::Category => "f_category",
            Facet::Versant => "f_versant",
            Facet::Region => "f_region",
            Facet::Departement => "f_departement",
            Facet::Remote => "f_remote",
            Facet::Experience => "f_experience",
            Facet::Employer => "f_employer",
        }
    }
}

/// One value per facet slot; multi-valued facets (domains, contract types) have several.
pub type FacetValues = [Vec<u64>; FACETS];

/// What the index holds of an offer.
#[derive(Debug, Clone, Default)]
pub struct OfferDoc {
    pub id: u64,
    pub title: String,
    pub profession: String,
    pub employer: String,
    /// Missions, profile, context…: searched with the lowest weight, and shown as snippets.
    pub text: String,
    pub facets: FacetValues,
    pub salary_max: Option<u64>,
    /// Unix seconds.
    pub published_at: i64,
    /// Unix seconds; `None` for no end date.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
    Salary,
}

#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Accepted values per facet (OR inside a facet, AND between facets); empty = no filter.
    pub filters: FacetValues,
    pub salary_min: Option<u64>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Unix seconds: offers whose deadline has passed are not found.
    pub now: i64,
    /// Only these documents (a product's offers, `projet=`), facet counts included; `None`: all.
    pub only: Option<Vec<u64>>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Per facet, `(value, count)` by decreasing count: each facet's counts apply every other
    /// active filter but not its own.
    pub facets: [Vec<(u64, u64)>; FACETS],
    /// Per step of [`SALARY_STEPS`], `(step, offers paying at least that)`, with every active
    /// filter but the salary's own.
    pub salary: Vec<(u64, u64)>,
}

/// The salary choices offered to searchers, in euros a year (gross): "at least" thresholds,
/// counted like a facet.
pub const SALARY_STEPS: [u64; 6] = [30_000, 40_000, 50_000, 60_000, 70_000, 80_000];

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("index de recherche : {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("index de recherche : {0}")]
    Io(#[from] std::io::Error),
    #[error("index de recherche : {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
}

pub type Result<T, E = SearchError> = std::result::Result<T, E>;

pub trait SearchBackend: Send + Sync + std::fmt::Debug {
    fn search(&self, query: &SearchQuery) -> Result<SearchResults>;
    /// Adds or replaces offers; visible after `commit`.
    fn upsert(&self, docs: &[OfferDoc]) -> Result<()>;
    fn remove(&self, ids: &[u64]) -> Result<()>;
    /// Removes everything (before a rebuild).
    fn clear(&self) -> Result<()>;
    fn commit(&self) -> Result<()>;
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
