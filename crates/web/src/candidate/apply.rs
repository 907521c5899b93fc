//! `/candidature/{slug}` and `/candidature-spontanee` (signed-in candidate with a confirmed
//! address; following an offer's external link is public).

use crate::AppState;
use crate::auth::{CandidateUser, MaybeUser};
use crate::candidate::accounts::candidate_page;
use crate::candidate::profile::store_cv;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Upload, read_multipart};
use crate::layout::Page;
use crate::services::applications::Answering;
use crate::storage::MAX_CV_BYTES;
use crate::widgets::Opt;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use db::entity::{file, user};
use db::listing::OfferView;
use std::sync::Arc;

#[derive(Template, WebTemplate)]
#[template(path = "candidate/apply.html")]
pub struct ApplyPage {
    page: Page,
    form: Form,
    /// `None` for a spontaneous application.
    offer: Option<OfferView>,
    /// Employers to choose from (spontaneous application).
    employers: Vec<Opt>,
    action: String,
    profile_cv: Option<file::Model>,
    verified: bool,
}

async fn open_offer(state: &AppState, slug: &str) -> AppResult<OfferView> {
    let view = db::listing::public_by_slug(state.db.conn(), slug).await?;
    let offer_state = view.offer.state()?;
    if !domain::offer::is_open(offer_state, view.offer.expires_at, state.now()) {
        return Err(AppError::NotFound);
    }
    Ok(view)
}

/// Prefills name and links from the profile.
async fn prefilled(state: &AppState, user: &user::Model) -> AppResult<(Form, Option<file::Model>)> {
    let mut form = Form::default();
    let profile = db::profiles::get(state.db.conn(), user.id).await?;
    if let Some(p) = &profile {
        form.set("prenom", &p.profile.first_name);
        form.set("nom", &p.profile.last_name);
        let links: Vec<&String> =
            [&p.profile.linkedin_url, &p.profile.github_url, &p.profile.portfolio_url].into_iter().flatten().collect();
        form.set("liens", links.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"));
        if p.cv.is_some() {
            form.set("cv_choix", "profil");
        }
    }
    Ok((form, profile.and_then(|p| p.cv)))
}

async fn employers(state: &AppState, form: &Form) -> AppResult<Vec<Opt>> {
    let mut opts = vec![Opt {
        value: "tous".into(),
        label: "Tous les employeurs".into(),
        checked: form.get("employeur") == "tous",
    }];
    opts.extend(db::institutions::list(state.db.conn()).await?.into_iter().map(|i| Opt {
        checked: form.get("employeur") == i.id.to_string(),
        value: i.id.to_string(),
        label: i.name,
    }));
    Ok(opts)
}

fn page_for(offer: Option<&OfferView>, error: bool) -> Page {
    let suffix = if error { " – erreur" } else { "" };
    match offer {
        Some(v) => candidate_page(
            &format!("Candidater : {}{suffix}", v.offer.title),
            &[
                ("Offres d’emploi", Some("/offres-emploi")),
                (&v.offer.title, Some(&format!("/emploi/{}", v.offer.slug))),
                ("Candidater", None),
            ],
        ),
        None => candidate_page(&format!("Candidature spontanée{suffix}"), &[("Candidature spontanée", None)]),
    }
}

impl ApplyPage {
    /// The form for an offer (`employers` empty) or a spontaneous application.
    fn new(
        offer: Option<OfferView>,
        form: Form,
        employers: Vec<Opt>,
        profile_cv: Option<file::Model>,
        user: &user::Model,
    ) -> Self {
        let error = !form.is_valid();
        let action = match &offer {
            Some(v) => format!("/candidature/{}", v.offer.slug),
            None => "/candidature-spontanee".into(),
        };
        Self {
            page: page_for(offer.as_ref(), error),
            form,
            offer,
            employers,
            action,
            profile_cv,
            verified: user.email_verified_at.is_some(),
        }
    }
}

/// `GET /candidature/{slug}`: an offer with an external link sends everyone there (and counts
/// the click); otherwise the form, for a signed-in candidate.
pub async fn form(
    State(state): State<AppState>,
    MaybeUser(maybe): MaybeUser,
    crate::views::Visitor(visitor): crate::views::Visitor,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let view = open_offer(&state, &slug).await?;
    // Re-serialised by the URL parser, so an imported address is always a valid header.
    if let Some(url) = view
        .offer
        .application_url
        .as_deref()
        .and_then(|u| url::Url::parse(u.trim()).ok())
        .filter(|u| matches!(u.scheme(), "https" | "http"))
    {
        // A visitor's clicks count once a day, robots' never.
        if let Some(v) = visitor
            && state.views.first_today(&format!("clic {slug}"), &v, state.now().date_naive())
        {
            db::offers::count_external_click(state.db.conn(), view.offer.id).await?;
        }
        return Ok(Redirect::to(url.as_str()).into_response());
    }
    let Some(user) = maybe else {
        let next: String = form_urlencoded::byte_serialize(format!("/candidature/{slug}").as_bytes()).collect();
        return Ok(Redirect::to(&format!("/connexion?suivant={next}")).into_response());
    };
    if user.role != domain::role::Role::Candidate.code() {
        return Err(AppError::Forbidden);
    }
    if let Some(existing) = db::applications::for_offer_and_user(state.db.conn(), view.offer.id, user.id).await? {
        return Ok(Redirect::to(&format!("/espace-candidat/candidatures/{}?deja=1", existing.id)).into_response());
    }
    let (form, profile_cv) = prefilled(&state, &user).await?;
    Ok(ApplyPage::new(Some(view), form, Vec::new(), profile_cv, &user).into_response())
}

/// `GET /candidature-spontanee` (candidate).
pub async fn spontaneous_form(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> AppResult<ApplyPage> {
    let (mut form, profile_cv) = prefilled(&state, &user).await?;
    // From an employer's page (`?employeur=slug`), that employer is chosen already.
    let chosen = match crate::forms::query_param(raw.as_deref(), "employeur") {
        Some(slug) => match db::institutions::by_slug(state.db.conn(), &slug).await {
            Ok(i) if i.published => Some(i.id.to_string()),
            Ok(_) | Err(db::DbError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    form.set("employeur", chosen.as_deref().unwrap_or("tous"));
    let employers = employers(&state, &form).await?;
    Ok(ApplyPage::new(None, form, employers, profile_cv, &user))
}

struct Checked {
    name: String,
    letter: Option<String>,
    links: Option<String>,
}

/// The CV an application carries.
#[derive(Debug, Clone, Copy)]
enum Cv {
    None,
    /// The profile's: it stays whatever happens to the application.
    Profile(i64),
    /// Uploaded with this application: it goes if the application is not recorded.
    Uploaded(i64),
}

impl Cv {
    fn id(self) -> Option<i64> {
        match self {
            Cv::None => None,
            Cv::Profile(id) | Cv::Uploaded(id) => Some(id),
        }
    }
}

/// Validates the common fields and resolves the CV (the profile's, or a new upload that is
/// checked and stored). Returns `None` with errors in `form`.
async fn check(
    state: &AppState,
    user: &user::Model,
    form: &mut Form,
    upload: Option<Upload>,
    profile_cv: Option<&file::Model>,
) -> AppResult<Option<(Checked, Cv)>> {
    let first = form.required("prenom", "votre prénom", 100);
    let last = form.required("nom", "votre nom", 100);
    let letter = form.optional("lettre", "la lettre de motivation", 8000);
    let links = form.optional("liens", "les liens", 1000);
    if user.email_verified_at.is_none() {
        form.add_error("prenom", "Confirmez d’abord votre adresse e-mail (le lien vous a été envoyé à l’inscription).");
    }
    let mut cv = Cv::None;
    let wants_profile_cv = form.get("cv_choix") == "profil";
    match (wants_profile_cv, profile_cv, upload) {
        (true, Some(profile), _) => cv = Cv::Profile(profile.id),
        (_, _, Some(up)) if form.is_valid() => match store_cv(state, user.id, &up).await? {
            Ok(f) => cv = Cv::Uploaded(f.id),
            Err(msg) => form.add_error("cv", format!("{msg} Choisissez à nouveau le fichier.")),
        },
        (_, _, Some(_)) => form.add_error("cv", "Corrigez les autres champs, puis choisissez à nouveau votre fichier."),
        _ => {}
    }
    if cv.id().is_none() && letter.is_none() && form.is_valid() {
        form.add_error("cv", "Joignez un CV ou écrivez une lettre de motivation.");
    }
    if !form.is_valid() {
        return Ok(None);
    }
    Ok(Some((Checked { name: format!("{first} {last}"), letter, links }, cv)))
}

/// `POST /candidature/{slug}` (candidate, multipart).
pub async fn submit(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let view = open_offer(&state, &slug).await?;
    if let Some(existing) = db::applications::for_offer_and_user(state.db.conn(), view.offer.id, user.id).await? {
        return Ok(Redirect::to(&format!("/espace-candidat/candidatures/{}?deja=1", existing.id)).into_response());
    }
    let (mut form, upload) = read_multipart(multipart, "cv", MAX_CV_BYTES).await;
    let profile_cv = db::profiles::get(state.db.conn(), user.id).await?.and_then(|p| p.cv);
    let Some((checked, cv)) = check(&state, &user, &mut form, upload, profile_cv.as_ref()).await? else {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ApplyPage::new(Some(view), form, Vec::new(), profile_cv, &user),
        )
            .into_response());
    };
    let id = record(&state, &user, Some(&view), Some(view.offer.institution_id), checked, cv).await?;
    Ok(Redirect::to(&format!("/espace-candidat/candidatures/{id}?envoyee=1")).into_response())
}

/// `POST /candidature-spontanee` (candidate, multipart).
pub async fn spontaneous_submit(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    multipart: Multipart,
) -> AppResult<Response> {
    let (mut form, upload) = read_multipart(multipart, "cv", MAX_CV_BYTES).await;
    let institutions = db::institutions::list(state.db.conn()).await?;
    let target = match form.get("employeur") {
        "tous" => Some(None),
        id => institutions.iter().find(|i| i.id.to_string() == id).map(|i| Some(i.id)),
    };
    if target.is_none() {
        form.add_error("employeur", "Choisissez un employeur, ou « Tous les employeurs ».");
    }
    let profile_cv = db::profiles::get(state.db.conn(), user.id).await?.and_then(|p| p.cv);
    let checked = check(&state, &user, &mut form, upload, profile_cv.as_ref()).await?;
    let (Some(target), Some((checked, cv))) = (target, checked) else {
        let employers = employers(&state, &form).await?;
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ApplyPage::new(None, form, employers, profile_cv, &user),
        )
            .into_response());
    };
    let id = record(&state, &user, None, target, checked, cv).await?;
    Ok(Redirect::to(&format!("/espace-candidat/candidatures/{id}?envoyee=1")).into_response())
}

/// Writes the application and its confirmation e-mail in one transaction. A CV uploaded for
/// it is removed when the application is not recorded (a double submit, an outage): no file
/// stays behind without an application.
async fn record(
    state: &AppState,
    user: &Arc<user::Model>,
    offer: Option<&OfferView>,
    institution_id: Option<i64>,
    checked: Checked,
    cv: Cv,
) -> AppResult<i64> {
    let recorded = write_application(state, user, offer, institution_id, checked, cv.id()).await;
    if let (Err(_), Cv::Uploaded(id)) = (&recorded, cv)
        && let Err(e) = crate::services::files::drop_if_unused(state, id).await
    {
        tracing::error!(error = %crate::error::chain(&e), file = id, "uploaded CV left behind");
    }
    recorded
}

async fn write_application(
    state: &AppState,
    user: &Arc<user::Model>,
    offer: Option<&OfferView>,
    institution_id: Option<i64>,
    checked: Checked,
    cv_id: Option<i64>,
) -> AppResult<i64> {
    let new = db::applications::NewApplication {
        offer_id: offer.map(|v| v.offer.id),
        institution_id,
        user_id: user.id,
        candidate_name: checked.name,
        candidate_email: user.email.clone(),
        cover_letter: checked.letter,
        links: checked.links,
        cv_file_id: cv_id,
    };
    let answering = offer.map(|v| Answering { title: &v.offer.title, employer: &v.institution.name });
    crate::services::applications::submit(state, &new, answering).await
}
