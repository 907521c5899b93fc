//! `/admin/employeurs`: administrators create employers, show or hide their pages, and add
//! services to any of them.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use db::entity::institution;

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/institutions.html")]
pub struct InstitutionsPage {
    page: Page,
    institutions: Vec<institution::Model>,
    form: Form,
    notice: Option<String>,
}

fn page(error: bool) -> Page {
    Page::new(if error { "Employeurs – erreur" } else { "Employeurs" })
        .crumbs(&[("Administration", Some("/admin")), ("Employeurs", None)])
}

/// `GET /admin/employeurs` (administrator).
pub async fn list(State(state): State<AppState>, AdminUser(_): AdminUser) -> AppResult<InstitutionsPage> {
    Ok(InstitutionsPage {
        page: page(false),
        institutions: db::institutions::list(state.db.conn()).await?,
        form: Form::default(),
        notice: super::notice(),
    })
}

/// `POST /admin/employeurs` (administrator): creates an employer (`nom`, `sigle`, `ministere`).
pub async fn create(State(state): State<AppState>, AdminUser(admin): AdminUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let name = form.required("nom", "le nom de l’employeur", 200);
    let acronym = form.optional("sigle", "le sigle", 30);
    let ministry = form.optional("ministere", "le ministère", 200);
    if !form.is_valid() {
        let institutions = db::institutions::list(state.db.conn()).await?;
        let page = InstitutionsPage { page: page(true), institutions, form, notice: None };
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (inst, created) = crate::services::institutions::create(&state, &admin, &name, acronym, ministry).await?;
    Ok(super::with_message(
        "/admin/employeurs",
        &if created {
            format!("Employeur « {} » créé.", inst.name)
        } else {
            format!("« {} » existe déjà.", inst.name)
        },
    ))
}

/// `POST /admin/employeurs/{id}/publication` (administrator): `etat=1` shows the page, `0`
/// hides it (its offers stay).
pub async fn set_published(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let on = Form::parse(&body).get("etat") == "1";
    crate::services::institutions::set_published(&state, &admin, id, on).await?;
    Ok(super::with_message("/admin/employeurs", if on { "Page publiée." } else { "Page masquée." }))
}

/// `POST /admin/employeurs/{id}/services` (administrator): adds a service (`nom`).
pub async fn add_service(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let inst = db::institutions::by_id(state.db.conn(), id).await?;
    let mut form = Form::parse(&body);
    // From the employer's own page, back to it; from the list, back to the list.
    let back = if form.get("retour") == "fiche" {
        format!("{}?section=services", here(inst.id))
    } else {
        "/admin/employeurs".to_string()
    };
    let name = form.required("nom", "le nom du service", 200);
    if !form.is_valid() {
        return Ok(super::with_message(&back, "Renseignez le nom du service."));
    }
    db::institutions::find_or_create_service(state.db.conn(), inst.id, None, &name, None, state.now()).await?;
    Ok(super::with_message(&back, &format!("Service ajouté à « {} ».", inst.name)))
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/institution.html")]
pub struct InstitutionPage {
    page: Page,
    institution: institution::Model,
    services: Vec<db::entity::service::Model>,
    domains: Vec<String>,
    form: Form,
    notice: Option<String>,
    /// The section the notice belongs to (`domaines`, `services`), shown there.
    section: String,
    /// The domain form: what was typed and its error.
    domain_form: Form,
}

fn one_page(name: &str, error: bool) -> Page {
    let title = if error { format!("{name} – erreur") } else { name.to_string() };
    Page::new(&title).crumbs(&[
        ("Administration", Some("/admin")),
        ("Employeurs", Some("/admin/employeurs")),
        (name, None),
    ])
}

async fn institution_page(
    state: &AppState,
    inst: institution::Model,
    form: Option<Form>,
    notice: Option<String>,
) -> AppResult<InstitutionPage> {
    let services = db::institutions::services(state.db.conn(), inst.id).await?;
    let domains = db::institutions::email_domains(state.db.conn(), inst.id).await?;
    let error = form.as_ref().is_some_and(|f| !f.is_valid());
    let form = form.unwrap_or_else(|| {
        let mut f = Form::default();
        f.set("nom", inst.name.clone());
        f.set("sigle", inst.acronym.clone().unwrap_or_default());
        f.set("ministere", inst.ministry.clone().unwrap_or_default());
        f.set("siret", inst.siret.clone().unwrap_or_default());
        f
    });
    Ok(InstitutionPage {
        page: one_page(&inst.name, error),
        institution: inst,
        services,
        domains,
        form,
        notice,
        section: String::new(),
        domain_form: Form::default(),
    })
}

fn here(id: i64) -> String {
    format!("/admin/employeurs/{id}")
}

/// `GET /admin/employeurs/{id}` (administrator): the employer's name, ProConnect mapping
/// (SIRET and e-mail domains) and services.
pub async fn show(
    State(state): State<AppState>,
    AdminUser(_): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    RawQuery(q): RawQuery,
) -> AppResult<InstitutionPage> {
    let inst = db::institutions::by_id(state.db.conn(), id).await?;
    let mut page = institution_page(&state, inst, None, super::notice()).await?;
    page.section = crate::forms::query_param(q.as_deref(), "section").unwrap_or_default();
    Ok(page)
}

/// `POST /admin/employeurs/{id}` (administrator): renames the employer (`nom`, `sigle`,
/// `ministere`) and sets its SIRET (`siret`, 14 digits, or empty). The address of its page
/// stays the same, so links to it keep working.
pub async fn update(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let inst = db::institutions::by_id(state.db.conn(), id).await?;
    let mut form = Form::parse(&body);
    let name = form.required("nom", "le nom de l’employeur", 200);
    let acronym = form.optional("sigle", "le sigle", 30);
    let ministry = form.optional("ministere", "le ministère", 200);
    let siret: String = form.get("siret").chars().filter(|c| !c.is_whitespace()).collect();
    if !siret.is_empty() && (siret.len() != 14 || !siret.chars().all(|c| c.is_ascii_digit())) {
        form.add_error("siret", "Le SIRET compte 14 chiffres, par exemple 130 025 265 00013.");
    }
    if !form.is_valid() {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            institution_page(&state, inst, Some(form), None).await?,
        )
            .into_response());
    }
    let siret = (!siret.is_empty()).then_some(siret);
    let identity = crate::services::institutions::Identity { name, acronym, ministry, siret };
    match crate::services::institutions::edit(&state, &admin, &inst, &identity).await {
        Ok(()) => {}
        Err(AppError::Db(db::DbError::Conflict(c))) => {
            let field = if matches!(c, db::Conflict::SiretTaken { .. }) { "siret" } else { "nom" };
            form.add_error(field, format!("Impossible : {}.", crate::error::conflict_text(&c)));
            let page = institution_page(&state, inst, Some(form), None).await?;
            return Ok((axum::http::StatusCode::CONFLICT, page).into_response());
        }
        Err(e) => return Err(e),
    }
    Ok(super::with_message(&here(id), "Employeur enregistré."))
}

/// `POST /admin/employeurs/{id}/domaines` (administrator): `domaine` to add, or
/// `supprimer` = a domain to remove. Agents whose address is on the domain (or a sub-domain)
/// are mapped to this employer when they sign in with ProConnect.
pub async fn domains(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let inst = db::institutions::by_id(state.db.conn(), id).await?;
    let mut form = Form::parse(&body);
    // No fragment: the focused message brings the section into view (a fragment would take the
    // focus away again when the browser scrolls to it).
    let back = format!("{}?section=domaines", here(id));
    let message = if let Some(removed) = form.opt("supprimer") {
        if !crate::services::institutions::remove_email_domain(&state, &admin, &inst, &removed).await? {
            return Ok(super::with_message(&back, "Ce domaine n’est pas rattaché à cet employeur."));
        }
        format!("Domaine {removed} retiré.")
    } else {
        // A refused domain comes back in its field, with the reason beside it.
        let refused = match domain::email::parse_domain(form.get("domaine")) {
            None => Err((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "Saisissez un nom de domaine, par exemple numerique.gouv.fr (sans @ ni espace).".to_string(),
            )),
            Some(domain) => match crate::services::institutions::add_email_domain(&state, &admin, &inst, &domain).await
            {
                Ok(()) => Ok(domain),
                Err(AppError::Db(db::DbError::Conflict(c))) => Err((
                    axum::http::StatusCode::CONFLICT,
                    format!("Impossible : {}.", crate::error::conflict_text(&c)),
                )),
                Err(e) => return Err(e),
            },
        };
        match refused {
            Ok(domain) => format!("Domaine {domain} ajouté."),
            Err((status, message)) => {
                form.add_error("domaine", message);
                let mut page = institution_page(&state, inst, None, None).await?;
                page.page = one_page(&page.institution.name, true);
                page.domain_form = form;
                return Ok((status, page).into_response());
            }
        }
    };
    Ok(super::with_message(&back, &message))
}
