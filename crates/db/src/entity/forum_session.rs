use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "forum_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub edition_id: i64,
    pub slug: String,
    /// `domain::forum::SessionKind` code.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub institution_id: Option<i64>,
    /// A testimony's story.
    pub story_id: Option<i64>,
    /// Comma-separated (`domain::forum::themes_of`).
    pub themes: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Shown to registered participants only, shortly before the start.
    pub online_url: String,
    pub place: Option<String>,
    pub capacity: i32,
    /// Seats taken (registered participants), raised only below `capacity`.
    pub taken: i32,
    /// `domain::forum::SessionState` code.
    pub state: String,
    pub replay_key: Option<String>,
    pub replay_type: Option<String>,
    pub replay_captions: Option<String>,
    pub replay_transcript: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
