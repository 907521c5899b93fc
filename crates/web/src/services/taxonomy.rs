//! The professions and domains: administrators add and rename them, move a profession to
//! another domain. Addresses (slugs) never change; after the commit the taxonomy is reloaded
//! and cached pages dropped, here at once (other instances follow within a minute).

use super::{Stale, Tx};
use crate::AppState;
use crate::error::AppResult;
use db::entity::user;
use domain::audit::AuditAction;

/// One change to the taxonomy, its label already checked.
#[derive(Debug)]
pub enum Change {
    AddDomain { label: String },
    RenameDomain { id: i64, label: String },
    AddProfession { label: String, domain: Option<i64> },
    UpdateProfession { id: i64, label: String, domain: Option<i64> },
}

/// Makes the change, audited; a duplicate is a `Conflict`, an unknown id `NotFound`.
pub async fn apply(state: &AppState, admin: &user::Model, change: &Change) -> AppResult<()> {
    let mut tx = Tx::by(state, admin).await?;
    let known = state.taxonomy.current();
    match change {
        Change::AddDomain { label } => {
            let added = db::reference::add_domain(tx.conn(), label).await?;
            tx.audit(AuditAction::DomainCreated, format!("domaine {}", added.id), None, Some(label.clone())).await?;
        }
        Change::RenameDomain { id, label } => {
            let before = known.domain(*id).map(|d| d.2.clone());
            db::reference::rename_domain(tx.conn(), *id, label).await?;
            tx.audit(AuditAction::DomainRenamed, format!("domaine {id}"), before, Some(label.clone())).await?;
        }
        Change::AddProfession { label, domain } => {
            let added = db::reference::add_profession(tx.conn(), label, *domain).await?;
            tx.audit(AuditAction::ProfessionCreated, format!("métier {}", added.id), None, Some(label.clone())).await?;
        }
        Change::UpdateProfession { id, label, domain } => {
            let before = known.profession(*id).map(|p| p.2.clone());
            db::reference::update_profession(tx.conn(), *id, label, *domain, tx.now()).await?;
            let after =
                format!("{label} (domaine {})", domain.map(|d| d.to_string()).unwrap_or_else(|| "aucun".into()));
            tx.audit(AuditAction::ProfessionEdited, format!("métier {id}"), before, Some(after)).await?;
        }
    }
    tx.invalidate(Stale::Taxonomy);
    tx.commit().await
}
