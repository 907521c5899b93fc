//! The back-office: recruiter access requests and the audit log of every change made there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AccessRequests {
    Table,
    Id,
    Name,
    Email,
    InstitutionId,
    InstitutionName,
    Service,
    Position,
    CreatedAt,
    Decision,
    DecidedAt,
    DecidedBy,
}
#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorEmail,
    Action,
    Target,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AccessRequests::Table)
                .col(big_pk_auto(AccessRequests::Id))
                .col(string(AccessRequests::Name))
                .col(string(AccessRequests::Email))
                .col(big_integer_null(AccessRequests::InstitutionId))
                .col(string(AccessRequests::InstitutionName))
                .col(string_null(AccessRequests::Service))
                .col(string(AccessRequests::Position))
                .col(timestamp_with_time_zone(AccessRequests::CreatedAt))
                .col(string_len_null(AccessRequests::Decision, 16))
                .col(timestamp_with_time_zone_null(AccessRequests::DecidedAt))
                .col(big_integer_null(AccessRequests::DecidedBy))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(big_integer_null(AuditLog::ActorId))
                .col(string(AuditLog::ActorEmail))
                .col(string_len(AuditLog::Action, 64))
                .col(string(AuditLog::Target))
                .col(text_null(AuditLog::Before))
                .col(text_null(AuditLog::After))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("audit_log_at").table(AuditLog::Table).col(AuditLog::At).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AccessRequests::Table).to_owned()).await
    }
}
