//! ProConnect sign-in: the agent's stable ProConnect id on their account, and what maps an
//! agent to an institution (the SIRET of the employer, or the domain of the e-mail address).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    ProconnectSub,
}
#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
    Siret,
}
#[derive(DeriveIden)]
enum InstitutionEmailDomains {
    Table,
    Domain,
    InstitutionId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).add_column(string_null(Users::ProconnectSub)).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("users_proconnect_sub")
                .table(Users::Table)
                .col(Users::ProconnectSub)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Institutions::Table).add_column(string_null(Institutions::Siret)).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("institutions_siret")
                .table(Institutions::Table)
                .col(Institutions::Siret)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(InstitutionEmailDomains::Table)
                .col(string(InstitutionEmailDomains::Domain).primary_key())
                .col(big_integer(InstitutionEmailDomains::InstitutionId))
                .foreign_key(
                    ForeignKey::create()
                        .name("institution_email_domains_institution")
                        .from(InstitutionEmailDomains::Table, InstitutionEmailDomains::InstitutionId)
                        .to(Institutions::Table, Institutions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(InstitutionEmailDomains::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("institutions_siret").table(Institutions::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Institutions::Table).drop_column(Institutions::Siret).to_owned()).await?;
        m.drop_index(Index::drop().name("users_proconnect_sub").table(Users::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::ProconnectSub).to_owned()).await
    }
}
