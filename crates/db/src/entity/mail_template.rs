use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_templates")]
pub struct Model {
    /// `domain::candidate::Stage` code.
    #[sea_orm(primary_key, auto_increment = false)]
    pub stage: String,
    pub subject: String,
    pub body: String,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
