//! The demo catalogue (`seed/demo.json`, written by the project): employers with their
//! showcase pages and services, and offers dated relative to the seeding day so that the demo
//! stays current.

use crate::institutions::{self, Showcase};
use crate::offers::{self, Outcome};
use crate::reference::TaxonomyIds;
use crate::{Db, DbError, Result};
use chrono::{DateTime, Duration, Utc};
use domain::offer::{
    Category, ContractType, EducationLevel, EmployerRef, Experience, Location, OfferData, OfferNature, OfferState,
    Remote, Source, Vacancy, Versant, WorkingTime,
};
use domain::{geo, taxonomy};
use serde::Deserialize;

const DEMO: &str = include_str!("../seed/demo.json");
const DEMO_PRODUCTS: &str = include_str!("../seed/products.json");
const DEMO_STORIES: &str = include_str!("../seed/stories.json");

mod forum;
mod immersion;

/// The demo videos the project made itself (`scripts/make-demo-videos.sh`), with their
/// captions and transcripts: `(story slug, video, captions, transcript)`.
pub(crate) const DEMO_VIDEOS: &[(&str, &[u8], &str, &str)] = &[
    (
        "amina-developpeuse-dinum",
        include_bytes!("../seed/stories/amina-developpeuse-dinum.webm"),
        include_str!("../seed/stories/amina-developpeuse-dinum.vtt"),
        include_str!("../seed/stories/amina-developpeuse-dinum.txt"),
    ),
    (
        "julien-analyste-anssi",
        include_bytes!("../seed/stories/julien-analyste-anssi.webm"),
        include_str!("../seed/stories/julien-analyste-anssi.vtt"),
        include_str!("../seed/stories/julien-analyste-anssi.txt"),
    ),
];

/// The files the demo stories point to, `(file store key, bytes)`: whoever seeds the
/// database also puts these in the file store (the db crate does not hold the store).
pub fn demo_files() -> Vec<(String, &'static [u8])> {
    DEMO_VIDEOS.iter().map(|(slug, bytes, _, _)| (demo_video_key(slug), *bytes)).collect()
}

pub(crate) fn demo_video_key(slug: &str) -> String {
    format!("temoignages/videos/demo-{slug}.webm")
}

/// A demo product (`seed/products.json`, the project's own texts).
#[derive(Deserialize)]
struct DemoProduct {
    slug: String,
    title: String,
    mission: String,
    body: String,
    /// Institution slugs.
    sponsors: Vec<String>,
    phases: Vec<DemoPhase>,
    technologies: Vec<String>,
    themes: Vec<String>,
    audiences: Vec<String>,
    link: Option<String>,
    repository: Option<String>,
    accessibility: Option<domain::product::Accessibility>,
    /// `(domain, people, still on it)`.
    team: Vec<(String, usize, bool)>,
    /// How many of its first sponsor's open offers are attached to it.
    attach: usize,
}

#[derive(Deserialize)]
struct DemoPhase {
    phase: domain::product::Phase,
    start: chrono::NaiveDate,
}

#[derive(Deserialize)]
struct Catalogue {
    institutions: Vec<DemoInstitution>,
    offers: Vec<DemoOffer>,
}

#[derive(Deserialize)]
struct DemoInstitution {
    slug: String,
    name: String,
    acronym: Option<String>,
    ministry: Option<String>,
    website: Option<String>,
    presentation: Option<String>,
    values: Option<String>,
    missions: Option<String>,
    projects: Option<String>,
    figures: Option<String>,
    recruitment_process: Option<String>,
    working_with_us: Option<String>,
    services: Vec<DemoService>,
}

#[derive(Deserialize)]
struct DemoService {
    slug: String,
    name: String,
    #[serde(default)]
    children: Vec<DemoService>,
}

#[derive(Deserialize)]
struct DemoOffer {
    slug: String,
    reference: String,
    title: String,
    institution: String,
    service: Option<String>,
    mission: Option<String>,
    profile: Option<String>,
    team: Option<String>,
    context: Option<String>,
    perks: Option<String>,
    process: Option<String>,
    particularities: Option<String>,
    how_to_apply: Option<String>,
    nature: OfferNature,
    contract_types: Vec<ContractType>,
    duration_months: Option<i32>,
    category: Category,
    versant: Versant,
    profession: String,
    domains: Vec<String>,
    experience: Experience,
    education: Option<u8>,
    remote: Remote,
    working_time: WorkingTime,
    vacancy: Vacancy,
    salary_min: Option<i32>,
    salary_max: Option<i32>,
    commune: String,
    address: Option<String>,
    published_days_ago: i64,
    expires_in_days: Option<i64>,
    starts_in_days: Option<i64>,
    state: OfferState,
    application_url: Option<String>,
    contact_email: Option<String>,
    languages: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub institutions: usize,
    pub products: usize,
    pub stories: usize,
    /// Forum sessions (both editions).
    pub sessions: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn catalogue() -> Result<Catalogue> {
    serde_json::from_str(DEMO).map_err(|e| DbError::Corrupt(format!("catalogue de démonstration illisible : {e}")))
}

/// Writes the demo catalogue (idempotent: a second run changes nothing on the same day).
#[expect(clippy::disallowed_methods, reason = "the demo data, written once from the command line")]
pub async fn seed_demo(db: &Db, now: DateTime<Utc>) -> Result<SeedReport> {
    let catalogue = catalogue()?;
    let ids = TaxonomyIds::load(db).await?;
    let mut report = SeedReport::default();
    let txn = db.begin().await?;
    for inst in &catalogue.institutions {
        let showcase = Showcase {
            acronym: inst.acronym.clone(),
            ministry: inst.ministry.clone(),
            website: inst.website.clone(),
            presentation: inst.presentation.clone(),
            values: inst.values.clone(),
            missions: inst.missions.clone(),
            projects: inst.projects.clone(),
            figures: inst.figures.clone(),
            recruitment_process: inst.recruitment_process.clone(),
            working_with_us: inst.working_with_us.clone(),
        };
        let model = institutions::find_or_create(&txn, &inst.name, Some(&inst.slug), Some(&showcase), now).await?;
        let mut stack: Vec<(&DemoService, Option<i64>)> = inst.services.iter().map(|s| (s, None)).collect();
        while let Some((svc, parent)) = stack.pop() {
            let created =
                institutions::find_or_create_service(&txn, model.id, parent, &svc.name, Some(&svc.slug), now).await?;
            stack.extend(svc.children.iter().map(|c| (c, Some(created.id))));
        }
        report.institutions += 1;
    }
    for o in &catalogue.offers {
        let data = to_offer_data(&catalogue, o, now)?;
        match offers::upsert(&txn, &ids, &data, now).await? {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
        }
    }
    seed_products(&txn, now, &mut report).await?;
    seed_stories(&txn, now, &mut report).await?;
    forum::seed(&txn, now, &mut report).await?;
    immersion::seed(&txn, now).await?;
    txn.commit().await?;
    Ok(report)
}

/// The demo products, their sponsors among the demo employers, and a few offers attached.
async fn seed_products(txn: &crate::DatabaseTransaction, now: DateTime<Utc>, report: &mut SeedReport) -> Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let products: Vec<DemoProduct> = serde_json::from_str(DEMO_PRODUCTS)
        .map_err(|e| DbError::Corrupt(format!("produits de démonstration illisibles : {e}")))?;
    let today = now.date_naive();
    for p in &products {
        let mut sponsors = Vec::new();
        for slug in &p.sponsors {
            sponsors.push(institutions::by_slug(txn, slug).await?.id);
        }
        let team = p
            .team
            .iter()
            .flat_map(|(domain, n, current)| {
                let (start, end) = if *current {
                    (today - Duration::days(300), today + Duration::days(400))
                } else {
                    (today - Duration::days(900), today - Duration::days(200))
                };
                (0..*n).map(move |_| domain::product::TeamMission {
                    role: domain.clone(),
                    domain: domain.clone(),
                    start: Some(start),
                    end: Some(end),
                })
            })
            .collect();
        let data = domain::product::ProductData {
            title: p.title.clone(),
            mission: p.mission.clone(),
            body: p.body.clone(),
            incubator: None,
            sponsors: p.sponsors.clone(),
            phases: p
                .phases
                .iter()
                .map(|ph| domain::product::PhaseSpan { phase: ph.phase, start: ph.start, end: None })
                .collect(),
            technologies: p.technologies.iter().flat_map(|t| domain::product::technologies(t)).collect(),
            themes: p.themes.clone(),
            audiences: p.audiences.clone(),
            link: p.link.clone(),
            repository: p.repository.clone(),
            stats_url: None,
            accessibility: p.accessibility,
            team,
        };
        // The demo's content is fixed: its hash is the file's, so a new seed changes nothing.
        let hash = format!("demo-{}", DEMO_PRODUCTS.len());
        let (id, outcome) = crate::products::upsert_imported(txn, &p.slug, &data, &sponsors, &hash, now).await?;
        if outcome == crate::products::Upserted::Created
            && p.attach > 0
            && let Some(first) = sponsors.first()
        {
            let offers = crate::entity::offer::Entity::find()
                .filter(crate::entity::offer::Column::InstitutionId.eq(*first))
                .filter(crate::entity::offer::Column::ProductId.is_null())
                .filter(crate::entity::offer::Column::State.eq(OfferState::Published.code()))
                .all(txn)
                .await?;
            for o in offers.into_iter().take(p.attach) {
                crate::products::attach_offer(txn, o.id, Some(id), now).await?;
            }
        }
        report.products += 1;
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct DemoStory {
    slug: String,
    display_name: String,
    job_title: String,
    institution: String,
    product: Option<String>,
    profession: Option<String>,
    quote: String,
    body: String,
    video: Option<String>,
    days_ago: i64,
}

/// The demo stories, published with a consent recorded by the demo itself; two with a video.
async fn seed_stories(txn: &crate::DatabaseTransaction, now: DateTime<Utc>, report: &mut SeedReport) -> Result<()> {
    use crate::entity::{product, profession, story};
    use sea_orm::ActiveValue::{NotSet, Set};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let stories: Vec<DemoStory> = serde_json::from_str(DEMO_STORIES)
        .map_err(|e| DbError::Corrupt(format!("témoignages de démonstration illisibles : {e}")))?;
    for d in &stories {
        if story::Entity::find().filter(story::Column::Slug.eq(&d.slug)).one(txn).await?.is_some() {
            continue;
        }
        let invalid = |what: &str| DbError::Corrupt(format!("témoignage de démonstration {} : {what}", d.slug));
        let institution = institutions::by_slug(txn, &d.institution).await?;
        let product_id = match &d.product {
            Some(slug) => Some(
                product::Entity::find()
                    .filter(product::Column::Slug.eq(slug))
                    .one(txn)
                    .await?
                    .ok_or_else(|| invalid("produit inconnu"))?
                    .id,
            ),
            None => None,
        };
        let profession_id = match &d.profession {
            Some(slug) => Some(
                profession::Entity::find()
                    .filter(profession::Column::Slug.eq(slug))
                    .one(txn)
                    .await?
                    .ok_or_else(|| invalid("métier inconnu"))?
                    .id,
            ),
            None => None,
        };
        let video = match &d.video {
            Some(slug) => Some(DEMO_VIDEOS.iter().find(|v| v.0 == slug).ok_or_else(|| invalid("vidéo inconnue"))?),
            None => None,
        };
        let captions = match video {
            Some(v) => Some(domain::story::check_captions(v.2.as_bytes()).map_err(|e| invalid(&e))?),
            None => None,
        };
        let at = now - Duration::days(d.days_ago);
        let model = story::ActiveModel {
            id: NotSet,
            slug: Set(d.slug.clone()),
            institution_id: Set(institution.id),
            product_id: Set(product_id),
            profession_id: Set(profession_id),
            display_name: Set(d.display_name.clone()),
            job_title: Set(d.job_title.clone()),
            quote: Set(d.quote.clone()),
            body: Set(d.body.clone()),
            consent_at: Set(Some(at)),
            consent_recorded_by: Set(Some("Équipe Métiers du numérique (démonstration)".into())),
            photo_key: Set(None),
            video_key: Set(video.map(|v| demo_video_key(v.0))),
            video_type: Set(video.map(|_| domain::story::VideoKind::Webm.code().to_string())),
            video_size: Set(video.map(|v| v.1.len() as i64)),
            captions: Set(captions),
            transcript: Set(video.map(|v| v.3.trim().to_string())),
            state: Set(domain::story::StoryState::Published.code().to_string()),
            published_at: Set(Some(at)),
            created_at: Set(at),
            updated_at: Set(at),
        };
        story::Entity::insert(model).exec(txn).await?;
        report.stories += 1;
    }
    Ok(())
}

fn find_service<'a>(services: &'a [DemoService], slug: &str) -> Option<&'a DemoService> {
    services.iter().find_map(|s| if s.slug == slug { Some(s) } else { find_service(&s.children, slug) })
}

fn to_offer_data(c: &Catalogue, o: &DemoOffer, now: DateTime<Utc>) -> Result<OfferData> {
    let invalid = |what: &str| DbError::Corrupt(format!("offre de démonstration {} : {what}", o.reference));
    let inst = c.institutions.iter().find(|i| i.slug == o.institution).ok_or_else(|| invalid("employeur inconnu"))?;
    let service = match &o.service {
        Some(slug) => Some(find_service(&inst.services, slug).ok_or_else(|| invalid("service inconnu"))?.slug.clone()),
        None => None,
    };
    let commune = geo::commune(&o.commune).ok_or_else(|| invalid("commune inconnue"))?;
    let profession = taxonomy::profession(&o.profession).ok_or_else(|| invalid("métier inconnu"))?;
    // Days are counted from midnight so that seeding twice the same day gives the same content.
    let today = now.date_naive().and_hms_opt(0, 0, 0).map(|d| d.and_utc()).unwrap_or(now);
    Ok(OfferData {
        source: Source::Platform,
        source_ref: o.reference.clone(),
        source_url: None,
        slug_hint: Some(o.slug.clone()),
        title: o.title.clone(),
        employer: EmployerRef { name: inst.name.clone(), ministry: inst.ministry.clone() },
        service,
        mission: o.mission.clone(),
        profile: o.profile.clone(),
        team: o.team.clone(),
        context: o.context.clone(),
        perks: o.perks.clone(),
        process: o.process.clone(),
        particularities: o.particularities.clone(),
        how_to_apply: o.how_to_apply.clone(),
        nature: Some(o.nature),
        contract_types: o.contract_types.clone(),
        duration_months: o.duration_months,
        category: Some(o.category),
        versant: Some(o.versant),
        profession_label: Some(profession.label.clone()),
        profession: Some(profession.slug.clone()),
        domains: o.domains.clone(),
        experience: Some(o.experience),
        education: o.education.and_then(EducationLevel::from_level),
        remote: Some(o.remote),
        working_time: Some(o.working_time),
        vacancy: Some(o.vacancy),
        salary_min: o.salary_min,
        salary_max: o.salary_max,
        location: Location {
            address: o.address.clone(),
            city: Some(commune.name.clone()),
            postal_code: commune.postal_codes.first().cloned(),
            commune_code: Some(commune.code.clone()),
            departement_code: Some(commune.departement_code.clone()),
            region_code: Some(commune.region_code.clone()),
            latitude: None,
            longitude: None,
        },
        published_at: today - Duration::days(o.published_days_ago),
        expires_at: o.expires_in_days.map(|d| today + Duration::days(d)),
        starts_on: o.starts_in_days.map(|d| (today + Duration::days(d)).date_naive()),
        state: o.state,
        application_url: o.application_url.clone(),
        contact_email: o.contact_email.clone(),
        languages: o.languages.clone(),
    })
}

/// The demo catalogue's offers as `OfferData` (tests build variants of them).
pub fn demo_offer_data(now: DateTime<Utc>) -> Result<Vec<OfferData>> {
    let c = catalogue()?;
    c.offers.iter().map(|o| to_offer_data(&c, o, now)).collect()
}
