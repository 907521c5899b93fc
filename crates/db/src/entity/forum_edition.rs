use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "forum_editions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Markdown.
    pub description: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub registration_opens_at: DateTimeUtc,
    pub registration_closes_at: DateTimeUtc,
    pub booking_opens_at: DateTimeUtc,
    /// Booking a slot closes this many minutes before it.
    pub booking_closes_minutes: i32,
    pub objective_participants: i32,
    pub objective_services: i32,
    pub objective_posts: i32,
    /// When its participants' data was purged (the counts stay).
    pub purged_at: Option<DateTimeUtc>,
    /// The statistics as they were when the participants were purged (JSON of
    /// `forum::EditionStats`), so the counts stay.
    pub archived_counts: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
