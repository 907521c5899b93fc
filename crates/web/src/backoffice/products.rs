//! `/recruteur/projets…`: recruiters write and edit their institution's products
//! (administrators every one): a draft, a preview of its public page, then publication or
//! archiving. Imported products are edited the same way (a changed catalogue file updates
//! them again at the next import).

use crate::AppState;
use crate::auth::StaffUser;
use crate::error::AppResult;
use crate::forms::{Form, Id};
use crate::layout::Page;
use crate::services::products as service;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use db::entity::institution;
use db::products::{ProductEdit, ProductView};
use domain::product::{Accessibility, Phase, ProductState};

/// A comma-separated list typed in a field: its items, trimmed, without repeats.
fn list_of(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in raw.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| domain::text::match_key(o) == domain::text::match_key(item)) {
            out.push(item.chars().take(80).collect());
        }
    }
    out
}

/// Reads the editor's fields into a [`ProductEdit`], with an error on every bad field.
fn edit_of(form: &mut Form) -> ProductEdit {
    let title = form.required("titre", "le nom du produit", 200);
    let mission = form.required("mission", "la mission", 1_000);
    let body = form.optional("recit", "la description", 30_000).unwrap_or_default();
    let phase = match form.get("phase") {
        "" => None,
        code => match code.parse::<Phase>() {
            Ok(p) => Some(p),
            Err(_) => {
                form.add_error("phase", "Choisissez la phase dans la liste.");
                None
            }
        },
    };
    let phase_start = match form.get("phase_debut") {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                form.add_error("phase_debut", "Date de début de la phase : saisissez une date au format JJ/MM/AAAA.");
                None
            }
        },
    };
    let accessibility = match form.get("accessibilite") {
        "" => None,
        code => match code.parse::<Accessibility>() {
            Ok(a) => Some(a),
            Err(_) => {
                form.add_error("accessibilite", "Choisissez le statut d’accessibilité dans la liste.");
                None
            }
        },
    };
    let technologies = form.optional("technologies", "la liste des technologies", 2_000).unwrap_or_default();
    let themes = form.optional("thematiques", "la liste des thématiques", 1_000).unwrap_or_default();
    let audiences = form.optional("publics", "la liste des publics", 1_000).unwrap_or_default();
    ProductEdit {
        title,
        mission,
        body,
        phase,
        phase_start,
        technologies: domain::product::technologies(&technologies),
        themes: list_of(&themes),
        audiences: list_of(&audiences),
        link: form.url("site", "le site du service"),
        repository: form.url("depot", "le dépôt de code"),
        stats_url: form.url("statistiques", "la page de statistiques"),
        accessibility,
    }
}

fn form_of(e: &ProductEdit) -> Form {
    let mut f = Form::default();
    f.set("titre", &e.title);
    f.set("mission", &e.mission);
    f.set("recit", &e.body);
    f.set("phase", e.phase.map(Phase::code).unwrap_or_default());
    f.set("phase_debut", e.phase_start.map(|d| d.to_string()).unwrap_or_default());
    f.set("technologies", e.technologies.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "));
    f.set("thematiques", e.themes.join(", "));
    f.set("publics", e.audiences.join(", "));
    for (name, v) in [("site", &e.link), ("depot", &e.repository), ("statistiques", &e.stats_url)] {
        f.set(name, v.clone().unwrap_or_default());
    }
    f.set("accessibilite", e.accessibility.map(Accessibility::code).unwrap_or_default());
    f
}

fn changes(before: &ProductEdit, after: &ProductEdit) -> (String, String) {
    let fields = |e: &ProductEdit| {
        [
            ("Nom", Some(e.title.clone())),
            ("Mission", Some(e.mission.clone())),
            ("Description", Some(e.body.clone())),
            ("Phase", e.phase.map(|p| p.label().to_string())),
            ("Début de la phase", e.phase_start.map(|d| d.to_string())),
            ("Technologies", Some(e.technologies.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "))),
            ("Thématiques", Some(e.themes.join(", "))),
            ("Publics", Some(e.audiences.join(", "))),
            ("Site", e.link.clone()),
            ("Dépôt", e.repository.clone()),
            ("Statistiques", e.stats_url.clone()),
            ("Accessibilité", e.accessibility.map(|a| a.label().to_string())),
        ]
    };
    super::field_changes(&fields(before), &fields(after))
}

// --- the list ----------------------------------------------------------------------------

pub struct Row {
    pub id: i64,
    pub title: String,
    pub sponsors: String,
    pub state: &'static str,
    pub imported: bool,
    pub public_url: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/products.html")]
pub struct ListPage {
    page: Page,
    rows: Vec<Row>,
    notice: Option<String>,
    /// Administrators choose the employer of a new product.
    employers: Vec<institution::Model>,
}

/// `GET /recruteur/projets` (recruiter: their institution's products; administrators: all).
pub async fn list(State(state): State<AppState>, staff: StaffUser) -> AppResult<ListPage> {
    let views = db::products::managed_list(state.db.conn(), staff.institution_id).await?;
    let employers = super::employers_to_choose(&state, &staff).await?;
    Ok(ListPage {
        page: Page::new("Produits").crumbs(&[("Espace recruteur", Some("/recruteur")), ("Produits", None)]),
        rows: views
            .iter()
            .map(|v| Row {
                id: v.product.id,
                title: v.product.title.clone(),
                sponsors: v.sponsors.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "),
                state: v.state.label(),
                imported: v.product.source_id.is_some(),
                public_url: (v.state == ProductState::Published).then(|| format!("/projets/{}", v.product.slug)),
            })
            .collect(),
        notice: super::notice(),
        employers,
    })
}

// --- the editor --------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/product_form.html")]
pub struct EditPage {
    page: Page,
    form: Form,
    action: String,
    product: Option<ProductView>,
    institution: Option<institution::Model>,
    acting: bool,
    phases: &'static [Phase],
    accessibilities: &'static [Accessibility],
    notice: Option<String>,
}

fn edit_page(
    staff: &StaffUser,
    product: Option<ProductView>,
    institution: Option<institution::Model>,
    form: Form,
) -> EditPage {
    let (title, action) = match &product {
        Some(v) => (format!("Produit : {}", v.product.title), format!("/recruteur/projets/{}/modifier", v.product.id)),
        None => ("Nouveau produit".to_string(), "/recruteur/projets/nouveau".to_string()),
    };
    EditPage {
        page: Page::new(title.clone()).crumbs(&[
            ("Espace recruteur", Some("/recruteur")),
            ("Produits", Some("/recruteur/projets")),
            (title.as_str(), None),
        ]),
        form,
        action,
        product,
        institution,
        acting: staff.institution_id.is_none(),
        phases: Phase::ALL,
        accessibilities: Accessibility::ALL,
        notice: super::notice(),
    }
}

fn choose_employer_first() -> Response {
    super::with_message("/recruteur/projets", "Choisissez d’abord l’employeur du produit.")
}

/// `GET /recruteur/projets/nouveau` (recruiter; administrators with `?employeur=`).
pub async fn new_form(State(state): State<AppState>, staff: StaffUser, RawQuery(q): RawQuery) -> AppResult<Response> {
    let requested = crate::forms::query_param(q.as_deref(), "employeur").unwrap_or_default();
    let Some(inst) = super::employer_of_new(&state, &staff, &requested).await? else {
        return Ok(choose_employer_first());
    };
    Ok(edit_page(&staff, None, Some(inst), Form::default()).into_response())
}

/// `POST /recruteur/projets/nouveau`: saves a draft, then goes to its editor.
pub async fn create(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some(inst) = super::employer_of_new(&state, &staff, form.get("employeur")).await? else {
        return Ok(choose_employer_first());
    };
    let edit = edit_of(&mut form);
    if !form.is_valid() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, edit_page(&staff, None, Some(inst), form)).into_response());
    }
    let id = service::create(&state, &staff.user, inst.id, &edit).await?;
    Ok(back(id, "Brouillon enregistré : prévisualisez-le, puis publiez-le."))
}

fn back(id: i64, message: &str) -> Response {
    super::with_message(&format!("/recruteur/projets/{id}/modifier"), message)
}

/// `GET /recruteur/projets/{id}/modifier` (recruiter of the product's institution).
pub async fn edit_form(State(state): State<AppState>, staff: StaffUser, Id(id): Id) -> AppResult<EditPage> {
    let v = db::products::managed(state.db.conn(), id, staff.institution_id).await?;
    let form = form_of(&ProductEdit::of(&v));
    Ok(edit_page(&staff, Some(v), None, form))
}

/// `POST /recruteur/projets/{id}/modifier`: saves the fields.
pub async fn update(State(state): State<AppState>, staff: StaffUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let v = db::products::managed(state.db.conn(), id, staff.institution_id).await?;
    let mut form = Form::parse(&body);
    let edit = edit_of(&mut form);
    if !form.is_valid() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, edit_page(&staff, Some(v), None, form)).into_response());
    }
    let before = ProductEdit::of(&v);
    service::save(&state, &staff.user, &v, &edit, changes(&before, &edit)).await?;
    let message = if v.state == ProductState::Published {
        "Produit enregistré : sa page publique est à jour."
    } else {
        "Produit enregistré."
    };
    Ok(back(id, message))
}

/// `POST /recruteur/projets/{id}/etat` (`etat`: `published`, `archived` or `draft`).
pub async fn set_state(
    State(state): State<AppState>,
    staff: StaffUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let v = db::products::managed(state.db.conn(), id, staff.institution_id).await?;
    let Ok(to) = Form::parse(&body).get("etat").parse::<ProductState>() else {
        return Ok(back(id, "État inconnu : rien n’a changé."));
    };
    service::set_state(&state, &staff.user, &v, to).await?;
    Ok(back(
        id,
        match to {
            ProductState::Published => "Produit publié : il apparaît dans /projets.",
            ProductState::Archived => "Produit archivé : il n’est plus public.",
            ProductState::Draft => "Produit repassé en brouillon : il n’est plus public.",
        },
    ))
}

/// `GET /recruteur/projets/{id}/apercu`: the public page as it will look.
pub async fn preview(State(state): State<AppState>, staff: StaffUser, Id(id): Id) -> AppResult<Response> {
    let v = db::products::managed(state.db.conn(), id, staff.institution_id).await?;
    let banner = format!(
        "Aperçu du produit ({}) : seul votre espace montre cette version tant qu’elle n’est pas publiée.",
        v.state.label()
    );
    Ok(crate::public::products::page_of(&state, v, None, Some(banner)).await?.into_response())
}
