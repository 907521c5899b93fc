use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "institutions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// `domain::text::match_key` of the name: imports deduplicate employers on it.
    pub name_key: String,
    pub acronym: Option<String>,
    pub ministry: Option<String>,
    pub website: Option<String>,
    pub logo_path: Option<String>,
    pub presentation: Option<String>,
    pub values: Option<String>,
    pub missions: Option<String>,
    pub projects: Option<String>,
    pub figures: Option<String>,
    pub recruitment_process: Option<String>,
    pub working_with_us: Option<String>,
    pub published: bool,
    /// Maps agents signing in with ProConnect (their employer's SIRET) to this institution.
    pub siret: Option<String>,
    /// The organisation id in the State's product catalogue (`dinum`): imports map sponsors by it.
    pub catalogue_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
