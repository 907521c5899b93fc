//! The State's products (the showcase), their sponsors and technologies.

use crate::entity::{institution, offer, product, product_sponsor, product_technology, technology, technology_alias};
use crate::{DbError, Result, stored, stored_opt};
use chrono::{DateTime, NaiveTime, Utc};
use domain::product::{Accessibility, Phase, PhaseSpan, ProductData, ProductState, TeamMission, TechnologyName};
use domain::text::slugify_max;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeSet, HashMap};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

fn json<T: serde::Serialize>(v: &T) -> String {
    // Serialising plain data (strings, dates, codes) cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Creates or updates the product of the catalogue's `source_id` (an import), with its sponsors (institution
/// ids, in order) and technologies. Unchanged when the content hash is the same.
pub async fn upsert_imported(
    conn: &impl ConnectionTrait,
    source_id: &str,
    data: &ProductData,
    sponsors: &[i64],
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(i64, Upserted)> {
    let existing = product::Entity::find().filter(product::Column::SourceId.eq(source_id)).one(conn).await?;
    if let Some(p) = &existing
        && p.content_hash == hash
    {
        return Ok((p.id, Upserted::Unchanged));
    }
    let activity =
        data.phases.iter().map(|p| p.start).max().map(|d| d.and_time(NaiveTime::MIN).and_utc()).unwrap_or(now);
    let mut model = product::ActiveModel {
        id: NotSet,
        slug: NotSet,
        source_id: Set(Some(source_id.to_string())),
        institution_id: Set(sponsors.first().copied()),
        title: Set(data.title.clone()),
        mission: Set(data.mission.clone()),
        body: Set(data.body.clone()),
        incubator: Set(data.incubator.clone()),
        phase: Set(domain::product::current_phase(&data.phases).map(|p| p.code().to_string())),
        phases: Set(json(&data.phases)),
        themes: Set(json(&data.themes)),
        audiences: Set(json(&data.audiences)),
        link: Set(data.link.clone()),
        repository: Set(data.repository.clone()),
        stats_url: Set(data.stats_url.clone()),
        accessibility: Set(data.accessibility.map(|a| a.code().to_string())),
        team: Set(json(&data.team)),
        state: Set(ProductState::Published.code().to_string()),
        content_hash: Set(hash.to_string()),
        activity_at: Set(activity),
        created_at: NotSet,
        updated_at: Set(now),
    };
    let (id, outcome) = match existing {
        Some(p) => {
            model.id = Set(p.id);
            product::Entity::update(model).exec(conn).await?;
            (p.id, Upserted::Updated)
        }
        None => {
            model.slug = Set(unique_slug(conn, &slugify_max(source_id, 100)).await?);
            model.created_at = Set(now);
            (product::Entity::insert(model).exec(conn).await?.last_insert_id, Upserted::Created)
        }
    };
    set_sponsors(conn, id, sponsors).await?;
    let technologies = technology_ids(conn, &data.technologies, now).await?;
    set_technologies(conn, id, &technologies).await?;
    Ok((id, outcome))
}

async fn unique_slug(conn: &impl ConnectionTrait, base: &str) -> Result<String> {
    let base = if base.is_empty() { "produit" } else { base };
    let mut candidate = base.to_string();
    let mut n = 2;
    while product::Entity::find().filter(product::Column::Slug.eq(&candidate)).one(conn).await?.is_some() {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

async fn set_sponsors(conn: &impl ConnectionTrait, product_id: i64, sponsors: &[i64]) -> Result<()> {
    product_sponsor::Entity::delete_many().filter(product_sponsor::Column::ProductId.eq(product_id)).exec(conn).await?;
    let mut seen = BTreeSet::new();
    let rows: Vec<product_sponsor::ActiveModel> = sponsors
        .iter()
        .filter(|i| seen.insert(**i))
        .enumerate()
        .map(|(n, i)| product_sponsor::ActiveModel {
            product_id: Set(product_id),
            institution_id: Set(*i),
            position: Set(i32::try_from(n).unwrap_or(i32::MAX)),
        })
        .collect();
    if !rows.is_empty() {
        product_sponsor::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

async fn set_technologies(conn: &impl ConnectionTrait, product_id: i64, ids: &[i64]) -> Result<()> {
    product_technology::Entity::delete_many()
        .filter(product_technology::Column::ProductId.eq(product_id))
        .exec(conn)
        .await?;
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    let rows: Vec<product_technology::ActiveModel> = unique
        .into_iter()
        .map(|t| product_technology::ActiveModel { product_id: Set(product_id), technology_id: Set(t) })
        .collect();
    if !rows.is_empty() {
        product_technology::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// The technology of each name, through its aliases (following merges); a new spelling of an
/// unknown technology creates it with that spelling as its name.
pub async fn technology_ids(
    conn: &impl ConnectionTrait,
    names: &[TechnologyName],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(names.len());
    for t in names {
        let id = match technology_alias::Entity::find_by_id(t.key.clone()).one(conn).await? {
            Some(alias) => alias.technology_id,
            None => {
                // A technology of the same slug (another spelling, "Vue" and "vue") is the same one.
                let found = technology::Entity::find().filter(technology::Column::Slug.eq(&t.slug)).one(conn).await?;
                let id = match found {
                    Some(found) => found.id,
                    None => {
                        technology::Entity::insert(technology::ActiveModel {
                            id: NotSet,
                            slug: Set(t.slug.clone()),
                            name: Set(t.name.clone()),
                            merged_into: Set(None),
                            created_at: Set(now),
                        })
                        .exec(conn)
                        .await?
                        .last_insert_id
                    }
                };
                technology_alias::Entity::insert(technology_alias::ActiveModel {
                    key: Set(t.key.clone()),
                    technology_id: Set(id),
                })
                .exec(conn)
                .await?;
                id
            }
        };
        out.push(resolve_merges(conn, id).await?);
    }
    Ok(out)
}

async fn resolve_merges(conn: &impl ConnectionTrait, mut id: i64) -> Result<i64> {
    // A merge chain is short; the bound guards against a cycle written by hand.
    for _ in 0..8 {
        match technology::Entity::find_by_id(id).one(conn).await? {
            Some(technology::Model { merged_into: Some(target), .. }) => id = target,
            _ => return Ok(id),
        }
    }
    Err(DbError::Corrupt(format!("technologie {id} : fusions en boucle")))
}

/// A sponsor as pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SponsorRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub acronym: Option<String>,
    pub ministry: Option<String>,
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TechnologyRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A product with what its card, its page and the search index need.
#[derive(Debug, Clone)]
pub struct ProductView {
    pub product: product::Model,
    pub state: ProductState,
    pub phase: Option<Phase>,
    pub phases: Vec<PhaseSpan>,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub accessibility: Option<Accessibility>,
    pub team: Vec<TeamMission>,
    pub sponsors: Vec<SponsorRef>,
    pub technologies: Vec<TechnologyRef>,
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, id: i64, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| DbError::Corrupt(format!("produit {id} : {what} illisible ({e})")))
}

async fn complete(conn: &impl ConnectionTrait, products: Vec<product::Model>) -> Result<Vec<ProductView>> {
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    let mut sponsors: HashMap<i64, Vec<(i32, i64)>> = HashMap::new();
    let mut techs: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for s in product_sponsor::Entity::find()
            .filter(product_sponsor::Column::ProductId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            sponsors.entry(s.product_id).or_default().push((s.position, s.institution_id));
        }
        for t in product_technology::Entity::find()
            .filter(product_technology::Column::ProductId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            techs.entry(t.product_id).or_default().push(t.technology_id);
        }
    }
    let institution_ids: BTreeSet<i64> = sponsors.values().flatten().map(|(_, i)| *i).collect();
    let mut institutions: HashMap<i64, SponsorRef> = HashMap::new();
    let list: Vec<i64> = institution_ids.into_iter().collect();
    for chunk in list.chunks(500) {
        for i in institution::Entity::find().filter(institution::Column::Id.is_in(chunk.to_vec())).all(conn).await? {
            institutions.insert(
                i.id,
                SponsorRef {
                    id: i.id,
                    slug: i.slug,
                    name: i.name,
                    acronym: i.acronym,
                    ministry: i.ministry,
                    published: i.published,
                },
            );
        }
    }
    let tech_ids: BTreeSet<i64> = techs.values().flatten().copied().collect();
    let mut technologies: HashMap<i64, TechnologyRef> = HashMap::new();
    let list: Vec<i64> = tech_ids.into_iter().collect();
    for chunk in list.chunks(500) {
        for t in technology::Entity::find().filter(technology::Column::Id.is_in(chunk.to_vec())).all(conn).await? {
            technologies.insert(t.id, TechnologyRef { id: t.id, slug: t.slug, name: t.name });
        }
    }
    products
        .into_iter()
        .map(|p| {
            let mut sp = sponsors.remove(&p.id).unwrap_or_default();
            sp.sort_unstable();
            let mut tech: Vec<TechnologyRef> =
                techs.remove(&p.id).unwrap_or_default().iter().filter_map(|t| technologies.get(t).cloned()).collect();
            tech.sort_by_key(|t| t.name.to_lowercase());
            Ok(ProductView {
                state: stored("produit", p.id, &p.state)?,
                phase: stored_opt("produit", p.id, p.phase.as_deref())?,
                phases: parse_json("phases", p.id, &p.phases)?,
                themes: parse_json("thématiques", p.id, &p.themes)?,
                audiences: parse_json("publics", p.id, &p.audiences)?,
                accessibility: stored_opt("produit", p.id, p.accessibility.as_deref())?,
                team: parse_json("équipe", p.id, &p.team)?,
                sponsors: sp.into_iter().filter_map(|(_, i)| institutions.get(&i).cloned()).collect(),
                technologies: tech,
                product: p,
            })
        })
        .collect()
}

fn published() -> sea_orm::Select<product::Entity> {
    product::Entity::find().filter(product::Column::State.eq(ProductState::Published.code()))
}

/// Every published product (the search index is rebuilt from them).
pub async fn all_published(conn: &impl ConnectionTrait) -> Result<Vec<ProductView>> {
    let products = published().order_by_asc(product::Column::Id).all(conn).await?;
    complete(conn, products).await
}

/// `(count, latest change)` of all products: the search follows it.
pub async fn version(conn: &impl ConnectionTrait) -> Result<(u64, Option<DateTime<Utc>>)> {
    let count = product::Entity::find().count(conn).await?;
    let latest: Option<DateTime<Utc>> = product::Entity::find()
        .select_only()
        .column(product::Column::UpdatedAt)
        .order_by_desc(product::Column::UpdatedAt)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    Ok((count, latest))
}

/// A published product by slug (a draft is as unknown as nothing).
/// The `limit` most recently active published products (the Atom feed).
pub async fn public_recent(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<ProductView>> {
    let products = published()
        .order_by_desc(product::Column::ActivityAt)
        .order_by_desc(product::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    complete(conn, products).await
}

pub async fn public_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<ProductView> {
    let p = published().filter(product::Column::Slug.eq(slug)).one(conn).await?.ok_or(DbError::NotFound)?;
    complete(conn, vec![p]).await?.pop().ok_or(DbError::NotFound)
}

pub async fn public_by_ids(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<ProductView>> {
    let mut products = Vec::new();
    for chunk in ids.chunks(500) {
        products.extend(published().filter(product::Column::Id.is_in(chunk.to_vec())).all(conn).await?);
    }
    let mut views = complete(conn, products).await?;
    let order: HashMap<i64, usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    views.sort_by_key(|v| order.get(&v.product.id).copied().unwrap_or(usize::MAX));
    Ok(views)
}

/// The published products an institution sponsors, most recently active first.
pub async fn public_of_institution(conn: &impl ConnectionTrait, institution_id: i64) -> Result<Vec<ProductView>> {
    let ids: Vec<i64> = product_sponsor::Entity::find()
        .select_only()
        .column(product_sponsor::Column::ProductId)
        .filter(product_sponsor::Column::InstitutionId.eq(institution_id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut products = Vec::new();
    for chunk in ids.chunks(500) {
        products.extend(published().filter(product::Column::Id.is_in(chunk.to_vec())).all(conn).await?);
    }
    products.sort_by(|a, b| b.activity_at.cmp(&a.activity_at).then(a.id.cmp(&b.id)));
    complete(conn, products).await
}

/// A technology with how widely the published products use it.
#[derive(Debug, Clone, PartialEq)]
pub struct TechnologyUse {
    pub technology: TechnologyRef,
    pub products: usize,
    pub ministries: usize,
    /// Every spelling met (`compact_key`s), to find offers asking for it.
    pub aliases: Vec<String>,
}

/// Every technology used by at least one published product, most used first.
pub async fn technology_uses(conn: &impl ConnectionTrait) -> Result<Vec<TechnologyUse>> {
    let views = all_published(conn).await?;
    technology_uses_in(conn, &views).await
}

/// [`technology_uses`] counted over `views` (the published products a caller already holds,
/// e.g. the products' search snapshot): only the aliases are read.
pub async fn technology_uses_in<'a>(
    conn: &impl ConnectionTrait,
    views: impl IntoIterator<Item = &'a ProductView>,
) -> Result<Vec<TechnologyUse>> {
    let mut by: HashMap<i64, (TechnologyRef, BTreeSet<i64>, BTreeSet<String>)> = HashMap::new();
    for v in views {
        let ministries: Vec<String> = v
            .sponsors
            .iter()
            .map(|s| s.ministry.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| s.name.clone()))
            .collect();
        for t in &v.technologies {
            let e = by.entry(t.id).or_insert_with(|| (t.clone(), BTreeSet::new(), BTreeSet::new()));
            e.1.insert(v.product.id);
            e.2.extend(ministries.iter().cloned());
        }
    }
    let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
    for a in technology_alias::Entity::find().all(conn).await? {
        aliases.entry(a.technology_id).or_default().push(a.key);
    }
    let mut out: Vec<TechnologyUse> = by
        .into_values()
        .map(|(technology, products, ministries)| TechnologyUse {
            aliases: aliases.remove(&technology.id).unwrap_or_default(),
            products: products.len(),
            ministries: ministries.len(),
            technology,
        })
        .collect();
    out.sort_by(|a, b| {
        b.products
            .cmp(&a.products)
            .then_with(|| a.technology.name.to_lowercase().cmp(&b.technology.name.to_lowercase()))
    });
    Ok(out)
}

/// Where a technology slug leads.
#[derive(Debug, Clone, PartialEq)]
pub enum TechnologyLookup {
    Found(TechnologyRef),
    /// Merged into another: the old address redirects to the new slug.
    MovedTo(String),
}

pub async fn technology_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<TechnologyLookup> {
    let t = technology::Entity::find()
        .filter(technology::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .ok_or(DbError::NotFound)?;
    if t.merged_into.is_some() {
        let target = resolve_merges(conn, t.id).await?;
        let target = technology::Entity::find_by_id(target).one(conn).await?.ok_or(DbError::NotFound)?;
        return Ok(TechnologyLookup::MovedTo(target.slug));
    }
    Ok(TechnologyLookup::Found(TechnologyRef { id: t.id, slug: t.slug, name: t.name }))
}

/// The published products using a technology, most recently active first.
pub async fn public_using(conn: &impl ConnectionTrait, technology_id: i64) -> Result<Vec<ProductView>> {
    let ids: Vec<i64> = product_technology::Entity::find()
        .select_only()
        .column(product_technology::Column::ProductId)
        .filter(product_technology::Column::TechnologyId.eq(technology_id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut views = public_by_ids(conn, &ids).await?;
    views.sort_by(|a, b| b.product.activity_at.cmp(&a.product.activity_at).then(a.product.id.cmp(&b.product.id)));
    Ok(views)
}

/// The ids of the open offers attached to a product.
pub async fn open_offer_ids(conn: &impl ConnectionTrait, product_id: i64, now: DateTime<Utc>) -> Result<Vec<i64>> {
    Ok(crate::offers::open(now)
        .select_only()
        .column(offer::Column::Id)
        .filter(offer::Column::ProductId.eq(product_id))
        .order_by_desc(offer::Column::PublishedAt)
        .into_tuple()
        .all(conn)
        .await?)
}

/// `(slug, updated_at)` of the published products (sitemap).
pub async fn public_slugs(conn: &impl ConnectionTrait) -> Result<Vec<(String, DateTime<Utc>)>> {
    Ok(published()
        .select_only()
        .column(product::Column::Slug)
        .column(product::Column::UpdatedAt)
        .order_by_asc(product::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Attaches an offer to a product (or detaches it); the offer's `updated_at` moves so that the
/// search index and cached pages follow.
pub async fn attach_offer(
    conn: &impl ConnectionTrait,
    offer_id: i64,
    product_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    use sea_orm::sea_query::Expr;
    offer::Entity::update_many()
        .col_expr(offer::Column::ProductId, Expr::value(product_id))
        .col_expr(offer::Column::UpdatedAt, Expr::value(now))
        .filter(offer::Column::Id.eq(offer_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The slugs of the technologies the published products use (sitemap): without reading the
/// products themselves.
pub async fn used_technology_slugs(conn: &impl ConnectionTrait) -> Result<Vec<String>> {
    let ids: Vec<i64> = published().select_only().column(product::Column::Id).into_tuple().all(conn).await?;
    let mut used = BTreeSet::new();
    for chunk in ids.chunks(500) {
        let techs: Vec<i64> = product_technology::Entity::find()
            .select_only()
            .column(product_technology::Column::TechnologyId)
            .filter(product_technology::Column::ProductId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        used.extend(techs);
    }
    let list: Vec<i64> = used.into_iter().collect();
    let mut slugs = Vec::new();
    for chunk in list.chunks(500) {
        slugs.extend(
            technology::Entity::find()
                .select_only()
                .column(technology::Column::Slug)
                .filter(technology::Column::Id.is_in(chunk.to_vec()))
                .into_tuple::<String>()
                .all(conn)
                .await?,
        );
    }
    slugs.sort();
    Ok(slugs)
}

/// How many technologies are known (used or not).
pub async fn technology_count(conn: &impl ConnectionTrait) -> Result<u64> {
    Ok(technology::Entity::find().count(conn).await?)
}

// --- products written on the platform -----------------------------------------------------

/// What the recruiters' editor writes of a product (the team and the sponsors beyond its
/// employer come from the catalogue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductEdit {
    pub title: String,
    pub mission: String,
    pub body: String,
    /// The current phase, and since when: a new phase is added to the history.
    pub phase: Option<Phase>,
    pub phase_start: Option<chrono::NaiveDate>,
    pub technologies: Vec<TechnologyName>,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub link: Option<String>,
    pub repository: Option<String>,
    pub stats_url: Option<String>,
    pub accessibility: Option<Accessibility>,
}

impl ProductEdit {
    pub fn of(v: &ProductView) -> Self {
        let p = &v.product;
        let current = domain::product::current_phase(&v.phases);
        Self {
            title: p.title.clone(),
            mission: p.mission.clone(),
            body: p.body.clone(),
            phase: current,
            phase_start: v.phases.iter().filter(|s| Some(s.phase) == current).map(|s| s.start).max(),
            technologies: v
                .technologies
                .iter()
                .map(|t| TechnologyName {
                    key: domain::text::compact_key(&t.name),
                    name: t.name.clone(),
                    slug: t.slug.clone(),
                })
                .collect(),
            themes: v.themes.clone(),
            audiences: v.audiences.clone(),
            link: p.link.clone(),
            repository: p.repository.clone(),
            stats_url: p.stats_url.clone(),
            accessibility: v.accessibility,
        }
    }
}

/// The phase history once `edit` is applied: a phase other than the current one starts a new
/// span (and closes the previous one); the same phase with another date moves its start.
fn phases_after(mut phases: Vec<PhaseSpan>, edit: &ProductEdit, today: chrono::NaiveDate) -> Vec<PhaseSpan> {
    let Some(phase) = edit.phase else { return phases };
    let start = edit.phase_start.unwrap_or(today);
    let current = domain::product::current_phase(&phases);
    if current == Some(phase) {
        if let Some(span) = phases.iter_mut().filter(|s| s.phase == phase).max_by_key(|s| s.start) {
            span.start = start;
        }
    } else {
        if let Some(last) = phases.iter_mut().max_by_key(|s| s.start) {
            last.end = Some(start);
        }
        phases.push(PhaseSpan { phase, start, end: None });
    }
    phases.sort_by_key(|s| s.start);
    phases
}

/// A new draft written on the platform, sponsored by `institution_id`: its id.
pub async fn create_local(
    conn: &impl ConnectionTrait,
    institution_id: i64,
    edit: &ProductEdit,
    now: DateTime<Utc>,
) -> Result<i64> {
    let phases = phases_after(Vec::new(), edit, now.date_naive());
    let model = product::ActiveModel {
        id: NotSet,
        slug: Set(unique_slug(conn, &slugify_max(&edit.title, 100)).await?),
        source_id: Set(None),
        institution_id: Set(Some(institution_id)),
        title: Set(edit.title.clone()),
        mission: Set(edit.mission.clone()),
        body: Set(edit.body.clone()),
        incubator: Set(None),
        phase: Set(domain::product::current_phase(&phases).map(|p| p.code().to_string())),
        phases: Set(json(&phases)),
        themes: Set(json(&edit.themes)),
        audiences: Set(json(&edit.audiences)),
        link: Set(edit.link.clone()),
        repository: Set(edit.repository.clone()),
        stats_url: Set(edit.stats_url.clone()),
        accessibility: Set(edit.accessibility.map(|a| a.code().to_string())),
        team: Set("[]".into()),
        state: Set(ProductState::Draft.code().to_string()),
        content_hash: Set("local".into()),
        activity_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let id = product::Entity::insert(model).exec(conn).await?.last_insert_id;
    set_sponsors(conn, id, &[institution_id]).await?;
    let technologies = technology_ids(conn, &edit.technologies, now).await?;
    set_technologies(conn, id, &technologies).await?;
    Ok(id)
}

/// Saves an edit of a product; its sponsors and team are kept.
pub async fn save_edit(
    conn: &impl ConnectionTrait,
    v: &ProductView,
    edit: &ProductEdit,
    now: DateTime<Utc>,
) -> Result<()> {
    use sea_orm::sea_query::Expr;
    let phases = phases_after(v.phases.clone(), edit, now.date_naive());
    product::Entity::update_many()
        .col_expr(product::Column::Title, Expr::value(&edit.title))
        .col_expr(product::Column::Mission, Expr::value(&edit.mission))
        .col_expr(product::Column::Body, Expr::value(&edit.body))
        .col_expr(product::Column::Phase, Expr::value(domain::product::current_phase(&phases).map(|p| p.code())))
        .col_expr(product::Column::Phases, Expr::value(json(&phases)))
        .col_expr(product::Column::Themes, Expr::value(json(&edit.themes)))
        .col_expr(product::Column::Audiences, Expr::value(json(&edit.audiences)))
        .col_expr(product::Column::Link, Expr::value(edit.link.clone()))
        .col_expr(product::Column::Repository, Expr::value(edit.repository.clone()))
        .col_expr(product::Column::StatsUrl, Expr::value(edit.stats_url.clone()))
        .col_expr(product::Column::Accessibility, Expr::value(edit.accessibility.map(|a| a.code())))
        .col_expr(product::Column::ActivityAt, Expr::value(now))
        .col_expr(product::Column::UpdatedAt, Expr::value(now))
        .filter(product::Column::Id.eq(v.product.id))
        .exec(conn)
        .await?;
    let technologies = technology_ids(conn, &edit.technologies, now).await?;
    set_technologies(conn, v.product.id, &technologies).await
}

/// Publishes, archives or brings a product back to draft.
pub async fn set_state(conn: &impl ConnectionTrait, id: i64, to: ProductState, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::sea_query::Expr;
    let res = product::Entity::update_many()
        .col_expr(product::Column::State, Expr::value(to.code()))
        .col_expr(product::Column::UpdatedAt, Expr::value(now))
        .filter(product::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Whether a staff member edits a product: administrators (`institution: None`) every one, a
/// recruiter those of their institution (the one it belongs to, or one of its sponsors).
fn edits(v: &ProductView, institution: Option<i64>) -> bool {
    match institution {
        None => true,
        Some(own) => v.product.institution_id == Some(own) || v.sponsors.iter().any(|s| s.id == own),
    }
}

/// A product, whatever its state, that the staff member edits (another's is not found).
pub async fn managed(conn: &impl ConnectionTrait, id: i64, institution: Option<i64>) -> Result<ProductView> {
    let p = product::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    let v = complete(conn, vec![p]).await?.pop().ok_or(DbError::NotFound)?;
    if edits(&v, institution) { Ok(v) } else { Err(DbError::NotFound) }
}

/// The products a staff member edits, latest change first.
pub async fn managed_list(conn: &impl ConnectionTrait, institution: Option<i64>) -> Result<Vec<ProductView>> {
    let mut q = product::Entity::find().order_by_desc(product::Column::UpdatedAt).order_by_desc(product::Column::Id);
    if let Some(own) = institution {
        let sponsored: Vec<i64> = product_sponsor::Entity::find()
            .filter(product_sponsor::Column::InstitutionId.eq(own))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| s.product_id)
            .collect();
        q = q.filter(
            sea_orm::Condition::any()
                .add(product::Column::InstitutionId.eq(own))
                .add(product::Column::Id.is_in(sponsored)),
        );
    }
    complete(conn, q.all(conn).await?).await
}

// --- technologies kept by administrators --------------------------------------------------

/// A technology in the administrators' list: how many products (any state) use it, and the
/// spellings that lead to it.
#[derive(Debug, Clone)]
pub struct TechnologyRow {
    pub technology: TechnologyRef,
    pub products: usize,
    pub aliases: Vec<String>,
}

/// Every technology not merged into another, by name.
pub async fn technology_rows(conn: &impl ConnectionTrait) -> Result<Vec<TechnologyRow>> {
    let techs = technology::Entity::find().filter(technology::Column::MergedInto.is_null()).all(conn).await?;
    let mut uses: HashMap<i64, usize> = HashMap::new();
    for pt in product_technology::Entity::find().all(conn).await? {
        *uses.entry(pt.technology_id).or_default() += 1;
    }
    let mut aliases: HashMap<i64, Vec<String>> = HashMap::new();
    for a in technology_alias::Entity::find().all(conn).await? {
        aliases.entry(a.technology_id).or_default().push(a.key);
    }
    let mut rows: Vec<TechnologyRow> = techs
        .into_iter()
        .map(|t| TechnologyRow {
            products: uses.get(&t.id).copied().unwrap_or(0),
            aliases: aliases.remove(&t.id).unwrap_or_default(),
            technology: TechnologyRef { id: t.id, slug: t.slug, name: t.name },
        })
        .collect();
    rows.sort_by_key(|r| domain::text::match_key(&r.technology.name));
    Ok(rows)
}

/// Merges and renames take turns: two crossed merges (A into B, B into A) read each other
/// live and would make a cycle. SQLite's write transactions already take turns; PostgreSQL's
/// take this lock (released at commit).
async fn technologies_in_turn(conn: &impl ConnectionTrait) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_unprepared("SELECT pg_advisory_xact_lock(1310)").await?;
    }
    Ok(())
}

async fn live_technology(conn: &impl ConnectionTrait, id: i64) -> Result<technology::Model> {
    let t = technology::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    if t.merged_into.is_some() {
        return Err(DbError::Invalid(crate::Invalid::AlreadyMerged));
    }
    Ok(t)
}

/// Merges technology `from` into `into`: its products, its spellings and its address (a 301)
/// go to `into`. The products it touched are marked changed, so every search follows.
pub async fn merge_technology(
    conn: &impl ConnectionTrait,
    from: i64,
    into: i64,
    now: DateTime<Utc>,
) -> Result<(TechnologyRef, TechnologyRef)> {
    use sea_orm::sea_query::Expr;
    technologies_in_turn(conn).await?;
    let source = live_technology(conn, from).await?;
    let target = live_technology(conn, resolve_merges(conn, into).await?).await?;
    if source.id == target.id {
        return Err(DbError::Invalid(crate::Invalid::MergeIntoItself));
    }
    let using = |id: i64| async move {
        Ok::<BTreeSet<i64>, DbError>(
            product_technology::Entity::find()
                .filter(product_technology::Column::TechnologyId.eq(id))
                .all(conn)
                .await?
                .into_iter()
                .map(|r| r.product_id)
                .collect(),
        )
    };
    let (moved, already) = (using(source.id).await?, using(target.id).await?);
    let rows: Vec<product_technology::ActiveModel> = moved
        .difference(&already)
        .map(|p| product_technology::ActiveModel { product_id: Set(*p), technology_id: Set(target.id) })
        .collect();
    if !rows.is_empty() {
        product_technology::Entity::insert_many(rows).exec(conn).await?;
    }
    product_technology::Entity::delete_many()
        .filter(product_technology::Column::TechnologyId.eq(source.id))
        .exec(conn)
        .await?;
    technology_alias::Entity::update_many()
        .col_expr(technology_alias::Column::TechnologyId, Expr::value(target.id))
        .filter(technology_alias::Column::TechnologyId.eq(source.id))
        .exec(conn)
        .await?;
    // Only a technology still on its own is merged: a concurrent merge of the same one loses.
    let res = technology::Entity::update_many()
        .col_expr(technology::Column::MergedInto, Expr::value(Some(target.id)))
        .filter(technology::Column::Id.eq(source.id))
        .filter(technology::Column::MergedInto.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::Invalid(crate::Invalid::AlreadyMerged));
    }
    if !moved.is_empty() {
        product::Entity::update_many()
            .col_expr(product::Column::UpdatedAt, Expr::value(now))
            .filter(product::Column::Id.is_in(moved.into_iter().collect::<Vec<_>>()))
            .exec(conn)
            .await?;
    }
    let r = |t: technology::Model| TechnologyRef { id: t.id, slug: t.slug, name: t.name };
    Ok((r(source), r(target)))
}

/// Renames a technology. A name of the same slug only changes how it is written; another
/// slug makes a new technology the old one is merged into, so the old address redirects.
/// Its id after the rename.
pub async fn rename_technology(conn: &impl ConnectionTrait, id: i64, name: &str, now: DateTime<Utc>) -> Result<i64> {
    use sea_orm::sea_query::Expr;
    technologies_in_turn(conn).await?;
    let t = live_technology(conn, id).await?;
    let slug = slugify_max(name, 80);
    if slug == t.slug {
        technology::Entity::update_many()
            .col_expr(technology::Column::Name, Expr::value(name))
            .filter(technology::Column::Id.eq(t.id))
            .exec(conn)
            .await?;
        return Ok(t.id);
    }
    if technology::Entity::find().filter(technology::Column::Slug.eq(&slug)).one(conn).await?.is_some() {
        return Err(DbError::Invalid(crate::Invalid::TechnologyNameTaken { name: name.to_string() }));
    }
    let new_id = technology::Entity::insert(technology::ActiveModel {
        id: NotSet,
        slug: Set(slug),
        name: Set(name.to_string()),
        merged_into: Set(None),
        created_at: Set(now),
    })
    .exec(conn)
    .await?
    .last_insert_id;
    merge_technology(conn, t.id, new_id, now).await?;
    let key = domain::text::compact_key(name);
    if technology_alias::Entity::find_by_id(key.clone()).one(conn).await?.is_none() {
        technology_alias::Entity::insert(technology_alias::ActiveModel { key: Set(key), technology_id: Set(new_id) })
            .exec(conn)
            .await?;
    }
    Ok(new_id)
}
