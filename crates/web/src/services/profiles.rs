//! Candidates' profiles.

use super::Tx;
use crate::AppState;
use crate::error::AppResult;

/// Saves a candidate's profile (already validated) with its choices, at once.
pub async fn save(state: &AppState, user_id: i64, input: &db::profiles::ProfileInput) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    db::profiles::save(tx.conn(), user_id, input, tx.now()).await?;
    tx.commit().await
}
