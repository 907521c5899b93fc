//! Alerts and the newsletter: subscriptions with a double opt-in for unverified addresses.

use super::Tx;
use crate::AppState;
use crate::error::AppResult;

/// Records an alert; one for an address not yet verified waits for the confirmation link
/// sent here.
pub async fn create(state: &AppState, new: &db::alerts::NewAlert) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    db::alerts::create(tx.conn(), new, tx.now()).await?;
    if !new.confirmed {
        let msg = mail::messages::alert_confirm(
            &new.email,
            &new.label,
            &state.url(&format!("/alertes/confirmer/{}", new.token)),
            &state.url(&format!("/alertes/desinscription/{}", new.token)),
        );
        tx.mail(msg).await?;
    }
    tx.commit().await
}

/// Subscribes an address to the newsletter (or renews the pending subscription); the
/// confirmation e-mail leaves unless the address is already a confirmed reader.
pub async fn subscribe_newsletter(state: &AppState, email: &domain::email::Email, token: &str) -> AppResult<()> {
    let tx = Tx::begin(state).await?;
    let (sub, confirm) = db::alerts::newsletter_subscribe(tx.conn(), email.as_str(), token, tx.now()).await?;
    if confirm {
        let msg = mail::messages::newsletter_confirm(
            email.as_str(),
            &state.url(&format!("/lettre-information/confirmer/{}", sub.token)),
            &state.url(&format!("/lettre-information/desinscription/{}", sub.token)),
        );
        tx.mail(msg).await?;
    }
    tx.commit().await
}
