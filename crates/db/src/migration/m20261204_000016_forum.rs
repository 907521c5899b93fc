//! The Forum de l'emploi tech de l'État: editions, sessions and their speakers, participants
//! (one per e-mail address, with the secret address of their calendar), registrations with
//! their waiting list, booths, job-dating slots and bookings.
//!
//! Two rules are constraints, not checks: a slot has at most one booking (`forum_bookings`
//! unique on `slot_id`), and a candidate books at most one slot per booth (unique on
//! `booth_id, user_id`). A session's seats are a counter (`taken`) raised only while below
//! `capacity`, in one statement.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ForumEditions {
    Table,
    Id,
    Slug,
    Name,
    Description,
    StartsAt,
    EndsAt,
    RegistrationOpensAt,
    RegistrationClosesAt,
    BookingOpensAt,
    BookingClosesMinutes,
    ObjectiveParticipants,
    ObjectiveServices,
    ObjectivePosts,
    PurgedAt,
    ArchivedCounts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ForumSessions {
    Table,
    Id,
    EditionId,
    Slug,
    Kind,
    Title,
    Description,
    InstitutionId,
    StoryId,
    Themes,
    StartsAt,
    EndsAt,
    OnlineUrl,
    Place,
    Capacity,
    Taken,
    State,
    ReplayKey,
    ReplayType,
    ReplayCaptions,
    ReplayTranscript,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ForumSpeakers {
    Table,
    Id,
    SessionId,
    Position,
    Name,
    JobTitle,
    InstitutionId,
    StoryId,
}

#[derive(DeriveIden)]
enum ForumParticipants {
    Table,
    Id,
    Email,
    UserId,
    AgendaToken,
    AnnouncementsStoppedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ForumRegistrations {
    Table,
    Id,
    SessionId,
    ParticipantId,
    Status,
    Token,
    WaitingSince,
    RemindedDayFor,
    RemindedHourFor,
    AttendedAt,
    FeedbackAskedAt,
    FeedbackRating,
    FeedbackComment,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ForumBooths {
    Table,
    Id,
    EditionId,
    InstitutionId,
    Slug,
    Presentation,
    SessionId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ForumSlots {
    Table,
    Id,
    BoothId,
    StartsAt,
    EndsAt,
    BufferMinutes,
    OnlineUrl,
    Question,
    OfferIds,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ForumBookings {
    Table,
    Id,
    SlotId,
    BoothId,
    UserId,
    Answer,
    Attended,
    Notes,
    Outcome,
    ApplicationId,
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
                .table(ForumEditions::Table)
                .col(big_pk_auto(ForumEditions::Id))
                .col(string_len_uniq(ForumEditions::Slug, 80))
                .col(string_len(ForumEditions::Name, 160))
                .col(text(ForumEditions::Description))
                .col(timestamp_with_time_zone(ForumEditions::StartsAt))
                .col(timestamp_with_time_zone(ForumEditions::EndsAt))
                .col(timestamp_with_time_zone(ForumEditions::RegistrationOpensAt))
                .col(timestamp_with_time_zone(ForumEditions::RegistrationClosesAt))
                .col(timestamp_with_time_zone(ForumEditions::BookingOpensAt))
                .col(integer(ForumEditions::BookingClosesMinutes))
                .col(integer(ForumEditions::ObjectiveParticipants))
                .col(integer(ForumEditions::ObjectiveServices))
                .col(integer(ForumEditions::ObjectivePosts))
                .col(timestamp_with_time_zone_null(ForumEditions::PurgedAt))
                .col(text_null(ForumEditions::ArchivedCounts))
                .col(timestamp_with_time_zone(ForumEditions::CreatedAt))
                .col(timestamp_with_time_zone(ForumEditions::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumSessions::Table)
                .col(big_pk_auto(ForumSessions::Id))
                .col(big_integer(ForumSessions::EditionId))
                .col(string_len_uniq(ForumSessions::Slug, 140))
                .col(string_len(ForumSessions::Kind, 16))
                .col(string_len(ForumSessions::Title, 200))
                .col(text(ForumSessions::Description))
                .col(big_integer_null(ForumSessions::InstitutionId))
                .col(big_integer_null(ForumSessions::StoryId))
                .col(text(ForumSessions::Themes))
                .col(timestamp_with_time_zone(ForumSessions::StartsAt))
                .col(timestamp_with_time_zone(ForumSessions::EndsAt))
                .col(string_len(ForumSessions::OnlineUrl, 500))
                .col(string_len_null(ForumSessions::Place, 300))
                .col(integer(ForumSessions::Capacity))
                .col(integer(ForumSessions::Taken))
                .col(string_len(ForumSessions::State, 16))
                .col(string_len_null(ForumSessions::ReplayKey, 200))
                .col(string_len_null(ForumSessions::ReplayType, 32))
                .col(text_null(ForumSessions::ReplayCaptions))
                .col(text_null(ForumSessions::ReplayTranscript))
                .col(timestamp_with_time_zone(ForumSessions::CreatedAt))
                .col(timestamp_with_time_zone(ForumSessions::UpdatedAt))
                .foreign_key(&mut fk(
                    "forum_sessions_edition",
                    (ForumSessions::Table, ForumSessions::EditionId),
                    (ForumEditions::Table, ForumEditions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_sessions_edition_start")
                .table(ForumSessions::Table)
                .col(ForumSessions::EditionId)
                .col(ForumSessions::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumSpeakers::Table)
                .col(big_pk_auto(ForumSpeakers::Id))
                .col(big_integer(ForumSpeakers::SessionId))
                .col(integer(ForumSpeakers::Position))
                .col(string_len(ForumSpeakers::Name, 120))
                .col(string_len(ForumSpeakers::JobTitle, 160))
                .col(big_integer_null(ForumSpeakers::InstitutionId))
                .col(big_integer_null(ForumSpeakers::StoryId))
                .foreign_key(&mut fk(
                    "forum_speakers_session",
                    (ForumSpeakers::Table, ForumSpeakers::SessionId),
                    (ForumSessions::Table, ForumSessions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_speakers_session")
                .table(ForumSpeakers::Table)
                .col(ForumSpeakers::SessionId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumParticipants::Table)
                .col(big_pk_auto(ForumParticipants::Id))
                .col(string_len_uniq(ForumParticipants::Email, 320))
                .col(big_integer_null(ForumParticipants::UserId))
                .col(string_len_uniq(ForumParticipants::AgendaToken, 64))
                .col(timestamp_with_time_zone_null(ForumParticipants::AnnouncementsStoppedAt))
                .col(timestamp_with_time_zone(ForumParticipants::CreatedAt))
                .foreign_key(&mut fk(
                    "forum_participants_user",
                    (ForumParticipants::Table, ForumParticipants::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_participants_user")
                .table(ForumParticipants::Table)
                .col(ForumParticipants::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumRegistrations::Table)
                .col(big_pk_auto(ForumRegistrations::Id))
                .col(big_integer(ForumRegistrations::SessionId))
                .col(big_integer(ForumRegistrations::ParticipantId))
                .col(string_len(ForumRegistrations::Status, 16))
                .col(string_len_uniq(ForumRegistrations::Token, 64))
                .col(timestamp_with_time_zone_null(ForumRegistrations::WaitingSince))
                .col(timestamp_with_time_zone_null(ForumRegistrations::RemindedDayFor))
                .col(timestamp_with_time_zone_null(ForumRegistrations::RemindedHourFor))
                .col(timestamp_with_time_zone_null(ForumRegistrations::AttendedAt))
                .col(timestamp_with_time_zone_null(ForumRegistrations::FeedbackAskedAt))
                .col(integer_null(ForumRegistrations::FeedbackRating))
                .col(text_null(ForumRegistrations::FeedbackComment))
                .col(timestamp_with_time_zone(ForumRegistrations::CreatedAt))
                .col(timestamp_with_time_zone(ForumRegistrations::UpdatedAt))
                .foreign_key(&mut fk(
                    "forum_registrations_session",
                    (ForumRegistrations::Table, ForumRegistrations::SessionId),
                    (ForumSessions::Table, ForumSessions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "forum_registrations_participant",
                    (ForumRegistrations::Table, ForumRegistrations::ParticipantId),
                    (ForumParticipants::Table, ForumParticipants::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_registrations_one_per_session")
                .table(ForumRegistrations::Table)
                .col(ForumRegistrations::SessionId)
                .col(ForumRegistrations::ParticipantId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_registrations_participant")
                .table(ForumRegistrations::Table)
                .col(ForumRegistrations::ParticipantId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumBooths::Table)
                .col(big_pk_auto(ForumBooths::Id))
                .col(big_integer(ForumBooths::EditionId))
                .col(big_integer(ForumBooths::InstitutionId))
                .col(string_len_uniq(ForumBooths::Slug, 140))
                .col(text(ForumBooths::Presentation))
                .col(big_integer_null(ForumBooths::SessionId))
                .col(timestamp_with_time_zone(ForumBooths::CreatedAt))
                .col(timestamp_with_time_zone(ForumBooths::UpdatedAt))
                .foreign_key(&mut fk(
                    "forum_booths_edition",
                    (ForumBooths::Table, ForumBooths::EditionId),
                    (ForumEditions::Table, ForumEditions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "forum_booths_institution",
                    (ForumBooths::Table, ForumBooths::InstitutionId),
                    (Institutions::Table, Institutions::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_booths_one_per_institution")
                .table(ForumBooths::Table)
                .col(ForumBooths::EditionId)
                .col(ForumBooths::InstitutionId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumSlots::Table)
                .col(big_pk_auto(ForumSlots::Id))
                .col(big_integer(ForumSlots::BoothId))
                .col(timestamp_with_time_zone(ForumSlots::StartsAt))
                .col(timestamp_with_time_zone(ForumSlots::EndsAt))
                .col(integer(ForumSlots::BufferMinutes))
                .col(string_len(ForumSlots::OnlineUrl, 500))
                .col(text_null(ForumSlots::Question))
                .col(text(ForumSlots::OfferIds))
                .col(big_integer_null(ForumSlots::CreatedBy))
                .col(timestamp_with_time_zone(ForumSlots::CreatedAt))
                .foreign_key(&mut fk(
                    "forum_slots_booth",
                    (ForumSlots::Table, ForumSlots::BoothId),
                    (ForumBooths::Table, ForumBooths::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_slots_booth_start")
                .table(ForumSlots::Table)
                .col(ForumSlots::BoothId)
                .col(ForumSlots::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ForumBookings::Table)
                .col(big_pk_auto(ForumBookings::Id))
                .col(big_integer_uniq(ForumBookings::SlotId))
                .col(big_integer(ForumBookings::BoothId))
                .col(big_integer(ForumBookings::UserId))
                .col(text_null(ForumBookings::Answer))
                .col(boolean_null(ForumBookings::Attended))
                .col(text(ForumBookings::Notes))
                .col(string_len_null(ForumBookings::Outcome, 16))
                .col(big_integer_null(ForumBookings::ApplicationId))
                .col(timestamp_with_time_zone(ForumBookings::CreatedAt))
                .col(timestamp_with_time_zone(ForumBookings::UpdatedAt))
                .foreign_key(&mut fk(
                    "forum_bookings_slot",
                    (ForumBookings::Table, ForumBookings::SlotId),
                    (ForumSlots::Table, ForumSlots::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "forum_bookings_user",
                    (ForumBookings::Table, ForumBookings::UserId),
                    (Users::Table, Users::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_bookings_user")
                .table(ForumBookings::Table)
                .col(ForumBookings::UserId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("forum_bookings_one_per_booth")
                .table(ForumBookings::Table)
                .col(ForumBookings::BoothId)
                .col(ForumBookings::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ForumBookings::Table.into_iden(),
            ForumSlots::Table.into_iden(),
            ForumBooths::Table.into_iden(),
            ForumRegistrations::Table.into_iden(),
            ForumParticipants::Table.into_iden(),
            ForumSpeakers::Table.into_iden(),
            ForumSessions::Table.into_iden(),
            ForumEditions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
