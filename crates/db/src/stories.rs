//! Agents' stories (`/temoignages`): written in the recruiters' space, public once published
//! with the person's recorded consent.

use crate::entity::{institution, product, profession, story};
use crate::{DbError, Result, stored};
use chrono::{DateTime, Utc};
use domain::story::{StoryFacts, StoryState, VideoKind};
use domain::text::slugify_max;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// What the editor writes (the media have their own calls).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryInput {
    pub display_name: String,
    pub job_title: String,
    pub quote: String,
    pub body: String,
    pub product_id: Option<i64>,
    pub profession_id: Option<i64>,
}

impl StoryInput {
    pub fn of(s: &story::Model) -> Self {
        Self {
            display_name: s.display_name.clone(),
            job_title: s.job_title.clone(),
            quote: s.quote.clone(),
            body: s.body.clone(),
            product_id: s.product_id,
            profession_id: s.profession_id,
        }
    }
}

/// A stored video: its key in the file store, container and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVideo {
    pub key: String,
    pub kind: VideoKind,
    pub size: i64,
}

/// A story with what its pages show beside it.
#[derive(Debug, Clone)]
pub struct StoryView {
    pub story: story::Model,
    pub state: StoryState,
    pub institution: institution::Model,
    /// `(slug, title)` of its product, when that product is public.
    pub product: Option<(String, String)>,
    /// `(slug, label)` of the person's profession.
    pub profession: Option<(String, String)>,
}

impl StoryView {
    pub fn video_kind(&self) -> Result<Option<VideoKind>> {
        crate::stored_opt("témoignage", self.story.id, self.story.video_type.as_deref())
    }
}

/// What a public list is narrowed to (slugs, as in the page's address).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryFilter {
    pub profession: Option<String>,
    pub employer: Option<String>,
    pub product: Option<String>,
}

impl StoryFilter {
    /// Whether `v` is one of the stories this filter keeps.
    pub fn matches(&self, v: &StoryView) -> bool {
        let is = |want: &Option<String>, slug: Option<&str>| want.as_deref().is_none_or(|w| slug == Some(w));
        is(&self.employer, Some(v.institution.slug.as_str()))
            && is(&self.product, v.product.as_ref().map(|(slug, _)| slug.as_str()))
            && is(&self.profession, v.profession.as_ref().map(|(slug, _)| slug.as_str()))
    }
}

fn facts(s: &story::Model) -> StoryFacts {
    let filled = |t: &str| !t.trim().is_empty();
    StoryFacts {
        has_quote: filled(&s.quote),
        has_body: filled(&s.body),
        has_photo: s.photo_key.is_some(),
        has_video: s.video_key.is_some(),
        has_captions: s.captions.as_deref().is_some_and(filled),
        has_transcript: s.transcript.as_deref().is_some_and(filled),
        consented: s.consent_at.is_some(),
    }
}

/// What a story lacks to be published (French, empty when nothing).
pub fn missing(s: &story::Model) -> Vec<&'static str> {
    domain::story::missing_for_publication(&facts(s))
}

async fn unique_slug(conn: &impl ConnectionTrait, base: &str) -> Result<String> {
    let base = if base.is_empty() { "temoignage" } else { base };
    let mut candidate = base.to_string();
    let mut n = 2;
    while story::Entity::find().filter(story::Column::Slug.eq(&candidate)).one(conn).await?.is_some() {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// A new draft of `institution_id`: its id. The slug comes from the name and the job title
/// (« amina-developpeuse »), numbered when taken.
pub async fn create(
    conn: &impl ConnectionTrait,
    institution_id: i64,
    input: &StoryInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let base = slugify_max(&format!("{} {}", input.display_name, input.job_title), 100);
    let model = story::ActiveModel {
        id: NotSet,
        slug: Set(unique_slug(conn, &base).await?),
        institution_id: Set(institution_id),
        product_id: Set(input.product_id),
        profession_id: Set(input.profession_id),
        display_name: Set(input.display_name.clone()),
        job_title: Set(input.job_title.clone()),
        quote: Set(input.quote.clone()),
        body: Set(input.body.clone()),
        consent_at: Set(None),
        consent_recorded_by: Set(None),
        photo_key: Set(None),
        video_key: Set(None),
        video_type: Set(None),
        video_size: Set(None),
        captions: Set(None),
        transcript: Set(None),
        state: Set(StoryState::Draft.code().to_string()),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(story::Entity::insert(model).exec(conn).await?.last_insert_id)
}

/// Saves the editor's fields. Naming someone else is a new person: their consent must be
/// recorded again, and a public story goes back to draft until it is.
pub async fn update(
    conn: &impl ConnectionTrait,
    s: &story::Model,
    input: &StoryInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let renamed = input.display_name != s.display_name;
    let mut q = story::Entity::update_many()
        .col_expr(story::Column::DisplayName, Expr::value(&input.display_name))
        .col_expr(story::Column::JobTitle, Expr::value(&input.job_title))
        .col_expr(story::Column::Quote, Expr::value(&input.quote))
        .col_expr(story::Column::Body, Expr::value(&input.body))
        .col_expr(story::Column::ProductId, Expr::value(input.product_id))
        .col_expr(story::Column::ProfessionId, Expr::value(input.profession_id))
        .col_expr(story::Column::UpdatedAt, Expr::value(now));
    if renamed {
        q = q
            .col_expr(story::Column::ConsentAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(story::Column::ConsentRecordedBy, Expr::value(Option::<String>::None))
            .col_expr(story::Column::State, Expr::value(StoryState::Draft.code()));
    }
    q.filter(story::Column::Id.eq(s.id)).exec(conn).await?;
    Ok(())
}

/// Publishes, archives or brings back to draft. Publishing checks what a public story needs
/// on the row as stored (`Invalid::StoryNotPublishable` with what it lacks).
pub async fn set_state(conn: &impl ConnectionTrait, id: i64, to: StoryState, now: DateTime<Utc>) -> Result<()> {
    let s = by_id(conn, id).await?;
    if to == StoryState::Published {
        let missing = missing(&s);
        if !missing.is_empty() {
            return Err(DbError::Invalid(crate::Invalid::StoryNotPublishable(missing)));
        }
    }
    let mut q = story::Entity::update_many()
        .col_expr(story::Column::State, Expr::value(to.code()))
        .col_expr(story::Column::UpdatedAt, Expr::value(now));
    if to == StoryState::Published && s.published_at.is_none() {
        q = q.col_expr(story::Column::PublishedAt, Expr::value(now));
    }
    // Consent withdrawn meanwhile (another tab): the story is not published without it.
    if to == StoryState::Published {
        q = q.filter(story::Column::ConsentAt.is_not_null());
    }
    let res = q.filter(story::Column::Id.eq(id)).exec(conn).await?;
    if res.rows_affected == 0 {
        return Err(DbError::Invalid(crate::Invalid::StoryNotPublishable(vec![
            "le consentement enregistré de la personne",
        ])));
    }
    Ok(())
}

/// Records the person's consent to be shown, with who recorded it.
pub async fn record_consent(conn: &impl ConnectionTrait, id: i64, recorded_by: &str, now: DateTime<Utc>) -> Result<()> {
    story::Entity::update_many()
        .col_expr(story::Column::ConsentAt, Expr::value(Some(now)))
        .col_expr(story::Column::ConsentRecordedBy, Expr::value(Some(recorded_by.to_string())))
        .col_expr(story::Column::UpdatedAt, Expr::value(now))
        .filter(story::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The person withdrew their consent: it is forgotten and the story unpublished at once.
pub async fn withdraw_consent(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<()> {
    story::Entity::update_many()
        .col_expr(story::Column::ConsentAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(story::Column::ConsentRecordedBy, Expr::value(Option::<String>::None))
        .col_expr(story::Column::State, Expr::value(StoryState::Draft.code()))
        .col_expr(story::Column::UpdatedAt, Expr::value(now))
        .filter(story::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets or removes the photo; the previous key, for the caller to delete once committed.
pub async fn set_photo(
    conn: &impl ConnectionTrait,
    id: i64,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let old = by_id_for_change(conn, id, now).await?.photo_key;
    story::Entity::update_many()
        .col_expr(story::Column::PhotoKey, Expr::value(key.map(str::to_string)))
        .col_expr(story::Column::UpdatedAt, Expr::value(now))
        .filter(story::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(old)
}

/// The video's part of a story: the file, its captions and transcript, changed together so
/// that a public story never has a video without them.
#[derive(Debug, Clone, Default)]
pub struct VideoChange {
    /// A new video (`None`: keep the current one).
    pub video: Option<StoredVideo>,
    /// New captions (`None`: keep).
    pub captions: Option<String>,
    pub transcript: Option<String>,
}

/// Applies a [`VideoChange`]; the previous video's key when it was replaced. A public story
/// that would be left without captions or transcript is refused.
pub async fn set_video(
    conn: &impl ConnectionTrait,
    id: i64,
    change: &VideoChange,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let s = by_id_for_change(conn, id, now).await?;
    let mut after = s.clone();
    if let Some(v) = &change.video {
        after.video_key = Some(v.key.clone());
    }
    if let Some(c) = &change.captions {
        after.captions = Some(c.clone());
    }
    if let Some(t) = &change.transcript {
        after.transcript = Some(t.clone()).filter(|t| !t.trim().is_empty());
    }
    if s.state == StoryState::Published.code() {
        let missing = missing(&after);
        if !missing.is_empty() {
            return Err(DbError::Invalid(crate::Invalid::StoryNotPublishable(missing)));
        }
    }
    let mut q = story::Entity::update_many()
        .col_expr(story::Column::Captions, Expr::value(after.captions))
        .col_expr(story::Column::Transcript, Expr::value(after.transcript))
        .col_expr(story::Column::UpdatedAt, Expr::value(now));
    if let Some(v) = &change.video {
        q = q
            .col_expr(story::Column::VideoKey, Expr::value(Some(v.key.clone())))
            .col_expr(story::Column::VideoType, Expr::value(Some(v.kind.code())))
            .col_expr(story::Column::VideoSize, Expr::value(Some(v.size)));
    }
    q.filter(story::Column::Id.eq(id)).exec(conn).await?;
    Ok(if change.video.is_some() { s.video_key } else { None })
}

/// Removes the video with its captions and transcript; the key to delete.
pub async fn remove_video(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<Option<String>> {
    let old = by_id_for_change(conn, id, now).await?.video_key;
    story::Entity::update_many()
        .col_expr(story::Column::VideoKey, Expr::value(Option::<String>::None))
        .col_expr(story::Column::VideoType, Expr::value(Option::<String>::None))
        .col_expr(story::Column::VideoSize, Expr::value(Option::<i64>::None))
        .col_expr(story::Column::Captions, Expr::value(Option::<String>::None))
        .col_expr(story::Column::Transcript, Expr::value(Option::<String>::None))
        .col_expr(story::Column::UpdatedAt, Expr::value(now))
        .filter(story::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(old)
}

/// The story, read after taking its row for this transaction: a first write makes concurrent
/// changes of its media wait (PostgreSQL locks the row; SQLite's writes already take turns), so
/// the old file each change replaces is the one actually stored, and none is left orphaned.
async fn by_id_for_change(conn: &impl ConnectionTrait, id: i64, now: DateTime<Utc>) -> Result<story::Model> {
    story::Entity::update_many()
        .col_expr(story::Column::UpdatedAt, Expr::value(now))
        .filter(story::Column::Id.eq(id))
        .exec(conn)
        .await?;
    by_id(conn, id).await
}

pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<story::Model> {
    story::Entity::find_by_id(id).one(conn).await?.ok_or(DbError::NotFound)
}

/// A story the staff member may edit: their institution's (every one for an administrator,
/// `institution: None`); another institution's is not found.
pub async fn managed(conn: &impl ConnectionTrait, id: i64, institution: Option<i64>) -> Result<story::Model> {
    let s = by_id(conn, id).await?;
    match institution {
        Some(own) if own != s.institution_id => Err(DbError::NotFound),
        _ => Ok(s),
    }
}

/// [`managed`] with what its page shows beside it (its preview).
pub async fn managed_view(conn: &impl ConnectionTrait, id: i64, institution: Option<i64>) -> Result<StoryView> {
    let s = managed(conn, id, institution).await?;
    views(conn, vec![s], false).await?.pop().ok_or(DbError::NotFound)
}

/// The stories the staff member edits, latest change first.
pub async fn managed_list(conn: &impl ConnectionTrait, institution: Option<i64>) -> Result<Vec<StoryView>> {
    let mut q = story::Entity::find().order_by_desc(story::Column::UpdatedAt).order_by_desc(story::Column::Id);
    if let Some(own) = institution {
        q = q.filter(story::Column::InstitutionId.eq(own));
    }
    let rows = q.all(conn).await?;
    views(conn, rows, false).await
}

/// What a public story is: published, with consent (twice checked: a withdrawal unpublishes).
fn public() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(story::Column::State.eq(StoryState::Published.code()))
        .add(story::Column::ConsentAt.is_not_null())
}

async fn views(conn: &impl ConnectionTrait, rows: Vec<story::Model>, public_only: bool) -> Result<Vec<StoryView>> {
    let ids = |f: fn(&story::Model) -> Option<i64>| rows.iter().filter_map(f).collect::<Vec<_>>();
    let institutions: HashMap<i64, institution::Model> = institution::Entity::find()
        .filter(institution::Column::Id.is_in(rows.iter().map(|s| s.institution_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(ids(|s| s.product_id)))
        .filter(product::Column::State.eq(domain::product::ProductState::Published.code()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let professions: HashMap<i64, profession::Model> = profession::Entity::find()
        .filter(profession::Column::Id.is_in(ids(|s| s.profession_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for s in rows {
        let Some(inst) = institutions.get(&s.institution_id) else {
            return Err(DbError::Corrupt(format!("témoignage {} : employeur {} introuvable", s.id, s.institution_id)));
        };
        // A story on the page of an employer that is hidden would show what is hidden.
        if public_only && !inst.published {
            continue;
        }
        let state = stored("témoignage", s.id, &s.state)?;
        out.push(StoryView {
            state,
            institution: inst.clone(),
            product: s.product_id.and_then(|id| products.get(&id)).map(|p| (p.slug.clone(), p.title.clone())),
            profession: s.profession_id.and_then(|id| professions.get(&id)).map(|p| (p.slug.clone(), p.label.clone())),
            story: s,
        });
    }
    Ok(out)
}

/// The public stories matching `filter`, latest published first.
pub async fn public_list(conn: &impl ConnectionTrait, filter: &StoryFilter) -> Result<Vec<StoryView>> {
    let rows = story::Entity::find()
        .filter(public())
        .order_by_desc(story::Column::PublishedAt)
        .order_by_desc(story::Column::Id)
        .all(conn)
        .await?;
    let all = views(conn, rows, true).await?;
    Ok(all.into_iter().filter(|v| filter.matches(v)).collect())
}

pub async fn public_by_slug(conn: &impl ConnectionTrait, slug: &str) -> Result<StoryView> {
    let row = story::Entity::find().filter(public()).filter(story::Column::Slug.eq(slug)).one(conn).await?;
    let row = row.ok_or(DbError::NotFound)?;
    views(conn, vec![row], true).await?.pop().ok_or(DbError::NotFound)
}

/// The address of story `id` when it is public (a speaker's link on the forum).
pub async fn public_slug(conn: &impl ConnectionTrait, id: i64) -> Result<Option<String>> {
    let row = story::Entity::find().filter(public()).filter(story::Column::Id.eq(id)).one(conn).await?;
    match row {
        Some(row) => Ok(views(conn, vec![row], true).await?.pop().map(|v| v.story.slug)),
        None => Ok(None),
    }
}

pub async fn public_of_institution(conn: &impl ConnectionTrait, institution_id: i64) -> Result<Vec<StoryView>> {
    let rows = story::Entity::find()
        .filter(public())
        .filter(story::Column::InstitutionId.eq(institution_id))
        .order_by_desc(story::Column::PublishedAt)
        .all(conn)
        .await?;
    views(conn, rows, true).await
}

pub async fn public_of_product(conn: &impl ConnectionTrait, product_id: i64) -> Result<Vec<StoryView>> {
    let rows = story::Entity::find()
        .filter(public())
        .filter(story::Column::ProductId.eq(product_id))
        .order_by_desc(story::Column::PublishedAt)
        .all(conn)
        .await?;
    views(conn, rows, true).await
}

/// `(slug, updated_at)` of every public story, for the sitemap.
pub async fn public_slugs(conn: &impl ConnectionTrait) -> Result<Vec<(String, DateTime<Utc>)>> {
    let rows = public_list(conn, &StoryFilter::default()).await?;
    Ok(rows.into_iter().map(|v| (v.story.slug, v.story.updated_at)).collect())
}
