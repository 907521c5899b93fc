//! Read models for the public pages, the API and the search index: offers with their
//! employer, profession, contract types and domains, read in a few batched queries.

use crate::entity::{domain as domain_e, institution, offer, offer_contract_type, offer_domain, profession, service};
use crate::{DbError, Result};
use chrono::{DateTime, Utc};
use domain::offer::OfferState;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// An offer as the search index needs it.
#[derive(Debug, Clone)]
pub struct IndexRow {
    pub offer: offer::Model,
    pub employer: String,
    pub profession: Option<String>,
    pub contract_types: Vec<String>,
    pub domain_ids: Vec<i64>,
    /// Published and not deleted: to index; else to remove from the index.
    pub indexable: bool,
}

/// An offer with what a page shows around it.
#[derive(Debug, Clone)]
pub struct OfferView {
    pub offer: offer::Model,
    pub institution: institution::Model,
    pub service: Option<service::Model>,
    pub profession: Option<profession::Model>,
    pub contract_types: Vec<String>,
    pub domains: Vec<domain_e::Model>,
}

async fn contracts_by_offer(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = offer_contract_type::Entity::find()
            .filter(offer_contract_type::Column::OfferId.is_in(chunk.to_vec()))
            .all(conn)
            .await?;
        for r in rows {
            out.entry(r.offer_id).or_default().push(r.contract_type);
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

async fn domains_by_offer(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows =
            offer_domain::Entity::find().filter(offer_domain::Column::OfferId.is_in(chunk.to_vec())).all(conn).await?;
        for r in rows {
            out.entry(r.offer_id).or_default().push(r.domain_id);
        }
    }
    Ok(out)
}

/// Offers changed at or after `since` (all of them when `None`), oldest change first, at most
/// `limit`: the search index follows `updated_at`.
pub async fn index_rows_since(
    conn: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
    after_id: i64,
    limit: u64,
) -> Result<Vec<IndexRow>> {
    let mut q = offer::Entity::find();
    if let Some(since) = since {
        // (updated_at, id) > (since, after_id): a stable cursor even when many rows share a
        // timestamp.
        q = q.filter(
            offer::Column::UpdatedAt
                .gt(since)
                .or(offer::Column::UpdatedAt.eq(since).and(offer::Column::Id.gt(after_id))),
        );
    }
    let offers =
        q.order_by_asc(offer::Column::UpdatedAt).order_by_asc(offer::Column::Id).limit(limit).all(conn).await?;
    let ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
    let contracts = contracts_by_offer(conn, &ids).await?;
    let domains = domains_by_offer(conn, &ids).await?;
    let institution_ids: Vec<i64> = offers.iter().map(|o| o.institution_id).collect();
    let names: HashMap<i64, String> =
        institutions_by_ids(conn, &institution_ids).await?.into_iter().map(|i| (i.id, i.name)).collect();
    let professions: HashMap<i64, String> =
        profession::Entity::find().all(conn).await?.into_iter().map(|p| (p.id, p.label)).collect();
    Ok(offers
        .into_iter()
        .map(|o| IndexRow {
            employer: names.get(&o.institution_id).cloned().unwrap_or_default(),
            profession: o
                .profession_id
                .and_then(|p| professions.get(&p).cloned())
                .or_else(|| o.profession_label.clone()),
            contract_types: contracts.get(&o.id).cloned().unwrap_or_default(),
            domain_ids: domains.get(&o.id).cloned().unwrap_or_default(),
            indexable: o.state == OfferState::Published.code() && o.deleted_at.is_none(),
            offer: o,
        })
        .collect())
}

async fn institutions_by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<institution::Model>> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut out = Vec::with_capacity(unique.len());
    for chunk in unique.chunks(500) {
        out.extend(institution::Entity::find().filter(institution::Column::Id.is_in(chunk.to_vec())).all(conn).await?);
    }
    Ok(out)
}

/// Offers by id, in the order of `ids`, with their employers and the rest (search results).
pub async fn views_by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<OfferView>> {
    let offers = offer::Entity::find().filter(offer::Column::Id.is_in(ids.to_vec())).all(conn).await?;
    let mut views = complete(conn, offers).await?;
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    views.sort_by_key(|v| position.get(&v.offer.id).copied().unwrap_or(usize::MAX));
    Ok(views)
}

async fn complete(conn: &impl ConnectionTrait, offers: Vec<offer::Model>) -> Result<Vec<OfferView>> {
    let ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
    let mut contracts = contracts_by_offer(conn, &ids).await?;
    let domain_ids = domains_by_offer(conn, &ids).await?;
    let institutions: HashMap<i64, institution::Model> =
        institutions_by_ids(conn, &offers.iter().map(|o| o.institution_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
    let professions: HashMap<i64, profession::Model> =
        profession::Entity::find().all(conn).await?.into_iter().map(|p| (p.id, p)).collect();
    let domains: HashMap<i64, domain_e::Model> =
        domain_e::Entity::find().all(conn).await?.into_iter().map(|d| (d.id, d)).collect();
    let service_ids: Vec<i64> = offers.iter().filter_map(|o| o.service_id).collect();
    let services: HashMap<i64, service::Model> = if service_ids.is_empty() {
        HashMap::new()
    } else {
        service::Entity::find()
            .filter(service::Column::Id.is_in(service_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let mut out = Vec::with_capacity(offers.len());
    for o in offers {
        let Some(institution) = institutions.get(&o.institution_id).cloned() else { continue };
        out.push(OfferView {
            service: o.service_id.and_then(|s| services.get(&s).cloned()),
            profession: o.profession_id.and_then(|p| professions.get(&p).cloned()),
            contract_types: contracts.remove(&o.id).unwrap_or_default(),
            domains: domain_ids
                .get(&o.id)
                .map(|v| v.iter().filter_map(|d| domains.get(d).cloned()).collect())
                .unwrap_or_default(),
            institution,
            offer: o,
        });
    }
    Ok(out)
}

/// One offer by its slug as the public may see it: the one visibility rule of every public
/// lookup (page, API, application form, favourites). A draft is `NotFound`, exactly as a slug
/// that does not exist, so that nobody learns which drafts exist; a deleted offer is `Gone`.
pub async fn public_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<OfferView> {
    let view = view_by_slug(conn, slug).await?;
    if !is_public(&view.offer)? {
        return Err(DbError::NotFound);
    }
    if view.offer.deleted_at.is_some() {
        return Err(DbError::Gone);
    }
    Ok(view)
}

/// Offers by id, keeping only those the public may see (the candidate space lists favourites
/// and invitations, whose offer may have gone back to draft or been deleted since).
pub async fn public_views_by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<OfferView>> {
    let mut out = Vec::new();
    for v in views_by_ids(conn, ids).await? {
        if is_public(&v.offer)? && v.offer.deleted_at.is_none() {
            out.push(v);
        }
    }
    Ok(out)
}

fn is_public(o: &offer::Model) -> Result<bool> {
    let state: OfferState =
        o.state.parse().map_err(|_| DbError::Corrupt(format!("offre {} : état inconnu « {} »", o.id, o.state)))?;
    Ok(domain::offer::is_public(state))
}

/// One offer by its slug, whatever its state: for the back-office, which checks who may see it.
pub async fn view_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<OfferView> {
    let o = offer::Entity::find().filter(offer::Column::Slug.eq(slug)).one(conn).await?.ok_or(DbError::NotFound)?;
    complete(conn, vec![o]).await?.pop().ok_or(DbError::NotFound)
}

/// The latest open offers (home page, related offers).
pub async fn latest_open(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
    institution_id: Option<i64>,
    profession_id: Option<i64>,
    exclude: Option<i64>,
) -> Result<Vec<OfferView>> {
    let mut q = crate::offers::open(now);
    if let Some(i) = institution_id {
        q = q.filter(offer::Column::InstitutionId.eq(i));
    }
    if let Some(p) = profession_id {
        q = q.filter(offer::Column::ProfessionId.eq(p));
    }
    if let Some(x) = exclude {
        q = q.filter(offer::Column::Id.ne(x));
    }
    let offers =
        // Ordered by the indexed column alone, so that the database stops after `limit` rows.
        q.order_by_desc(offer::Column::PublishedAt).limit(limit).all(conn).await?;
    complete(conn, offers).await
}

/// `(slug, updated_at)` of the open offers, by id, from `offset` (sitemaps).
pub async fn open_slugs(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    offset: u64,
    limit: u64,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    Ok(crate::offers::open(now)
        .select_only()
        .column(offer::Column::Slug)
        .column(offer::Column::UpdatedAt)
        .order_by_asc(offer::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?)
}
