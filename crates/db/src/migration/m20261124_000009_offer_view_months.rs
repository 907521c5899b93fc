//! Offer views by month, for the statistics (the offer keeps its running total too).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OfferViewMonths {
    Table,
    OfferId,
    Month,
    Views,
}
#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OfferViewMonths::Table)
                .col(big_integer(OfferViewMonths::OfferId))
                .col(string_len(OfferViewMonths::Month, 7))
                .col(big_integer(OfferViewMonths::Views))
                .primary_key(Index::create().col(OfferViewMonths::OfferId).col(OfferViewMonths::Month))
                .foreign_key(
                    ForeignKey::create()
                        .name("offer_view_months_offer")
                        .from(OfferViewMonths::Table, OfferViewMonths::OfferId)
                        .to(Offers::Table, Offers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OfferViewMonths::Table).to_owned()).await
    }
}
