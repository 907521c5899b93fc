//! Loads the compiled-in reference lists (régions, départements, communes, domains,
//! professions) into their tables, once; later runs only add what is missing.

use crate::entity::{commune, departement, domain as domain_e, profession, region};
use crate::{Db, Result};
use domain::{geo, taxonomy, text::slugify};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashMap;

const BATCH: usize = 500;

#[expect(clippy::disallowed_methods, reason = "loading the reference data at start-up, before any request")]
pub async fn ensure_loaded(db: &Db) -> Result<()> {
    let txn = db.begin().await?;
    if region::Entity::find().count(&txn).await? == 0 {
        let rows = geo::regions().iter().map(|r| region::ActiveModel {
            code: Set(r.code.clone()),
            name: Set(r.name.clone()),
            slug: Set(slugify(&r.name)),
        });
        region::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        let rows = geo::departements().iter().map(|d| departement::ActiveModel {
            code: Set(d.code.clone()),
            region_code: Set(d.region_code.clone()),
            name: Set(d.name.clone()),
        });
        departement::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        for chunk in geo::communes().chunks(BATCH) {
            let rows = chunk.iter().map(|c| commune::ActiveModel {
                code: Set(c.code.clone()),
                name: Set(c.name.clone()),
                departement_code: Set(c.departement_code.clone()),
                region_code: Set(c.region_code.clone()),
                postal_codes: Set(c.postal_codes.join(" ")),
                population: Set(i32::try_from(c.population).unwrap_or(i32::MAX)),
            });
            commune::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
    }
    for d in taxonomy::domains() {
        let exists = domain_e::Entity::find().filter(domain_e::Column::Slug.eq(&d.slug)).one(&txn).await?;
        if exists.is_none() {
            domain_e::Entity::insert(domain_e::ActiveModel {
                slug: Set(d.slug.clone()),
                label: Set(d.label.clone()),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
    }
    let domain_ids = domain_ids(&txn).await?;
    for p in taxonomy::professions() {
        let exists = profession::Entity::find().filter(profession::Column::Slug.eq(&p.slug)).one(&txn).await?;
        if exists.is_none() {
            profession::Entity::insert(profession::ActiveModel {
                slug: Set(p.slug.clone()),
                label: Set(p.label.clone()),
                domain_id: Set(domain_ids.get(&p.domain).copied()),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Slug → id of every domain.
pub async fn domain_ids(conn: &impl sea_orm::ConnectionTrait) -> Result<HashMap<String, i64>> {
    Ok(domain_e::Entity::find().all(conn).await?.into_iter().map(|d| (d.slug, d.id)).collect())
}

/// Slug → id of every profession.
pub async fn profession_ids(conn: &impl sea_orm::ConnectionTrait) -> Result<HashMap<String, i64>> {
    Ok(profession::Entity::find().all(conn).await?.into_iter().map(|p| (p.slug, p.id)).collect())
}

/// The ids the offer writer needs, read once per import or seed run.
#[derive(Debug, Clone, Default)]
pub struct TaxonomyIds {
    pub domains: HashMap<String, i64>,
    pub professions: HashMap<String, i64>,
}

impl TaxonomyIds {
    pub async fn load(db: &Db) -> Result<Self> {
        Ok(Self { domains: domain_ids(db.conn()).await?, professions: profession_ids(db.conn()).await? })
    }
}

/// Domains and professions, each sorted by label.
pub async fn taxonomy(conn: &impl sea_orm::ConnectionTrait) -> Result<(Vec<domain_e::Model>, Vec<profession::Model>)> {
    use sea_orm::QueryOrder;
    let domains = domain_e::Entity::find().order_by_asc(domain_e::Column::Label).all(conn).await?;
    let professions = profession::Entity::find().order_by_asc(profession::Column::Label).all(conn).await?;
    Ok((domains, professions))
}

// --- administrators' edits of the taxonomy ------------------------------------------------

/// Renames a domain (its address in search filters, the slug, stays).
pub async fn rename_domain(conn: &impl sea_orm::ConnectionTrait, id: i64, label: &str) -> Result<domain_e::Model> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let found = domain_e::Entity::find_by_id(id).one(conn).await?.ok_or(crate::DbError::NotFound)?;
    let mut model = found.into_active_model();
    model.label = Set(label.to_string());
    Ok(model.update(conn).await?)
}

/// Adds a domain; `Conflict` when one has the same address.
pub async fn add_domain(conn: &impl sea_orm::ConnectionTrait, label: &str) -> Result<domain_e::Model> {
    let slug = domain::text::slugify_max(label, 60);
    if slug.is_empty() || domain_e::Entity::find().filter(domain_e::Column::Slug.eq(&slug)).one(conn).await?.is_some() {
        return Err(crate::DbError::Conflict(crate::Conflict::DomainLabelTaken { label: label.to_string() }));
    }
    let row = domain_e::ActiveModel { slug: Set(slug), label: Set(label.to_string()), ..Default::default() };
    Ok(domain_e::Entity::insert(row).exec_with_returning(conn).await?)
}

/// Renames a profession and sets its domain; its offers take the new name, and are marked
/// as changed so the search index reads them again.
pub async fn update_profession(
    conn: &impl sea_orm::ConnectionTrait,
    id: i64,
    label: &str,
    domain_id: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<profession::Model> {
    use crate::entity::offer;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ActiveModelTrait, IntoActiveModel};
    let found = profession::Entity::find_by_id(id).one(conn).await?.ok_or(crate::DbError::NotFound)?;
    if let Some(d) = domain_id
        && domain_e::Entity::find_by_id(d).one(conn).await?.is_none()
    {
        return Err(crate::DbError::Invalid(crate::Invalid::UnknownDomain));
    }
    let renamed = found.label != label;
    let mut model = found.into_active_model();
    model.label = Set(label.to_string());
    model.domain_id = Set(domain_id);
    let saved = model.update(conn).await?;
    if renamed {
        offer::Entity::update_many()
            .col_expr(offer::Column::ProfessionLabel, Expr::value(label))
            .col_expr(offer::Column::UpdatedAt, Expr::value(now))
            .filter(offer::Column::ProfessionId.eq(id))
            .exec(conn)
            .await?;
    }
    Ok(saved)
}

/// Adds a profession; `Conflict` when one has the same address.
pub async fn add_profession(
    conn: &impl sea_orm::ConnectionTrait,
    label: &str,
    domain_id: Option<i64>,
) -> Result<profession::Model> {
    let slug = domain::text::slugify_max(label, 60);
    if slug.is_empty()
        || profession::Entity::find().filter(profession::Column::Slug.eq(&slug)).one(conn).await?.is_some()
    {
        return Err(crate::DbError::Conflict(crate::Conflict::ProfessionLabelTaken { label: label.to_string() }));
    }
    let row = profession::ActiveModel {
        slug: Set(slug),
        label: Set(label.to_string()),
        domain_id: Set(domain_id),
        ..Default::default()
    };
    Ok(profession::Entity::insert(row).exec_with_returning(conn).await?)
}
