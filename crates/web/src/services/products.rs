//! Products written or edited in the recruiters' space: drafts, edits, states. A change to a
//! public product drops the products' search snapshot and the page cache once committed.

use super::{Stale, Tx};
use crate::AppState;
use crate::error::{AppError, AppResult};
use db::entity::user;
use db::products::{ProductEdit, ProductView};
use domain::audit::AuditAction;
use domain::product::ProductState;
use import::betagouv::CatalogueReport;

/// A new draft sponsored by `institution_id` (already checked as the actor's): its id.
pub async fn create(state: &AppState, actor: &user::Model, institution_id: i64, edit: &ProductEdit) -> AppResult<i64> {
    let tx = Tx::by(state, actor).await?;
    let id = db::products::create_local(tx.conn(), institution_id, edit, tx.now()).await?;
    let target = format!("produit {id} « {} »", edit.title);
    tx.audit(AuditAction::ProductCreated, target, None, Some(ProductState::Draft.code().into())).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit; `changes` is the audit's readable before/after.
pub async fn save(
    state: &AppState,
    actor: &user::Model,
    v: &ProductView,
    edit: &ProductEdit,
    changes: (String, String),
) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::products::save_edit(tx.conn(), v, edit, tx.now()).await?;
    let target = format!("produit {} « {} »", v.product.id, edit.title);
    tx.audit(AuditAction::ProductEdited, target, Some(changes.0), Some(changes.1)).await?;
    if v.state == ProductState::Published {
        tx.invalidate(Stale::Products);
    }
    tx.commit().await
}

pub async fn set_state(state: &AppState, actor: &user::Model, v: &ProductView, to: ProductState) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::products::set_state(tx.conn(), v.product.id, to, tx.now()).await?;
    let target = format!("produit {} « {} »", v.product.id, v.product.title);
    tx.audit(AuditAction::ProductState, target, Some(v.state.code().into()), Some(to.code().into())).await?;
    tx.invalidate(Stale::Products);
    tx.commit().await
}

/// One catalogue import at a time in this process: two at once would race on the same
/// products (each product is still written whole in its own transaction).
static CATALOGUE_IMPORT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Why an uploaded catalogue was not imported (French, for the page).
#[derive(Debug)]
pub enum CatalogueRefusal {
    Busy(&'static str),
    Invalid(String),
}

/// Imports the catalogue uploaded as a ZIP (`archive`), audits it and drops what it made stale.
pub async fn import_catalogue(
    state: &AppState,
    actor: &user::Model,
    archive: Vec<u8>,
    file_name: &str,
) -> AppResult<Result<CatalogueReport, CatalogueRefusal>> {
    let Ok(_running) = CATALOGUE_IMPORT.try_lock() else {
        return Ok(Err(CatalogueRefusal::Busy(
            "Un import du catalogue est déjà en cours : consultez son rapport dans le journal, puis réessayez.",
        )));
    };
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.into()))?;
    let into = dir.path().to_path_buf();
    // Unpacking reads and writes files: off the threads that serve requests.
    let unpacked = tokio::task::spawn_blocking(move || {
        import::archive::unpack_catalogue(&archive, &into, import::archive::Limits::default())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let outcome = match unpacked {
        Ok(root) => import::betagouv::run_catalogue(&state.db, &root, false, &*state.clock).await,
        Err(e) => Err(e),
    };
    let report = match outcome {
        Ok(report) => report,
        Err(import::ImportError::File(msg)) => return Ok(Err(CatalogueRefusal::Invalid(msg))),
        Err(import::ImportError::Db(e)) => return Err(e.into()),
    };
    let mut tx = Tx::by(state, actor).await?;
    let target = format!("catalogue beta.gouv.fr ({file_name})");
    tx.audit(AuditAction::Import, target, None, Some(report.summary())).await?;
    // New sponsors may be new employers: the facets' names follow.
    tx.invalidate(Stale::Products);
    tx.invalidate(Stale::Taxonomy);
    tx.commit().await?;
    Ok(Ok(report))
}

/// Merges technology `from` into `into` (administrators): the old address redirects.
pub async fn merge_technologies(state: &AppState, actor: &user::Model, from: i64, into: i64) -> AppResult<String> {
    let mut tx = Tx::by(state, actor).await?;
    let (source, target) = db::products::merge_technology(tx.conn(), from, into, tx.now()).await?;
    let what = format!("« {} » fusionnée dans « {} »", source.name, target.name);
    tx.audit(
        AuditAction::TechnologyMerged,
        format!("technologie {}", source.slug),
        Some(source.name),
        Some(target.name),
    )
    .await?;
    tx.invalidate(Stale::Products);
    tx.commit().await?;
    Ok(what)
}

/// Renames a technology (administrators); links to its old slug keep working.
pub async fn rename_technology(state: &AppState, actor: &user::Model, id: i64, name: &str) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    let before = db::products::technology_rows(tx.conn())
        .await?
        .into_iter()
        .find(|r| r.technology.id == id)
        .map(|r| r.technology.name);
    db::products::rename_technology(tx.conn(), id, name, tx.now()).await?;
    tx.audit(AuditAction::TechnologyRenamed, format!("technologie {id}"), before, Some(name.to_string())).await?;
    tx.invalidate(Stale::Products);
    tx.commit().await
}
