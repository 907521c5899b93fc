//! Employers (institutions): creation, publication, identity (name, SIRET), the e-mail domains
//! that map ProConnect agents to them.

use super::{Stale, Tx};
use crate::AppState;
use crate::error::AppResult;
use db::entity::{institution, user};
use domain::audit::AuditAction;

/// Creates an employer, or finds the one of that name: `(employer, created)`.
pub async fn create(
    state: &AppState,
    admin: &user::Model,
    name: &str,
    acronym: Option<String>,
    ministry: Option<String>,
) -> AppResult<(institution::Model, bool)> {
    let tx = Tx::by(state, admin).await?;
    let before = db::institutions::list(tx.conn()).await?.len();
    let showcase = db::institutions::Showcase { acronym, ministry, ..Default::default() };
    let inst = db::institutions::find_or_create(tx.conn(), name, None, Some(&showcase), tx.now()).await?;
    let created = db::institutions::list(tx.conn()).await?.len() > before;
    if created {
        let target = format!("employeur {} « {} »", inst.id, inst.name);
        tx.audit(AuditAction::EmployerCreated, target, None, Some(inst.slug.clone())).await?;
    }
    tx.commit().await?;
    Ok((inst, created))
}

/// Shows or hides an employer's public page (its offers stay).
pub async fn set_published(state: &AppState, admin: &user::Model, id: i64, on: bool) -> AppResult<()> {
    let mut tx = Tx::by(state, admin).await?;
    let inst = db::institutions::by_id(tx.conn(), id).await?;
    db::institutions::set_published(tx.conn(), id, on, tx.now()).await?;
    let target = format!("employeur {} « {} »", inst.id, inst.name);
    tx.audit(AuditAction::EmployerPublication, target, Some(inst.published.to_string()), Some(on.to_string())).await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await
}

/// An employer's identity as an administrator edits it.
#[derive(Debug)]
pub struct Identity {
    pub name: String,
    pub acronym: Option<String>,
    pub ministry: Option<String>,
    pub siret: Option<String>,
}

/// Renames an employer and sets its SIRET, both or neither: a name or SIRET another employer
/// has is a `Conflict` (`InstitutionNameTaken`, `SiretTaken`) and nothing is written.
pub async fn edit(state: &AppState, admin: &user::Model, inst: &institution::Model, new: &Identity) -> AppResult<()> {
    let mut tx = Tx::by(state, admin).await?;
    let now = tx.now();
    db::institutions::rename(tx.conn(), inst.id, &new.name, new.acronym.as_deref(), new.ministry.as_deref(), now)
        .await?;
    db::institutions::set_siret(tx.conn(), inst.id, new.siret.as_deref(), now).await?;
    let before = format!("{} · SIRET {}", inst.name, inst.siret.as_deref().unwrap_or("aucun"));
    let after = format!("{} · SIRET {}", new.name, new.siret.as_deref().unwrap_or("aucun"));
    tx.audit(AuditAction::EmployerEdited, format!("employeur {}", inst.id), Some(before), Some(after)).await?;
    // The name shows on cached public pages (offers, employers).
    tx.invalidate(Stale::Pages);
    tx.commit().await
}

/// Adds an e-mail domain to an employer (one another employer has is `EmailDomainTaken`).
pub async fn add_email_domain(
    state: &AppState,
    admin: &user::Model,
    inst: &institution::Model,
    domain: &str,
) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    db::institutions::add_email_domain(tx.conn(), inst.id, domain).await?;
    let target = format!("employeur {} « {} »", inst.id, inst.name);
    tx.audit(AuditAction::EmployerDomainAdded, target, None, Some(domain.to_string())).await?;
    tx.commit().await
}

/// Removes an e-mail domain from an employer; `false` when it was not theirs.
pub async fn remove_email_domain(
    state: &AppState,
    admin: &user::Model,
    inst: &institution::Model,
    domain: &str,
) -> AppResult<bool> {
    let tx = Tx::by(state, admin).await?;
    if !db::institutions::remove_email_domain(tx.conn(), inst.id, domain).await? {
        return Ok(false);
    }
    let target = format!("employeur {} « {} »", inst.id, inst.name);
    tx.audit(AuditAction::EmployerDomainRemoved, target, None, Some(domain.to_string())).await?;
    tx.commit().await?;
    Ok(true)
}

/// Saves an employer page's draft, or publishes it; `changes` is the audit's readable
/// before/after. Publishing drops the cached pages.
pub async fn save_showcase(
    state: &AppState,
    actor: &user::Model,
    inst: &institution::Model,
    draft: &db::institutions::ShowcaseDraft,
    publish: bool,
    changes: (String, String),
) -> AppResult<()> {
    let mut tx = Tx::by(state, actor).await?;
    if publish {
        db::institutions::publish_draft(tx.conn(), inst.id, draft, tx.now()).await?;
        tx.invalidate(Stale::Pages);
    } else {
        db::institutions::save_draft(tx.conn(), inst.id, draft, &actor.email, tx.now()).await?;
    }
    let action = if publish { AuditAction::EmployerPagePublished } else { AuditAction::EmployerPageDraft };
    let target = format!("employeur {} « {} »", inst.id, inst.name);
    tx.audit(action, target, Some(changes.0), Some(changes.1)).await?;
    tx.commit().await
}

/// Replaces an employer's logo (a PNG already checked and fitted): the new file is stored
/// before the row points to it, the old one removed after.
pub async fn set_logo(state: &AppState, inst: &institution::Model, png: Vec<u8>) -> AppResult<()> {
    let key = format!("logos/{}.png", crate::auth::random_token()?);
    state.files.put(&key, png).await?;
    let mut tx = Tx::begin(state).await?;
    db::institutions::set_logo(tx.conn(), inst.id, Some(&key), tx.now()).await?;
    tx.invalidate(Stale::Pages);
    tx.commit().await?;
    if let Some(old) = inst.logo_path.as_deref().filter(|k| k.starts_with("logos/")) {
        state.files.delete(old).await?;
    }
    Ok(())
}
