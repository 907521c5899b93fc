//! Recruitment statistics, for one institution or the whole platform. Computed from the rows
//! (offers, applications and their events) of the period; the volumes of a job board make this
//! a few thousand rows, read once per visit of a statistics page.

use crate::Result;
use crate::entity::{application, application_event, candidate_profile, offer};
use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    /// `AAAA-MM`.
    pub month: String,
    pub offers_published: u64,
    /// Views of the offers' pages (counted from this feature's release; earlier views only
    /// count in the totals).
    pub views: i64,
    /// Every application received in the month, spontaneous ones included.
    pub applications: u64,
    /// Of which spontaneous (to an employer, not to an offer).
    pub spontaneous: u64,
    pub hires: u64,
    /// Median days from an application to the recruiter's first answer, when there is one.
    pub median_days_to_answer: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
/// The months, and their totals: the summary and the table say the same thing.
pub struct Stats {
    pub months: Vec<Month>,
    pub views: i64,
    pub applications: u64,
    pub spontaneous: u64,
    /// Applications per 100 views of the offers, over the same months.
    pub conversion_percent: Option<f64>,
    pub hires: u64,
}

fn month_key(d: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The last `months` months (oldest first), for `institution_id` (`None`: the platform).
pub async fn monthly(
    conn: &impl ConnectionTrait,
    institution_id: Option<i64>,
    now: DateTime<Utc>,
    months: u32,
) -> Result<Stats> {
    let mut keys = Vec::new();
    let mut d = now;
    for _ in 0..months {
        keys.push(month_key(d));
        d = d.with_day(1).unwrap_or(d) - Duration::days(1);
    }
    keys.reverse();
    let mut oq = offer::Entity::find().filter(offer::Column::DeletedAt.is_null());
    if let Some(id) = institution_id {
        oq = oq.filter(offer::Column::InstitutionId.eq(id));
    }
    let offers = oq.all(conn).await?;
    let mut aq = application::Entity::find();
    if let Some(id) = institution_id {
        aq = aq.filter(application::Column::InstitutionId.eq(id));
    }
    let apps = aq.all(conn).await?;
    let app_ids: Vec<i64> = apps.iter().map(|a| a.id).collect();
    let mut first_answer: HashMap<i64, DateTime<Utc>> = HashMap::new();
    let mut hired_at: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for chunk in app_ids.chunks(500) {
        for e in application_event::Entity::find()
            .filter(application_event::Column::ApplicationId.is_in(chunk.to_vec()))
            .filter(application_event::Column::ByCandidate.eq(false))
            .all(conn)
            .await?
        {
            let at = e.created_at;
            first_answer.entry(e.application_id).and_modify(|t| *t = (*t).min(at)).or_insert(at);
            if e.stage == domain::candidate::Stage::Accepted.code() {
                hired_at.insert(e.application_id, at);
            }
        }
    }
    let mut by_month: HashMap<String, Month> =
        keys.iter().map(|k| (k.clone(), Month { month: k.clone(), ..Default::default() })).collect();
    let mut delays: HashMap<String, Vec<i64>> = HashMap::new();
    let offer_ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
    for chunk in offer_ids.chunks(500) {
        for v in crate::entity::offer_view_month::Entity::find()
            .filter(crate::entity::offer_view_month::Column::OfferId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if let Some(m) = by_month.get_mut(&v.month) {
                m.views += v.views;
            }
        }
    }
    for o in &offers {
        if o.state != domain::offer::OfferState::Draft.code()
            && let Some(m) = by_month.get_mut(&month_key(o.published_at))
        {
            m.offers_published += 1;
        }
    }
    for a in &apps {
        let key = month_key(a.created_at);
        if let Some(m) = by_month.get_mut(&key) {
            m.applications += 1;
            if a.offer_id.is_none() {
                m.spontaneous += 1;
            }
        }
        if let Some(t) = first_answer.get(&a.id) {
            delays.entry(key).or_default().push((*t - a.created_at).num_days());
        }
        if let Some(t) = hired_at.get(&a.id)
            && let Some(m) = by_month.get_mut(&month_key(*t))
        {
            m.hires += 1;
        }
    }
    for (k, mut v) in delays {
        if let Some(m) = by_month.get_mut(&k) {
            v.sort_unstable();
            m.median_days_to_answer = v.get(v.len() / 2).copied();
        }
    }
    let months: Vec<Month> = keys.iter().filter_map(|k| by_month.remove(k)).collect();
    // The totals are the table's: the same months, the same counts.
    let views: i64 = months.iter().map(|m| m.views).sum();
    let applications: u64 = months.iter().map(|m| m.applications).sum();
    Ok(Stats {
        views,
        applications,
        spontaneous: months.iter().map(|m| m.spontaneous).sum(),
        conversion_percent: (views > 0).then(|| applications as f64 * 100.0 / views as f64),
        hires: months.iter().map(|m| m.hires).sum(),
        months,
    })
}

/// The platform's objectives, live.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Objectives {
    pub talents_in_pool: u64,
    pub hires: u64,
    pub open_posts: u64,
    pub recruiting_institutions: u64,
}

pub async fn objectives(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Objectives> {
    let talents_in_pool =
        candidate_profile::Entity::find().filter(candidate_profile::Column::TalentPool.eq(true)).count(conn).await?;
    let hires = application::Entity::find()
        .filter(application::Column::Stage.eq(domain::candidate::Stage::Accepted.code()))
        .count(conn)
        .await?;
    let open = crate::offers::open(now).all(conn).await?;
    let mut institutions: Vec<i64> = open.iter().map(|o| o.institution_id).collect();
    institutions.sort_unstable();
    institutions.dedup();
    Ok(Objectives {
        talents_in_pool,
        hires,
        open_posts: open.len() as u64,
        recruiting_institutions: institutions.len() as u64,
    })
}
