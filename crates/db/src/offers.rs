//! Offers: the idempotent writer used by importers and the demo catalogue, and the queries
//! that read them.

use crate::Result;
use crate::entity::{offer, offer_contract_type, offer_domain};
use crate::institutions;
use crate::reference::TaxonomyIds;
use chrono::{DateTime, Utc};
use domain::offer::{OfferData, OfferState, Source};
use domain::text::slugify_max;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// Hex SHA-256 of the offer's content: a second import of the same row is a no-op.
pub fn content_hash(data: &OfferData) -> String {
    let bytes = serde_json::to_vec(data).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates or updates the offer keyed by (source, source reference), with its employer,
/// service, contract types and domains, atomically: on error nothing of it is written.
pub async fn upsert<C>(conn: &C, ids: &TaxonomyIds, data: &OfferData, now: DateTime<Utc>) -> Result<Outcome>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = conn.begin().await?;
    let hash = content_hash(data);
    let existing = offer::Entity::find()
        .filter(offer::Column::Source.eq(data.source.code()))
        .filter(offer::Column::SourceRef.eq(&data.source_ref))
        .one(&txn)
        .await?;
    if let Some(found) = &existing
        && found.content_hash == hash
        && found.state == data.state.code()
        && found.deleted_at.is_none()
    {
        txn.rollback().await?;
        return Ok(Outcome::Unchanged);
    }
    let showcase = institutions::Showcase { ministry: data.employer.ministry.clone(), ..Default::default() };
    let institution = institutions::find_or_create(&txn, &data.employer.name, None, Some(&showcase), now).await?;
    let service_id = match &data.service {
        Some(name) => Some(institutions::find_or_create_service(&txn, institution.id, None, name, None, now).await?.id),
        None => None,
    };
    let mut model = offer::ActiveModel {
        id: NotSet,
        slug: NotSet,
        reference: Set(Some(data.source_ref.clone())),
        title: Set(data.title.clone()),
        institution_id: Set(institution.id),
        // Attached by a recruiter, never by an import: an update keeps it.
        product_id: NotSet,
        service_id: Set(service_id),
        mission: Set(data.mission.clone()),
        profile: Set(data.profile.clone()),
        team: Set(data.team.clone()),
        context: Set(data.context.clone()),
        perks: Set(data.perks.clone()),
        process: Set(data.process.clone()),
        particularities: Set(data.particularities.clone()),
        how_to_apply: Set(data.how_to_apply.clone()),
        nature: Set(data.nature.map(|v| v.code().to_string())),
        duration_months: Set(data.duration_months),
        category: Set(data.category.map(|v| v.code().to_string())),
        versant: Set(data.versant.map(|v| v.code().to_string())),
        profession_id: Set(data.profession.as_ref().and_then(|p| ids.professions.get(p).copied())),
        profession_label: Set(data.profession_label.clone()),
        experience: Set(data.experience.map(|v| v.code().to_string())),
        education: Set(data.education.map(|v| v.code().to_string())),
        remote: Set(data.remote.map(|v| v.code().to_string())),
        working_time: Set(data.working_time.map(|v| v.code().to_string())),
        vacancy: Set(data.vacancy.map(|v| v.code().to_string())),
        salary_min: Set(data.salary_min),
        salary_max: Set(data.salary_max),
        address: Set(data.location.address.clone()),
        city: Set(data.location.city.clone()),
        postal_code: Set(data.location.postal_code.clone()),
        commune_code: Set(data.location.commune_code.clone()),
        departement_code: Set(data.location.departement_code.clone()),
        region_code: Set(data.location.region_code.clone()),
        latitude: Set(data.location.latitude),
        longitude: Set(data.location.longitude),
        published_at: Set(data.published_at),
        expires_at: Set(domain::offer::stored_deadline(data.source, data.published_at, data.expires_at)),
        starts_on: Set(data.starts_on),
        state: Set(data.state.code().to_string()),
        application_url: Set(data.application_url.clone()),
        contact_email: Set(data.contact_email.clone()),
        languages: Set(data.languages.clone()),
        source: Set(data.source.code().to_string()),
        source_ref: Set(data.source_ref.clone()),
        source_url: Set(data.source_url.clone()),
        content_hash: Set(hash),
        views: NotSet,
        external_clicks: NotSet,
        created_at: NotSet,
        updated_at: Set(now),
        deleted_at: Set(None),
    };
    let (offer_id, outcome) = match existing {
        Some(found) => {
            model.id = Set(found.id);
            offer::Entity::update(model).exec(&txn).await?;
            offer_contract_type::Entity::delete_many()
                .filter(offer_contract_type::Column::OfferId.eq(found.id))
                .exec(&txn)
                .await?;
            offer_domain::Entity::delete_many().filter(offer_domain::Column::OfferId.eq(found.id)).exec(&txn).await?;
            (found.id, Outcome::Updated)
        }
        None => {
            let base = data.slug_hint.clone().unwrap_or_else(|| slugify_max(&data.title, 70));
            model.slug = Set(unique_slug(&txn, &base, &data.source_ref).await?);
            model.views = Set(0);
            model.created_at = Set(now);
            let inserted = offer::Entity::insert(model).exec(&txn).await?;
            (inserted.last_insert_id, Outcome::Created)
        }
    };
    let contracts: Vec<_> = dedup(data.contract_types.iter().map(|c| c.code().to_string()))
        .into_iter()
        .map(|c| offer_contract_type::ActiveModel { offer_id: Set(offer_id), contract_type: Set(c) })
        .collect();
    if !contracts.is_empty() {
        offer_contract_type::Entity::insert_many(contracts).exec_without_returning(&txn).await?;
    }
    let domains: Vec<_> = dedup(data.domains.iter().filter_map(|d| ids.domains.get(d).copied()))
        .into_iter()
        .map(|d| offer_domain::ActiveModel { offer_id: Set(offer_id), domain_id: Set(d) })
        .collect();
    if !domains.is_empty() {
        offer_domain::Entity::insert_many(domains).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(outcome)
}

fn dedup<T: Eq + std::hash::Hash + Clone>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(i.clone())).collect()
}

/// A slug not yet taken: the title's, else the title's with the reference, else numbered.
pub(crate) async fn unique_slug(conn: &impl ConnectionTrait, base: &str, reference: &str) -> Result<String> {
    let base = if base.is_empty() { "offre" } else { base };
    let taken = |slug: String| async move {
        offer::Entity::find().filter(offer::Column::Slug.eq(slug)).count(conn).await.map(|n| n > 0)
    };
    if !taken(base.to_string()).await? {
        return Ok(base.to_string());
    }
    let with_ref = format!("{base}-{}", slugify_max(reference, 40));
    if !taken(with_ref.clone()).await? {
        return Ok(with_ref);
    }
    let mut n = 2;
    loop {
        let candidate = format!("{with_ref}-{n}");
        if !taken(candidate.clone()).await? {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// Archives (never deletes) the offers of `source` whose reference is not in `seen`: what a
/// full import does with offers that left the source file. Returns how many were archived.
pub async fn archive_missing(
    conn: &impl ConnectionTrait,
    source: Source,
    seen: &HashSet<String>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let current: Vec<(i64, String)> = offer::Entity::find()
        .select_only()
        .column(offer::Column::Id)
        .column(offer::Column::SourceRef)
        .filter(offer::Column::Source.eq(source.code()))
        .filter(offer::Column::State.ne(OfferState::Archived.code()))
        .filter(offer::Column::DeletedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    let missing: Vec<i64> = current.into_iter().filter(|(_, r)| !seen.contains(r)).map(|(id, _)| id).collect();
    let mut archived = 0;
    for chunk in missing.chunks(500) {
        let res = offer::Entity::update_many()
            .col_expr(offer::Column::State, Expr::value(OfferState::Archived.code()))
            .col_expr(offer::Column::UpdatedAt, Expr::value(now))
            .filter(offer::Column::Id.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
        archived += res.rows_affected;
    }
    Ok(archived)
}

/// Number of offers in the database, whatever their state.
pub async fn count_all(conn: &impl ConnectionTrait) -> Result<u64> {
    Ok(offer::Entity::find().count(conn).await?)
}

/// Number of offers open at `now` (published, not past their deadline, not deleted).
pub async fn count_open(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    Ok(open_filter(offer::Entity::find(), now).count(conn).await?)
}

/// Offers open at `now`.
pub fn open(now: DateTime<Utc>) -> sea_orm::Select<offer::Entity> {
    open_filter(offer::Entity::find(), now)
}

fn open_filter(q: sea_orm::Select<offer::Entity>, now: DateTime<Utc>) -> sea_orm::Select<offer::Entity> {
    q.filter(offer::Column::State.eq(OfferState::Published.code()))
        .filter(offer::Column::DeletedAt.is_null())
        .filter(offer::Column::ExpiresAt.is_null().or(offer::Column::ExpiresAt.gt(now)))
}

pub async fn by_source_ref(conn: &impl ConnectionTrait, source: Source, source_ref: &str) -> Result<offer::Model> {
    offer::Entity::find()
        .filter(offer::Column::Source.eq(source.code()))
        .filter(offer::Column::SourceRef.eq(source_ref))
        .one(conn)
        .await?
        .ok_or(crate::DbError::NotFound)
}

pub async fn contract_types(conn: &impl ConnectionTrait, offer_id: i64) -> Result<Vec<String>> {
    let mut v: Vec<String> = offer_contract_type::Entity::find()
        .filter(offer_contract_type::Column::OfferId.eq(offer_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.contract_type)
        .collect();
    v.sort();
    Ok(v)
}

/// Key figures for the home page and `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyFigures {
    pub open_offers: u64,
    pub employers: u64,
    pub regions: u64,
}

pub async fn key_figures(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<KeyFigures> {
    let open = open_filter(offer::Entity::find(), now);
    let employers: Vec<i64> =
        open.clone().select_only().column(offer::Column::InstitutionId).distinct().into_tuple().all(conn).await?;
    let regions: Vec<Option<String>> =
        open.clone().select_only().column(offer::Column::RegionCode).distinct().into_tuple().all(conn).await?;
    Ok(KeyFigures {
        open_offers: open.count(conn).await?,
        employers: employers.len() as u64,
        regions: regions.iter().filter(|r| r.is_some()).count() as u64,
    })
}

/// Marks an offer deleted: its page answers 410 Gone and it leaves the search index; the row
/// stays for the applications that reference it.
pub async fn mark_deleted(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<()> {
    let res = offer::Entity::update_many()
        .col_expr(offer::Column::DeletedAt, Expr::value(now))
        .col_expr(offer::Column::UpdatedAt, Expr::value(now))
        .filter(offer::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(crate::DbError::NotFound);
    }
    Ok(())
}

/// Counts a click on an offer's external application link.
pub async fn count_external_click(conn: &impl ConnectionTrait, id: i64) -> Result<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    offer::Entity::update_many()
        .col_expr(offer::Column::ExternalClicks, Expr::col(offer::Column::ExternalClicks).add(1))
        .filter(offer::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Adds page views counted since the last flush (without touching `updated_at`, so the search
/// index does not re-read the offer for it).
pub async fn add_views(
    conn: &impl ConnectionTrait,
    slug: &str,
    n: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    use crate::entity::offer_view_month as vm;
    use chrono::Datelike;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
    let Some(found) = offer::Entity::find().filter(offer::Column::Slug.eq(slug)).one(conn).await? else {
        return Ok(());
    };
    offer::Entity::update_many()
        .col_expr(offer::Column::Views, Expr::col(offer::Column::Views).add(n))
        .filter(offer::Column::Id.eq(found.id))
        .exec(conn)
        .await?;
    // The month's counter: added to, in one statement on both databases.
    let row = vm::ActiveModel {
        offer_id: sea_orm::ActiveValue::Set(found.id),
        month: sea_orm::ActiveValue::Set(format!("{:04}-{:02}", now.year(), now.month())),
        views: sea_orm::ActiveValue::Set(n),
    };
    vm::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([vm::Column::OfferId, vm::Column::Month])
                .value(
                    vm::Column::Views,
                    Expr::col((vm::Entity, vm::Column::Views))
                        .add(Expr::col((Alias::new("excluded"), vm::Column::Views))),
                )
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
