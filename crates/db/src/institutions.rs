//! Institutions (employers) and their services.

use crate::Result;
use crate::entity::{institution, service};
use chrono::{DateTime, Utc};
use domain::text::{match_key, slugify_max};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The showcase sections of an employer page.
#[derive(Debug, Clone, Default)]
pub struct Showcase {
    pub acronym: Option<String>,
    pub ministry: Option<String>,
    pub website: Option<String>,
    pub presentation: Option<String>,
    pub values: Option<String>,
    pub missions: Option<String>,
    pub projects: Option<String>,
    pub figures: Option<String>,
    pub recruitment_process: Option<String>,
    pub working_with_us: Option<String>,
}

/// Finds an institution by name (ignoring case, accents and punctuation) or creates it.
pub async fn find_or_create(
    conn: &impl ConnectionTrait,
    name: &str,
    preferred_slug: Option<&str>,
    showcase: Option<&Showcase>,
    now: DateTime<Utc>,
) -> Result<institution::Model> {
    let key = match_key(name);
    if let Some(found) = institution::Entity::find().filter(institution::Column::NameKey.eq(&key)).one(conn).await? {
        return Ok(found);
    }
    let base = preferred_slug.map(str::to_string).unwrap_or_else(|| slugify_max(name, 60));
    let slug = unique_slug(conn, &base).await?;
    let s = showcase.cloned().unwrap_or_default();
    let model = institution::ActiveModel {
        slug: Set(slug),
        name: Set(name.trim().to_string()),
        name_key: Set(key),
        acronym: Set(s.acronym),
        ministry: Set(s.ministry),
        website: Set(s.website),
        logo_path: Set(None),
        presentation: Set(s.presentation),
        values: Set(s.values),
        missions: Set(s.missions),
        projects: Set(s.projects),
        figures: Set(s.figures),
        recruitment_process: Set(s.recruitment_process),
        working_with_us: Set(s.working_with_us),
        published: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    Ok(institution::Entity::insert(model).exec_with_returning(conn).await?)
}

async fn unique_slug(conn: &impl ConnectionTrait, base: &str) -> Result<String> {
    let base = if base.is_empty() { "employeur" } else { base };
    let mut candidate = base.to_string();
    let mut n = 2;
    while institution::Entity::find().filter(institution::Column::Slug.eq(&candidate)).one(conn).await?.is_some() {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Finds a service of an institution by name or creates it under `parent`.
pub async fn find_or_create_service(
    conn: &impl ConnectionTrait,
    institution_id: i64,
    parent_id: Option<i64>,
    name: &str,
    slug: Option<&str>,
    now: DateTime<Utc>,
) -> Result<service::Model> {
    let slug = slug.map(str::to_string).unwrap_or_else(|| slugify_max(name, 60));
    if let Some(found) = service::Entity::find()
        .filter(service::Column::InstitutionId.eq(institution_id))
        .filter(service::Column::Slug.eq(&slug))
        .one(conn)
        .await?
    {
        return Ok(found);
    }
    let model = service::ActiveModel {
        institution_id: Set(institution_id),
        parent_id: Set(parent_id),
        slug: Set(slug),
        name: Set(name.trim().to_string()),
        created_at: Set(now),
        ..Default::default()
    };
    Ok(service::Entity::insert(model).exec_with_returning(conn).await?)
}

pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<institution::Model>> {
    Ok(institution::Entity::find().order_by_asc(institution::Column::Name).all(conn).await?)
}

pub async fn by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<institution::Model> {
    institution::Entity::find()
        .filter(institution::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .ok_or(crate::DbError::NotFound)
}

pub async fn by_slugs(conn: &impl ConnectionTrait, slugs: &[String]) -> Result<Vec<institution::Model>> {
    Ok(institution::Entity::find().filter(institution::Column::Slug.is_in(slugs.to_vec())).all(conn).await?)
}

pub async fn by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<institution::Model>> {
    Ok(institution::Entity::find().filter(institution::Column::Id.is_in(ids.to_vec())).all(conn).await?)
}

/// Open offers per institution at `now`.
pub async fn open_counts(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<std::collections::HashMap<i64, u64>> {
    use crate::entity::offer;
    use sea_orm::QuerySelect;
    let rows: Vec<(i64, i64)> = crate::offers::open(now)
        .select_only()
        .column(offer::Column::InstitutionId)
        .column_as(offer::Column::Id.count(), "n")
        .group_by(offer::Column::InstitutionId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}

/// Published employers that recruit now or present themselves, whose name contains `query`
/// (ignoring case and accents), with their open offers, most offers first.
pub async fn directory(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    query: &str,
) -> Result<Vec<(institution::Model, u64)>> {
    let counts = open_counts(conn, now).await?;
    let key = match_key(query);
    let mut out: Vec<(institution::Model, u64)> = institution::Entity::find()
        .filter(institution::Column::Published.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| {
            let n = counts.get(&i.id).copied().unwrap_or(0);
            (i, n)
        })
        .filter(|(i, n)| *n > 0 || i.presentation.is_some())
        .filter(|(i, _)| {
            key.is_empty()
                || i.name_key.contains(&key)
                || i.acronym.as_deref().is_some_and(|a| match_key(a).contains(&key))
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
    Ok(out)
}

/// The services of an institution, parents before children.
pub async fn services(conn: &impl ConnectionTrait, institution_id: i64) -> Result<Vec<service::Model>> {
    Ok(service::Entity::find()
        .filter(service::Column::InstitutionId.eq(institution_id))
        .order_by_asc(service::Column::Name)
        .all(conn)
        .await?)
}

/// The showcase sections an employer page editor writes, as stored in a draft (JSON).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShowcaseDraft {
    pub website: Option<String>,
    pub presentation: Option<String>,
    pub values: Option<String>,
    pub missions: Option<String>,
    pub projects: Option<String>,
    pub figures: Option<String>,
    pub recruitment_process: Option<String>,
    pub working_with_us: Option<String>,
}

impl ShowcaseDraft {
    pub fn of(i: &institution::Model) -> Self {
        Self {
            website: i.website.clone(),
            presentation: i.presentation.clone(),
            values: i.values.clone(),
            missions: i.missions.clone(),
            projects: i.projects.clone(),
            figures: i.figures.clone(),
            recruitment_process: i.recruitment_process.clone(),
            working_with_us: i.working_with_us.clone(),
        }
    }
}

/// The saved draft of an institution's page, if any.
pub async fn draft(conn: &impl ConnectionTrait, institution_id: i64) -> Result<Option<ShowcaseDraft>> {
    use crate::entity::showcase_draft;
    Ok(showcase_draft::Entity::find_by_id(institution_id)
        .one(conn)
        .await?
        .and_then(|d| serde_json::from_str(&d.data).ok()))
}

pub async fn save_draft(
    conn: &impl ConnectionTrait,
    institution_id: i64,
    draft: &ShowcaseDraft,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::entity::showcase_draft;
    use sea_orm::sea_query::OnConflict;
    let data = serde_json::to_string(draft).map_err(|e| crate::DbError::Corrupt(e.to_string()))?;
    let model = showcase_draft::ActiveModel {
        institution_id: Set(institution_id),
        data: Set(data),
        updated_at: Set(now),
        updated_by: Set(by.to_string()),
    };
    showcase_draft::Entity::insert(model)
        .on_conflict(
            OnConflict::column(showcase_draft::Column::InstitutionId)
                .update_columns([
                    showcase_draft::Column::Data,
                    showcase_draft::Column::UpdatedAt,
                    showcase_draft::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Publishes a draft: the page shows it, and the draft is gone.
pub async fn publish_draft(
    conn: &impl ConnectionTrait,
    institution_id: i64,
    d: &ShowcaseDraft,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::entity::showcase_draft;
    use sea_orm::sea_query::Expr;
    institution::Entity::update_many()
        .col_expr(institution::Column::Website, Expr::value(d.website.clone()))
        .col_expr(institution::Column::Presentation, Expr::value(d.presentation.clone()))
        .col_expr(institution::Column::Values, Expr::value(d.values.clone()))
        .col_expr(institution::Column::Missions, Expr::value(d.missions.clone()))
        .col_expr(institution::Column::Projects, Expr::value(d.projects.clone()))
        .col_expr(institution::Column::Figures, Expr::value(d.figures.clone()))
        .col_expr(institution::Column::RecruitmentProcess, Expr::value(d.recruitment_process.clone()))
        .col_expr(institution::Column::WorkingWithUs, Expr::value(d.working_with_us.clone()))
        .col_expr(institution::Column::UpdatedAt, Expr::value(now))
        .filter(institution::Column::Id.eq(institution_id))
        .exec(conn)
        .await?;
    showcase_draft::Entity::delete_by_id(institution_id).exec(conn).await?;
    Ok(())
}

pub async fn set_logo(
    conn: &impl ConnectionTrait,
    institution_id: i64,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    use sea_orm::sea_query::Expr;
    institution::Entity::update_many()
        .col_expr(institution::Column::LogoPath, Expr::value(key.map(str::to_string)))
        .col_expr(institution::Column::UpdatedAt, Expr::value(now))
        .filter(institution::Column::Id.eq(institution_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<institution::Model> {
    institution::Entity::find_by_id(id).one(conn).await?.ok_or(crate::DbError::NotFound)
}

/// Shows or hides an employer's page (administrators).
pub async fn set_published(conn: &impl ConnectionTrait, id: i64, published: bool, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::sea_query::Expr;
    let res = institution::Entity::update_many()
        .col_expr(institution::Column::Published, Expr::value(published))
        .col_expr(institution::Column::UpdatedAt, Expr::value(now))
        .filter(institution::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(crate::DbError::NotFound);
    }
    Ok(())
}

// --- identity of an employer: name, SIRET, e-mail domains (administrators) -------------------

/// Renames an employer (its address stays, so links keep working); `Conflict` when another
/// employer has the same name.
pub async fn rename(
    conn: &impl ConnectionTrait,
    id: i64,
    name: &str,
    acronym: Option<&str>,
    ministry: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    use sea_orm::sea_query::Expr;
    let key = match_key(name);
    let taken = institution::Entity::find()
        .filter(institution::Column::NameKey.eq(key.as_str()))
        .filter(institution::Column::Id.ne(id))
        .one(conn)
        .await?;
    if taken.is_some() {
        return Err(crate::DbError::Conflict(crate::Conflict::InstitutionNameTaken { name: name.to_string() }));
    }
    let res = institution::Entity::update_many()
        .col_expr(institution::Column::Name, Expr::value(name))
        .col_expr(institution::Column::NameKey, Expr::value(key))
        .col_expr(institution::Column::Acronym, Expr::value(acronym.map(str::to_string)))
        .col_expr(institution::Column::Ministry, Expr::value(ministry.map(str::to_string)))
        .col_expr(institution::Column::UpdatedAt, Expr::value(now))
        .filter(institution::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(crate::DbError::NotFound);
    }
    Ok(())
}

/// Sets or clears the SIRET that maps ProConnect agents to the employer; `Conflict` when
/// another employer has it.
pub async fn set_siret(conn: &impl ConnectionTrait, id: i64, siret: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::sea_query::Expr;
    if let Some(s) = siret {
        let taken =
            institution::Entity::find().filter(institution::Column::Siret.eq(s)).filter(institution::Column::Id.ne(id));
        if let Some(other) = taken.one(conn).await? {
            return Err(crate::DbError::Conflict(crate::Conflict::SiretTaken {
                siret: s.to_string(),
                owner: other.name,
            }));
        }
    }
    institution::Entity::update_many()
        .col_expr(institution::Column::Siret, Expr::value(siret.map(str::to_string)))
        .col_expr(institution::Column::UpdatedAt, Expr::value(now))
        .filter(institution::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn email_domains(conn: &impl ConnectionTrait, institution_id: i64) -> Result<Vec<String>> {
    use crate::entity::institution_email_domain as d;
    Ok(d::Entity::find()
        .filter(d::Column::InstitutionId.eq(institution_id))
        .order_by_asc(d::Column::Domain)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.domain)
        .collect())
}

/// Every (domain, institution id) pair, for the administrators' list.
pub async fn all_email_domains(conn: &impl ConnectionTrait) -> Result<Vec<(String, i64)>> {
    use crate::entity::institution_email_domain as d;
    Ok(d::Entity::find()
        .order_by_asc(d::Column::Domain)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.domain, r.institution_id))
        .collect())
}

/// Adds a domain (already normalised); `Conflict` when an employer has it.
pub async fn add_email_domain(conn: &impl ConnectionTrait, institution_id: i64, domain: &str) -> Result<()> {
    use crate::entity::institution_email_domain as d;
    if let Some(existing) = d::Entity::find_by_id(domain.to_string()).one(conn).await? {
        let owner = by_id(conn, existing.institution_id).await?;
        return Err(crate::DbError::Conflict(crate::Conflict::EmailDomainTaken {
            domain: domain.to_string(),
            owner: owner.name,
        }));
    }
    let row = d::ActiveModel { domain: Set(domain.to_string()), institution_id: Set(institution_id) };
    d::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(())
}

pub async fn remove_email_domain(conn: &impl ConnectionTrait, institution_id: i64, domain: &str) -> Result<bool> {
    use crate::entity::institution_email_domain as d;
    let res = d::Entity::delete_many()
        .filter(d::Column::Domain.eq(domain))
        .filter(d::Column::InstitutionId.eq(institution_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// The institution of an agent: by the SIRET of their employer first (precise), then by its
/// SIREN, then by the domain of their address, most precise domain first.
pub async fn for_agent(
    conn: &impl ConnectionTrait,
    siret: Option<&str>,
    email: &domain::email::Email,
) -> Result<Option<institution::Model>> {
    use crate::entity::institution_email_domain as d;
    if let Some(s) = siret
        && let Some(found) = institution::Entity::find().filter(institution::Column::Siret.eq(s)).one(conn).await?
    {
        return Ok(Some(found));
    }
    // Another establishment of the same legal unit (same SIREN, the SIRET's first nine digits),
    // when only one employer has that SIREN.
    if let Some(siren) = siret.filter(|s| s.len() == 14 && s.chars().all(|c| c.is_ascii_digit())).map(|s| &s[..9]) {
        let same_unit = institution::Entity::find()
            .filter(institution::Column::Siret.starts_with(siren))
            .limit(2)
            .all(conn)
            .await?;
        if let [only] = same_unit.as_slice() {
            return Ok(Some(only.clone()));
        }
    }
    for domain in email.domains() {
        if let Some(row) = d::Entity::find_by_id(domain.to_string()).one(conn).await? {
            return Ok(Some(by_id(conn, row.institution_id).await?));
        }
    }
    Ok(None)
}

/// An organisation of the State's product catalogue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogueOrganisation {
    /// Its file id (`dinum`).
    pub id: String,
    pub name: String,
    pub acronym: Option<String>,
    pub ministry: Option<String>,
}

/// The institution of a catalogue organisation: the one mapped to it before, else the one of
/// the same acronym or name, else a new one; the mapping is recorded. An existing employer's
/// page is never rewritten.
pub async fn for_catalogue(
    conn: &impl ConnectionTrait,
    org: &CatalogueOrganisation,
    now: DateTime<Utc>,
) -> Result<institution::Model> {
    if let Some(found) =
        institution::Entity::find().filter(institution::Column::CatalogueId.eq(&org.id)).one(conn).await?
    {
        return Ok(found);
    }
    let by_acronym = match org.acronym.as_deref().map(match_key).filter(|k| !k.is_empty()) {
        Some(key) => institution::Entity::find()
            .filter(institution::Column::Acronym.is_not_null())
            .all(conn)
            .await?
            .into_iter()
            .find(|i| i.acronym.as_deref().map(match_key).as_deref() == Some(key.as_str())),
        None => None,
    };
    let found = match by_acronym {
        Some(i) => i,
        None => {
            let showcase =
                Showcase { acronym: org.acronym.clone(), ministry: org.ministry.clone(), ..Default::default() };
            find_or_create(conn, &org.name, None, Some(&showcase), now).await?
        }
    };
    if found.catalogue_id.is_none() {
        institution::Entity::update_many()
            .col_expr(institution::Column::CatalogueId, sea_orm::sea_query::Expr::value(org.id.clone()))
            .filter(institution::Column::Id.eq(found.id))
            .exec(conn)
            .await?;
    }
    Ok(found)
}
