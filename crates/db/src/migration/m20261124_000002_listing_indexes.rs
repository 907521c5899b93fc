//! Indexes for the listings that read "the latest open offers of a profession / an employer":
//! without them, each offer page sorted thousands of rows to show three related offers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Offers {
    Table,
    ProfessionId,
    InstitutionId,
    PublishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("offers_profession_published")
                .table(Offers::Table)
                .col(Offers::ProfessionId)
                .col(Offers::PublishedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("offers_institution_published")
                .table(Offers::Table)
                .col(Offers::InstitutionId)
                .col(Offers::PublishedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("offers_profession_published").table(Offers::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("offers_institution_published").table(Offers::Table).to_owned()).await
    }
}
