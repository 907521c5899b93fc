//! The talent pool: inviting a candidate who opted in to apply to an offer.

use super::Tx;
use crate::AppState;
use crate::auth::StaffUser;
use crate::error::{AppError, AppResult};
use domain::audit::AuditAction;

/// What became of an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invitation {
    Sent,
    AlreadyApplied,
    AlreadyInvited,
}

/// Invites a candidate to apply to one of the staff member's offers, once per offer, by e-mail.
pub async fn invite(state: &AppState, staff: &StaffUser, user_id: i64, offer_id: i64) -> AppResult<Invitation> {
    let offer = db::backoffice::managed_offer(state.db.conn(), offer_id, staff.institution_id).await?;
    let user = db::accounts::by_id(state.db.conn(), user_id).await?.ok_or(AppError::NotFound)?;
    let institution =
        db::institutions::by_ids(state.db.conn(), &[offer.institution_id]).await?.pop().ok_or(AppError::NotFound)?;
    if db::applications::for_offer_and_user(state.db.conn(), offer.id, user.id).await?.is_some() {
        return Ok(Invitation::AlreadyApplied);
    }
    let tx = Tx::by(state, &staff.user).await?;
    if !db::backoffice::invite(tx.conn(), user.id, offer.id, staff.user.id, tx.now()).await? {
        return Ok(Invitation::AlreadyInvited);
    }
    let msg = mail::messages::offer_invitation(
        &user.email,
        &offer.title,
        &institution.name,
        &state.url(&format!("/emploi/{}", offer.slug)),
        &state.url("/espace-candidat#invitations"),
    );
    tx.mail(msg).await?;
    tx.audit(AuditAction::PoolInvitation, format!("compte {} pour l’offre {}", user.id, offer.id), None, None).await?;
    tx.commit().await?;
    Ok(Invitation::Sent)
}
