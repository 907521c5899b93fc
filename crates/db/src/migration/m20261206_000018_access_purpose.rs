//! Why an agent asked for an account (`domain::role::AccessPurpose` code); NULL for the
//! requests made before, which were all to recruit.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessRequests {
    Table,
    Purpose,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AccessRequests::Table)
                    .add_column(ColumnDef::new(AccessRequests::Purpose).string_len(20).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AccessRequests::Table).drop_column(AccessRequests::Purpose).to_owned())
            .await
    }
}
