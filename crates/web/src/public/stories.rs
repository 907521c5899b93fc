//! `GET /temoignages`, `/temoignages/{slug}` and the story's media (public): agents' stories,
//! filtered by profession, employer and product, each with its portrait and its video with
//! captions and transcript.

use crate::error::{AppError, AppResult};
use crate::forms::query_param;
use crate::layout::{Nav, Page};
use crate::{AppState, format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use db::stories::{StoryFilter, StoryView};

/// A story's card (`stories/_card.html`): on `/temoignages`, home, employer and product pages.
pub struct StoryCard {
    pub url: String,
    pub name: String,
    pub job_title: String,
    pub employer: String,
    pub quote: String,
    pub photo: Option<String>,
    pub has_video: bool,
}

impl StoryCard {
    pub fn of(v: &StoryView) -> Self {
        let url = format!("/temoignages/{}", v.story.slug);
        Self {
            photo: v.story.photo_key.is_some().then(|| format!("{url}/photo")),
            url,
            name: v.story.display_name.clone(),
            job_title: v.story.job_title.clone(),
            employer: v.institution.acronym.clone().unwrap_or_else(|| v.institution.name.clone()),
            quote: markdown::to_plain(&v.story.quote, 200),
            has_video: v.story.video_key.is_some(),
        }
    }
}

/// One of the list's filters: its parameter, label and choices `(slug, label, chosen)`.
pub struct Filter {
    pub param: &'static str,
    pub label: &'static str,
    pub choices: Vec<(String, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "stories/list.html")]
pub struct StoriesPage {
    pub page: Page,
    pub filters: Vec<Filter>,
    /// The feed of the same filters (`?…` or empty).
    pub feed_query: String,
    pub filtered: bool,
    pub cards: Vec<StoryCard>,
    pub sentence: String,
}

fn choices(
    all: &[StoryView],
    chosen: Option<&str>,
    pick: fn(&StoryView) -> Option<(String, String)>,
) -> Vec<(String, String, bool)> {
    let mut seen: Vec<(String, String)> = all.iter().filter_map(pick).collect();
    seen.sort_by_key(|(_, label)| domain::text::match_key(label));
    seen.dedup();
    seen.into_iter()
        .map(|(slug, label)| {
            let picked = chosen == Some(slug.as_str());
            (slug, label, picked)
        })
        .collect()
}

/// The list's filters from its query string (`metier`, `employeur`, `projet`: slugs).
pub fn filter_of(raw: Option<&str>) -> StoryFilter {
    let get = |name| query_param(raw, name).filter(|v| !v.is_empty());
    StoryFilter { profession: get("metier"), employer: get("employeur"), product: get("projet") }
}

/// The query string that gives `filter` back (empty, or starting with `?`).
pub fn filter_query(filter: &StoryFilter) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [("metier", &filter.profession), ("employeur", &filter.employer), ("projet", &filter.product)]
    {
        if let Some(v) = value {
            q.append_pair(name, v);
        }
    }
    let q = q.finish();
    if q.is_empty() { q } else { format!("?{q}") }
}

pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let filter = filter_of(raw.as_deref());
    let all = db::stories::public_list(state.db.conn(), &StoryFilter::default()).await?;
    let filters = vec![
        Filter {
            param: "metier",
            label: "Métier",
            choices: choices(&all, filter.profession.as_deref(), |v| v.profession.clone()),
        },
        Filter {
            param: "employeur",
            label: "Employeur",
            choices: choices(&all, filter.employer.as_deref(), |v| {
                Some((v.institution.slug.clone(), v.institution.name.clone()))
            }),
        },
        Filter {
            param: "projet",
            label: "Produit",
            choices: choices(&all, filter.product.as_deref(), |v| v.product.clone()),
        },
    ];
    // One read: the choices need every story, the list only those the filter keeps.
    let shown: Vec<&StoryView> = all.iter().filter(|v| filter.matches(v)).collect();
    let sentence = match shown.len() {
        0 => "Aucun témoignage ne correspond à ces critères".to_string(),
        1 => "1 témoignage".to_string(),
        n => format!("{n} témoignages"),
    };
    let view = StoriesPage {
        page: Page::new("Témoignages d’agents")
            .nav(Nav::Stories)
            .description(
                "Celles et ceux qui font le numérique de l’État racontent leur métier, leur équipe et leurs projets.",
            )
            .canonical(format!("{}/temoignages", state.config.public_url))
            .crumbs(&[("Témoignages", None)]),
        feed_query: filter_query(&filter),
        filtered: filter != StoryFilter::default(),
        filters,
        cards: shown.into_iter().map(StoryCard::of).collect(),
        sentence,
    };
    Ok(view.into_response())
}

/// The video part of a story's page.
pub struct Video {
    pub src: String,
    pub mime: &'static str,
    pub captions: String,
    pub transcript: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stories/show.html")]
pub struct StoryPage {
    pub page: Page,
    /// Shown in the recruiters' space before publication: a banner, and no indexing.
    pub preview: Option<String>,
    pub name: String,
    pub job_title: String,
    pub employer: (Option<String>, String),
    pub profession: Option<String>,
    pub product: Option<(String, String)>,
    pub quote: String,
    pub body: String,
    pub photo: Option<String>,
    pub video: Option<Video>,
    pub consent: Option<String>,
    pub json_ld: Option<String>,
}

/// The page of a story; `media` is where its photo, video and captions are served from (the
/// public address, or the recruiters' space for a preview).
pub fn page_of(state: &AppState, v: &StoryView, media: &str, preview: Option<String>) -> AppResult<StoryPage> {
    let s = &v.story;
    let canonical = format!("{}/temoignages/{}", state.config.public_url, s.slug);
    let photo = s.photo_key.is_some().then(|| format!("{media}/photo"));
    let video = match (v.video_kind()?, &s.captions) {
        (Some(kind), Some(captions)) if !captions.is_empty() => Some(Video {
            src: format!("{media}/video"),
            mime: kind.code(),
            captions: format!("{media}/sous-titres.vtt"),
            transcript: s.transcript.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    let json_ld = video.as_ref().map(|video| {
        let base = &state.config.public_url;
        let thumbnail = match &photo {
            Some(p) => format!("{base}{p}"),
            None => format!("{base}{}/dsfr/favicon/apple-touch-icon.png", crate::assets::prefix()),
        };
        let doc = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "VideoObject",
            "name": format!("{} : {}", s.display_name, s.job_title),
            "description": markdown::to_plain(&s.quote, 300),
            "thumbnailUrl": thumbnail,
            "uploadDate": s.published_at.unwrap_or(s.updated_at).to_rfc3339(),
            "contentUrl": format!("{base}{}", video.src),
            "transcript": video.transcript,
            "inLanguage": "fr",
            "url": canonical,
            "publisher": { "@type": "GovernmentOrganization", "name": v.institution.name },
        });
        super::offer::script_safe_json(&doc)
    });
    let title = format!("{}, {}", s.display_name, s.job_title);
    let mut page = Page::new(title.clone())
        .nav(Nav::Stories)
        .description(markdown::to_plain(&s.quote, 160))
        .crumbs(&[("Témoignages", Some("/temoignages")), (s.display_name.as_str(), None)]);
    if preview.is_none() {
        page = page.canonical(canonical);
    }
    Ok(StoryPage {
        page,
        preview,
        name: s.display_name.clone(),
        job_title: s.job_title.clone(),
        employer: (
            v.institution.published.then(|| format!("/employeurs/{}", v.institution.slug)),
            v.institution.name.clone(),
        ),
        profession: v.profession.as_ref().map(|p| p.1.clone()),
        product: v.product.as_ref().map(|(slug, t)| (format!("/projets/{slug}"), t.clone())),
        quote: s.quote.clone(),
        body: markdown::to_html_sections(&s.body),
        photo,
        video,
        consent: s.consent_at.map(format::date),
        json_ld,
    })
}

pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<StoryPage> {
    let v = db::stories::public_by_slug(state.db.conn(), &slug).await?;
    page_of(&state, &v, &format!("/temoignages/{}", v.story.slug), None)
}

/// `GET /temoignages/{slug}/{media}`: `photo`, `video` (with range requests) or
/// `sous-titres.vtt`, of a public story only.
pub async fn media(
    State(state): State<AppState>,
    Path((slug, media)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let v = db::stories::public_by_slug(state.db.conn(), &slug).await?;
    // Public, but short-lived: a withdrawn consent must take the media down soon everywhere.
    serve_media(&state, &v, &media, &headers, "public, max-age=300").await
}

/// A story's photo, video or captions, for whoever the caller allowed.
pub async fn serve_media(
    state: &AppState,
    v: &StoryView,
    media: &str,
    headers: &HeaderMap,
    cache: &'static str,
) -> AppResult<Response> {
    let s = &v.story;
    match media {
        "photo" => {
            let key = s.photo_key.as_deref().ok_or(AppError::NotFound)?;
            let bytes = state.files.get(key).await?;
            Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, cache)], bytes).into_response())
        }
        "video" => {
            let (Some(key), Some(kind)) = (s.video_key.as_deref(), v.video_kind()?) else {
                return Err(AppError::NotFound);
            };
            crate::storage::ranged_response(&state.files, key, kind.code(), cache, headers).await
        }
        "sous-titres.vtt" => {
            let captions = s.captions.clone().ok_or(AppError::NotFound)?;
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/vtt; charset=utf-8"), (header::CACHE_CONTROL, cache)],
                captions,
            )
                .into_response())
        }
        _ => Err(AppError::NotFound),
    }
}
