//! Agents' stories (`/temoignages`): one row each, with the person's consent, the keys of
//! their photo and video in the file store, and the video's captions and transcript (text,
//! read only with their story).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Stories {
    Table,
    Id,
    Slug,
    InstitutionId,
    ProductId,
    ProfessionId,
    DisplayName,
    JobTitle,
    Quote,
    Body,
    ConsentAt,
    ConsentRecordedBy,
    PhotoKey,
    VideoKey,
    VideoType,
    VideoSize,
    Captions,
    Transcript,
    State,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Stories::Table)
                .col(big_pk_auto(Stories::Id))
                .col(string_len_uniq(Stories::Slug, 120))
                .col(big_integer(Stories::InstitutionId))
                .col(big_integer_null(Stories::ProductId))
                .col(big_integer_null(Stories::ProfessionId))
                .col(string_len(Stories::DisplayName, 120))
                .col(string_len(Stories::JobTitle, 160))
                .col(text(Stories::Quote))
                .col(text(Stories::Body))
                .col(timestamp_with_time_zone_null(Stories::ConsentAt))
                .col(string_len_null(Stories::ConsentRecordedBy, 200))
                .col(string_len_null(Stories::PhotoKey, 200))
                .col(string_len_null(Stories::VideoKey, 200))
                .col(string_len_null(Stories::VideoType, 32))
                .col(big_integer_null(Stories::VideoSize))
                .col(text_null(Stories::Captions))
                .col(text_null(Stories::Transcript))
                .col(string_len(Stories::State, 16))
                .col(timestamp_with_time_zone_null(Stories::PublishedAt))
                .col(timestamp_with_time_zone(Stories::CreatedAt))
                .col(timestamp_with_time_zone(Stories::UpdatedAt))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("stories_institution", Stories::InstitutionId),
            ("stories_product", Stories::ProductId),
            ("stories_state", Stories::State),
        ] {
            m.create_index(Index::create().name(name).table(Stories::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Stories::Table).to_owned()).await
    }
}
