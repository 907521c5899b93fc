use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    /// The employer whose recruiters edit it and whose page shows it.
    pub institution_id: i64,
    pub product_id: Option<i64>,
    pub profession_id: Option<i64>,
    /// The person's name as they agreed to be shown; public only with `consent_at`.
    pub display_name: String,
    pub job_title: String,
    pub quote: String,
    /// Markdown.
    pub body: String,
    /// When the person's consent to be shown (name, photo, voice) was recorded.
    pub consent_at: Option<DateTimeUtc>,
    /// Who recorded it (the agent's name and e-mail), for the person's own requests.
    pub consent_recorded_by: Option<String>,
    pub photo_key: Option<String>,
    pub video_key: Option<String>,
    /// `domain::story::VideoKind` code (the MIME type).
    pub video_type: Option<String>,
    pub video_size: Option<i64>,
    /// Checked WebVTT.
    pub captions: Option<String>,
    pub transcript: Option<String>,
    /// `domain::story::StoryState` code.
    pub state: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
