//! « Vis mon job »: campaigns, the agents' offers of a day, the students' applications and
//! the duos (proposals, answers, agreement, follow-up, feedback).
//!
//! Two rules are constraints, not checks: a student is in at most one live duo
//! (`immersion_duos.student_key`, the application's id while the duo is proposed or accepted,
//! unique) and a host's seat is given once (`seat_key`, « offer:seat », unique). Both are
//! cleared when a duo is declined, expires or is cancelled; NULLs never collide.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ImmersionCampaigns {
    Table,
    Id,
    Slug,
    Name,
    Rules,
    Days,
    OpensAt,
    ClosesAt,
    MatchingOn,
    EndsAt,
    AnswerDays,
    ObjectiveDuos,
    ConfirmedAt,
    PurgedAt,
    ArchivedCounts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImmersionOffers {
    Table,
    Id,
    CampaignId,
    UserId,
    InstitutionId,
    Employer,
    Service,
    JobTitle,
    Profession,
    Domain,
    Mode,
    CommuneCode,
    RegionCode,
    Days,
    Seats,
    Description,
    Accessibility,
    State,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImmersionApplications {
    Table,
    Id,
    CampaignId,
    UserId,
    FirstName,
    LastName,
    Phone,
    School,
    Programme,
    Year,
    Professions,
    Domains,
    Regions,
    RemoteOk,
    Motivation,
    Days,
    State,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImmersionDuos {
    Table,
    Id,
    CampaignId,
    OfferId,
    ApplicationId,
    Day,
    StartsAt,
    EndsAt,
    Remote,
    Score,
    Reasons,
    State,
    StudentKey,
    SeatKey,
    ProposedAt,
    ExpiresAt,
    AnswerRemindedAt,
    StudentAcceptedAt,
    HostAcceptedAt,
    DeclinedBy,
    DeclineReason,
    Place,
    OnlineUrl,
    Programme,
    ManagerName,
    StudentAgreedAt,
    HostAgreedAt,
    WeekRemindedAt,
    EveRemindedAt,
    FeedbackAskedAt,
    StudentRating,
    StudentRecommends,
    StudentDiscovered,
    StudentComment,
    HostRating,
    HostRecommends,
    HostComment,
    KeptInTouchAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
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
                .table(ImmersionCampaigns::Table)
                .col(big_pk_auto(ImmersionCampaigns::Id))
                .col(string_len_uniq(ImmersionCampaigns::Slug, 80))
                .col(string_len(ImmersionCampaigns::Name, 160))
                .col(text(ImmersionCampaigns::Rules))
                // The days as a JSON list of ISO dates.
                .col(text(ImmersionCampaigns::Days))
                .col(timestamp_with_time_zone(ImmersionCampaigns::OpensAt))
                .col(timestamp_with_time_zone(ImmersionCampaigns::ClosesAt))
                .col(timestamp_with_time_zone(ImmersionCampaigns::MatchingOn))
                // The end of the last day: when the campaign is over.
                .col(timestamp_with_time_zone(ImmersionCampaigns::EndsAt))
                .col(integer(ImmersionCampaigns::AnswerDays))
                .col(integer(ImmersionCampaigns::ObjectiveDuos))
                .col(timestamp_with_time_zone_null(ImmersionCampaigns::ConfirmedAt))
                .col(timestamp_with_time_zone_null(ImmersionCampaigns::PurgedAt))
                .col(text_null(ImmersionCampaigns::ArchivedCounts))
                .col(timestamp_with_time_zone(ImmersionCampaigns::CreatedAt))
                .col(timestamp_with_time_zone(ImmersionCampaigns::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImmersionOffers::Table)
                .col(big_pk_auto(ImmersionOffers::Id))
                .col(big_integer(ImmersionOffers::CampaignId))
                .col(big_integer(ImmersionOffers::UserId))
                .col(big_integer_null(ImmersionOffers::InstitutionId))
                .col(string_len(ImmersionOffers::Employer, 200))
                .col(string_len(ImmersionOffers::Service, 200))
                .col(string_len(ImmersionOffers::JobTitle, 200))
                .col(string_len(ImmersionOffers::Profession, 120))
                .col(string_len_null(ImmersionOffers::Domain, 120))
                .col(string_len(ImmersionOffers::Mode, 16))
                .col(string_len_null(ImmersionOffers::CommuneCode, 8))
                .col(string_len_null(ImmersionOffers::RegionCode, 4))
                .col(text(ImmersionOffers::Days))
                .col(integer(ImmersionOffers::Seats))
                .col(text(ImmersionOffers::Description))
                .col(text(ImmersionOffers::Accessibility))
                .col(string_len(ImmersionOffers::State, 16))
                .col(timestamp_with_time_zone(ImmersionOffers::CreatedAt))
                .col(timestamp_with_time_zone(ImmersionOffers::UpdatedAt))
                .foreign_key(&mut fk(
                    "immersion_offers_campaign",
                    (ImmersionOffers::Table, ImmersionOffers::CampaignId),
                    (ImmersionCampaigns::Table, ImmersionCampaigns::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "immersion_offers_user",
                    (ImmersionOffers::Table, ImmersionOffers::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "immersion_offers_institution",
                    (ImmersionOffers::Table, ImmersionOffers::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("immersion_offers_one_per_agent")
                .table(ImmersionOffers::Table)
                .col(ImmersionOffers::CampaignId)
                .col(ImmersionOffers::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("immersion_offers_user")
                .table(ImmersionOffers::Table)
                .col(ImmersionOffers::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImmersionApplications::Table)
                .col(big_pk_auto(ImmersionApplications::Id))
                .col(big_integer(ImmersionApplications::CampaignId))
                .col(big_integer(ImmersionApplications::UserId))
                .col(string_len(ImmersionApplications::FirstName, 100))
                .col(string_len(ImmersionApplications::LastName, 100))
                .col(string_len_null(ImmersionApplications::Phone, 30))
                .col(string_len(ImmersionApplications::School, 200))
                .col(string_len(ImmersionApplications::Programme, 200))
                .col(string_len(ImmersionApplications::Year, 16))
                .col(text(ImmersionApplications::Professions))
                .col(text(ImmersionApplications::Domains))
                .col(text(ImmersionApplications::Regions))
                .col(boolean(ImmersionApplications::RemoteOk))
                .col(text(ImmersionApplications::Motivation))
                .col(text(ImmersionApplications::Days))
                .col(string_len(ImmersionApplications::State, 16))
                .col(timestamp_with_time_zone(ImmersionApplications::CreatedAt))
                .col(timestamp_with_time_zone(ImmersionApplications::UpdatedAt))
                .foreign_key(&mut fk(
                    "immersion_applications_campaign",
                    (ImmersionApplications::Table, ImmersionApplications::CampaignId),
                    (ImmersionCampaigns::Table, ImmersionCampaigns::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "immersion_applications_user",
                    (ImmersionApplications::Table, ImmersionApplications::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("immersion_applications_one_per_student")
                .table(ImmersionApplications::Table)
                .col(ImmersionApplications::CampaignId)
                .col(ImmersionApplications::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("immersion_applications_user")
                .table(ImmersionApplications::Table)
                .col(ImmersionApplications::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ImmersionDuos::Table)
                .col(big_pk_auto(ImmersionDuos::Id))
                .col(big_integer(ImmersionDuos::CampaignId))
                .col(big_integer(ImmersionDuos::OfferId))
                .col(big_integer(ImmersionDuos::ApplicationId))
                .col(date(ImmersionDuos::Day))
                .col(timestamp_with_time_zone(ImmersionDuos::StartsAt))
                .col(timestamp_with_time_zone(ImmersionDuos::EndsAt))
                .col(boolean(ImmersionDuos::Remote))
                .col(integer(ImmersionDuos::Score))
                .col(string_len(ImmersionDuos::Reasons, 120))
                .col(string_len(ImmersionDuos::State, 16))
                .col(big_integer_null(ImmersionDuos::StudentKey).unique_key())
                .col(string_len_null(ImmersionDuos::SeatKey, 40).unique_key())
                .col(timestamp_with_time_zone_null(ImmersionDuos::ProposedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::ExpiresAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::AnswerRemindedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::StudentAcceptedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::HostAcceptedAt))
                .col(string_len_null(ImmersionDuos::DeclinedBy, 16))
                .col(string_len_null(ImmersionDuos::DeclineReason, 16))
                .col(text_null(ImmersionDuos::Place))
                .col(string_len_null(ImmersionDuos::OnlineUrl, 500))
                .col(text(ImmersionDuos::Programme))
                .col(string_len_null(ImmersionDuos::ManagerName, 200))
                .col(timestamp_with_time_zone_null(ImmersionDuos::StudentAgreedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::HostAgreedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::WeekRemindedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::EveRemindedAt))
                .col(timestamp_with_time_zone_null(ImmersionDuos::FeedbackAskedAt))
                .col(integer_null(ImmersionDuos::StudentRating))
                .col(boolean_null(ImmersionDuos::StudentRecommends))
                .col(boolean_null(ImmersionDuos::StudentDiscovered))
                .col(text_null(ImmersionDuos::StudentComment))
                .col(integer_null(ImmersionDuos::HostRating))
                .col(boolean_null(ImmersionDuos::HostRecommends))
                .col(text_null(ImmersionDuos::HostComment))
                .col(timestamp_with_time_zone_null(ImmersionDuos::KeptInTouchAt))
                .col(timestamp_with_time_zone(ImmersionDuos::CreatedAt))
                .col(timestamp_with_time_zone(ImmersionDuos::UpdatedAt))
                .foreign_key(&mut fk(
                    "immersion_duos_campaign",
                    (ImmersionDuos::Table, ImmersionDuos::CampaignId),
                    (ImmersionCampaigns::Table, ImmersionCampaigns::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "immersion_duos_offer",
                    (ImmersionDuos::Table, ImmersionDuos::OfferId),
                    (ImmersionOffers::Table, ImmersionOffers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "immersion_duos_application",
                    (ImmersionDuos::Table, ImmersionDuos::ApplicationId),
                    (ImmersionApplications::Table, ImmersionApplications::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("immersion_duos_campaign_idx", ImmersionDuos::CampaignId),
            ("immersion_duos_offer_idx", ImmersionDuos::OfferId),
            ("immersion_duos_application_idx", ImmersionDuos::ApplicationId),
        ] {
            m.create_index(Index::create().name(name).table(ImmersionDuos::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ImmersionDuos::Table.into_iden(),
            ImmersionApplications::Table.into_iden(),
            ImmersionOffers::Table.into_iden(),
            ImmersionCampaigns::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
