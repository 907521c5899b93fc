use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "immersion_campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Markdown: the rules shown to everyone.
    pub rules: String,
    /// JSON list of ISO dates (`crate::immersion::days_of`).
    pub days: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    pub matching_on: DateTimeUtc,
    /// The end of the last day.
    pub ends_at: DateTimeUtc,
    pub answer_days: i32,
    pub objective_duos: i32,
    pub confirmed_at: Option<DateTimeUtc>,
    pub purged_at: Option<DateTimeUtc>,
    /// The figures, kept as JSON when the personal data is purged.
    pub archived_counts: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
