//! What the recruiters' and administrators' back-offices read and change.

use crate::entity::{application, offer, user};
use crate::{DbError, Result};
use chrono::{DateTime, Datelike, Utc};
use domain::role::{AccessPurpose, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// An institution's offers (every state but deleted), newest first, with their applications.
pub async fn institution_offers(
    conn: &impl ConnectionTrait,
    institution_id: Option<i64>,
) -> Result<Vec<(offer::Model, u64)>> {
    let mut q = offer::Entity::find().filter(offer::Column::DeletedAt.is_null());
    if let Some(id) = institution_id {
        q = q.filter(offer::Column::InstitutionId.eq(id));
    }
    let offers = q.order_by_desc(offer::Column::PublishedAt).order_by_desc(offer::Column::Id).all(conn).await?;
    let ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
    let mut counts: HashMap<i64, u64> = HashMap::new();
    for a in application::Entity::find().filter(application::Column::OfferId.is_in(ids)).all(conn).await? {
        if let Some(id) = a.offer_id {
            *counts.entry(id).or_default() += 1;
        }
    }
    Ok(offers.into_iter().map(|o| (counts.get(&o.id).copied().unwrap_or(0), o)).map(|(n, o)| (o, n)).collect())
}

/// An offer, if the caller may manage it (`institution_id` `None` = administrator).
pub async fn managed_offer(conn: &impl ConnectionTrait, id: i64, institution_id: Option<i64>) -> Result<offer::Model> {
    let o = offer::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    match institution_id {
        Some(inst) if inst != o.institution_id => Err(DbError::NotFound),
        _ => Ok(o),
    }
}

/// The applications to an offer, oldest first.
pub async fn offer_applications(conn: &impl ConnectionTrait, offer_id: i64) -> Result<Vec<application::Model>> {
    Ok(application::Entity::find()
        .filter(application::Column::OfferId.eq(offer_id))
        .order_by_asc(application::Column::CreatedAt)
        .order_by_asc(application::Column::Id)
        .all(conn)
        .await?)
}

pub async fn users(conn: &impl ConnectionTrait) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find().order_by_asc(user::Column::Email).all(conn).await?)
}

pub async fn set_active(conn: &impl ConnectionTrait, id: i64, active: bool, now: DateTime<Utc>) -> Result<()> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(active))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    if !active {
        crate::accounts::sessions_delete_for_user(conn, id).await?;
    }
    Ok(())
}

pub async fn set_role_by_id(conn: &impl ConnectionTrait, id: i64, role: Role, now: DateTime<Utc>) -> Result<()> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role.code()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Platform counts for the administrators' home.
pub async fn platform_counts(conn: &impl ConnectionTrait) -> Result<(u64, u64, u64)> {
    let users = user::Entity::find().count(conn).await?;
    let applications = application::Entity::find().count(conn).await?;
    let offers = offer::Entity::find().filter(offer::Column::DeletedAt.is_null()).count(conn).await?;
    Ok((users, applications, offers))
}

/// An application, if the caller may manage it: it was sent to their institution (or to every
/// employer, for a spontaneous one). `institution_id` `None` = administrator.
pub async fn managed_application(
    conn: &impl ConnectionTrait,
    id: i64,
    institution_id: Option<i64>,
) -> Result<application::Model> {
    let a = application::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)?;
    match (institution_id, a.institution_id) {
        (Some(mine), Some(theirs)) if mine != theirs => Err(DbError::NotFound),
        _ => Ok(a),
    }
}

/// Changes an offer's state. Publishing checks what a public offer needs.
pub async fn set_offer_state(
    conn: &impl ConnectionTrait,
    offer: &offer::Model,
    to: domain::offer::OfferState,
    now: DateTime<Utc>,
) -> Result<()> {
    use domain::offer::OfferState;
    if to == OfferState::Published {
        let mut missing = Vec::new();
        if offer.mission.as_deref().is_none_or(|m| m.trim().is_empty()) {
            missing.push(crate::Missing::Mission);
        }
        if offer.region_code.is_none() {
            missing.push(crate::Missing::Region);
        }
        // A public offer says until when one may apply; otherwise it never expires.
        if offer.expires_at.is_none() {
            missing.push(crate::Missing::Deadline);
        }
        if !missing.is_empty() {
            return Err(DbError::Invalid(crate::Invalid::NotPublishable(missing)));
        }
        if offer.expires_at.is_some_and(|e| e <= now) {
            return Err(DbError::Invalid(crate::Invalid::DeadlinePassed));
        }
    }
    let mut q = offer::Entity::update_many()
        .col_expr(offer::Column::State, Expr::value(to.code()))
        .col_expr(offer::Column::UpdatedAt, Expr::value(now));
    if to == OfferState::Published && offer.state == OfferState::Draft.code() {
        q = q.col_expr(offer::Column::PublishedAt, Expr::value(now));
    }
    q.filter(offer::Column::Id.eq(offer.id)).exec(conn).await?;
    Ok(())
}

// --- audit log --------------------------------------------------------------------------

/// One change made in a back-office: who, what, on what, before and after.
#[derive(Debug, Clone)]
pub struct Audit<'a> {
    pub actor: &'a user::Model,
    pub action: domain::audit::AuditAction,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Records a change (call in the transaction that makes it).
pub async fn audit(conn: &impl ConnectionTrait, entry: Audit<'_>, now: DateTime<Utc>) -> Result<()> {
    use crate::entity::audit_entry;
    use sea_orm::ActiveValue::Set;
    let model = audit_entry::ActiveModel {
        at: Set(now),
        actor_id: Set(Some(entry.actor.id)),
        actor_email: Set(entry.actor.email.clone()),
        action: Set(entry.action.code().to_string()),
        target: Set(entry.target),
        before: Set(entry.before),
        after: Set(entry.after),
        ..Default::default()
    };
    audit_entry::Entity::insert(model).exec(conn).await?;
    Ok(())
}

pub async fn audit_log(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<crate::entity::audit_entry::Model>> {
    use crate::entity::audit_entry;
    use sea_orm::QuerySelect;
    Ok(audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// What the audit log is searched by; every criterion is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor's address (any case).
    pub actor: Option<String>,
    /// An `AuditAction` code.
    pub action: Option<String>,
    /// Part of the target (any case).
    pub target: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// A page of the audit log, newest first, and how many entries match in all.
pub async fn audit_search(
    conn: &impl ConnectionTrait,
    f: &AuditFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<crate::entity::audit_entry::Model>, u64)> {
    use crate::entity::audit_entry;
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{ExprTrait, Func, LikeExpr};
    // `%` and `_` typed by people are literal characters, not wildcards.
    let contains = |text: &str| {
        let escaped = text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        LikeExpr::new(format!("%{escaped}%")).escape('\\')
    };
    let mut q = audit_entry::Entity::find();
    if let Some(a) = f.actor.as_deref().filter(|a| !a.is_empty()) {
        q = q.filter(Expr::expr(Func::lower(Expr::col(audit_entry::Column::ActorEmail))).like(contains(a)));
    }
    if let Some(t) = f.target.as_deref().filter(|t| !t.is_empty()) {
        q = q.filter(Expr::expr(Func::lower(Expr::col(audit_entry::Column::Target))).like(contains(t)));
    }
    if let Some(code) = &f.action {
        q = q.filter(audit_entry::Column::Action.eq(code.as_str()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_entry::Column::At.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_entry::Column::At.lt(to));
    }
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?;
    Ok((rows, total))
}

// --- access requests --------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewAccessRequest {
    pub name: String,
    pub email: String,
    pub institution_id: Option<i64>,
    pub institution_name: String,
    pub service: Option<String>,
    pub position: String,
    pub purpose: AccessPurpose,
}

pub async fn create_access_request(
    conn: &impl ConnectionTrait,
    new: &NewAccessRequest,
    now: DateTime<Utc>,
) -> Result<crate::entity::access_request::Model> {
    use crate::entity::access_request;
    use sea_orm::ActiveValue::Set;
    let model = access_request::ActiveModel {
        name: Set(new.name.clone()),
        email: Set(new.email.clone()),
        institution_id: Set(new.institution_id),
        institution_name: Set(new.institution_name.clone()),
        service: Set(new.service.clone()),
        position: Set(new.position.clone()),
        purpose: Set(Some(new.purpose.code().to_string())),
        created_at: Set(now),
        decision: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        ..Default::default()
    };
    Ok(access_request::Entity::insert(model).exec_with_returning(conn).await?)
}

pub async fn pending_access_requests(conn: &impl ConnectionTrait) -> Result<Vec<crate::entity::access_request::Model>> {
    use crate::entity::access_request;
    Ok(access_request::Entity::find()
        .filter(access_request::Column::Decision.is_null())
        .order_by_asc(access_request::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// The undecided request of an address, if there is one.
pub async fn pending_access_request_of(
    conn: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<crate::entity::access_request::Model>> {
    use crate::entity::access_request;
    Ok(access_request::Entity::find()
        .filter(access_request::Column::Email.eq(email))
        .filter(access_request::Column::Decision.is_null())
        .one(conn)
        .await?)
}

/// Records a decision once (`Conflict` if already decided, e.g. by another administrator).
pub async fn decide_access_request(
    conn: &impl ConnectionTrait,
    id: i64,
    approved: bool,
    by: i64,
    now: DateTime<Utc>,
) -> Result<crate::entity::access_request::Model> {
    use crate::entity::access_request;
    let res = access_request::Entity::update_many()
        .col_expr(access_request::Column::Decision, Expr::value(if approved { "approuvee" } else { "refusee" }))
        .col_expr(access_request::Column::DecidedAt, Expr::value(now))
        .col_expr(access_request::Column::DecidedBy, Expr::value(by))
        .filter(access_request::Column::Id.eq(id))
        .filter(access_request::Column::Decision.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected != 1 {
        return Err(DbError::Conflict(crate::Conflict::AlreadyDecided));
    }
    access_request::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

pub async fn set_institution(
    conn: &impl ConnectionTrait,
    id: i64,
    institution_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::InstitutionId, Expr::value(institution_id))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

// --- offers written in the back-office --------------------------------------------------

/// What the recruiter's offer form edits. The source of an imported offer is kept.
#[derive(Debug, Clone, Default)]
pub struct OfferEdit {
    pub title: String,
    pub mission: Option<String>,
    pub profile: Option<String>,
    pub team: Option<String>,
    pub context: Option<String>,
    pub perks: Option<String>,
    pub process: Option<String>,
    pub contract_types: Vec<domain::offer::ContractType>,
    pub category: Option<domain::offer::Category>,
    pub versant: Option<domain::offer::Versant>,
    /// Slug of a digital profession.
    pub profession: Option<String>,
    pub experience: Option<domain::offer::Experience>,
    pub remote: Option<domain::offer::Remote>,
    pub salary_min: Option<i32>,
    pub salary_max: Option<i32>,
    pub departement_code: Option<String>,
    pub city: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub application_url: Option<String>,
    pub nature: Option<domain::offer::OfferNature>,
    pub duration_months: Option<i32>,
    pub education: Option<domain::offer::EducationLevel>,
    pub working_time: Option<domain::offer::WorkingTime>,
    pub vacancy: Option<domain::offer::Vacancy>,
    /// Street and number; the town is `city`.
    pub address: Option<String>,
    pub starts_on: Option<chrono::NaiveDate>,
    pub languages: Option<String>,
    /// One of the institution's services (checked by the caller against its list).
    pub service_id: Option<i64>,
    /// A product the institution sponsors (checked by the editor).
    pub product_id: Option<i64>,
}

impl OfferEdit {
    /// The offer as its editor shows it; an unknown stored code is `Corrupt`.
    pub fn of(
        o: &offer::Model,
        contract_types: Vec<domain::offer::ContractType>,
        profession: Option<String>,
    ) -> Result<Self> {
        Ok(Self {
            title: o.title.clone(),
            mission: o.mission.clone(),
            profile: o.profile.clone(),
            team: o.team.clone(),
            context: o.context.clone(),
            perks: o.perks.clone(),
            process: o.process.clone(),
            contract_types,
            category: crate::stored_opt("catégorie de l’offre", o.id, o.category.as_deref())?,
            versant: crate::stored_opt("versant de l’offre", o.id, o.versant.as_deref())?,
            profession,
            experience: crate::stored_opt("expérience de l’offre", o.id, o.experience.as_deref())?,
            remote: crate::stored_opt("télétravail de l’offre", o.id, o.remote.as_deref())?,
            salary_min: o.salary_min,
            salary_max: o.salary_max,
            departement_code: o.departement_code.clone(),
            city: o.city.clone(),
            expires_at: o.expires_at,
            application_url: o.application_url.clone(),
            nature: crate::stored_opt("nature de l’offre", o.id, o.nature.as_deref())?,
            duration_months: o.duration_months,
            education: crate::stored_opt("niveau d’études de l’offre", o.id, o.education.as_deref())?,
            working_time: crate::stored_opt("temps de travail de l’offre", o.id, o.working_time.as_deref())?,
            vacancy: crate::stored_opt("vacance de l’offre", o.id, o.vacancy.as_deref())?,
            address: o.address.clone(),
            starts_on: o.starts_on,
            languages: o.languages.clone(),
            service_id: o.service_id,
            product_id: o.product_id,
        })
    }
}

/// Creates a draft (`existing` `None`) or updates an offer's content; returns its id. Call in
/// a transaction.
pub async fn save_offer(
    conn: &impl ConnectionTrait,
    existing: Option<&offer::Model>,
    institution_id: i64,
    edit: &OfferEdit,
    now: DateTime<Utc>,
) -> Result<i64> {
    use crate::entity::{offer_contract_type, offer_domain, profession};
    use sea_orm::ActiveValue::{NotSet, Set};
    let prof = match &edit.profession {
        Some(slug) => profession::Entity::find().filter(profession::Column::Slug.eq(slug)).one(conn).await?,
        None => None,
    };
    let region = edit.departement_code.as_deref().and_then(domain::geo::departement).map(|d| d.region_code.clone());
    let code = |v: Option<&'static str>| v.map(str::to_string);
    let mut model = offer::ActiveModel {
        title: Set(edit.title.clone()),
        mission: Set(edit.mission.clone()),
        profile: Set(edit.profile.clone()),
        team: Set(edit.team.clone()),
        context: Set(edit.context.clone()),
        perks: Set(edit.perks.clone()),
        process: Set(edit.process.clone()),
        category: Set(code(edit.category.map(|c| c.code()))),
        versant: Set(code(edit.versant.map(|c| c.code()))),
        profession_id: Set(prof.as_ref().map(|p| p.id)),
        profession_label: Set(prof.as_ref().map(|p| p.label.clone())),
        experience: Set(code(edit.experience.map(|c| c.code()))),
        remote: Set(code(edit.remote.map(|c| c.code()))),
        salary_min: Set(edit.salary_min),
        salary_max: Set(edit.salary_max),
        departement_code: Set(edit.departement_code.clone()),
        region_code: Set(region),
        city: Set(edit.city.clone()),
        expires_at: Set(edit.expires_at),
        application_url: Set(edit.application_url.clone()),
        nature: Set(code(edit.nature.map(|c| c.code()))),
        duration_months: Set(edit.duration_months),
        education: Set(code(edit.education.map(|c| c.code()))),
        working_time: Set(code(edit.working_time.map(|c| c.code()))),
        vacancy: Set(code(edit.vacancy.map(|c| c.code()))),
        address: Set(edit.address.clone()),
        starts_on: Set(edit.starts_on),
        languages: Set(edit.languages.clone()),
        service_id: Set(edit.service_id),
        product_id: Set(edit.product_id),
        updated_at: Set(now),
        ..Default::default()
    };
    let id = match existing {
        Some(o) => {
            model.id = Set(o.id);
            offer::Entity::update(model).exec(conn).await?;
            offer_contract_type::Entity::delete_many()
                .filter(offer_contract_type::Column::OfferId.eq(o.id))
                .exec(conn)
                .await?;
            offer_domain::Entity::delete_many().filter(offer_domain::Column::OfferId.eq(o.id)).exec(conn).await?;
            o.id
        }
        None => {
            let reference = format!("mdn-{}", uuid::Uuid::new_v4().simple());
            model.slug =
                Set(crate::offers::unique_slug(conn, &domain::text::slugify_max(&edit.title, 70), &reference).await?);
            model.reference = Set(Some(reference.clone()));
            model.institution_id = Set(institution_id);
            model.source = Set(domain::offer::Source::Platform.code().to_string());
            model.source_ref = Set(reference);
            model.state = Set(domain::offer::OfferState::Draft.code().to_string());
            model.published_at = Set(now);
            model.content_hash = Set(String::new());
            model.views = Set(0);
            model.external_clicks = Set(0);
            model.created_at = Set(now);
            model.id = NotSet;
            let id = offer::Entity::insert(model).exec(conn).await?.last_insert_id;
            // A reference people can read out and search for: MDN-2026-00042.
            let readable = format!("MDN-{}-{id:05}", now.year());
            offer::Entity::update_many()
                .col_expr(offer::Column::Reference, Expr::value(readable.clone()))
                .col_expr(offer::Column::SourceRef, Expr::value(readable))
                .filter(offer::Column::Id.eq(id))
                .exec(conn)
                .await?;
            id
        }
    };
    let contracts: Vec<_> = edit
        .contract_types
        .iter()
        .map(|c| offer_contract_type::ActiveModel { offer_id: Set(id), contract_type: Set(c.code().to_string()) })
        .collect();
    if !contracts.is_empty() {
        offer_contract_type::Entity::insert_many(contracts).exec_without_returning(conn).await?;
    }
    if let Some(domain_id) = prof.as_ref().and_then(|p| p.domain_id) {
        offer_domain::Entity::insert(offer_domain::ActiveModel { offer_id: Set(id), domain_id: Set(domain_id) })
            .exec_without_returning(conn)
            .await?;
    }
    Ok(id)
}

pub async fn offer_contracts(conn: &impl ConnectionTrait, offer_id: i64) -> Result<Vec<domain::offer::ContractType>> {
    crate::offers::contract_types(conn, offer_id)
        .await?
        .iter()
        .map(|c| crate::stored("type de contrat de l’offre", offer_id, c))
        .collect()
}

pub async fn profession_slug(conn: &impl ConnectionTrait, id: Option<i64>) -> Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    Ok(crate::entity::profession::Entity::find_by_id(id).one(conn).await?.map(|p| p.slug))
}

// --- notes, rating, spontaneous applications --------------------------------------------

pub async fn add_note(
    conn: &impl ConnectionTrait,
    application_id: i64,
    author_email: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::entity::application_note;
    use sea_orm::ActiveValue::Set;
    let model = application_note::ActiveModel {
        application_id: Set(application_id),
        author_email: Set(author_email.to_string()),
        body: Set(body.to_string()),
        created_at: Set(now),
        ..Default::default()
    };
    application_note::Entity::insert(model).exec(conn).await?;
    Ok(())
}

/// Notes per application, oldest first.
pub async fn notes(
    conn: &impl ConnectionTrait,
    application_ids: &[i64],
) -> Result<HashMap<i64, Vec<crate::entity::application_note::Model>>> {
    use crate::entity::application_note;
    let mut out: HashMap<i64, Vec<application_note::Model>> = HashMap::new();
    for n in application_note::Entity::find()
        .filter(application_note::Column::ApplicationId.is_in(application_ids.to_vec()))
        .order_by_asc(application_note::Column::CreatedAt)
        .order_by_asc(application_note::Column::Id)
        .all(conn)
        .await?
    {
        out.entry(n.application_id).or_default().push(n);
    }
    Ok(out)
}

pub async fn set_rating(conn: &impl ConnectionTrait, application_id: i64, rating: Option<i32>) -> Result<()> {
    application::Entity::update_many()
        .col_expr(application::Column::Rating, Expr::value(rating))
        .filter(application::Column::Id.eq(application_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Spontaneous applications an institution receives: those sent to it and those sent to every
/// employer (administrators: all), newest first.
pub async fn spontaneous(conn: &impl ConnectionTrait, institution_id: Option<i64>) -> Result<Vec<application::Model>> {
    use sea_orm::Condition;
    let mut q = application::Entity::find().filter(application::Column::OfferId.is_null());
    if let Some(id) = institution_id {
        q = q.filter(
            Condition::any()
                .add(application::Column::InstitutionId.eq(id))
                .add(application::Column::InstitutionId.is_null()),
        );
    }
    Ok(q.order_by_desc(application::Column::CreatedAt).all(conn).await?)
}

// --- talent pool ------------------------------------------------------------------------

/// A candidate of the talent pool, as recruiters see them.
#[derive(Debug, Clone)]
pub struct PoolCandidate {
    pub user_id: i64,
    pub email: String,
    pub profile: crate::entity::candidate_profile::Model,
    pub choices: Vec<(String, String)>,
}

/// Candidates who opted in to the talent pool and did not hide their profile from
/// `institution_id` (administrators: every opted-in candidate).
pub async fn talent_pool(conn: &impl ConnectionTrait, institution_id: Option<i64>) -> Result<Vec<PoolCandidate>> {
    use crate::entity::{candidate_profile, profile_choice, profile_hidden_institution};
    let profiles = candidate_profile::Entity::find()
        .filter(candidate_profile::Column::TalentPool.eq(true))
        .order_by_desc(candidate_profile::Column::UpdatedAt)
        .all(conn)
        .await?;
    let ids: Vec<i64> = profiles.iter().map(|p| p.user_id).collect();
    let hidden: std::collections::HashSet<i64> = match institution_id {
        Some(inst) => profile_hidden_institution::Entity::find()
            .filter(profile_hidden_institution::Column::InstitutionId.eq(inst))
            .all(conn)
            .await?
            .into_iter()
            .map(|h| h.user_id)
            .collect(),
        None => Default::default(),
    };
    let mut choices: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for c in profile_choice::Entity::find().filter(profile_choice::Column::UserId.is_in(ids.clone())).all(conn).await? {
        choices.entry(c.user_id).or_default().push((c.kind, c.code));
    }
    let emails: HashMap<i64, (String, bool)> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.email, u.active)))
        .collect();
    Ok(profiles
        .into_iter()
        .filter(|p| !hidden.contains(&p.user_id))
        .filter_map(|p| {
            let (email, active) = emails.get(&p.user_id)?.clone();
            active.then(|| PoolCandidate {
                user_id: p.user_id,
                email,
                choices: choices.remove(&p.user_id).unwrap_or_default(),
                profile: p,
            })
        })
        .collect())
}

/// Records an invitation once per candidate and offer; `false` if already invited.
pub async fn invite(
    conn: &impl ConnectionTrait,
    user_id: i64,
    offer_id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    use crate::entity::invitation;
    use sea_orm::ActiveValue::Set;
    use sea_orm::sea_query::OnConflict;
    let model = invitation::ActiveModel {
        user_id: Set(user_id),
        offer_id: Set(offer_id),
        invited_by: Set(by),
        created_at: Set(now),
        declined_at: Set(None),
        ..Default::default()
    };
    let n = invitation::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([invitation::Column::UserId, invitation::Column::OfferId]).do_nothing().to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(n == 1)
}

/// The candidate declines an invitation (their own only).
pub async fn decline_invitation(conn: &impl ConnectionTrait, id: i64, user_id: i64, now: DateTime<Utc>) -> Result<()> {
    use crate::entity::invitation;
    let res = invitation::Entity::update_many()
        .col_expr(invitation::Column::DeclinedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn invitations_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<crate::entity::invitation::Model>> {
    use crate::entity::invitation;
    Ok(invitation::Entity::find()
        .filter(invitation::Column::UserId.eq(user_id))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// Per institution, the applications still waiting for a first answer (stage "reçue"),
/// received before `before`.
pub async fn unanswered_by_institution(
    conn: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<HashMap<i64, u64>> {
    let mut out: HashMap<i64, u64> = HashMap::new();
    for a in application::Entity::find()
        .filter(application::Column::Stage.eq(domain::candidate::Stage::Received.code()))
        .filter(application::Column::CreatedAt.lt(before))
        .filter(application::Column::InstitutionId.is_not_null())
        .all(conn)
        .await?
    {
        if let Some(i) = a.institution_id {
            *out.entry(i).or_default() += 1;
        }
    }
    Ok(out)
}

/// Applications received in `[from, to)` for an institution's offers (or spontaneous), with
/// the offer's title: what new-application e-mails tell recruiters.
pub async fn received_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(application::Model, Option<offer::Model>)>> {
    let apps = application::Entity::find()
        .filter(application::Column::CreatedAt.gte(from))
        .filter(application::Column::CreatedAt.lt(to))
        .filter(application::Column::InstitutionId.is_not_null())
        .order_by_asc(application::Column::CreatedAt)
        .order_by_asc(application::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = apps.iter().filter_map(|a| a.offer_id).collect();
    let offers: HashMap<i64, offer::Model> = offer::Entity::find()
        .filter(offer::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    Ok(apps
        .into_iter()
        .map(|a| {
            let o = a.offer_id.and_then(|id| offers.get(&id).cloned());
            (a, o)
        })
        .collect())
}

/// Sets when a recruiter hears of new applications.
pub async fn set_application_mail(
    conn: &impl ConnectionTrait,
    user_id: i64,
    choice: domain::role::ApplicationMail,
    now: DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::ApplicationMail, Expr::value(choice.code()))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Active recruiters of an institution.
pub async fn recruiters_of(conn: &impl ConnectionTrait, institution_id: i64) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::InstitutionId.eq(institution_id))
        .filter(user::Column::Role.eq(Role::Recruiter.code()))
        .filter(user::Column::Active.eq(true))
        .all(conn)
        .await?)
}

// --- refusal reasons --------------------------------------------------------------------

/// Adds a refusal reason at the end of the list; `Conflict` if its code exists.
pub async fn add_refusal_reason(conn: &impl ConnectionTrait, code: &str, label: &str) -> Result<()> {
    use crate::entity::refusal_reason;
    use sea_orm::ActiveValue::Set;
    let all = refusal_reason::Entity::find().all(conn).await?;
    if all.iter().any(|r| r.code == code) {
        return Err(DbError::Conflict(crate::Conflict::RefusalReasonExists));
    }
    let position = all.iter().map(|r| r.position).max().unwrap_or(0) + 1;
    let model = refusal_reason::ActiveModel {
        code: Set(code.to_string()),
        label: Set(label.to_string()),
        position: Set(position),
        active: Set(true),
        ..Default::default()
    };
    refusal_reason::Entity::insert(model).exec(conn).await?;
    Ok(())
}

/// Withdraws (or restores) a reason: past refusals keep showing its text.
pub async fn set_refusal_reason_active(conn: &impl ConnectionTrait, id: i64, active: bool) -> Result<()> {
    use crate::entity::refusal_reason;
    let res = refusal_reason::Entity::update_many()
        .col_expr(refusal_reason::Column::Active, Expr::value(active))
        .filter(refusal_reason::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

// --- a recruiter's employer and services --------------------------------------------------

/// The services a recruiter belongs to.
pub async fn user_service_ids(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<i64>> {
    use crate::entity::user_service;
    Ok(user_service::Entity::find()
        .filter(user_service::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.service_id)
        .collect())
}

/// Sets a recruiter's employer and services; services of another employer are ignored, so a
/// recruiter never belongs to a service outside their institution.
pub async fn set_attachment(
    conn: &impl ConnectionTrait,
    user_id: i64,
    institution_id: i64,
    service_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    use crate::entity::{service, user_service};
    use sea_orm::ActiveValue::Set;
    set_institution(conn, user_id, institution_id, now).await?;
    user_service::Entity::delete_many().filter(user_service::Column::UserId.eq(user_id)).exec(conn).await?;
    let valid: Vec<i64> = service::Entity::find()
        .filter(service::Column::InstitutionId.eq(institution_id))
        .filter(service::Column::Id.is_in(service_ids.to_vec()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if !valid.is_empty() {
        let rows = valid
            .iter()
            .map(|id| user_service::ActiveModel { user_id: Set(user_id), service_id: Set(*id) })
            .collect::<Vec<_>>();
        user_service::Entity::insert_many(rows).exec_without_returning(conn).await?;
    }
    Ok(valid)
}

/// Why the request was made (requests older than the purpose were all to recruit).
pub fn purpose_of(r: &crate::entity::access_request::Model) -> AccessPurpose {
    r.purpose.as_deref().and_then(|p| p.parse().ok()).unwrap_or(AccessPurpose::Recruiting)
}
