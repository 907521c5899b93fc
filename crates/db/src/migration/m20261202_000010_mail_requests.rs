//! E-mails asked for through public forms (sign-up, password reset, alerts, newsletter, access
//! requests), kept an hour or so to throttle them per address and per IP across instances.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailRequests {
    Table,
    Id,
    Kind,
    AddressKey,
    Ip,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MailRequests::Table)
                .col(big_pk_auto(MailRequests::Id))
                .col(string_len(MailRequests::Kind, 32))
                .col(string(MailRequests::AddressKey))
                .col(string_len(MailRequests::Ip, 64))
                .col(timestamp_with_time_zone(MailRequests::At))
                .to_owned(),
        )
        .await?;
        for (name, col) in [("mail_requests_address", MailRequests::AddressKey), ("mail_requests_ip", MailRequests::Ip)]
        {
            m.create_index(
                Index::create().name(name).table(MailRequests::Table).col(col).col(MailRequests::At).to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailRequests::Table).to_owned()).await
    }
}
