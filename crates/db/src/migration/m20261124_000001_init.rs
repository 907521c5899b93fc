//! The foundation schema: geography, taxonomy, institutions and their services, offers, users,
//! import reports.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    Slug,
}
#[derive(DeriveIden)]
enum Departements {
    Table,
    Code,
    RegionCode,
    Name,
}
#[derive(DeriveIden)]
enum Communes {
    Table,
    Code,
    Name,
    DepartementCode,
    RegionCode,
    PostalCodes,
    Population,
}
#[derive(DeriveIden)]
enum Domains {
    Table,
    Id,
    Slug,
    Label,
}
#[derive(DeriveIden)]
enum Professions {
    Table,
    Id,
    Slug,
    Label,
    DomainId,
}
#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
    Slug,
    Name,
    NameKey,
    Acronym,
    Ministry,
    Website,
    LogoPath,
    Presentation,
    Values,
    Missions,
    Projects,
    Figures,
    RecruitmentProcess,
    WorkingWithUs,
    Published,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Services {
    Table,
    Id,
    InstitutionId,
    ParentId,
    Slug,
    Name,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    Slug,
    Reference,
    Title,
    InstitutionId,
    ServiceId,
    Mission,
    Profile,
    Team,
    Context,
    Perks,
    Process,
    Particularities,
    HowToApply,
    Nature,
    DurationMonths,
    Category,
    Versant,
    ProfessionId,
    ProfessionLabel,
    Experience,
    Education,
    Remote,
    WorkingTime,
    Vacancy,
    SalaryMin,
    SalaryMax,
    Address,
    City,
    PostalCode,
    CommuneCode,
    DepartementCode,
    RegionCode,
    Latitude,
    Longitude,
    PublishedAt,
    ExpiresAt,
    StartsOn,
    State,
    ApplicationUrl,
    ContactEmail,
    Languages,
    Source,
    SourceRef,
    SourceUrl,
    ContentHash,
    Views,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}
#[derive(DeriveIden)]
enum OfferContractTypes {
    Table,
    OfferId,
    ContractType,
}
#[derive(DeriveIden)]
enum OfferDomains {
    Table,
    OfferId,
    DomainId,
}
#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    DisplayName,
    InstitutionId,
    EmailVerifiedAt,
    Active,
    CreatedAt,
    UpdatedAt,
    LastLoginAt,
}
#[derive(DeriveIden)]
enum UserServices {
    Table,
    UserId,
    ServiceId,
}
#[derive(DeriveIden)]
enum ImportRuns {
    Table,
    Id,
    Source,
    Format,
    FileName,
    StartedAt,
    FinishedAt,
    ReadRows,
    Created,
    Updated,
    Unchanged,
    Archived,
    Rejected,
    Report,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Regions::Table)
                .col(string_len(Regions::Code, 3).primary_key())
                .col(string(Regions::Name))
                .col(string_uniq(Regions::Slug))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Departements::Table)
                .col(string_len(Departements::Code, 3).primary_key())
                .col(string_len(Departements::RegionCode, 3))
                .col(string(Departements::Name))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Communes::Table)
                .col(string_len(Communes::Code, 5).primary_key())
                .col(string(Communes::Name))
                .col(string_len(Communes::DepartementCode, 3))
                .col(string_len(Communes::RegionCode, 3))
                .col(text(Communes::PostalCodes))
                .col(integer(Communes::Population))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("communes_departement")
                .table(Communes::Table)
                .col(Communes::DepartementCode)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Domains::Table)
                .col(big_pk_auto(Domains::Id))
                .col(string_uniq(Domains::Slug))
                .col(string(Domains::Label))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Professions::Table)
                .col(big_pk_auto(Professions::Id))
                .col(string_uniq(Professions::Slug))
                .col(string(Professions::Label))
                .col(big_integer_null(Professions::DomainId))
                .foreign_key(&mut fk(
                    "professions_domain",
                    (Professions::Table, Professions::DomainId),
                    (Domains::Table, Domains::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Institutions::Table)
                .col(big_pk_auto(Institutions::Id))
                .col(string_uniq(Institutions::Slug))
                .col(text(Institutions::Name))
                .col(string_uniq(Institutions::NameKey))
                .col(string_null(Institutions::Acronym))
                .col(text_null(Institutions::Ministry))
                .col(text_null(Institutions::Website))
                .col(text_null(Institutions::LogoPath))
                .col(text_null(Institutions::Presentation))
                .col(text_null(Institutions::Values))
                .col(text_null(Institutions::Missions))
                .col(text_null(Institutions::Projects))
                .col(text_null(Institutions::Figures))
                .col(text_null(Institutions::RecruitmentProcess))
                .col(text_null(Institutions::WorkingWithUs))
                .col(boolean(Institutions::Published).default(true))
                .col(timestamp_with_time_zone(Institutions::CreatedAt))
                .col(timestamp_with_time_zone(Institutions::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Services::Table)
                .col(big_pk_auto(Services::Id))
                .col(big_integer(Services::InstitutionId))
                .col(big_integer_null(Services::ParentId))
                .col(string(Services::Slug))
                .col(text(Services::Name))
                .col(timestamp_with_time_zone(Services::CreatedAt))
                .foreign_key(&mut fk(
                    "services_institution",
                    (Services::Table, Services::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "services_parent",
                    (Services::Table, Services::ParentId),
                    (Services::Table, Services::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("services_institution_slug")
                .table(Services::Table)
                .col(Services::InstitutionId)
                .col(Services::Slug)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Offers::Table)
                .col(big_pk_auto(Offers::Id))
                .col(string_uniq(Offers::Slug))
                .col(string_null(Offers::Reference))
                .col(text(Offers::Title))
                .col(big_integer(Offers::InstitutionId))
                .col(big_integer_null(Offers::ServiceId))
                .col(text_null(Offers::Mission))
                .col(text_null(Offers::Profile))
                .col(text_null(Offers::Team))
                .col(text_null(Offers::Context))
                .col(text_null(Offers::Perks))
                .col(text_null(Offers::Process))
                .col(text_null(Offers::Particularities))
                .col(text_null(Offers::HowToApply))
                .col(string_len_null(Offers::Nature, 32))
                .col(integer_null(Offers::DurationMonths))
                .col(string_len_null(Offers::Category, 4))
                .col(string_len_null(Offers::Versant, 4))
                .col(big_integer_null(Offers::ProfessionId))
                .col(text_null(Offers::ProfessionLabel))
                .col(string_len_null(Offers::Experience, 16))
                .col(string_len_null(Offers::Education, 2))
                .col(string_len_null(Offers::Remote, 16))
                .col(string_len_null(Offers::WorkingTime, 32))
                .col(string_len_null(Offers::Vacancy, 32))
                .col(integer_null(Offers::SalaryMin))
                .col(integer_null(Offers::SalaryMax))
                .col(text_null(Offers::Address))
                .col(string_null(Offers::City))
                .col(string_len_null(Offers::PostalCode, 5))
                .col(string_len_null(Offers::CommuneCode, 5))
                .col(string_len_null(Offers::DepartementCode, 3))
                .col(string_len_null(Offers::RegionCode, 3))
                .col(double_null(Offers::Latitude))
                .col(double_null(Offers::Longitude))
                .col(timestamp_with_time_zone(Offers::PublishedAt))
                .col(timestamp_with_time_zone_null(Offers::ExpiresAt))
                .col(date_null(Offers::StartsOn))
                .col(string_len(Offers::State, 16))
                .col(text_null(Offers::ApplicationUrl))
                .col(text_null(Offers::ContactEmail))
                .col(text_null(Offers::Languages))
                .col(string_len(Offers::Source, 16))
                .col(string(Offers::SourceRef))
                .col(text_null(Offers::SourceUrl))
                .col(string_len(Offers::ContentHash, 64))
                .col(big_integer(Offers::Views).default(0))
                .col(timestamp_with_time_zone(Offers::CreatedAt))
                .col(timestamp_with_time_zone(Offers::UpdatedAt))
                .col(timestamp_with_time_zone_null(Offers::DeletedAt))
                .foreign_key(&mut fk(
                    "offers_institution",
                    (Offers::Table, Offers::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "offers_service",
                    (Offers::Table, Offers::ServiceId),
                    (Services::Table, Services::Id),
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "offers_profession",
                    (Offers::Table, Offers::ProfessionId),
                    (Professions::Table, Professions::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("offers_source_ref")
                .table(Offers::Table)
                .col(Offers::Source)
                .col(Offers::SourceRef)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("offers_updated_at").table(Offers::Table).col(Offers::UpdatedAt).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("offers_institution").table(Offers::Table).col(Offers::InstitutionId).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("offers_state_published")
                .table(Offers::Table)
                .col(Offers::State)
                .col(Offers::PublishedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(OfferContractTypes::Table)
                .col(big_integer(OfferContractTypes::OfferId))
                .col(string_len(OfferContractTypes::ContractType, 16))
                .primary_key(Index::create().col(OfferContractTypes::OfferId).col(OfferContractTypes::ContractType))
                .foreign_key(&mut fk(
                    "offer_contract_types_offer",
                    (OfferContractTypes::Table, OfferContractTypes::OfferId),
                    (Offers::Table, Offers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OfferDomains::Table)
                .col(big_integer(OfferDomains::OfferId))
                .col(big_integer(OfferDomains::DomainId))
                .primary_key(Index::create().col(OfferDomains::OfferId).col(OfferDomains::DomainId))
                .foreign_key(&mut fk(
                    "offer_domains_offer",
                    (OfferDomains::Table, OfferDomains::OfferId),
                    (Offers::Table, Offers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "offer_domains_domain",
                    (OfferDomains::Table, OfferDomains::DomainId),
                    (Domains::Table, Domains::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(string_uniq(Users::Email))
                .col(text_null(Users::PasswordHash))
                .col(string_len(Users::Role, 16))
                .col(string_null(Users::DisplayName))
                .col(big_integer_null(Users::InstitutionId))
                .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                .col(boolean(Users::Active).default(true))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                .foreign_key(&mut fk(
                    "users_institution",
                    (Users::Table, Users::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserServices::Table)
                .col(big_integer(UserServices::UserId))
                .col(big_integer(UserServices::ServiceId))
                .primary_key(Index::create().col(UserServices::UserId).col(UserServices::ServiceId))
                .foreign_key(&mut fk(
                    "user_services_user",
                    (UserServices::Table, UserServices::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "user_services_service",
                    (UserServices::Table, UserServices::ServiceId),
                    (Services::Table, Services::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ImportRuns::Table)
                .col(big_pk_auto(ImportRuns::Id))
                .col(string_len(ImportRuns::Source, 16))
                .col(string_len(ImportRuns::Format, 16))
                .col(text(ImportRuns::FileName))
                .col(timestamp_with_time_zone(ImportRuns::StartedAt))
                .col(timestamp_with_time_zone_null(ImportRuns::FinishedAt))
                .col(big_integer(ImportRuns::ReadRows))
                .col(big_integer(ImportRuns::Created))
                .col(big_integer(ImportRuns::Updated))
                .col(big_integer(ImportRuns::Unchanged))
                .col(big_integer(ImportRuns::Archived))
                .col(big_integer(ImportRuns::Rejected))
                .col(text(ImportRuns::Report))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ImportRuns::Table.into_iden(),
            UserServices::Table.into_iden(),
            Users::Table.into_iden(),
            OfferDomains::Table.into_iden(),
            OfferContractTypes::Table.into_iden(),
            Offers::Table.into_iden(),
            Services::Table.into_iden(),
            Institutions::Table.into_iden(),
            Professions::Table.into_iden(),
            Domains::Table.into_iden(),
            Communes::Table.into_iden(),
            Departements::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
