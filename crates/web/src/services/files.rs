//! Stored files (CVs, logos): what goes when nothing points to it any more.

use crate::AppState;
use crate::error::AppResult;

/// Deletes a file's row and bytes once nothing refers to it any more.
pub async fn drop_if_unused(state: &AppState, file_id: i64) -> AppResult<()> {
    if db::profiles::file_in_use(state.db.conn(), file_id).await? {
        return Ok(());
    }
    if let Some(f) = db::profiles::file_by_id(state.db.conn(), file_id).await? {
        db::profiles::delete_file(state.db.conn(), f.id).await?;
        state.files.delete(&f.storage_key).await?;
    }
    Ok(())
}
