//! The newsletter: an issue sent once to every confirmed reader, through the outbox.

use super::Tx;
use crate::AppState;
use crate::error::AppResult;
use db::entity::user;
use domain::audit::AuditAction;

/// Sends an issue to every confirmed reader, each with their own unsubscribe link: the number
/// of readers, or `None` when this issue (`key`, from its text) was already sent. The turn is
/// taken in the same transaction as the e-mails: sent once whatever the clicks, and never
/// marked sent without its e-mails.
pub async fn send(
    state: &AppState,
    admin: &user::Model,
    key: &str,
    subject: &str,
    paragraphs: &[String],
) -> AppResult<Option<usize>> {
    let tx = Tx::by(state, admin).await?;
    if !db::outbox::take_turn(tx.conn(), key, tx.now()).await? {
        return Ok(None);
    }
    let readers = db::alerts::newsletter_readers(tx.conn()).await?;
    for r in &readers {
        let unsubscribe = state.url(&format!("/lettre-information/desinscription/{}", r.token));
        tx.mail(mail::messages::newsletter_issue(&r.email, subject, paragraphs, &unsubscribe)).await?;
    }
    let after = format!("{} abonné·e·s", readers.len());
    tx.audit(AuditAction::NewsletterSent, format!("« {subject} »"), None, Some(after)).await?;
    tx.commit().await?;
    Ok(Some(readers.len()))
}
