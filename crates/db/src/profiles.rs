//! Candidate profiles, their choices (professions, domains, régions, contracts), the
//! institutions a profile is hidden from, and the files (CVs) candidates upload.

use crate::Result;
use crate::entity::{application, candidate_profile, file, profile_choice, profile_hidden_institution};
use chrono::{DateTime, Utc};
use domain::candidate::ChoiceKind;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// What the profile form submits, already validated.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub current_position: Option<String>,
    pub years_experience: Option<i32>,
    pub remote: Option<String>,
    pub linkedin_url: Option<String>,
    pub github_url: Option<String>,
    pub portfolio_url: Option<String>,
    pub languages: Option<String>,
    pub talent_pool: bool,
    pub choices: Vec<(ChoiceKind, String)>,
    pub hidden_institutions: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub profile: candidate_profile::Model,
    pub choices: Vec<profile_choice::Model>,
    pub hidden_institutions: Vec<i64>,
    pub cv: Option<file::Model>,
}

impl Profile {
    pub fn codes(&self, kind: ChoiceKind) -> Vec<String> {
        self.choices.iter().filter(|c| c.kind == kind.code()).map(|c| c.code.clone()).collect()
    }
}

/// The profile rows alone (no choices, no files) of several accounts, in one query: what a
/// list of applications shows of each candidate.
pub async fn basics(
    conn: &impl ConnectionTrait,
    user_ids: &[i64],
) -> Result<std::collections::HashMap<i64, candidate_profile::Model>> {
    Ok(candidate_profile::Entity::find()
        .filter(candidate_profile::Column::UserId.is_in(user_ids.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p))
        .collect())
}

pub async fn get(conn: &impl ConnectionTrait, user_id: i64) -> Result<Option<Profile>> {
    let Some(profile) = candidate_profile::Entity::find_by_id(user_id).one(conn).await? else {
        return Ok(None);
    };
    let choices = profile_choice::Entity::find()
        .filter(profile_choice::Column::UserId.eq(user_id))
        .order_by_asc(profile_choice::Column::Kind)
        .order_by_asc(profile_choice::Column::Code)
        .all(conn)
        .await?;
    let hidden_institutions = profile_hidden_institution::Entity::find()
        .filter(profile_hidden_institution::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| h.institution_id)
        .collect();
    let cv = match profile.cv_file_id {
        Some(id) => file::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    Ok(Some(Profile { profile, choices, hidden_institutions, cv }))
}

/// Writes the whole profile (call inside a transaction: lists are replaced).
pub async fn save(conn: &impl ConnectionTrait, user_id: i64, input: &ProfileInput, now: DateTime<Utc>) -> Result<()> {
    let existing = candidate_profile::Entity::find_by_id(user_id).one(conn).await?;
    let model = candidate_profile::ActiveModel {
        user_id: Set(user_id),
        first_name: Set(input.first_name.clone()),
        last_name: Set(input.last_name.clone()),
        phone: Set(input.phone.clone()),
        current_position: Set(input.current_position.clone()),
        years_experience: Set(input.years_experience),
        remote: Set(input.remote.clone()),
        linkedin_url: Set(input.linkedin_url.clone()),
        github_url: Set(input.github_url.clone()),
        portfolio_url: Set(input.portfolio_url.clone()),
        languages: Set(input.languages.clone()),
        talent_pool: Set(input.talent_pool),
        cv_file_id: Set(existing.as_ref().and_then(|p| p.cv_file_id)),
        updated_at: Set(now),
    };
    if existing.is_some() {
        candidate_profile::Entity::update(model).exec(conn).await?;
    } else {
        candidate_profile::Entity::insert(model).exec_without_returning(conn).await?;
    }
    profile_choice::Entity::delete_many().filter(profile_choice::Column::UserId.eq(user_id)).exec(conn).await?;
    let mut choices = input.choices.clone();
    choices.sort();
    choices.dedup();
    if !choices.is_empty() {
        profile_choice::Entity::insert_many(choices.iter().map(|(kind, code)| profile_choice::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind.code().to_string()),
            code: Set(code.clone()),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    profile_hidden_institution::Entity::delete_many()
        .filter(profile_hidden_institution::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    let mut hidden = input.hidden_institutions.clone();
    hidden.sort_unstable();
    hidden.dedup();
    if !hidden.is_empty() {
        profile_hidden_institution::Entity::insert_many(
            hidden
                .iter()
                .map(|id| profile_hidden_institution::ActiveModel { user_id: Set(user_id), institution_id: Set(*id) }),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Attaches a CV to an existing profile; returns the file it replaces, if any.
pub async fn set_cv(
    conn: &impl ConnectionTrait,
    user_id: i64,
    file_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let previous = candidate_profile::Entity::find_by_id(user_id).one(conn).await?.and_then(|p| p.cv_file_id);
    candidate_profile::Entity::update_many()
        .col_expr(candidate_profile::Column::CvFileId, Expr::value(file_id))
        .col_expr(candidate_profile::Column::UpdatedAt, Expr::value(now))
        .filter(candidate_profile::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(previous.filter(|p| Some(*p) != file_id))
}

// --- files ------------------------------------------------------------------------------

pub async fn insert_file(
    conn: &impl ConnectionTrait,
    owner: i64,
    storage_key: &str,
    file_name: &str,
    content_type: &str,
    size: i64,
    now: DateTime<Utc>,
) -> Result<file::Model> {
    let model = file::ActiveModel {
        owner_user_id: Set(Some(owner)),
        storage_key: Set(storage_key.to_string()),
        file_name: Set(file_name.to_string()),
        content_type: Set(content_type.to_string()),
        size: Set(size),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(file::Entity::insert(model).exec_with_returning(conn).await?)
}

pub async fn file_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<file::Model>> {
    Ok(file::Entity::find_by_id(id).one(conn).await?)
}

pub async fn files_of(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<file::Model>> {
    Ok(file::Entity::find().filter(file::Column::OwnerUserId.eq(user_id)).all(conn).await?)
}

pub async fn delete_file(conn: &impl ConnectionTrait, id: i64) -> Result<()> {
    file::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Whether a file is still referenced by a profile or an application.
pub async fn file_in_use(conn: &impl ConnectionTrait, id: i64) -> Result<bool> {
    let profile =
        candidate_profile::Entity::find().filter(candidate_profile::Column::CvFileId.eq(id)).one(conn).await?;
    if profile.is_some() {
        return Ok(true);
    }
    Ok(application::Entity::find().filter(application::Column::CvFileId.eq(id)).one(conn).await?.is_some())
}

/// Institutions whose recruiters may read a file: those it was sent to with an application.
pub async fn file_institutions(conn: &impl ConnectionTrait, file_id: i64) -> Result<Vec<Option<i64>>> {
    Ok(application::Entity::find()
        .filter(application::Column::CvFileId.eq(file_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.institution_id)
        .collect())
}
