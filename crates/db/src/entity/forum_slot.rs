use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "forum_slots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub booth_id: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub buffer_minutes: i32,
    pub online_url: String,
    /// The pre-screening question the candidate answers when booking.
    pub question: Option<String>,
    /// The offers it is about, comma-separated ids.
    pub offer_ids: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
