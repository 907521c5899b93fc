//! `/recruteur/employeur`: the recruiter edits their institution's page (showcase sections,
//! logo, services), previews it, then publishes. `/logos/{key}`: logos, public.

use crate::AppState;
use crate::auth::StaffUser;
use crate::error::{AppError, AppResult};
use crate::forms::query_param;
use crate::forms::{Form, read_multipart};
use crate::layout::Page;
use crate::markdown;
use crate::storage::{self, MAX_LOGO_BYTES};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use db::entity::{institution, service};
use db::institutions::ShowcaseDraft;

const SECTIONS: &[(&str, &str)] = &[
    ("presentation", "Présentation"),
    ("valeurs", "Nos valeurs"),
    ("missions", "Nos missions"),
    ("projets", "Nos projets"),
    ("chiffres", "En chiffres"),
    ("recrutement", "Notre processus de recrutement"),
    ("travailler", "Travailler avec nous"),
];

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/employer.html")]
pub struct EditorPage {
    page: Page,
    institution: institution::Model,
    form: Form,
    sections: &'static [(&'static str, &'static str)],
    preview: Vec<(&'static str, String)>,
    has_draft: bool,
    services: Vec<service::Model>,
    notice: Option<String>,
    logo_error: String,
    /// An administrator's employer (they belong to none): carried by every form of the page.
    acting: Option<i64>,
}

fn fields(d: &ShowcaseDraft) -> [&Option<String>; 7] {
    [&d.presentation, &d.values, &d.missions, &d.projects, &d.figures, &d.recruitment_process, &d.working_with_us]
}

fn form_of(d: &ShowcaseDraft) -> Form {
    let mut f = Form::default();
    for ((name, _), v) in SECTIONS.iter().zip(fields(d)) {
        if let Some(v) = v {
            f.set(name, v);
        }
    }
    if let Some(w) = &d.website {
        f.set("site", w);
    }
    f
}

fn draft_of(form: &mut Form) -> ShowcaseDraft {
    let mut get = |name: &str| form.optional(name, "ce texte", 20_000);
    let (presentation, values, missions, projects, figures, recruitment_process, working_with_us) = (
        get("presentation"),
        get("valeurs"),
        get("missions"),
        get("projets"),
        get("chiffres"),
        get("recrutement"),
        get("travailler"),
    );
    let website = form.url("site", "le site web");
    ShowcaseDraft { website, presentation, values, missions, projects, figures, recruitment_process, working_with_us }
}

/// The page's employer: a recruiter's own (whatever is asked), or for an administrator the
/// one named by `employeur` (404 when there is none).
async fn institution_of(state: &AppState, staff: &StaffUser, requested: &str) -> AppResult<institution::Model> {
    let id = match staff.institution_id {
        Some(own) => own,
        None => requested.parse().map_err(|_| AppError::NotFound)?,
    };
    Ok(db::institutions::by_id(state.db.conn(), id).await?)
}

fn acting(staff: &StaffUser, inst: &institution::Model) -> Option<i64> {
    staff.institution_id.is_none().then_some(inst.id)
}

async fn render(
    state: &AppState,
    acting: Option<i64>,
    inst: institution::Model,
    form: Form,
    preview: bool,
    notice: Option<String>,
    logo_error: String,
) -> AppResult<EditorPage> {
    let has_draft = db::institutions::draft(state.db.conn(), inst.id).await?.is_some();
    let preview = if preview {
        SECTIONS.iter().filter_map(|(name, label)| form.opt(name).map(|t| (*label, markdown::to_html(&t)))).collect()
    } else {
        Vec::new()
    };
    Ok(EditorPage {
        page: Page::new(format!("Page employeur : {}", inst.name))
            .crumbs(&[("Espace recruteur", Some("/recruteur")), ("Page employeur", None)]),
        services: db::institutions::services(state.db.conn(), inst.id).await?,
        institution: inst,
        form,
        sections: SECTIONS,
        preview,
        has_draft,
        notice,
        logo_error,
        acting,
    })
}

/// `GET /recruteur/employeur` (recruiter): the draft if there is one, else the published page.
/// An administrator chooses the employer (`?employeur=`) from the employers' administration.
pub async fn edit(State(state): State<AppState>, staff: StaffUser, RawQuery(q): RawQuery) -> AppResult<Response> {
    let param = |name: &str| query_param(q.as_deref(), name).unwrap_or_default();
    if staff.institution_id.is_none() && param("employeur").is_empty() {
        return Ok(super::with_message(
            "/admin/employeurs",
            "Choisissez un employeur, puis « Modifier sa page » sur sa fiche.",
        ));
    }
    let inst = institution_of(&state, &staff, &param("employeur")).await?;
    let draft = db::institutions::draft(state.db.conn(), inst.id).await?.unwrap_or_else(|| ShowcaseDraft::of(&inst));
    let notice = super::notice();
    let acting = acting(&staff, &inst);
    let preview = param("apercu") == "1";
    Ok(render(&state, acting, inst, form_of(&draft), preview, notice, String::new()).await?.into_response())
}

fn back(message: &str, preview: bool, acting: Option<i64>) -> Response {
    let mut params = Vec::new();
    if let Some(id) = acting {
        params.push(format!("employeur={id}"));
    }
    if preview {
        params.push("apercu=1".into());
    }
    let path = if params.is_empty() {
        "/recruteur/employeur".to_string()
    } else {
        format!("/recruteur/employeur?{}", params.join("&"))
    };
    super::with_message(&path, message)
}

/// `POST /recruteur/employeur` (recruiter): `action=brouillon|apercu|publier`.
pub async fn save(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let inst = institution_of(&state, &staff, form.get("employeur")).await?;
    let acting = acting(&staff, &inst);
    let draft = draft_of(&mut form);
    if !form.is_valid() {
        let page = render(&state, acting, inst, form, false, None, String::new()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let publish = form.get("action") == "publier";
    let changes = showcase_changes(&ShowcaseDraft::of(&inst), &draft);
    crate::services::institutions::save_showcase(&state, &staff.user, &inst, &draft, publish, changes).await?;
    Ok(if publish {
        back("Page publiée.", false, acting)
    } else {
        back("Brouillon enregistré : la page publique n’a pas changé.", form.get("action") == "apercu", acting)
    })
}

/// `POST /recruteur/employeur/logo` (recruiter, multipart `logo`).
pub async fn logo(State(state): State<AppState>, staff: StaffUser, multipart: Multipart) -> AppResult<Response> {
    let (fields, upload) = read_multipart(multipart, "logo", MAX_LOGO_BYTES).await;
    let inst = institution_of(&state, &staff, fields.get("employeur")).await?;
    let acting = acting(&staff, &inst);
    let checked = match upload {
        None => Err("Choisissez une image."),
        Some(u) if u.too_big => Err("Le logo dépasse 2 Mo."),
        // Decoding is heavy: on the bounded pool, never on the threads that serve requests.
        Some(u) => crate::bounded::run(move || storage::prepare_logo(&u.bytes)).await?,
    };
    let png = match checked {
        Ok(png) => png,
        Err(msg) => {
            let draft =
                db::institutions::draft(state.db.conn(), inst.id).await?.unwrap_or_else(|| ShowcaseDraft::of(&inst));
            return Ok(render(&state, acting, inst, form_of(&draft), false, None, msg.to_string())
                .await?
                .into_response());
        }
    };
    crate::services::institutions::set_logo(&state, &inst, png).await?;
    Ok(back("Logo enregistré.", false, acting))
}

/// `POST /recruteur/employeur/services` (recruiter): adds a service (`nom`, optional `parent`).
pub async fn add_service(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let inst = institution_of(&state, &staff, form.get("employeur")).await?;
    let acting = acting(&staff, &inst);
    let name = form.required("nom", "le nom du service", 200);
    if !form.is_valid() {
        return Ok(back("Renseignez le nom du service.", false, acting));
    }
    let services = db::institutions::services(state.db.conn(), inst.id).await?;
    let parent = services.iter().find(|s| s.id.to_string() == form.get("parent")).map(|s| s.id);
    db::institutions::find_or_create_service(state.db.conn(), inst.id, parent, &name, None, state.now()).await?;
    Ok(back("Service ajouté.", false, acting))
}

/// `GET /logos/{key}` (public): a logo stored by the editor.
pub async fn serve_logo(State(state): State<AppState>, Path(name): Path<String>) -> AppResult<Response> {
    if !name.ends_with(".png") || name.contains('/') || name.contains("..") {
        return Err(AppError::NotFound);
    }
    let bytes = state.files.get(&format!("logos/{name}")).await?;
    Ok((
        [(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        Body::from(bytes),
    )
        .into_response())
}

/// The fields of an employer's page that changed, "Présentation : …" one per line, as the
/// audit log shows them (before, after); each value cut at 300 characters.
fn showcase_changes(before: &ShowcaseDraft, after: &ShowcaseDraft) -> (String, String) {
    let fields = |d: &ShowcaseDraft| {
        [
            ("Site web", d.website.clone()),
            ("Présentation", d.presentation.clone()),
            ("Valeurs", d.values.clone()),
            ("Missions", d.missions.clone()),
            ("Projets", d.projects.clone()),
            ("Chiffres clés", d.figures.clone()),
            ("Processus de recrutement", d.recruitment_process.clone()),
            ("Travailler avec nous", d.working_with_us.clone()),
        ]
    };
    super::field_changes(&fields(before), &fields(after))
}
