use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub email: String,
    pub institution_id: Option<i64>,
    pub institution_name: String,
    pub service: Option<String>,
    pub position: String,
    /// `domain::role::AccessPurpose` code; NULL: to recruit.
    pub purpose: Option<String>,
    pub created_at: DateTimeUtc,
    pub decision: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
