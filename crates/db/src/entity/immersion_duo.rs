use sea_orm::entity::prelude::*;

/// A duo: one student, one host, one day.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "immersion_duos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub offer_id: i64,
    pub application_id: i64,
    pub day: Date,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub remote: bool,
    pub score: i32,
    /// `domain::immersion::Reason` codes, comma-separated.
    pub reasons: String,
    /// `domain::immersion::DuoState` code.
    pub state: String,
    /// Unique: the application's id while the duo is live (one live duo per student).
    pub student_key: Option<i64>,
    /// Unique: « offer:seat » while the duo is live (a seat given once).
    pub seat_key: Option<String>,
    pub proposed_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub answer_reminded_at: Option<DateTimeUtc>,
    pub student_accepted_at: Option<DateTimeUtc>,
    pub host_accepted_at: Option<DateTimeUtc>,
    /// `domain::immersion::Side` and `DeclineReason` codes.
    pub declined_by: Option<String>,
    pub decline_reason: Option<String>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub programme: String,
    pub manager_name: Option<String>,
    pub student_agreed_at: Option<DateTimeUtc>,
    pub host_agreed_at: Option<DateTimeUtc>,
    pub week_reminded_at: Option<DateTimeUtc>,
    pub eve_reminded_at: Option<DateTimeUtc>,
    pub feedback_asked_at: Option<DateTimeUtc>,
    pub student_rating: Option<i32>,
    pub student_recommends: Option<bool>,
    pub student_discovered: Option<bool>,
    pub student_comment: Option<String>,
    pub host_rating: Option<i32>,
    pub host_recommends: Option<bool>,
    pub host_comment: Option<String>,
    pub kept_in_touch_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
