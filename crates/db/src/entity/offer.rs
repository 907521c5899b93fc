use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub reference: Option<String>,
    pub title: String,
    pub institution_id: i64,
    /// The product of the institution the offer is for, if any.
    pub product_id: Option<i64>,
    pub service_id: Option<i64>,
    pub mission: Option<String>,
    pub profile: Option<String>,
    pub team: Option<String>,
    pub context: Option<String>,
    pub perks: Option<String>,
    pub process: Option<String>,
    pub particularities: Option<String>,
    pub how_to_apply: Option<String>,
    pub nature: Option<String>,
    pub duration_months: Option<i32>,
    pub category: Option<String>,
    pub versant: Option<String>,
    pub profession_id: Option<i64>,
    pub profession_label: Option<String>,
    pub experience: Option<String>,
    pub education: Option<String>,
    pub remote: Option<String>,
    pub working_time: Option<String>,
    pub vacancy: Option<String>,
    pub salary_min: Option<i32>,
    pub salary_max: Option<i32>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub commune_code: Option<String>,
    pub departement_code: Option<String>,
    pub region_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub published_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub starts_on: Option<Date>,
    pub state: String,
    pub application_url: Option<String>,
    pub contact_email: Option<String>,
    pub languages: Option<String>,
    pub source: String,
    pub source_ref: String,
    pub source_url: Option<String>,
    /// Hash of the imported content: an unchanged row is detected without comparing fields.
    pub content_hash: String,
    pub views: i64,
    pub external_clicks: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The offer's state; an unknown stored code is `Corrupt`.
    pub fn state(&self) -> crate::Result<domain::offer::OfferState> {
        crate::stored("état de l’offre", self.id, &self.state)
    }
}
