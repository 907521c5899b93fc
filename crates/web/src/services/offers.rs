//! Offers written on the platform: drafts, edits, copies and their states.

use super::{Stale, Tx};
use crate::AppState;
use crate::error::AppResult;
use db::backoffice::OfferEdit;
use db::entity::{offer, user};
use domain::audit::AuditAction;
use domain::offer::OfferState;

/// A new draft of `institution_id` (already checked as the actor's): its id.
pub async fn create(state: &AppState, actor: &user::Model, institution_id: i64, edit: &OfferEdit) -> AppResult<i64> {
    let tx = Tx::by(state, actor).await?;
    let id = db::backoffice::save_offer(tx.conn(), None, institution_id, edit, tx.now()).await?;
    let target = format!("offre {id} « {} »", edit.title);
    tx.audit(AuditAction::OfferCreated, target, None, Some("draft".into())).await?;
    tx.commit().await?;
    Ok(id)
}

/// A copy of an offer as a new draft: its id.
pub async fn duplicate(state: &AppState, actor: &user::Model, of: &offer::Model, edit: &OfferEdit) -> AppResult<i64> {
    let tx = Tx::by(state, actor).await?;
    let id = db::backoffice::save_offer(tx.conn(), None, of.institution_id, edit, tx.now()).await?;
    let target = format!("offre {id} (copie de {})", of.id);
    tx.audit(AuditAction::OfferDuplicated, target, None, Some("draft".into())).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves an edit of an offer; `changes` is the audit's readable before/after. A published
/// offer's public page changes: cached pages go.
pub async fn save(
    state: &AppState,
    actor: &user::Model,
    offer: &offer::Model,
    edit: &OfferEdit,
    changes: (String, String),
) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::backoffice::save_offer(tx.conn(), Some(offer), offer.institution_id, edit, tx.now()).await?;
    let target = format!("offre {} « {} »", offer.id, edit.title);
    tx.audit(AuditAction::OfferEdited, target, Some(changes.0), Some(changes.1)).await?;
    if offer.state == OfferState::Published.code() {
        tx.invalidate(Stale::Pages);
    }
    tx.commit().await
}

/// Publishes, fills or archives an offer. One that cannot be published yet is
/// `Invalid::NotPublishable` with what it lacks.
pub async fn set_state(state: &AppState, actor: &user::Model, offer: &offer::Model, to: OfferState) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    db::backoffice::set_offer_state(tx.conn(), offer, to, tx.now()).await?;
    let target = format!("offre {} « {} »", offer.id, offer.title);
    tx.audit(AuditAction::OfferState, target, Some(offer.state.clone()), Some(to.code().to_string())).await?;
    // The public pages and listings show it, or no longer do.
    tx.invalidate(Stale::Pages);
    tx.commit().await
}
