//! Imported offers stored without a deadline get the one imports now give them: 90 days after
//! their publication (`domain::offer::stored_deadline`). Offers of the platform keep theirs.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use crate::entity::offer;
        let conn = m.get_connection();
        // Only the columns this migration knows: later migrations may add others.
        let rows: Vec<(i64, String, chrono::DateTime<chrono::Utc>)> = offer::Entity::find()
            .select_only()
            .column(offer::Column::Id)
            .column(offer::Column::Source)
            .column(offer::Column::PublishedAt)
            .filter(offer::Column::ExpiresAt.is_null())
            .filter(offer::Column::Source.ne(domain::offer::Source::Platform.code()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, source, published_at) in rows {
            let Ok(source) = source.parse::<domain::offer::Source>() else { continue };
            let deadline = domain::offer::stored_deadline(source, published_at, None);
            offer::Entity::update_many()
                .col_expr(offer::Column::ExpiresAt, Expr::value(deadline))
                .filter(offer::Column::Id.eq(id))
                .exec(conn)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // The deadlines given are true ones now; nothing to undo.
        Ok(())
    }
}
