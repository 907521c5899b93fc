use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub display_name: Option<String>,
    pub institution_id: Option<i64>,
    pub email_verified_at: Option<DateTimeUtc>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    /// ProConnect's stable id of the agent, once they signed in with it.
    pub proconnect_sub: Option<String>,
    /// `domain::role::ApplicationMail` code: when a recruiter hears of new applications.
    pub application_mail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The account's role; an unknown stored code is `Corrupt`.
    pub fn role(&self) -> crate::Result<domain::role::Role> {
        crate::stored("rôle du compte", self.id, &self.role)
    }
}
