use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub offer_id: Option<i64>,
    pub institution_id: Option<i64>,
    pub user_id: Option<i64>,
    pub candidate_name: Option<String>,
    pub candidate_email: Option<String>,
    pub cover_letter: Option<String>,
    pub links: Option<String>,
    pub cv_file_id: Option<i64>,
    pub stage: String,
    pub refusal_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_activity_at: DateTimeUtc,
    pub anonymized_at: Option<DateTimeUtc>,
    pub rating: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The application's stage; an unknown stored code is `Corrupt`.
    pub fn stage(&self) -> crate::Result<domain::candidate::Stage> {
        crate::stored("étape de la candidature", self.id, &self.stage)
    }
}
