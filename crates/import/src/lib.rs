//! Importers of the State's job offer exports: the Choisir le service public open-data CSV and
//! the PEP (Talentsoft) JSON and CSV exports; and the State's product catalogue (beta.gouv.fr).
//!
//! Error policy: a bad row is never an error of the import: it becomes a `Rejection` (its line
//! or element number and a reason in French) and the import goes on. `ImportError` is kept for
//! what stops the whole import: an unreadable file, an unknown format, a database outage.

pub mod archive;
pub mod betagouv;
pub mod format;
pub mod map;
pub mod read;
pub mod record;
pub mod run;

mod csp;
mod talentsoft;

pub use format::Format;
pub use run::{ImportError, ImportOptions, ImportReport, Rejection, run};
