//! `/admin/modeles-courriels`: administrators rewrite the e-mail a candidate receives when a
//! recruiter moves their application (one template per stage), preview it with an example,
//! and go back to the platform's wording. Every change is in the audit log.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use domain::candidate::Stage;
use domain::mail_template::{self, StageTemplate, VARIABLES};

pub struct StageForm {
    pub stage: Stage,
    pub is_default: bool,
    /// The example e-mail, after "Aperçu".
    pub preview: Option<(String, Vec<String>)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/mail_templates.html")]
pub struct TemplatesPage {
    page: Page,
    stages: Vec<StageForm>,
    form: Form,
    variables: Vec<(&'static str, &'static str)>,
    notice: Option<String>,
    /// The stage whose section shows the notice (the one just saved or reset).
    section: String,
}

fn subject_field(stage: Stage) -> String {
    format!("objet-{}", stage.code())
}

fn body_field(stage: Stage) -> String {
    format!("texte-{}", stage.code())
}

/// What the preview shows in place of the variables.
fn example(stage: Stage) -> mail_template::Values<'static> {
    mail_template::Values {
        offer: "Développeur·euse back-end Rust",
        employer: "Direction interministérielle du numérique",
        stage: stage.label(),
        reason: if stage == Stage::Refused { "Le poste a été pourvu" } else { "" },
    }
}

async fn page(
    state: &AppState,
    submitted: Option<Form>,
    preview: Option<Stage>,
    notice: Option<String>,
) -> AppResult<TemplatesPage> {
    // The stage being edited keeps what was typed (and its errors); the others show the
    // template in force.
    let mut form = submitted.unwrap_or_default();
    let mut stages = Vec::new();
    for stage in mail_template::STAGES {
        let (t, is_default) = db::mail_templates::in_force(state.db.conn(), stage).await?;
        if !form.contains(&subject_field(stage)) && !form.contains(&body_field(stage)) {
            form.set(&subject_field(stage), t.subject);
            form.set(&body_field(stage), t.body);
        }
        let shown = (preview == Some(stage)).then(|| {
            let t = StageTemplate {
                subject: form.get(&subject_field(stage)).into(),
                body: form.get(&body_field(stage)).into(),
            };
            mail_template::fill(&t, &example(stage))
        });
        stages.push(StageForm { stage, is_default, preview: shown });
    }
    let title = if form.is_valid() { "Modèles d’e-mails" } else { "Modèles d’e-mails – erreur" };
    Ok(TemplatesPage {
        page: Page::new(title).crumbs(&[("Administration", Some("/admin")), ("Modèles d’e-mails", None)]),
        stages,
        form,
        variables: VARIABLES.to_vec(),
        notice,
        section: String::new(),
    })
}

/// `GET /admin/modeles-courriels` (administrator).
pub async fn list(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    RawQuery(q): RawQuery,
) -> AppResult<TemplatesPage> {
    let mut p = page(&state, None, None, super::notice()).await?;
    p.section = crate::forms::query_param(q.as_deref(), "section").unwrap_or_default();
    Ok(p)
}

/// `POST /admin/modeles-courriels/{etape}` (administrator): `action=apercu` shows the e-mail
/// with an example, `enregistrer` saves it (checked: variables, lengths), `retablir` goes
/// back to the platform's wording.
pub async fn save(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(code): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let stage: Stage = code.parse().map_err(|_| AppError::NotFound)?;
    if !mail_template::STAGES.contains(&stage) {
        return Err(AppError::NotFound);
    }
    let mut form = Form::parse(&body);
    let t =
        StageTemplate { subject: form.get(&subject_field(stage)).into(), body: form.get(&body_field(stage)).into() };
    // The focused message brings the stage's section into view (see app.js).
    let back = format!("/admin/modeles-courriels?section={}", stage.code());
    let action = form.get("action").to_string();
    match action.as_str() {
        "retablir" => {
            crate::services::mail_templates::reset(&state, &admin, stage).await?;
            Ok(super::with_message(&back, &format!("Modèle « {} » : texte par défaut rétabli.", stage.label())))
        }
        action @ ("apercu" | "enregistrer") => {
            for (part, problem) in mail_template::check(&t) {
                let field = match part {
                    mail_template::Part::Subject => subject_field(stage),
                    mail_template::Part::Body => body_field(stage),
                };
                form.add_error(&field, problem);
            }
            if action == "apercu" || !form.is_valid() {
                let status = if form.is_valid() {
                    axum::http::StatusCode::OK
                } else {
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY
                };
                let preview = form.is_valid().then_some(stage);
                return Ok((status, page(&state, Some(form), preview, None).await?).into_response());
            }
            crate::services::mail_templates::save(&state, &admin, stage, &t).await?;
            Ok(super::with_message(&back, &format!("Modèle « {} » enregistré.", stage.label())))
        }
        _ => Ok(super::with_message(&back, "Choisissez une action : aperçu, enregistrer ou rétablir.")),
    }
}
