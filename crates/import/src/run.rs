//! One import: read a file, write its offers in batches (each row atomic), archive the offers
//! that left the source on a full import, record the report.

use crate::format::Format;
use crate::read::{self, Item, Position};
use chrono::{DateTime, Utc};
use db::offers::{self, Outcome};
use db::reference::TaxonomyIds;
use db::{Db, DbError};
use domain::Clock;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Rows written per database transaction; every row also has its own savepoint.
const BATCH: usize = 500;

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Detected from the file when `None`.
    pub format: Option<Format>,
    /// Archive the offers of this source that are not in the file.
    pub full: bool,
    /// Keep only the offers of a digital profession.
    pub numerique_only: bool,
    /// Draw a progress bar on the terminal.
    pub progress: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rejection {
    /// "ligne 12", "élément 3".
    pub position: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub format: String,
    pub source: String,
    pub read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub archived: u64,
    /// Rows left out by `--numerique-only`.
    pub skipped: u64,
    pub rejected: Vec<Rejection>,
    /// The file could not be read to its end; `--full` archived nothing then.
    pub truncated: bool,
}

impl ImportReport {
    /// The end-of-import summary, in French.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "Import {} terminé : {} lues, {} créées, {} mises à jour, {} inchangées, {} archivées, {} rejetées",
            self.format,
            self.read,
            self.created,
            self.updated,
            self.unchanged,
            self.archived,
            self.rejected.len()
        );
        if self.skipped > 0 {
            s.push_str(&format!(", {} hors numérique ignorées", self.skipped));
        }
        s.push('.');
        for r in &self.rejected {
            s.push_str(&format!("\n  {} : {}", r.position, r.reason));
        }
        if self.truncated {
            s.push_str("\nLe fichier n’a pas pu être lu jusqu’au bout : aucune offre n’a été archivée.");
        }
        s
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// `clock` stamps the run and its offers: its start for every row (one import, one "now"),
/// and its end for the report.
pub async fn run(db: &Db, path: &Path, opts: &ImportOptions, clock: &dyn Clock) -> Result<ImportReport, ImportError> {
    let now = clock.now();
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect(path).map_err(ImportError::File)?,
    };
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::File(format!("ouverture de {} impossible : {e}", path.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if opts.progress { ProgressBar::new(size) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let reader = Counting { inner: file, bar: bar.clone() };

    let (tx, rx) = tokio::sync::mpsc::channel::<Item>(256);
    let producer = tokio::task::spawn_blocking(move || read::read(format, reader, &tx));
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let result = consume(db, format, opts, rx, now).await;
    // The reader ends by itself once the receiver is dropped.
    let _ = producer.await;
    bar.finish_and_clear();
    let report = result?;
    metrics::counter!("metiers_import_rows_total", "outcome" => "created").increment(report.created);
    metrics::counter!("metiers_import_rows_total", "outcome" => "updated").increment(report.updated);
    metrics::counter!("metiers_import_rows_total", "outcome" => "unchanged").increment(report.unchanged);
    metrics::counter!("metiers_import_rows_total", "outcome" => "rejected").increment(report.rejected.len() as u64);
    metrics::counter!("metiers_import_rows_total", "outcome" => "archived").increment(report.archived);
    db::runs::record(
        db.conn(),
        db::runs::NewRun {
            source: format.source().code(),
            format: format.code(),
            file_name: &file_name,
            started_at: now,
            finished_at: clock.now().max(now),
            read: report.read,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            archived: report.archived,
            rejected: report.rejected.len() as u64,
            report: serde_json::to_string(&report.rejected).unwrap_or_else(|_| "[]".into()),
        },
    )
    .await?;
    Ok(report)
}

#[expect(clippy::disallowed_methods, reason = "an import commits in batches of its own")]
async fn consume(
    db: &Db,
    format: Format,
    opts: &ImportOptions,
    mut rx: tokio::sync::mpsc::Receiver<Item>,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let ids = TaxonomyIds::load(db).await?;
    let mut report =
        ImportReport { format: format.code().into(), source: format.source().code().into(), ..Default::default() };
    let mut seen: HashMap<String, Position> = HashMap::new();
    let mut txn = db.begin().await?;
    let mut in_batch = 0;
    while let Some(item) = rx.recv().await {
        let (position, result) = match item {
            Item::Row { position, result } => (position, result),
            Item::Fatal { position, reason } => {
                report.truncated = true;
                report.rejected.push(Rejection {
                    position: position.map(|p| p.to_string()).unwrap_or_else(|| "fichier".into()),
                    reason,
                });
                continue;
            }
        };
        report.read += 1;
        let data = match result {
            Ok(d) => d,
            Err(reason) => {
                report.rejected.push(Rejection { position: position.to_string(), reason });
                continue;
            }
        };
        if opts.numerique_only && data.profession.is_none() {
            report.skipped += 1;
            continue;
        }
        if let Some(first) = seen.get(&data.source_ref) {
            report.rejected.push(Rejection {
                position: position.to_string(),
                reason: format!("référence {} déjà lue ({first}) : doublon ignoré", data.source_ref),
            });
            continue;
        }
        seen.insert(data.source_ref.clone(), position);
        match offers::upsert(&txn, &ids, &data, now).await {
            Ok(Outcome::Created) => report.created += 1,
            Ok(Outcome::Updated) => report.updated += 1,
            Ok(Outcome::Unchanged) => report.unchanged += 1,
            Err(e) => {
                tracing::warn!(error = %e, %position, "row rejected by the database");
                seen.remove(&data.source_ref);
                report.rejected.push(Rejection {
                    position: position.to_string(),
                    reason: format!("enregistrement impossible : {e}"),
                });
            }
        }
        in_batch += 1;
        if in_batch >= BATCH {
            txn.commit().await.map_err(DbError::from)?;
            txn = db.begin().await?;
            in_batch = 0;
        }
    }
    txn.commit().await.map_err(DbError::from)?;
    if opts.full && !report.truncated {
        let refs = seen.into_keys().collect();
        report.archived = offers::archive_missing(db.conn(), format.source(), &refs, now).await?;
    }
    Ok(report)
}

/// Advances the progress bar as bytes are read.
struct Counting<R> {
    inner: R,
    bar: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}
