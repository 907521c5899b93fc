//! `/admin/imports`: run an import from an uploaded file (the same importer as `metiers
//! import`): offers, or the beta.gouv.fr product catalogue as a ZIP archive; read the reports
//! of past imports. `/admin/motifs`: the refusal reasons.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, read_multipart};
use crate::layout::Page;
use crate::services::products::CatalogueRefusal;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use db::entity::import_run;

/// Uploaded export files are read up to this size (the request body limit is 12 MB).
const MAX_IMPORT_BYTES: usize = 11 * 1024 * 1024;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/imports.html")]
pub struct ImportsPage {
    page: Page,
    runs: Vec<import_run::Model>,
    formats: Vec<&'static str>,
    error: String,
}

/// `GET /admin/imports` (administrator).
pub async fn list(State(state): State<AppState>, AdminUser(_): AdminUser) -> AppResult<ImportsPage> {
    render(&state, String::new()).await
}

async fn render(state: &AppState, error: String) -> AppResult<ImportsPage> {
    Ok(ImportsPage {
        page: Page::new(if error.is_empty() { "Imports" } else { "Imports – erreur" })
            .crumbs(&[("Administration", Some("/admin")), ("Imports", None)]),
        runs: db::runs::latest(state.db.conn(), 50).await?,
        formats: import::Format::ALL.iter().map(|f| f.code()).collect(),
        error,
    })
}

/// `POST /admin/imports` (administrator, multipart): `fichier`, `format` (empty: detected),
/// `complet`, `numerique`.
pub async fn run(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    multipart: Multipart,
) -> AppResult<Response> {
    let (form, upload) = read_multipart(multipart, "fichier", MAX_IMPORT_BYTES).await;
    let Some(upload) = upload.filter(|u| !u.bytes.is_empty()) else {
        return Ok(render(&state, "Choisissez un fichier d’offres à importer.".into()).await?.into_response());
    };
    if upload.too_big {
        return Ok(render(
            &state,
            "Le fichier dépasse 11 Mo : importez-le en ligne de commande (metiers import).".into(),
        )
        .await?
        .into_response());
    }
    let format = match form.get("format") {
        "" => None,
        code => match import::Format::parse(code) {
            Ok(f) => Some(f),
            Err(msg) => return Ok(render(&state, msg).await?.into_response()),
        },
    };
    // The importer reads a path: the upload goes to a private temporary folder, under its own
    // (cleaned) name so that the report names it.
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.into()))?;
    let name: String = upload
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("import")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .take(100)
        .collect();
    let path = dir.path().join(if name.trim_matches('.').is_empty() { "import".to_string() } else { name });
    tokio::fs::write(&path, &upload.bytes).await.map_err(|e| AppError::Internal(e.into()))?;
    let opts = import::ImportOptions {
        format,
        full: form.checked("complet"),
        numerique_only: form.checked("numerique"),
        progress: false,
    };
    match import::run(&state.db, &path, &opts, &*state.clock).await {
        Ok(report) => {
            let run = db::runs::latest(state.db.conn(), 1).await?.pop().ok_or(AppError::NotFound)?;
            let audit = db::backoffice::Audit {
                actor: &admin,
                action: domain::audit::AuditAction::Import,
                target: format!("import {} ({})", run.id, run.file_name),
                before: None,
                after: Some(report.summary()),
            };
            db::backoffice::audit(state.db.conn(), audit, state.now()).await?;
            Ok(Redirect::to(&format!("/admin/imports/{}", run.id)).into_response())
        }
        Err(import::ImportError::File(msg)) => Ok(render(&state, msg).await?.into_response()),
        Err(import::ImportError::Db(e)) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/catalogue_report.html")]
pub struct CatalogueReportPage {
    page: Page,
    file_name: String,
    report: import::betagouv::CatalogueReport,
}

async fn refuse(state: &AppState, status: StatusCode, error: &str) -> AppResult<Response> {
    Ok((status, render(state, error.to_string()).await?).into_response())
}

/// `POST /admin/imports/catalogue` (administrator, multipart `archive`): the catalogue as a ZIP
/// of the folder `metiers import --format betagouv` reads; the report is shown at once.
pub async fn run_catalogue(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    multipart: Multipart,
) -> AppResult<Response> {
    let (_, upload) = read_multipart(multipart, "archive", MAX_IMPORT_BYTES).await;
    let Some(upload) = upload.filter(|u| !u.bytes.is_empty()) else {
        return refuse(&state, StatusCode::UNPROCESSABLE_ENTITY, "Choisissez l’archive ZIP du catalogue à importer.")
            .await;
    };
    if upload.too_big {
        let msg = "L’archive dépasse 11 Mo : importez le catalogue en ligne de commande (metiers import).";
        return refuse(&state, StatusCode::PAYLOAD_TOO_LARGE, msg).await;
    }
    let file_name = upload.file_name.chars().filter(|c| !c.is_control()).take(100).collect::<String>();
    let report = match crate::services::products::import_catalogue(&state, &admin, upload.bytes, &file_name).await? {
        Ok(report) => report,
        Err(CatalogueRefusal::Busy(msg)) => return refuse(&state, StatusCode::CONFLICT, msg).await,
        Err(CatalogueRefusal::Invalid(msg)) => return refuse(&state, StatusCode::UNPROCESSABLE_ENTITY, &msg).await,
    };
    Ok(CatalogueReportPage {
        page: Page::new("Rapport d’import du catalogue").crumbs(&[
            ("Administration", Some("/admin")),
            ("Imports", Some("/admin/imports")),
            ("Catalogue", None),
        ]),
        file_name,
        report,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/import_report.html")]
pub struct ReportPage {
    page: Page,
    run: import_run::Model,
    rejected: Vec<(String, String)>,
}

/// `GET /admin/imports/{id}` (administrator).
pub async fn report(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<ReportPage> {
    let run = db::runs::by_id(state.db.conn(), id).await?.ok_or(AppError::NotFound)?;
    let rejected = serde_json::from_str::<Vec<serde_json::Value>>(&run.report)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let line = r.get("line").map(|l| l.to_string().trim_matches('"').to_string()).unwrap_or_default();
            let reason = r.get("reason").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            (line, reason)
        })
        .collect();
    Ok(ReportPage {
        page: Page::new(format!("Import {}", run.id)).crumbs(&[
            ("Administration", Some("/admin")),
            ("Imports", Some("/admin/imports")),
            ("Rapport", None),
        ]),
        run,
        rejected,
    })
}

// --- refusal reasons --------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/reasons.html")]
pub struct ReasonsPage {
    page: Page,
    reasons: Vec<db::entity::refusal_reason::Model>,
    form: Form,
    notice: Option<String>,
}

/// `GET /admin/motifs` (administrator).
pub async fn reasons(State(state): State<AppState>, AdminUser(_): AdminUser) -> AppResult<ReasonsPage> {
    let notice = super::notice();
    Ok(ReasonsPage {
        page: Page::new("Motifs de refus").crumbs(&[("Administration", Some("/admin")), ("Motifs de refus", None)]),
        reasons: db::applications::refusal_reasons(state.db.conn()).await?,
        form: Form::default(),
        notice,
    })
}

fn back(message: &str) -> Response {
    super::with_message("/admin/motifs", message)
}

/// `POST /admin/motifs` (administrator): adds a reason (`libelle`).
pub async fn add_reason(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let label = form.required("libelle", "le texte du motif", 300);
    if !form.is_valid() {
        let page = ReasonsPage {
            page: Page::new("Motifs de refus – erreur")
                .crumbs(&[("Administration", Some("/admin")), ("Motifs de refus", None)]),
            reasons: db::applications::refusal_reasons(state.db.conn()).await?,
            form,
            notice: None,
        };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let code = domain::text::slugify_max(&label, 32);
    match crate::services::applications::add_refusal_reason(&state, &admin, &code, &label).await {
        Ok(()) => {}
        Err(AppError::Db(db::DbError::Conflict(c))) => return Ok(back(&crate::error::conflict_text(&c))),
        Err(e) => return Err(e),
    }
    Ok(back("Motif ajouté."))
}

/// `POST /admin/motifs/{id}/etat` (administrator): `actif=1` or `0`.
pub async fn set_reason(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let on = Form::parse(&body).get("actif") == "1";
    crate::services::applications::set_refusal_reason_active(&state, &admin, id, on).await?;
    Ok(back(if on { "Motif rétabli." } else { "Motif retiré de la liste (les refus passés gardent leur texte)." }))
}
