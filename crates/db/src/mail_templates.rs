//! The stage e-mail templates administrators rewrote; the others are the platform's defaults
//! (`domain::mail_template::default_for`).

use crate::Result;
use crate::entity::mail_template;
use chrono::{DateTime, Utc};
use domain::candidate::Stage;
use domain::mail_template::{StageTemplate, default_for};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

/// The template in force for a stage, and whether it is the default one.
pub async fn in_force(conn: &impl ConnectionTrait, stage: Stage) -> Result<(StageTemplate, bool)> {
    Ok(match mail_template::Entity::find_by_id(stage.code().to_string()).one(conn).await? {
        Some(row) => (StageTemplate { subject: row.subject, body: row.body }, false),
        None => (default_for(stage), true),
    })
}

/// Saves an administrator's template (already checked).
pub async fn save(
    conn: &impl ConnectionTrait,
    stage: Stage,
    t: &StageTemplate,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let row = mail_template::ActiveModel {
        stage: Set(stage.code().to_string()),
        subject: Set(t.subject.clone()),
        body: Set(t.body.clone()),
        updated_by: Set(by.to_string()),
        updated_at: Set(now),
    };
    mail_template::Entity::insert(row)
        .on_conflict(
            OnConflict::column(mail_template::Column::Stage)
                .update_columns([
                    mail_template::Column::Subject,
                    mail_template::Column::Body,
                    mail_template::Column::UpdatedBy,
                    mail_template::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Back to the platform's wording.
pub async fn reset(conn: &impl ConnectionTrait, stage: Stage) -> Result<()> {
    mail_template::Entity::delete_by_id(stage.code().to_string()).exec(conn).await?;
    Ok(())
}
