//! The showcase of the State's products (`/projets`): products, the employers that sponsor
//! them, their technologies (one row per technology, every spelling an alias), and the
//! optional product an offer belongs to. Phases and team composition are read only with their
//! product: they are JSON columns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    Slug,
    SourceId,
    InstitutionId,
    Title,
    Mission,
    Body,
    Incubator,
    Phase,
    Phases,
    Themes,
    Audiences,
    Link,
    Repository,
    StatsUrl,
    Accessibility,
    Team,
    State,
    ContentHash,
    ActivityAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductSponsors {
    Table,
    ProductId,
    InstitutionId,
    Position,
}

#[derive(DeriveIden)]
enum Technologies {
    Table,
    Id,
    Slug,
    Name,
    MergedInto,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TechnologyAliases {
    Table,
    Key,
    TechnologyId,
}

#[derive(DeriveIden)]
enum ProductTechnologies {
    Table,
    ProductId,
    TechnologyId,
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    CatalogueId,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    ProductId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Products::Table)
                .col(big_pk_auto(Products::Id))
                .col(string_len_uniq(Products::Slug, 120))
                .col(string_len_null(Products::SourceId, 200).unique_key())
                .col(big_integer_null(Products::InstitutionId))
                .col(string_len(Products::Title, 200))
                .col(text(Products::Mission))
                .col(text(Products::Body))
                .col(string_len_null(Products::Incubator, 120))
                .col(string_len_null(Products::Phase, 32))
                .col(text(Products::Phases))
                .col(text(Products::Themes))
                .col(text(Products::Audiences))
                .col(string_len_null(Products::Link, 500))
                .col(string_len_null(Products::Repository, 500))
                .col(string_len_null(Products::StatsUrl, 500))
                .col(string_len_null(Products::Accessibility, 32))
                .col(text(Products::Team))
                .col(string_len(Products::State, 16))
                .col(string_len(Products::ContentHash, 64))
                .col(timestamp_with_time_zone(Products::ActivityAt))
                .col(timestamp_with_time_zone(Products::CreatedAt))
                .col(timestamp_with_time_zone(Products::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("products_updated_at").table(Products::Table).col(Products::UpdatedAt).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProductSponsors::Table)
                .col(big_integer(ProductSponsors::ProductId))
                .col(big_integer(ProductSponsors::InstitutionId))
                .col(integer(ProductSponsors::Position))
                .primary_key(Index::create().col(ProductSponsors::ProductId).col(ProductSponsors::InstitutionId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("product_sponsors_institution")
                .table(ProductSponsors::Table)
                .col(ProductSponsors::InstitutionId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Technologies::Table)
                .col(big_pk_auto(Technologies::Id))
                .col(string_len_uniq(Technologies::Slug, 80))
                .col(string_len(Technologies::Name, 80))
                .col(big_integer_null(Technologies::MergedInto))
                .col(timestamp_with_time_zone(Technologies::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TechnologyAliases::Table)
                .col(string_len(TechnologyAliases::Key, 80).primary_key())
                .col(big_integer(TechnologyAliases::TechnologyId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProductTechnologies::Table)
                .col(big_integer(ProductTechnologies::ProductId))
                .col(big_integer(ProductTechnologies::TechnologyId))
                .primary_key(Index::create().col(ProductTechnologies::ProductId).col(ProductTechnologies::TechnologyId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("product_technologies_technology")
                .table(ProductTechnologies::Table)
                .col(ProductTechnologies::TechnologyId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Institutions::Table)
                .add_column(string_len_null(Institutions::CatalogueId, 120))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("institutions_catalogue_id")
                .table(Institutions::Table)
                .col(Institutions::CatalogueId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Offers::Table).add_column(big_integer_null(Offers::ProductId)).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Offers::Table).drop_column(Offers::ProductId).to_owned()).await?;
        m.drop_index(Index::drop().name("institutions_catalogue_id").table(Institutions::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Institutions::Table).drop_column(Institutions::CatalogueId).to_owned())
            .await?;
        for t in [
            ProductTechnologies::Table.into_iden(),
            TechnologyAliases::Table.into_iden(),
            Technologies::Table.into_iden(),
            ProductSponsors::Table.into_iden(),
            Products::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
