//! Recruiters' notes and rating on an application (never shown to the candidate) and talent
//! pool invitations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    Rating,
}
#[derive(DeriveIden)]
enum ApplicationNotes {
    Table,
    Id,
    ApplicationId,
    AuthorEmail,
    Body,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    UserId,
    OfferId,
    InvitedBy,
    CreatedAt,
    DeclinedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Applications::Table).add_column(integer_null(Applications::Rating)).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ApplicationNotes::Table)
                .col(big_pk_auto(ApplicationNotes::Id))
                .col(big_integer(ApplicationNotes::ApplicationId))
                .col(string(ApplicationNotes::AuthorEmail))
                .col(text(ApplicationNotes::Body))
                .col(timestamp_with_time_zone(ApplicationNotes::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("application_notes_application")
                        .from(ApplicationNotes::Table, ApplicationNotes::ApplicationId)
                        .to(Applications::Table, Applications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(big_pk_auto(Invitations::Id))
                .col(big_integer(Invitations::UserId))
                .col(big_integer(Invitations::OfferId))
                .col(big_integer(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone_null(Invitations::DeclinedAt))
                .index(
                    Index::create()
                        .name("invitations_user_offer")
                        .col(Invitations::UserId)
                        .col(Invitations::OfferId)
                        .unique(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Invitations::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ApplicationNotes::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Applications::Table).drop_column(Applications::Rating).to_owned()).await
    }
}
