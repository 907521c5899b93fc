//! The e-mail templates of application moves that administrators rewrote (one per stage; a
//! stage without a row uses the platform's default wording).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailTemplates {
    Table,
    Stage,
    Subject,
    Body,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MailTemplates::Table)
                .col(string(MailTemplates::Stage).primary_key())
                .col(string(MailTemplates::Subject))
                .col(text(MailTemplates::Body))
                .col(string(MailTemplates::UpdatedBy))
                .col(timestamp_with_time_zone(MailTemplates::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailTemplates::Table).to_owned()).await
    }
}
