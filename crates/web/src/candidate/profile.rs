//! `/profil` (signed-in candidate): identity, what the candidate looks for, visibility, CV.
//! `/fichiers/{id}`: a CV, for its owner and the recruiters it was sent to.

use crate::AppState;
use crate::auth::{self, CandidateUser, MaybeUser};
use crate::candidate::accounts::candidate_page;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Upload};
use crate::layout::Page;
use crate::storage::{self, MAX_CV_BYTES};
use crate::widgets::{Opt, OptionList};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use db::entity::file;
use domain::candidate::ChoiceKind;
use domain::offer::{ContractType, Remote};
use domain::role::Role;

fn list(name: &str, legend: &str, items: impl IntoIterator<Item = (String, String)>, form: &Form) -> OptionList {
    OptionList {
        name: name.to_string(),
        legend: legend.to_string(),
        options: items
            .into_iter()
            .map(|(value, label)| Opt { checked: form.has(name, &value), value, label })
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "candidate/profile.html")]
pub struct ProfilePage {
    page: Page,
    form: Form,
    lists: Vec<OptionList>,
    remote: OptionList,
    hidden: OptionList,
    cv: Option<file::Model>,
    cv_error: String,
    saved: bool,
    verified: bool,
}

async fn render(
    state: &AppState,
    user_id: i64,
    form: Form,
    cv_error: String,
    saved: bool,
    verified: bool,
) -> AppResult<ProfilePage> {
    let profile = db::profiles::get(state.db.conn(), user_id).await?;
    let institutions = db::institutions::list(state.db.conn()).await?;
    let taxonomy = state.taxonomy.current();
    let lists = vec![
        list(
            "metier",
            "Métiers recherchés",
            taxonomy.professions.iter().map(|(_, slug, label)| (slug.clone(), label.clone())),
            &form,
        ),
        list(
            "domaine",
            "Domaines",
            taxonomy.domains.iter().map(|(_, slug, label)| (slug.clone(), label.clone())),
            &form,
        ),
        list("region", "Régions", domain::geo::regions().iter().map(|r| (r.code.clone(), r.name.clone())), &form),
        list(
            "contrat",
            "Types de contrat",
            ContractType::ALL.iter().map(|c| (c.code().into(), c.label().into())),
            &form,
        ),
    ];
    let remote = list(
        "teletravail",
        "Télétravail souhaité",
        Remote::ALL.iter().map(|r| (r.code().into(), r.label().into())),
        &form,
    );
    let hidden = list(
        "masquer",
        "Masquer mon profil à ces employeurs",
        institutions.iter().map(|i| (i.id.to_string(), i.name.clone())),
        &form,
    );
    let title = if form.is_valid() { "Mon profil" } else { "Mon profil – erreur" };
    Ok(ProfilePage {
        page: candidate_page(title, &[("Mon espace", Some("/espace-candidat")), ("Mon profil", None)]),
        form,
        lists,
        remote,
        hidden,
        cv: profile.and_then(|p| p.cv),
        cv_error,
        saved,
        verified,
    })
}

/// The stored profile as form values.
fn form_of(p: &db::profiles::Profile) -> Form {
    let mut f = Form::default();
    let m = &p.profile;
    f.set("prenom", &m.first_name);
    f.set("nom", &m.last_name);
    for (k, v) in [
        ("telephone", &m.phone),
        ("poste", &m.current_position),
        ("teletravail", &m.remote),
        ("linkedin", &m.linkedin_url),
        ("github", &m.github_url),
        ("portfolio", &m.portfolio_url),
        ("langues", &m.languages),
    ] {
        if let Some(v) = v {
            f.set(k, v);
        }
    }
    if let Some(y) = m.years_experience {
        f.set("experience", y.to_string());
    }
    if m.talent_pool {
        f.set("vivier", "1");
    }
    for c in &p.choices {
        f.push(&c.kind, &c.code);
    }
    for id in &p.hidden_institutions {
        f.push("masquer", id.to_string());
    }
    f
}

/// `GET /profil` (candidate).
pub async fn show(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    RawQuery(q): RawQuery,
) -> AppResult<ProfilePage> {
    let form = match db::profiles::get(state.db.conn(), user.id).await? {
        Some(p) => form_of(&p),
        None => Form::default(),
    };
    let saved = q.as_deref() == Some("enregistre=1");
    render(&state, user.id, form, String::new(), saved, user.email_verified_at.is_some()).await
}

/// Validates the profile form into what the database stores.
pub fn validate(
    form: &mut Form,
    known_institutions: &[i64],
    taxonomy: &crate::offer_search::Taxonomy,
) -> db::profiles::ProfileInput {
    let first_name = form.required("prenom", "votre prénom", 100);
    let last_name = form.required("nom", "votre nom", 100);
    let phone = form.optional("telephone", "le téléphone", 32);
    if phone.as_ref().is_some_and(|p| {
        !p.chars().all(|c| c.is_ascii_digit() || " +.-()".contains(c))
            || p.chars().filter(char::is_ascii_digit).count() < 9
    }) {
        form.add_error("telephone", "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.");
    }
    let current_position = form.optional("poste", "le poste actuel", 200);
    let years_experience = match form.opt("experience") {
        None => None,
        Some(v) => match v.parse::<i32>() {
            Ok(y) if (0..=60).contains(&y) => Some(y),
            _ => {
                form.add_error("experience", "Saisissez un nombre d’années entre 0 et 60.");
                None
            }
        },
    };
    let remote = form.opt("teletravail").filter(|r| r.parse::<Remote>().is_ok());
    let linkedin_url = form.url("linkedin", "le profil LinkedIn");
    let github_url = form.url("github", "le profil GitHub");
    let portfolio_url = form.url("portfolio", "le portfolio");
    let languages = form.optional("langues", "les langues", 300);
    let mut choices = Vec::new();
    for kind in ChoiceKind::ALL {
        for code in form.all(kind.code()) {
            let known = match kind {
                ChoiceKind::Profession => taxonomy.profession_by_slug(&code).is_some(),
                ChoiceKind::Domain => taxonomy.domain_by_slug(&code).is_some(),
                ChoiceKind::Region => domain::geo::region(&code).is_some(),
                ChoiceKind::Contract => code.parse::<ContractType>().is_ok(),
            };
            // Unknown values cannot come from the form: ignored rather than shown as an error.
            if known {
                choices.push((*kind, code));
            }
        }
    }
    let hidden_institutions = form
        .all("masquer")
        .iter()
        .filter_map(|v| v.parse::<i64>().ok())
        .filter(|id| known_institutions.contains(id))
        .collect();
    db::profiles::ProfileInput {
        first_name,
        last_name,
        phone,
        current_position,
        years_experience,
        remote,
        linkedin_url,
        github_url,
        portfolio_url,
        languages,
        talent_pool: form.checked("vivier"),
        choices,
        hidden_institutions,
    }
}

/// `POST /profil` (candidate).
pub async fn save(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let known: Vec<i64> = db::institutions::list(state.db.conn()).await?.iter().map(|i| i.id).collect();
    let input = validate(&mut form, &known, &state.taxonomy.current());
    if !form.is_valid() {
        let page = render(&state, user.id, form, String::new(), false, user.email_verified_at.is_some()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    crate::services::profiles::save(&state, user.id, &input).await?;
    Ok(Redirect::to("/profil?enregistre=1").into_response())
}

/// Checks and stores an uploaded CV for `user_id`; the error is the French message to show.
pub async fn store_cv(state: &AppState, user_id: i64, upload: &Upload) -> AppResult<Result<file::Model, String>> {
    if upload.too_big {
        return Ok(Err(
            "Le fichier dépasse 5 Mo : réduisez-le (en exportant le PDF en qualité « écran », par exemple).".into(),
        ));
    }
    let bytes = upload.bytes.clone();
    if let Err(msg) = crate::bounded::run(move || storage::check_cv(&bytes)).await? {
        return Ok(Err(msg.to_string()));
    }
    let key = format!("cv/{}", auth::random_token()?);
    state.files.put(&key, upload.bytes.clone()).await?;
    let name = storage::clean_file_name(&upload.file_name);
    let size = i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX);
    let inserted =
        db::profiles::insert_file(state.db.conn(), user_id, &key, &name, "application/pdf", size, state.now()).await;
    match inserted {
        Ok(f) => Ok(Ok(f)),
        Err(e) => {
            // No row, no file: the bytes must not stay behind.
            let _ = state.files.delete(&key).await;
            Err(e.into())
        }
    }
}

/// `POST /profil/cv` (candidate, multipart): replaces the profile's CV.
pub async fn upload_cv(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    multipart: Multipart,
) -> AppResult<Response> {
    let (_, upload) = crate::forms::read_multipart(multipart, "cv", MAX_CV_BYTES).await;
    let profile = db::profiles::get(state.db.conn(), user.id).await?;
    let verified = user.email_verified_at.is_some();
    let form = profile.as_ref().map(form_of).unwrap_or_default();
    if profile.is_none() {
        let msg = "Enregistrez d’abord votre profil (nom et prénom), puis déposez votre CV.".to_string();
        return Ok(render(&state, user.id, form, msg, false, verified).await?.into_response());
    }
    let Some(upload) = upload else {
        return Ok(render(&state, user.id, form, "Choisissez un fichier PDF.".into(), false, verified)
            .await?
            .into_response());
    };
    match store_cv(&state, user.id, &upload).await? {
        Err(msg) => Ok(render(&state, user.id, form, msg, false, verified).await?.into_response()),
        Ok(file) => {
            let previous = db::profiles::set_cv(state.db.conn(), user.id, Some(file.id), state.now()).await?;
            if let Some(old) = previous {
                crate::services::files::drop_if_unused(&state, old).await?;
            }
            Ok(Redirect::to("/profil?enregistre=1").into_response())
        }
    }
}

/// `POST /profil/cv/supprimer` (candidate).
pub async fn delete_cv(State(state): State<AppState>, CandidateUser(user): CandidateUser) -> AppResult<Response> {
    if let Some(old) = db::profiles::set_cv(state.db.conn(), user.id, None, state.now()).await? {
        crate::services::files::drop_if_unused(&state, old).await?;
    }
    Ok(Redirect::to("/profil?enregistre=1").into_response())
}

/// `GET /fichiers/{id}`: the owner; an administrator; a recruiter of an institution the file
/// was sent to with an application (any recruiter for a spontaneous application to all
/// employers). Everyone else gets a 404, so ids cannot be probed.
pub async fn download(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<Response> {
    let Some(user) = user else {
        return Err(AppError::NotFound);
    };
    let file = db::profiles::file_by_id(state.db.conn(), id).await?.ok_or(AppError::NotFound)?;
    let role = user.role()?;
    let allowed = match role {
        Role::Administrator => true,
        Role::Candidate => file.owner_user_id == Some(user.id),
        Role::Recruiter => {
            let sent_to = db::profiles::file_institutions(state.db.conn(), id).await?;
            sent_to.iter().any(|i| i.is_none() || *i == user.institution_id)
                || match user.institution_id {
                    Some(institution) => db::forum::cv_shown_to_booth(state.db.conn(), &file, institution).await?,
                    None => false,
                }
        }
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let bytes = state.files.get(&file.storage_key).await?;
    let ascii: String =
        file.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from(bytes),
    )
        .into_response())
}
