use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "forum_registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub participant_id: i64,
    /// `domain::forum::RegistrationStatus` code.
    pub status: String,
    /// Confirms (double opt-in) and cancels in one click, from the e-mail.
    pub token: String,
    /// The waiting list's order.
    pub waiting_since: Option<DateTimeUtc>,
    /// The session's start a reminder was sent for (a moved session is reminded again).
    pub reminded_day_for: Option<DateTimeUtc>,
    pub reminded_hour_for: Option<DateTimeUtc>,
    pub attended_at: Option<DateTimeUtc>,
    pub feedback_asked_at: Option<DateTimeUtc>,
    pub feedback_rating: Option<i32>,
    pub feedback_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
