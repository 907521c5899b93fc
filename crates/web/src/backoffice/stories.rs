//! `/recruteur/temoignages…`: recruiters write their institution's agents' stories
//! (administrators every institution's): a draft, its portrait and video with captions and
//! transcript, the person's consent, a preview, then publication.

use crate::AppState;
use crate::auth::StaffUser;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Id, Upload, read_multipart, read_multipart_files};
use crate::layout::Page;
use crate::services::stories::{self as service, VideoUpload};
use crate::storage::{self, MAX_PHOTO_BYTES};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use db::entity::{institution, story};
use db::stories::{StoryInput, StoryView};
use domain::story::{MAX_CAPTIONS_BYTES, MAX_TRANSCRIPT_CHARS, MAX_VIDEO_BYTES, StoryState};

/// The lists of the editor: `(value, label)`.
struct Choices {
    professions: Vec<(String, String)>,
    products: Vec<(String, String)>,
}

impl Choices {
    async fn load(state: &AppState, institution_id: i64) -> AppResult<Self> {
        let professions =
            state.taxonomy.current().professions.iter().map(|(id, _, label)| (id.to_string(), label.clone())).collect();
        let products = db::products::public_of_institution(state.db.conn(), institution_id)
            .await?
            .into_iter()
            .map(|p| (p.product.id.to_string(), p.product.title))
            .collect();
        Ok(Self { professions, products })
    }
}

/// Reads the editor's fields into a [`StoryInput`], with an error on every bad field; an
/// unknown profession or product is an error, never silently dropped.
fn input_of(form: &mut Form, choices: &Choices) -> StoryInput {
    let display_name = form.required("nom", "le nom affiché", 120);
    let job_title = form.required("poste", "l’intitulé du poste", 160);
    let quote = form.required("citation", "la citation", 400);
    let body = form.optional("recit", "le récit", 20_000).unwrap_or_default();
    let mut pick = |name: &str, list: &[(String, String)], what: &str| {
        let v = form.get(name).to_string();
        if v.is_empty() {
            return None;
        }
        match list.iter().find(|(id, _)| *id == v).and_then(|(id, _)| id.parse().ok()) {
            Some(id) => Some(id),
            None => {
                form.add_error(name, format!("Choisissez {what} dans la liste."));
                None
            }
        }
    };
    let profession_id = pick("metier", &choices.professions, "le métier");
    let product_id = pick("produit", &choices.products, "le produit");
    StoryInput { display_name, job_title, quote, body, product_id, profession_id }
}

fn form_of(input: &StoryInput) -> Form {
    let mut f = Form::default();
    f.set("nom", &input.display_name);
    f.set("poste", &input.job_title);
    f.set("citation", &input.quote);
    f.set("recit", &input.body);
    if let Some(id) = input.profession_id {
        f.set("metier", id.to_string());
    }
    if let Some(id) = input.product_id {
        f.set("produit", id.to_string());
    }
    f
}

fn changes(before: &StoryInput, after: &StoryInput) -> (String, String) {
    let fields = |i: &StoryInput| {
        [
            ("Nom affiché", Some(i.display_name.clone())),
            ("Poste", Some(i.job_title.clone())),
            ("Citation", Some(i.quote.clone())),
            ("Récit", Some(i.body.clone())),
            ("Métier", i.profession_id.map(|id| id.to_string())),
            ("Produit", i.product_id.map(|id| id.to_string())),
        ]
    };
    super::field_changes(&fields(before), &fields(after))
}

// --- the list ----------------------------------------------------------------------------

pub struct Row {
    pub id: i64,
    pub name: String,
    pub job_title: String,
    pub employer: String,
    pub state: &'static str,
    pub public_url: Option<String>,
    pub has_video: bool,
    pub consent: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/stories.html")]
pub struct ListPage {
    page: Page,
    rows: Vec<Row>,
    notice: Option<String>,
    /// Administrators choose the employer of a new story.
    employers: Vec<institution::Model>,
}

/// `GET /recruteur/temoignages` (recruiter: their institution's; administrators: all).
pub async fn list(State(state): State<AppState>, staff: StaffUser) -> AppResult<ListPage> {
    let views = db::stories::managed_list(state.db.conn(), staff.institution_id).await?;
    let employers = super::employers_to_choose(&state, &staff).await?;
    Ok(ListPage {
        page: Page::new("Témoignages").crumbs(&[("Espace recruteur", Some("/recruteur")), ("Témoignages", None)]),
        rows: views
            .iter()
            .map(|v| Row {
                id: v.story.id,
                name: v.story.display_name.clone(),
                job_title: v.story.job_title.clone(),
                employer: v.institution.name.clone(),
                state: v.state.label(),
                public_url: (v.state == StoryState::Published).then(|| format!("/temoignages/{}", v.story.slug)),
                has_video: v.story.video_key.is_some(),
                consent: v.story.consent_at.is_some(),
            })
            .collect(),
        notice: super::notice(),
        employers,
    })
}

// --- the editor --------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/story_form.html")]
pub struct EditPage {
    page: Page,
    form: Form,
    action: String,
    story: Option<story::Model>,
    state: Option<StoryState>,
    institution: institution::Model,
    /// An administrator's form names its employer.
    acting: bool,
    professions: Vec<(String, String)>,
    products: Vec<(String, String)>,
    missing: Vec<&'static str>,
    consent: Option<String>,
    notice: Option<String>,
    /// Errors of the media forms, shown next to their fields.
    media: Form,
}

#[expect(clippy::too_many_arguments, reason = "one page, assembled from its parts")]
fn edit_page(
    staff: &StaffUser,
    institution: institution::Model,
    choices: Choices,
    story: Option<story::Model>,
    form: Form,
    media: Form,
    notice: Option<String>,
    state: Option<StoryState>,
) -> EditPage {
    let (title, action) = match &story {
        Some(s) => (format!("Témoignage : {}", s.display_name), format!("/recruteur/temoignages/{}/modifier", s.id)),
        None => ("Nouveau témoignage".to_string(), "/recruteur/temoignages/nouveau".to_string()),
    };
    EditPage {
        page: Page::new(title.clone()).crumbs(&[
            ("Espace recruteur", Some("/recruteur")),
            ("Témoignages", Some("/recruteur/temoignages")),
            (title.as_str(), None),
        ]),
        missing: story.as_ref().map(db::stories::missing).unwrap_or_default(),
        consent: story.as_ref().and_then(|s| {
            s.consent_at.map(|at| {
                let by = s.consent_recorded_by.clone().unwrap_or_default();
                format!("recueilli le {} par {by}", crate::format::date(at))
            })
        }),
        form,
        action,
        story,
        state,
        institution,
        acting: staff.institution_id.is_none(),
        professions: choices.professions,
        products: choices.products,
        notice,
        media,
    }
}

fn choose_employer_first() -> Response {
    super::with_message("/recruteur/temoignages", "Choisissez d’abord l’employeur du témoignage.")
}

/// `GET /recruteur/temoignages/nouveau` (recruiter; administrators with `?employeur=`).
pub async fn new_form(State(state): State<AppState>, staff: StaffUser, RawQuery(q): RawQuery) -> AppResult<Response> {
    let requested = crate::forms::query_param(q.as_deref(), "employeur").unwrap_or_default();
    let Some(inst) = super::employer_of_new(&state, &staff, &requested).await? else {
        return Ok(choose_employer_first());
    };
    let choices = Choices::load(&state, inst.id).await?;
    Ok(edit_page(&staff, inst, choices, None, Form::default(), Form::default(), None, None).into_response())
}

/// `POST /recruteur/temoignages/nouveau`: saves a draft, then goes to its editor.
pub async fn create(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some(inst) = super::employer_of_new(&state, &staff, form.get("employeur")).await? else {
        return Ok(choose_employer_first());
    };
    let choices = Choices::load(&state, inst.id).await?;
    let input = input_of(&mut form, &choices);
    if !form.is_valid() {
        let page = edit_page(&staff, inst, choices, None, form, Form::default(), None, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let id = service::create(&state, &staff.user, inst.id, &input).await?;
    Ok(super::with_message(&format!("/recruteur/temoignages/{id}/modifier"), "Brouillon enregistré."))
}

/// The story the staff member may edit (another institution's is a 404), with its employer.
async fn managed(state: &AppState, staff: &StaffUser, id: i64) -> AppResult<(story::Model, institution::Model)> {
    let s = db::stories::managed(state.db.conn(), id, staff.institution_id).await?;
    let inst = db::institutions::by_id(state.db.conn(), s.institution_id).await?;
    Ok((s, inst))
}

async fn editor(state: &AppState, staff: &StaffUser, id: i64, form: Option<Form>, media: Form) -> AppResult<EditPage> {
    let (s, inst) = managed(state, staff, id).await?;
    let choices = Choices::load(state, inst.id).await?;
    let form = form.unwrap_or_else(|| form_of(&StoryInput::of(&s)));
    let mut media = media;
    if !media.contains("transcription")
        && let Some(t) = &s.transcript
    {
        media.set("transcription", t);
    }
    let st: StoryState = db::stored("témoignage", s.id, &s.state)?;
    Ok(edit_page(staff, inst, choices, Some(s), form, media, super::notice(), Some(st)))
}

/// `GET /recruteur/temoignages/{id}/modifier` (recruiter of the story's institution).
pub async fn edit_form(State(state): State<AppState>, staff: StaffUser, Id(id): Id) -> AppResult<EditPage> {
    editor(&state, &staff, id, None, Form::default()).await
}

/// `POST /recruteur/temoignages/{id}/modifier`: saves the fields.
pub async fn update(State(state): State<AppState>, staff: StaffUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let (s, inst) = managed(&state, &staff, id).await?;
    let mut form = Form::parse(&body);
    let choices = Choices::load(&state, inst.id).await?;
    let input = input_of(&mut form, &choices);
    if !form.is_valid() {
        let page = editor(&state, &staff, id, Some(form), Form::default()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let before = StoryInput::of(&s);
    let renamed = before.display_name != input.display_name && s.consent_at.is_some();
    service::save(&state, &staff.user, &s, &input, changes(&before, &input)).await?;
    let message = if renamed {
        "Témoignage enregistré. La personne nommée a changé : recueillez son consentement avant de publier."
    } else {
        "Témoignage enregistré."
    };
    Ok(back(id, message))
}

fn back(id: i64, message: &str) -> Response {
    super::with_message(&format!("/recruteur/temoignages/{id}/modifier"), message)
}

/// `POST /recruteur/temoignages/{id}/etat` (`etat`: `published`, `archived` or `draft`).
pub async fn set_state(
    State(state): State<AppState>,
    staff: StaffUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let (s, _) = managed(&state, &staff, id).await?;
    let form = Form::parse(&body);
    let Ok(to) = form.get("etat").parse::<StoryState>() else {
        return Ok(back(id, "État inconnu : rien n’a changé."));
    };
    match service::set_state(&state, &staff.user, &s, to).await {
        Ok(()) => Ok(back(
            id,
            match to {
                StoryState::Published => "Témoignage publié.",
                StoryState::Archived => "Témoignage archivé : il n’est plus public.",
                StoryState::Draft => "Témoignage repassé en brouillon : il n’est plus public.",
            },
        )),
        Err(e) => match e.refusal() {
            Some(why) => Ok(back(id, &why)),
            None => Err(e),
        },
    }
}

/// `POST /recruteur/temoignages/{id}/consentement` (`action`: `recueillir` or `retirer`).
pub async fn consent(State(state): State<AppState>, staff: StaffUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let (s, _) = managed(&state, &staff, id).await?;
    match Form::parse(&body).get("action") {
        "recueillir" => {
            service::record_consent(&state, &staff.user, &s).await?;
            Ok(back(id, "Consentement enregistré."))
        }
        "retirer" => {
            service::withdraw_consent(&state, &staff.user, &s).await?;
            Ok(back(id, "Consentement retiré : le témoignage n’est plus public."))
        }
        _ => Ok(back(id, "Action inconnue : rien n’a changé.")),
    }
}

/// `GET /recruteur/temoignages/{id}/apercu`: the public page as it will look.
pub async fn preview(State(state): State<AppState>, staff: StaffUser, Id(id): Id) -> AppResult<Response> {
    let v = managed_view(&state, &staff, id).await?;
    let banner = format!(
        "Aperçu du témoignage ({}) : seul votre espace le montre tant qu’il n’est pas publié.",
        v.state.label()
    );
    let page =
        crate::public::stories::page_of(&state, &v, &format!("/recruteur/temoignages/{id}/fichiers"), Some(banner))?;
    Ok(page.into_response())
}

async fn managed_view(state: &AppState, staff: &StaffUser, id: i64) -> AppResult<StoryView> {
    Ok(db::stories::managed_view(state.db.conn(), id, staff.institution_id).await?)
}

/// `GET /recruteur/temoignages/{id}/fichiers/{media}`: the photo, video or captions of a story not yet
/// public, for its preview.
pub async fn media(
    State(state): State<AppState>,
    staff: StaffUser,
    Path((id, media)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let v = managed_view(&state, &staff, id).await?;
    crate::public::stories::serve_media(&state, &v, &media, &headers, "private, no-store").await
}

/// The editor again with an error on a media field (422): nothing was stored; `media` is
/// what was typed in the media forms, given back.
async fn media_refused(
    state: &AppState,
    staff: &StaffUser,
    id: i64,
    mut media: Form,
    field: &str,
    message: &str,
) -> AppResult<Response> {
    media.errors.clear();
    media.add_error(field, message);
    let page = editor(state, staff, id, None, media).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A multipart body that could not even be read as one.
async fn unreadable(state: &AppState, staff: &StaffUser, id: i64, field: &str) -> AppResult<Response> {
    let message = "L’envoi n’a pas pu être lu : choisissez le fichier puis réessayez.";
    media_refused(state, staff, id, Form::default(), field, message).await
}

/// `POST /recruteur/temoignages/{id}/photo` (multipart `photo`; `supprimer=1` removes it).
pub async fn photo(
    State(state): State<AppState>,
    staff: StaffUser,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let (s, _) = managed(&state, &staff, id).await?;
    let Ok(multipart) = multipart else { return unreadable(&state, &staff, id, "photo").await };
    let (fields, upload) = read_multipart(multipart, "photo", MAX_PHOTO_BYTES).await;
    if fields.checked("supprimer") {
        service::remove_photo(&state, &staff.user, &s).await?;
        return Ok(back(id, "Photo supprimée."));
    }
    let checked = match upload {
        None => Err("Choisissez une image."),
        Some(u) if u.too_big => Err("La photo dépasse 5 Mo."),
        // Decoding is heavy: on the bounded pool, never on the threads that serve requests.
        Some(u) => crate::bounded::run(move || storage::prepare_photo(&u.bytes)).await?,
    };
    match checked {
        Ok(png) => {
            service::set_photo(&state, &staff.user, &s, png).await?;
            Ok(back(id, "Photo enregistrée."))
        }
        Err(msg) => media_refused(&state, &staff, id, fields, "photo", msg).await,
    }
}

/// What was sent to the video form, checked: the first refusal is `(field, message)`.
pub(crate) fn video_upload(
    fields: &Form,
    uploads: Vec<(String, Upload)>,
) -> Result<VideoUpload, (&'static str, String)> {
    let mut up = VideoUpload::default();
    for (name, file) in uploads {
        match name.as_str() {
            "video" if file.too_big => {
                return Err(("video", "La vidéo dépasse 10 Mo : raccourcissez-la ou réduisez sa définition.".into()));
            }
            "video" => {
                let kind = domain::story::check_video(&file.bytes).map_err(|m| ("video", m.to_string()))?;
                up.video = Some((file.bytes, kind));
            }
            "sous_titres" if file.too_big => {
                return Err(("sous_titres", "Le fichier de sous-titres dépasse 200 Ko.".into()));
            }
            "sous_titres" => {
                up.captions = Some(domain::story::check_captions(&file.bytes).map_err(|m| ("sous_titres", m))?)
            }
            _ => {}
        }
    }
    let transcript = fields.get("transcription");
    if transcript.chars().count() > MAX_TRANSCRIPT_CHARS {
        return Err(("transcription", "La transcription : 30 000 caractères au plus.".into()));
    }
    if !transcript.is_empty() {
        up.transcript = Some(transcript.replace("\r\n", "\n"));
    }
    Ok(up)
}

/// `POST /recruteur/temoignages/{id}/video` (multipart `video`, `sous_titres`, `transcription`;
/// `supprimer=1` removes the video). A new video needs its captions and transcript, sent
/// with it or already stored.
pub async fn video(
    State(state): State<AppState>,
    staff: StaffUser,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let (s, _) = managed(&state, &staff, id).await?;
    let Ok(multipart) = multipart else { return unreadable(&state, &staff, id, "video").await };
    let limits = [("video", MAX_VIDEO_BYTES), ("sous_titres", MAX_CAPTIONS_BYTES)];
    let (fields, uploads) = read_multipart_files(multipart, &limits).await;
    if let Some((field, message)) = fields.errors.first().cloned() {
        return media_refused(&state, &staff, id, fields, &field, &message).await;
    }
    if fields.checked("supprimer") {
        service::remove_video(&state, &staff.user, &s).await?;
        return Ok(back(id, "Vidéo supprimée, avec ses sous-titres et sa transcription."));
    }
    let up = match video_upload(&fields, uploads) {
        Ok(up) => up,
        Err((field, message)) => return media_refused(&state, &staff, id, fields, field, &message).await,
    };
    if let Some((field, message)) = incomplete(&s, &up) {
        return media_refused(&state, &staff, id, fields, field, message).await;
    }
    match service::set_video(&state, &staff.user, &s, up).await {
        Ok(()) => Ok(back(id, "Vidéo, sous-titres et transcription enregistrés.")),
        Err(e) => match e.refusal() {
            Some(why) => media_refused(&state, &staff, id, fields, "video", &why).await,
            None => Err(e),
        },
    }
}

/// What a video would lack once the upload is applied: a video, its captions, its transcript
/// are stored together or not at all.
fn incomplete(s: &story::Model, up: &VideoUpload) -> Option<(&'static str, &'static str)> {
    if up.video.is_none() && s.video_key.is_none() {
        return Some(("video", "Choisissez d’abord la vidéo (MP4 ou WebM)."));
    }
    if up.captions.is_none() && s.captions.is_none() {
        return Some(("sous_titres", "Joignez les sous-titres de la vidéo (fichier WebVTT) : ils sont obligatoires."));
    }
    if up.transcript.is_none() && s.transcript.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Some(("transcription", "Saisissez la transcription de la vidéo : elle est obligatoire."));
    }
    None
}
