//! The candidate side: sessions, one-time tokens, login attempts, profiles and their choices,
//! files (CVs), applications and their timeline, refusal reasons, favourites, alerts and what
//! each alert already sent, the newsletter, the e-mail outbox, and the periodic-job ledger.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    ExternalClicks,
}
#[derive(DeriveIden)]
enum Institutions {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    Data,
    ExpiresAt,
}
#[derive(DeriveIden)]
enum UserTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    Id,
    EmailKey,
    Ip,
    At,
    Success,
}
#[derive(DeriveIden)]
enum CandidateProfiles {
    Table,
    UserId,
    FirstName,
    LastName,
    Phone,
    CurrentPosition,
    YearsExperience,
    Remote,
    LinkedinUrl,
    GithubUrl,
    PortfolioUrl,
    Languages,
    TalentPool,
    CvFileId,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum ProfileChoices {
    Table,
    UserId,
    Kind,
    Code,
}
#[derive(DeriveIden)]
enum ProfileHiddenInstitutions {
    Table,
    UserId,
    InstitutionId,
}
#[derive(DeriveIden)]
enum Files {
    Table,
    Id,
    OwnerUserId,
    StorageKey,
    FileName,
    ContentType,
    Size,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    OfferId,
    InstitutionId,
    UserId,
    CandidateName,
    CandidateEmail,
    CoverLetter,
    Links,
    CvFileId,
    Stage,
    RefusalReason,
    CreatedAt,
    UpdatedAt,
    LastActivityAt,
    AnonymizedAt,
}
#[derive(DeriveIden)]
enum ApplicationEvents {
    Table,
    Id,
    ApplicationId,
    Stage,
    Reason,
    ByCandidate,
    CreatedAt,
}
#[derive(DeriveIden)]
enum RefusalReasons {
    Table,
    Id,
    Code,
    Label,
    Position,
    Active,
}
#[derive(DeriveIden)]
enum Favourites {
    Table,
    UserId,
    OfferId,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    UserId,
    Email,
    Query,
    Label,
    Frequency,
    Token,
    ConfirmedAt,
    UnsubscribedAt,
    CreatedAt,
    LastSentAt,
}
#[derive(DeriveIden)]
enum AlertDeliveries {
    Table,
    AlertId,
    OfferId,
    SentAt,
}
#[derive(DeriveIden)]
enum NewsletterSubscriptions {
    Table,
    Id,
    Email,
    Token,
    CreatedAt,
    ConfirmedAt,
    UnsubscribedAt,
}
#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    SentAt,
    FailedAt,
    LastError,
}
#[derive(DeriveIden)]
enum PeriodicRuns {
    Table,
    Key,
    StartedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(on_delete).to_owned()
}

/// The refusal reasons a recruiter picks from (administrators edit the list).
const REFUSAL_REASONS: &[(&str, &str)] = &[
    ("profil", "Votre profil ne correspond pas aux compétences recherchées pour ce poste."),
    ("experience", "L’expérience demandée pour ce poste est plus importante."),
    ("pourvu", "Le poste a été pourvu par un autre candidat ou une autre candidate."),
    ("statut", "Le poste n’est pas ouvert à votre statut (titulaire ou contractuel)."),
    ("annule", "Le recrutement a été annulé."),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Offers::Table).add_column(big_integer(Offers::ExternalClicks).default(0)).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(big_integer_null(Sessions::UserId))
                .col(text(Sessions::Data))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("sessions_user").table(Sessions::Table).col(Sessions::UserId).to_owned())
            .await?;
        m.create_index(
            Index::create().name("sessions_expiry").table(Sessions::Table).col(Sessions::ExpiresAt).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserTokens::Table)
                .col(big_pk_auto(UserTokens::Id))
                .col(big_integer(UserTokens::UserId))
                .col(string_len(UserTokens::Purpose, 16))
                .col(string_len_uniq(UserTokens::TokenHash, 64))
                .col(timestamp_with_time_zone(UserTokens::CreatedAt))
                .col(timestamp_with_time_zone(UserTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(UserTokens::UsedAt))
                .foreign_key(&mut fk(
                    "user_tokens_user",
                    (UserTokens::Table, UserTokens::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginAttempts::Table)
                .col(big_pk_auto(LoginAttempts::Id))
                .col(string(LoginAttempts::EmailKey))
                .col(string_len(LoginAttempts::Ip, 64))
                .col(timestamp_with_time_zone(LoginAttempts::At))
                .col(boolean(LoginAttempts::Success))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("login_attempts_email")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::EmailKey)
                .col(LoginAttempts::At)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("login_attempts_ip")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::Ip)
                .col(LoginAttempts::At)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Files::Table)
                .col(big_pk_auto(Files::Id))
                .col(big_integer_null(Files::OwnerUserId))
                .col(string_len_uniq(Files::StorageKey, 64))
                .col(string(Files::FileName))
                .col(string_len(Files::ContentType, 64))
                .col(big_integer(Files::Size))
                .col(timestamp_with_time_zone(Files::CreatedAt))
                .foreign_key(&mut fk(
                    "files_owner",
                    (Files::Table, Files::OwnerUserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CandidateProfiles::Table)
                .col(big_integer(CandidateProfiles::UserId).primary_key())
                .col(string(CandidateProfiles::FirstName))
                .col(string(CandidateProfiles::LastName))
                .col(string_len_null(CandidateProfiles::Phone, 32))
                .col(string_null(CandidateProfiles::CurrentPosition))
                .col(integer_null(CandidateProfiles::YearsExperience))
                .col(string_len_null(CandidateProfiles::Remote, 16))
                .col(string_null(CandidateProfiles::LinkedinUrl))
                .col(string_null(CandidateProfiles::GithubUrl))
                .col(string_null(CandidateProfiles::PortfolioUrl))
                .col(string_null(CandidateProfiles::Languages))
                .col(boolean(CandidateProfiles::TalentPool).default(false))
                .col(big_integer_null(CandidateProfiles::CvFileId))
                .col(timestamp_with_time_zone(CandidateProfiles::UpdatedAt))
                .foreign_key(&mut fk(
                    "profiles_user",
                    (CandidateProfiles::Table, CandidateProfiles::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "profiles_cv",
                    (CandidateProfiles::Table, CandidateProfiles::CvFileId),
                    (Files::Table, Files::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProfileChoices::Table)
                .col(big_integer(ProfileChoices::UserId))
                .col(string_len(ProfileChoices::Kind, 16))
                .col(string_len(ProfileChoices::Code, 64))
                .primary_key(
                    Index::create().col(ProfileChoices::UserId).col(ProfileChoices::Kind).col(ProfileChoices::Code),
                )
                .foreign_key(&mut fk(
                    "profile_choices_user",
                    (ProfileChoices::Table, ProfileChoices::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProfileHiddenInstitutions::Table)
                .col(big_integer(ProfileHiddenInstitutions::UserId))
                .col(big_integer(ProfileHiddenInstitutions::InstitutionId))
                .primary_key(
                    Index::create()
                        .col(ProfileHiddenInstitutions::UserId)
                        .col(ProfileHiddenInstitutions::InstitutionId),
                )
                .foreign_key(&mut fk(
                    "profile_hidden_user",
                    (ProfileHiddenInstitutions::Table, ProfileHiddenInstitutions::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "profile_hidden_institution",
                    (ProfileHiddenInstitutions::Table, ProfileHiddenInstitutions::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RefusalReasons::Table)
                .col(big_pk_auto(RefusalReasons::Id))
                .col(string_len_uniq(RefusalReasons::Code, 32))
                .col(string(RefusalReasons::Label))
                .col(integer(RefusalReasons::Position))
                .col(boolean(RefusalReasons::Active).default(true))
                .to_owned(),
        )
        .await?;
        let mut insert = Query::insert()
            .into_table(RefusalReasons::Table)
            .columns([RefusalReasons::Code, RefusalReasons::Label, RefusalReasons::Position, RefusalReasons::Active])
            .to_owned();
        for (i, (code, label)) in REFUSAL_REASONS.iter().enumerate() {
            let pos = <i32 as std::convert::TryFrom<usize>>::try_from(i).unwrap_or(i32::MAX);
            insert.values_panic([(*code).into(), (*label).into(), pos.into(), true.into()]);
        }
        m.exec_stmt(insert).await?;

        m.create_table(
            Table::create()
                .table(Applications::Table)
                .col(big_pk_auto(Applications::Id))
                .col(big_integer_null(Applications::OfferId))
                .col(big_integer_null(Applications::InstitutionId))
                .col(big_integer_null(Applications::UserId))
                .col(string_null(Applications::CandidateName))
                .col(string_null(Applications::CandidateEmail))
                .col(text_null(Applications::CoverLetter))
                .col(text_null(Applications::Links))
                .col(big_integer_null(Applications::CvFileId))
                .col(string_len(Applications::Stage, 16))
                .col(string_len_null(Applications::RefusalReason, 32))
                .col(timestamp_with_time_zone(Applications::CreatedAt))
                .col(timestamp_with_time_zone(Applications::UpdatedAt))
                .col(timestamp_with_time_zone(Applications::LastActivityAt))
                .col(timestamp_with_time_zone_null(Applications::AnonymizedAt))
                .foreign_key(&mut fk(
                    "applications_offer",
                    (Applications::Table, Applications::OfferId),
                    (Offers::Table, Offers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "applications_institution",
                    (Applications::Table, Applications::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "applications_user",
                    (Applications::Table, Applications::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "applications_cv",
                    (Applications::Table, Applications::CvFileId),
                    (Files::Table, Files::Id),
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        // One application per offer and candidate; NULL users (anonymised) do not collide.
        m.create_index(
            Index::create()
                .name("applications_offer_user")
                .table(Applications::Table)
                .col(Applications::OfferId)
                .col(Applications::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("applications_user").table(Applications::Table).col(Applications::UserId).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("applications_activity")
                .table(Applications::Table)
                .col(Applications::LastActivityAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApplicationEvents::Table)
                .col(big_pk_auto(ApplicationEvents::Id))
                .col(big_integer(ApplicationEvents::ApplicationId))
                .col(string_len(ApplicationEvents::Stage, 16))
                .col(string_len_null(ApplicationEvents::Reason, 32))
                .col(boolean(ApplicationEvents::ByCandidate))
                .col(timestamp_with_time_zone(ApplicationEvents::CreatedAt))
                .foreign_key(&mut fk(
                    "application_events_application",
                    (ApplicationEvents::Table, ApplicationEvents::ApplicationId),
                    (Applications::Table, Applications::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("application_events_application")
                .table(ApplicationEvents::Table)
                .col(ApplicationEvents::ApplicationId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Favourites::Table)
                .col(big_integer(Favourites::UserId))
                .col(big_integer(Favourites::OfferId))
                .col(timestamp_with_time_zone(Favourites::CreatedAt))
                .primary_key(Index::create().col(Favourites::UserId).col(Favourites::OfferId))
                .foreign_key(&mut fk(
                    "favourites_user",
                    (Favourites::Table, Favourites::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "favourites_offer",
                    (Favourites::Table, Favourites::OfferId),
                    (Offers::Table, Offers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Alerts::Table)
                .col(big_pk_auto(Alerts::Id))
                .col(big_integer_null(Alerts::UserId))
                .col(string(Alerts::Email))
                .col(text(Alerts::Query))
                .col(string(Alerts::Label))
                .col(string_len(Alerts::Frequency, 16))
                .col(string_len_uniq(Alerts::Token, 64))
                .col(timestamp_with_time_zone_null(Alerts::ConfirmedAt))
                .col(timestamp_with_time_zone_null(Alerts::UnsubscribedAt))
                .col(timestamp_with_time_zone(Alerts::CreatedAt))
                .col(timestamp_with_time_zone_null(Alerts::LastSentAt))
                .foreign_key(&mut fk(
                    "alerts_user",
                    (Alerts::Table, Alerts::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("alerts_user").table(Alerts::Table).col(Alerts::UserId).to_owned()).await?;

        m.create_table(
            Table::create()
                .table(AlertDeliveries::Table)
                .col(big_integer(AlertDeliveries::AlertId))
                .col(big_integer(AlertDeliveries::OfferId))
                .col(timestamp_with_time_zone(AlertDeliveries::SentAt))
                .primary_key(Index::create().col(AlertDeliveries::AlertId).col(AlertDeliveries::OfferId))
                .foreign_key(&mut fk(
                    "alert_deliveries_alert",
                    (AlertDeliveries::Table, AlertDeliveries::AlertId),
                    (Alerts::Table, Alerts::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "alert_deliveries_offer",
                    (AlertDeliveries::Table, AlertDeliveries::OfferId),
                    (Offers::Table, Offers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(NewsletterSubscriptions::Table)
                .col(big_pk_auto(NewsletterSubscriptions::Id))
                .col(string_uniq(NewsletterSubscriptions::Email))
                .col(string_len_uniq(NewsletterSubscriptions::Token, 64))
                .col(timestamp_with_time_zone(NewsletterSubscriptions::CreatedAt))
                .col(timestamp_with_time_zone_null(NewsletterSubscriptions::ConfirmedAt))
                .col(timestamp_with_time_zone_null(NewsletterSubscriptions::UnsubscribedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(big_pk_auto(Outbox::Id))
                .col(string(Outbox::Recipient))
                .col(string(Outbox::Subject))
                .col(text(Outbox::TextBody))
                .col(text(Outbox::HtmlBody))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(integer(Outbox::Attempts).default(0))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .col(timestamp_with_time_zone_null(Outbox::FailedAt))
                .col(text_null(Outbox::LastError))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("outbox_due")
                .table(Outbox::Table)
                .col(Outbox::SentAt)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PeriodicRuns::Table)
                .col(string_len(PeriodicRuns::Key, 64).primary_key())
                .col(timestamp_with_time_zone(PeriodicRuns::StartedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PeriodicRuns::Table.into_iden(),
            Outbox::Table.into_iden(),
            NewsletterSubscriptions::Table.into_iden(),
            AlertDeliveries::Table.into_iden(),
            Alerts::Table.into_iden(),
            Favourites::Table.into_iden(),
            ApplicationEvents::Table.into_iden(),
            Applications::Table.into_iden(),
            RefusalReasons::Table.into_iden(),
            ProfileHiddenInstitutions::Table.into_iden(),
            ProfileChoices::Table.into_iden(),
            CandidateProfiles::Table.into_iden(),
            Files::Table.into_iden(),
            LoginAttempts::Table.into_iden(),
            UserTokens::Table.into_iden(),
            Sessions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(Offers::Table).drop_column(Offers::ExternalClicks).to_owned()).await
    }
}
