use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    /// The catalogue's file id, for idempotent imports; `None` for products written here.
    pub source_id: Option<String>,
    /// The institution whose recruiters edit it (its first sponsor with an employer page).
    pub institution_id: Option<i64>,
    pub title: String,
    pub mission: String,
    pub body: String,
    pub incubator: Option<String>,
    /// `domain::product::Phase` code of the current phase.
    pub phase: Option<String>,
    /// JSON array of `domain::product::PhaseSpan`.
    pub phases: String,
    /// JSON arrays of strings.
    pub themes: String,
    pub audiences: String,
    pub link: Option<String>,
    pub repository: Option<String>,
    pub stats_url: Option<String>,
    /// `domain::product::Accessibility` code.
    pub accessibility: Option<String>,
    /// JSON array of `domain::product::TeamMission`.
    pub team: String,
    /// `domain::product::ProductState` code.
    pub state: String,
    pub content_hash: String,
    /// The start of its latest phase (or its last edit): "recent activity" sorts on it.
    pub activity_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
