use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "forum_bookings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique: a slot is booked once.
    pub slot_id: i64,
    /// Unique with `user_id`: one slot per booth and candidate.
    pub booth_id: i64,
    pub user_id: i64,
    pub answer: Option<String>,
    pub attended: Option<bool>,
    pub notes: String,
    /// `domain::forum::BookingOutcome` code.
    pub outcome: Option<String>,
    pub application_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
