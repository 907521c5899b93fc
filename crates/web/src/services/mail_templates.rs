//! The e-mail templates of the pipeline's stages, as administrators edit them.

use super::Tx;
use crate::AppState;
use crate::error::AppResult;
use db::entity::user;
use domain::audit::AuditAction;
use domain::candidate::Stage;
use domain::mail_template::StageTemplate;

/// Saves a stage's template (already checked).
pub async fn save(state: &AppState, admin: &user::Model, stage: Stage, t: &StageTemplate) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    let (before, _) = db::mail_templates::in_force(tx.conn(), stage).await?;
    db::mail_templates::save(tx.conn(), stage, t, &admin.email, tx.now()).await?;
    let target = format!("modèle « {} »", stage.label());
    let (before, after) = (format!("{}\n\n{}", before.subject, before.body), format!("{}\n\n{}", t.subject, t.body));
    tx.audit(AuditAction::TemplateEdited, target, Some(before), Some(after)).await?;
    tx.commit().await
}

/// Goes back to a stage's default text.
pub async fn reset(state: &AppState, admin: &user::Model, stage: Stage) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    db::mail_templates::reset(tx.conn(), stage).await?;
    let target = format!("modèle « {} »", stage.label());
    tx.audit(AuditAction::TemplateReset, target, None, Some("texte par défaut".into())).await?;
    tx.commit().await
}
