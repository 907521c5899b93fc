use sea_orm::entity::prelude::*;

/// A student's application (one per student and campaign).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "immersion_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub school: String,
    pub programme: String,
    /// `domain::immersion::StudyYear` code.
    pub year: String,
    /// JSON lists: profession slugs, domain slugs, région codes, ISO dates.
    pub professions: String,
    pub domains: String,
    pub regions: String,
    pub remote_ok: bool,
    pub motivation: String,
    pub days: String,
    /// `domain::immersion::ApplicationState` code.
    pub state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
