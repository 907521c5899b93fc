//! Drafts of employer pages: recruiters edit and preview, then publish.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ShowcaseDrafts {
    Table,
    InstitutionId,
    Data,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ShowcaseDrafts::Table)
                .col(big_integer(ShowcaseDrafts::InstitutionId).primary_key())
                .col(text(ShowcaseDrafts::Data))
                .col(timestamp_with_time_zone(ShowcaseDrafts::UpdatedAt))
                .col(string(ShowcaseDrafts::UpdatedBy))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ShowcaseDrafts::Table).to_owned()).await
    }
}
