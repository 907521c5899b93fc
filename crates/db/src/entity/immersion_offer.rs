use sea_orm::entity::prelude::*;

/// An agent's offer of a day (one per agent and campaign).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "immersion_offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub user_id: i64,
    pub institution_id: Option<i64>,
    pub employer: String,
    pub service: String,
    pub job_title: String,
    /// Profession and domain slugs.
    pub profession: String,
    pub domain: Option<String>,
    /// `domain::immersion::PlaceMode` code.
    pub mode: String,
    pub commune_code: Option<String>,
    pub region_code: Option<String>,
    /// JSON list of ISO dates.
    pub days: String,
    pub seats: i32,
    pub description: String,
    pub accessibility: String,
    /// `domain::immersion::OfferState` code.
    pub state: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
