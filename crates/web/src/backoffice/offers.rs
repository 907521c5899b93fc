//! Writing offers in the recruiter space: create (a draft), edit with a preview of the
//! Markdown sections, autosave of drafts (htmx), duplicate. Publishing is a state change
//! (`recruiter::set_state`), which checks what a public offer needs.

use crate::AppState;
use crate::auth::StaffUser;
use crate::candidate::profile::Opt;
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::Page;
use crate::markdown;
use crate::offer_search::Taxonomy;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use db::backoffice::{Audit, OfferEdit};
use db::entity::institution;
use domain::offer::{Category, ContractType, Experience, Remote, Versant};

/// The Markdown sections of an offer: (field, label).
const SECTIONS: &[(&str, &str)] = &[
    ("missions", "Vos missions"),
    ("profil", "Votre profil"),
    ("equipe", "L’équipe"),
    ("contexte", "Le contexte"),
    ("avantages", "Les avantages"),
    ("processus", "Le processus de recrutement"),
];

pub struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<Opt>,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/offer_form.html")]
pub struct OfferForm {
    page: Page,
    form: Form,
    action: String,
    offer_id: Option<i64>,
    sections: &'static [(&'static str, &'static str)],
    selects: Vec<Select>,
    contracts: Vec<Opt>,
    preview: Vec<(&'static str, String)>,
    saved: bool,
    /// An administrator's new offer names its employer (they belong to none).
    acting_for: Option<institution::Model>,
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    form: &Form,
    name: &str,
) -> Vec<Opt> {
    std::iter::once(Opt { value: String::new(), label: "—".into(), checked: form.get(name).is_empty() })
        .chain(all.iter().map(|v| Opt {
            value: code(*v).into(),
            label: label(*v).into(),
            checked: form.get(name) == code(*v),
        }))
        .collect()
}

fn page_of(
    taxonomy: &Taxonomy,
    form: Form,
    offer_id: Option<i64>,
    preview: Vec<(&'static str, String)>,
    saved: bool,
) -> OfferForm {
    let title = match (offer_id, form.is_valid()) {
        (None, true) => "Nouvelle offre".to_string(),
        (None, false) => "Nouvelle offre – erreur".to_string(),
        (Some(_), true) => format!("Modifier : {}", form.get("titre")),
        (Some(_), false) => format!("Modifier : {} – erreur", form.get("titre")),
    };
    let selects = vec![
        Select {
            name: "categorie",
            label: "Catégorie",
            options: options(Category::ALL, Category::code, Category::label, &form, "categorie"),
        },
        Select {
            name: "versant",
            label: "Versant",
            options: options(Versant::ALL, Versant::code, Versant::label, &form, "versant"),
        },
        Select {
            name: "experience",
            label: "Expérience",
            options: options(Experience::ALL, Experience::code, Experience::label, &form, "experience"),
        },
        Select {
            name: "teletravail",
            label: "Télétravail",
            options: options(Remote::ALL, Remote::code, Remote::label, &form, "teletravail"),
        },
        Select {
            name: "metier",
            label: "Métier",
            options: std::iter::once(Opt {
                value: String::new(),
                label: "—".into(),
                checked: form.get("metier").is_empty(),
            })
            .chain(taxonomy.professions.iter().map(|(_, slug, label)| Opt {
                value: slug.clone(),
                label: label.clone(),
                checked: form.get("metier") == slug,
            }))
            .collect(),
        },
        Select {
            name: "departement",
            label: "Département",
            options: std::iter::once(Opt {
                value: String::new(),
                label: "—".into(),
                checked: form.get("departement").is_empty(),
            })
            .chain(domain::geo::departements().iter().map(|d| Opt {
                value: d.code.clone(),
                label: format!("{} ({})", d.name, d.code),
                checked: form.get("departement") == d.code,
            }))
            .collect(),
        },
    ];
    let contracts = ContractType::ALL
        .iter()
        .map(|c| Opt { value: c.code().into(), label: c.label().into(), checked: form.has("contrat", c.code()) })
        .collect();
    OfferForm {
        page: Page::new(title.clone()).crumbs(&[("Espace recruteur", Some("/recruteur")), (title.as_str(), None)]),
        action: offer_id
            .map_or("/recruteur/offres/nouvelle".to_string(), |id| format!("/recruteur/offres/{id}/modifier")),
        form,
        offer_id,
        sections: SECTIONS,
        selects,
        contracts,
        preview,
        saved,
        acting_for: None,
    }
}

fn form_of(e: &OfferEdit) -> Form {
    let mut f = Form::default();
    f.set("titre", &e.title);
    for ((name, _), v) in SECTIONS.iter().zip([&e.mission, &e.profile, &e.team, &e.context, &e.perks, &e.process]) {
        if let Some(v) = v {
            f.set(name, v);
        }
    }
    for c in &e.contract_types {
        f.push("contrat", c.code());
    }
    let pairs: [(&str, Option<String>); 10] = [
        ("categorie", e.category.map(|v| v.code().into())),
        ("versant", e.versant.map(|v| v.code().into())),
        ("experience", e.experience.map(|v| v.code().into())),
        ("teletravail", e.remote.map(|v| v.code().into())),
        ("metier", e.profession.clone()),
        ("departement", e.departement_code.clone()),
        ("ville", e.city.clone()),
        ("salaire_min", e.salary_min.map(|s| s.to_string())),
        ("salaire_max", e.salary_max.map(|s| s.to_string())),
        ("date_limite", e.expires_at.map(|d| d.format("%Y-%m-%d").to_string())),
    ];
    for (k, v) in pairs {
        if let Some(v) = v {
            f.set(k, v);
        }
    }
    if let Some(u) = &e.application_url {
        f.set("lien_candidature", u);
    }
    f
}

/// Validates the form into an [`OfferEdit`] (errors in `form`).
/// `now`, and the deadline stored before (`None` for a new offer): a deadline set or changed
/// must be to come; one kept as it was may have passed (the offer is then edited, not reopened).
fn validate(taxonomy: &Taxonomy, form: &mut Form, now: DateTime<Utc>, stored: Option<DateTime<Utc>>) -> OfferEdit {
    let title = form.required("titre", "l’intitulé du poste", 200);
    let mut text = |name: &str| form.optional(name, "ce texte", 20_000);
    let (mission, profile, team, context, perks, process) =
        (text("missions"), text("profil"), text("equipe"), text("contexte"), text("avantages"), text("processus"));
    let salary = |form: &mut Form, name: &str| match form.opt(name) {
        None => None,
        Some(v) => match v.replace([' ', '\u{a0}'], "").parse::<i32>() {
            Ok(n) if (10_000..=300_000).contains(&n) => Some(n),
            _ => {
                form.add_error(name, "Saisissez un salaire annuel brut en euros, entre 10 000 et 300 000.");
                None
            }
        },
    };
    let salary_min = salary(form, "salaire_min");
    let salary_max = salary(form, "salaire_max");
    if let (Some(a), Some(b)) = (salary_min, salary_max)
        && a > b
    {
        form.add_error("salaire_max", "Le salaire maximum doit être supérieur ou égal au minimum.");
    }
    let expires_at = match form.opt("date_limite") {
        None => None,
        Some(v) => match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            // The end of that day in Paris, summer or winter time.
            Ok(d) => crate::format::paris_at(d, 23, 59, 59),
            Err(_) => {
                form.add_error("date_limite", "Saisissez une date au format JJ/MM/AAAA.");
                None
            }
        },
    };
    if let Some(end) = expires_at
        && end <= now
        && Some(end) != stored
    {
        form.add_error(
            "date_limite",
            "La date limite de candidature doit être à venir : choisissez aujourd’hui ou une date future.",
        );
    }
    let application_url = form.url("lien_candidature", "le lien de candidature externe");
    OfferEdit {
        title,
        mission,
        profile,
        team,
        context,
        perks,
        process,
        contract_types: form.all("contrat").iter().filter_map(|c| c.parse().ok()).collect(),
        category: form.get("categorie").parse().ok(),
        versant: form.get("versant").parse().ok(),
        profession: Some(form.get("metier").to_string()).filter(|s| taxonomy.profession_by_slug(s).is_some()),
        experience: form.get("experience").parse().ok(),
        remote: form.get("teletravail").parse().ok(),
        salary_min,
        salary_max,
        departement_code: Some(form.get("departement").to_string()).filter(|d| domain::geo::departement(d).is_some()),
        city: form.optional("ville", "la ville", 100),
        expires_at,
        application_url,
    }
}

fn preview_of(form: &Form) -> Vec<(&'static str, String)> {
    SECTIONS.iter().filter_map(|(name, label)| form.opt(name).map(|t| (*label, markdown::to_html(&t)))).collect()
}

/// The employer of a new offer: a recruiter's own; for an administrator, the one named by
/// `employeur` (`None`: they must choose one first).
async fn employer_of_new(
    state: &AppState,
    staff: &StaffUser,
    requested: &str,
) -> AppResult<Option<institution::Model>> {
    match (staff.institution_id, requested.parse::<i64>()) {
        (Some(own), _) => Ok(Some(db::institutions::by_id(state.db.conn(), own).await?)),
        (None, Ok(id)) => Ok(Some(db::institutions::by_id(state.db.conn(), id).await?)),
        (None, Err(_)) => Ok(None),
    }
}

fn choose_employer_first() -> Response {
    super::with_message(
        "/admin/employeurs",
        "Choisissez l’employeur, puis « Publier une offre pour cet employeur » sur sa fiche.",
    )
}

/// `GET /recruteur/offres/nouvelle` (recruiter; administrators with `?employeur=`).
pub async fn new_form(State(state): State<AppState>, staff: StaffUser, RawQuery(q): RawQuery) -> AppResult<Response> {
    let requested = crate::forms::query_param(q.as_deref(), "employeur").unwrap_or_default();
    let Some(inst) = employer_of_new(&state, &staff, &requested).await? else {
        return Ok(choose_employer_first());
    };
    let mut page = page_of(&state.taxonomy.current(), Form::default(), None, Vec::new(), false);
    page.acting_for = staff.institution_id.is_none().then_some(inst);
    Ok(page.into_response())
}

/// `POST /recruteur/offres/nouvelle` (recruiter; administrators with `employeur`): saves a
/// draft, then goes to its edit page.
pub async fn create(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some(inst) = employer_of_new(&state, &staff, form.get("employeur")).await? else {
        return Ok(choose_employer_first());
    };
    let institution_id = inst.id;
    let edit = validate(&state.taxonomy.current(), &mut form, state.now(), None);
    if !form.is_valid() {
        let mut page = page_of(&state.taxonomy.current(), form, None, Vec::new(), false);
        page.acting_for = staff.institution_id.is_none().then_some(inst);
        return Ok(page.into_response());
    }
    let now = state.now();
    let txn = state.db.begin().await?;
    let id = db::backoffice::save_offer(&txn, None, institution_id, &edit, now).await?;
    let audit = Audit {
        actor: &staff.user,
        action: domain::audit::AuditAction::OfferCreated,
        target: format!("offre {id} « {} »", edit.title),
        before: None,
        after: Some("draft".into()),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    let apercu = if form.get("action") == "apercu" { "&apercu=1" } else { "" };
    Ok(Redirect::to(&format!("/recruteur/offres/{id}/modifier?enregistre=1{apercu}")).into_response())
}

async fn current(state: &AppState, staff: &StaffUser, id: &i64) -> AppResult<(db::entity::offer::Model, OfferEdit)> {
    let offer = db::backoffice::managed_offer(state.db.conn(), *id, staff.institution_id).await?;
    let contracts = db::backoffice::offer_contracts(state.db.conn(), offer.id).await?;
    let profession = db::backoffice::profession_slug(state.db.conn(), offer.profession_id).await?;
    let edit = OfferEdit::of(&offer, contracts, profession);
    Ok((offer, edit))
}

/// `GET /recruteur/offres/{id}/modifier` (recruiter of the offer's institution).
pub async fn edit_form(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> AppResult<OfferForm> {
    let (offer, edit) = current(&state, &staff, &id).await?;
    let form = form_of(&edit);
    let q = q.unwrap_or_default();
    let preview = if q.contains("apercu=1") { preview_of(&form) } else { Vec::new() };
    Ok(page_of(&state.taxonomy.current(), form, Some(offer.id), preview, q.contains("enregistre=1")))
}

/// `POST /recruteur/offres/{id}/modifier` (recruiter of the offer's institution): save, save
/// and preview, or (htmx) autosave.
pub async fn update(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let (offer, before) = current(&state, &staff, &id).await?;
    let mut form = Form::parse(&body);
    let edit = validate(&state.taxonomy.current(), &mut form, state.now(), offer.expires_at);
    let autosave = headers.contains_key("hx-request");
    if !form.is_valid() {
        if autosave {
            return Ok(Html("<p id=\"etat-brouillon\" class=\"fr-text--sm\" role=\"status\">Brouillon non enregistré : corrigez les champs signalés puis enregistrez.</p>").into_response());
        }
        return Ok(page_of(&state.taxonomy.current(), form, Some(offer.id), Vec::new(), false).into_response());
    }
    let now = state.now();
    let txn = state.db.begin().await?;
    db::backoffice::save_offer(&txn, Some(&offer), offer.institution_id, &edit, now).await?;
    let audit = Audit {
        actor: &staff.user,
        action: domain::audit::AuditAction::OfferEdited,
        target: format!("offre {} « {} »", offer.id, edit.title),
        before: Some(format!("{before:?}").chars().take(4000).collect()),
        after: Some(format!("{edit:?}").chars().take(4000).collect()),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    if autosave {
        let time = (now + chrono::Duration::hours(1)).format("%H:%M");
        return Ok(Html(format!(
            "<p id=\"etat-brouillon\" class=\"fr-text--sm\" role=\"status\">Enregistré automatiquement à {time}.</p>"
        ))
        .into_response());
    }
    let apercu = if form.get("action") == "apercu" { "&apercu=1" } else { "" };
    Ok(Redirect::to(&format!("/recruteur/offres/{}/modifier?enregistre=1{apercu}", offer.id)).into_response())
}

/// `POST /recruteur/offres/{id}/dupliquer` (recruiter of the offer's institution): a new draft
/// with the same content.
pub async fn duplicate(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<Response> {
    let (offer, mut edit) = current(&state, &staff, &id).await?;
    edit.title = format!("{} (copie)", edit.title);
    let now = state.now();
    let txn = state.db.begin().await?;
    let new_id = db::backoffice::save_offer(&txn, None, offer.institution_id, &edit, now).await?;
    let audit = Audit {
        actor: &staff.user,
        action: domain::audit::AuditAction::OfferDuplicated,
        target: format!("offre {new_id} (copie de {})", offer.id),
        before: None,
        after: Some("draft".into()),
    };
    db::backoffice::audit(&txn, audit, now).await?;
    txn.commit().await.map_err(db::DbError::from)?;
    Ok(Redirect::to(&format!("/recruteur/offres/{new_id}/modifier?enregistre=1")).into_response())
}
