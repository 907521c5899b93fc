//! Writing offers in the recruiter space: create (a draft), edit with a preview of the
//! Markdown sections, autosave of drafts (htmx), duplicate. Publishing is a state change
//! (`recruiter::set_state`), which checks what a public offer needs.

use crate::AppState;
use crate::auth::StaffUser;
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::Page;
use crate::markdown;
use crate::offer_search::Taxonomy;
use crate::widgets::Opt;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use db::backoffice::OfferEdit;
use db::entity::{institution, service};
use domain::offer::{
    Category, ContractType, EducationLevel, Experience, OfferNature, Remote, Vacancy, Versant, WorkingTime,
};

/// The Markdown sections of an offer: (field, label).
const SECTIONS: &[(&str, &str)] = &[
    ("missions", "Vos missions"),
    ("profil", "Votre profil"),
    ("equipe", "L’équipe"),
    ("contexte", "Le contexte"),
    ("avantages", "Les avantages"),
    ("processus", "Le processus de recrutement"),
];

/// One field of the editor's fact sections: a list (`options` not empty) or an input of `kind`.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: &'static str,
    pub options: Vec<Opt>,
    /// The width on a large screen, in twelfths.
    pub width: u8,
}

/// A titled group of fields (a `fieldset`).
pub struct Group {
    pub legend: &'static str,
    pub fields: Vec<Field>,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/offer_form.html")]
pub struct OfferForm {
    page: Page,
    form: Form,
    action: String,
    offer_id: Option<i64>,
    sections: &'static [(&'static str, &'static str)],
    groups: Vec<Group>,
    contracts: Vec<Opt>,
    preview: Vec<(&'static str, String)>,
    saved: bool,
    /// An administrator's new offer names its employer (they belong to none).
    acting_for: Option<institution::Model>,
}

/// The choices of a list: "—" (not said), then `(code, label)` pairs.
fn choices(pairs: impl IntoIterator<Item = (String, String)>, form: &Form, name: &str) -> Vec<Opt> {
    std::iter::once(Opt { value: String::new(), label: "—".into(), checked: form.get(name).is_empty() })
        .chain(pairs.into_iter().map(|(value, label)| {
            let checked = form.get(name) == value;
            Opt { value, label, checked }
        }))
        .collect()
}

fn list<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_string(), label(*v).to_string())).collect()
}

fn select(name: &'static str, label: &'static str, pairs: Vec<(String, String)>, form: &Form) -> Field {
    Field { name, label, hint: "", kind: "select", options: choices(pairs, form, name), width: 4 }
}

fn input(name: &'static str, label: &'static str, kind: &'static str, hint: &'static str, width: u8) -> Field {
    Field { name, label, hint, kind, options: Vec::new(), width }
}

/// What an offer of an institution may be attached to: its services and the products it sponsors.
struct Choices {
    services: Vec<service::Model>,
    /// `(id, title)` of its published products.
    products: Vec<(String, String)>,
}

impl Choices {
    async fn load(state: &AppState, institution_id: i64) -> AppResult<Self> {
        let services = db::institutions::services(state.db.conn(), institution_id).await?;
        let products = db::products::public_of_institution(state.db.conn(), institution_id)
            .await?
            .into_iter()
            .map(|p| (p.product.id.to_string(), p.product.title))
            .collect();
        Ok(Self { services, products })
    }
}

/// The editor's fact sections, in the order the offer page shows them.
fn groups(taxonomy: &Taxonomy, choices: &Choices, form: &Form) -> Vec<Group> {
    let professions = taxonomy.professions.iter().map(|(_, slug, label)| (slug.clone(), label.clone())).collect();
    let departements =
        domain::geo::departements().iter().map(|d| (d.code.clone(), format!("{} ({})", d.name, d.code))).collect();
    let mut place = vec![
        select("departement", "Département", departements, form),
        input("ville", "Ville", "text", "", 4),
        input("adresse", "Adresse", "text", "Numéro et rue, par exemple : 20 avenue de Ségur", 4),
        select("teletravail", "Télétravail", list(Remote::ALL, Remote::code, Remote::label), form),
    ];
    if !choices.services.is_empty() {
        let pairs = choices.services.iter().map(|s| (s.id.to_string(), s.name.clone())).collect();
        place.insert(0, select("service", "Service", pairs, form));
    }
    if !choices.products.is_empty() {
        place.insert(0, select("produit", "Produit sur lequel porte le poste", choices.products.clone(), form));
    }
    vec![
        Group {
            legend: "Le poste",
            fields: vec![
                select(
                    "nature",
                    "Nature de l’emploi",
                    list(OfferNature::ALL, OfferNature::code, OfferNature::label),
                    form,
                ),
                input("duree", "Durée du contrat (mois)", "text", "Pour un CDD, un stage ou un apprentissage", 4),
                select("categorie", "Catégorie", list(Category::ALL, Category::code, Category::label), form),
                select("versant", "Versant", list(Versant::ALL, Versant::code, Versant::label), form),
                select(
                    "temps_travail",
                    "Temps de travail",
                    list(WorkingTime::ALL, WorkingTime::code, WorkingTime::label),
                    form,
                ),
                select("vacance", "Poste", list(Vacancy::ALL, Vacancy::code, Vacancy::label), form),
                input("prise_de_poste", "Prise de poste", "date", "Laissez vide pour « dès que possible »", 4),
            ],
        },
        Group {
            legend: "Le profil recherché",
            fields: vec![
                select("metier", "Métier", professions, form),
                select("experience", "Expérience", list(Experience::ALL, Experience::code, Experience::label), form),
                select(
                    "etudes",
                    "Niveau d’études",
                    list(EducationLevel::ALL, EducationLevel::code, EducationLevel::label),
                    form,
                ),
                input("langues", "Langues", "text", "Par exemple : anglais courant", 4),
            ],
        },
        Group { legend: "Le lieu", fields: place },
        Group {
            legend: "Rémunération et candidature",
            fields: vec![
                input("salaire_min", "Salaire annuel brut minimum (euros)", "text", "", 4),
                input("salaire_max", "Salaire annuel brut maximum (euros)", "text", "", 4),
                input("date_limite", "Date limite de candidature", "date", "", 4),
                input(
                    "lien_candidature",
                    "Lien de candidature externe (facultatif)",
                    "url",
                    "Laissez vide pour recevoir les candidatures ici.",
                    8,
                ),
            ],
        },
    ]
}

fn page_of(
    taxonomy: &Taxonomy,
    choices: &Choices,
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
    let contracts = ContractType::ALL
        .iter()
        .map(|c| Opt { value: c.code().into(), label: c.label().into(), checked: form.has("contrat", c.code()) })
        .collect();
    OfferForm {
        page: Page::new(title.clone()).crumbs(&[("Espace recruteur", Some("/recruteur")), (title.as_str(), None)]),
        action: offer_id
            .map_or("/recruteur/offres/nouvelle".to_string(), |id| format!("/recruteur/offres/{id}/modifier")),
        groups: groups(taxonomy, choices, &form),
        form,
        offer_id,
        sections: SECTIONS,
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
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let pairs: [(&str, Option<String>); 19] = [
        ("categorie", e.category.map(|v| v.code().into())),
        ("versant", e.versant.map(|v| v.code().into())),
        ("experience", e.experience.map(|v| v.code().into())),
        ("teletravail", e.remote.map(|v| v.code().into())),
        ("metier", e.profession.clone()),
        ("departement", e.departement_code.clone()),
        ("ville", e.city.clone()),
        ("salaire_min", e.salary_min.map(|s| s.to_string())),
        ("salaire_max", e.salary_max.map(|s| s.to_string())),
        // The day in Paris (a deadline is stored as 23:59:59 there, 21:59:59 or 22:59:59 UTC).
        ("date_limite", e.expires_at.map(|d| day(crate::format::paris(d).date_naive()))),
        ("lien_candidature", e.application_url.clone()),
        ("nature", e.nature.map(|v| v.code().into())),
        ("duree", e.duration_months.map(|m| m.to_string())),
        ("etudes", e.education.map(|v| v.code().into())),
        ("temps_travail", e.working_time.map(|v| v.code().into())),
        ("vacance", e.vacancy.map(|v| v.code().into())),
        ("adresse", e.address.clone()),
        ("prise_de_poste", e.starts_on.map(day)),
        ("langues", e.languages.clone()),
    ];
    for (k, v) in pairs {
        if let Some(v) = v {
            f.set(k, v);
        }
    }
    if let Some(id) = e.service_id {
        f.set("service", id.to_string());
    }
    if let Some(id) = e.product_id {
        f.set("produit", id.to_string());
    }
    f
}

/// A value of a closed list; one the list does not hold is an error next to the field, never
/// silently dropped.
fn choice<T: std::str::FromStr>(form: &mut Form, name: &str) -> Option<T> {
    let raw = form.opt(name)?;
    match raw.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            form.add_error(name, "Choisissez une valeur de la liste.");
            None
        }
    }
}

/// A date typed as `AAAA-MM-JJ` (what `<input type="date">` sends).
fn day(form: &mut Form, name: &str) -> Option<NaiveDate> {
    let raw = form.opt(name)?;
    match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            form.add_error(name, "Saisissez une date au format JJ/MM/AAAA.");
            None
        }
    }
}

/// Validates the form into an [`OfferEdit`] (errors in `form`).
/// `now`, and what was stored before (`None` for a new offer): a deadline or a start date set
/// or changed must be to come; one kept as it was may have passed (the offer is then edited,
/// not reopened).
fn validate(
    taxonomy: &Taxonomy,
    choices: &Choices,
    form: &mut Form,
    now: DateTime<Utc>,
    stored: Option<&OfferEdit>,
) -> OfferEdit {
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
    // The end of that day in Paris, summer or winter time.
    let expires_at = day(form, "date_limite").and_then(|d| crate::format::paris_at(d, 23, 59, 59));
    if let Some(end) = expires_at
        && end <= now
        && Some(end) != stored.and_then(|s| s.expires_at)
    {
        form.add_error(
            "date_limite",
            "La date limite de candidature doit être à venir : choisissez aujourd’hui ou une date future.",
        );
    }
    let starts_on = day(form, "prise_de_poste");
    let today = crate::format::paris(now).date_naive();
    if let Some(start) = starts_on
        && start < today
        && Some(start) != stored.and_then(|s| s.starts_on)
    {
        form.add_error("prise_de_poste", "La prise de poste doit être aujourd’hui ou plus tard.");
    }
    let duration_months = match form.opt("duree") {
        None => None,
        Some(v) => match v.parse::<i32>() {
            Ok(n) if (1..=72).contains(&n) => Some(n),
            _ => {
                form.add_error("duree", "Saisissez une durée en mois, entre 1 et 72.");
                None
            }
        },
    };
    let application_url = form.url("lien_candidature", "le lien de candidature externe");
    let mut contract_types = Vec::new();
    for raw in form.all("contrat") {
        match raw.parse() {
            Ok(c) => contract_types.push(c),
            Err(_) => form.add_error("contrat-liste", "Choisissez les types de contrat dans la liste."),
        }
    }
    let profession = form.opt("metier");
    if profession.as_deref().is_some_and(|s| taxonomy.profession_by_slug(s).is_none()) {
        form.add_error("metier", "Choisissez un métier de la liste.");
    }
    let departement_code = form.opt("departement");
    if departement_code.as_deref().is_some_and(|d| domain::geo::departement(d).is_none()) {
        form.add_error("departement", "Choisissez un département de la liste.");
    }
    let service_id =
        form.opt("service").map(|raw| choices.services.iter().find(|s| s.id.to_string() == raw).map(|s| s.id));
    if service_id == Some(None) {
        form.add_error("service", "Choisissez un service de votre employeur.");
    }
    // Only a product the offer's employer sponsors: another one's id is an error, not an attachment.
    let product_id = form
        .opt("produit")
        .map(|raw| choices.products.iter().find(|p| p.0 == raw).and_then(|p| p.0.parse::<i64>().ok()));
    if product_id == Some(None) {
        form.add_error("produit", "Choisissez un produit de votre employeur.");
    }
    OfferEdit {
        title,
        mission,
        profile,
        team,
        context,
        perks,
        process,
        contract_types,
        category: choice(form, "categorie"),
        versant: choice(form, "versant"),
        profession,
        experience: choice(form, "experience"),
        remote: choice(form, "teletravail"),
        salary_min,
        salary_max,
        departement_code,
        city: form.optional("ville", "la ville", 100),
        expires_at,
        application_url,
        nature: choice(form, "nature"),
        duration_months,
        education: choice(form, "etudes"),
        working_time: choice(form, "temps_travail"),
        vacancy: choice(form, "vacance"),
        address: form.optional("adresse", "l’adresse", 200),
        starts_on,
        languages: form.optional("langues", "les langues", 200),
        service_id: service_id.flatten(),
        product_id: product_id.flatten(),
    }
}

/// What an edit changed, field by field in French, for the audit log.
fn changes(before: &OfferEdit, after: &OfferEdit, choices: &Choices) -> (String, String) {
    let fields = |e: &OfferEdit| -> Vec<(&'static str, Option<String>)> {
        let label = |v: Option<&'static str>| v.map(str::to_string);
        vec![
            ("Intitulé", Some(e.title.clone())),
            ("Missions", e.mission.clone()),
            ("Profil", e.profile.clone()),
            ("Équipe", e.team.clone()),
            ("Contexte", e.context.clone()),
            ("Avantages", e.perks.clone()),
            ("Processus", e.process.clone()),
            ("Types de contrat", Some(e.contract_types.iter().map(|c| c.label()).collect::<Vec<_>>().join(", "))),
            ("Nature de l’emploi", label(e.nature.map(OfferNature::label))),
            ("Durée (mois)", e.duration_months.map(|m| m.to_string())),
            ("Catégorie", label(e.category.map(Category::label))),
            ("Versant", label(e.versant.map(Versant::label))),
            ("Temps de travail", label(e.working_time.map(WorkingTime::label))),
            ("Poste", label(e.vacancy.map(Vacancy::label))),
            ("Prise de poste", e.starts_on.map(crate::format::naive_date)),
            ("Métier", e.profession.clone()),
            ("Expérience", label(e.experience.map(Experience::label))),
            ("Niveau d’études", label(e.education.map(EducationLevel::label))),
            ("Langues", e.languages.clone()),
            (
                "Service",
                e.service_id
                    .map(|id| choices.services.iter().find(|s| s.id == id).map_or(id.to_string(), |s| s.name.clone())),
            ),
            (
                "Produit",
                e.product_id.map(|id| {
                    choices.products.iter().find(|p| p.0 == id.to_string()).map_or(id.to_string(), |p| p.1.clone())
                }),
            ),
            ("Département", e.departement_code.clone()),
            ("Ville", e.city.clone()),
            ("Adresse", e.address.clone()),
            ("Télétravail", label(e.remote.map(Remote::label))),
            ("Salaire minimum", e.salary_min.map(|s| s.to_string())),
            ("Salaire maximum", e.salary_max.map(|s| s.to_string())),
            ("Date limite", e.expires_at.map(crate::format::date)),
            ("Lien de candidature", e.application_url.clone()),
        ]
    };
    super::field_changes(&fields(before), &fields(after))
}

fn preview_of(form: &Form) -> Vec<(&'static str, String)> {
    SECTIONS.iter().filter_map(|(name, label)| form.opt(name).map(|t| (*label, markdown::to_html(&t)))).collect()
}

/// The employer of a new offer: a recruiter's own; for an administrator, the one named by
/// `employeur` (`None`: they must choose one first).
fn choose_employer_first() -> Response {
    super::with_message(
        "/admin/employeurs",
        "Choisissez l’employeur, puis « Publier une offre pour cet employeur » sur sa fiche.",
    )
}

/// `GET /recruteur/offres/nouvelle` (recruiter; administrators with `?employeur=`).
pub async fn new_form(State(state): State<AppState>, staff: StaffUser, RawQuery(q): RawQuery) -> AppResult<Response> {
    let requested = crate::forms::query_param(q.as_deref(), "employeur").unwrap_or_default();
    let Some(inst) = super::employer_of_new(&state, &staff, &requested).await? else {
        return Ok(choose_employer_first());
    };
    let services = Choices::load(&state, inst.id).await?;
    let mut page = page_of(&state.taxonomy.current(), &services, Form::default(), None, Vec::new(), false);
    page.acting_for = staff.institution_id.is_none().then_some(inst);
    Ok(page.into_response())
}

/// `POST /recruteur/offres/nouvelle` (recruiter; administrators with `employeur`): saves a
/// draft, then goes to its edit page.
pub async fn create(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some(inst) = super::employer_of_new(&state, &staff, form.get("employeur")).await? else {
        return Ok(choose_employer_first());
    };
    let institution_id = inst.id;
    let services = Choices::load(&state, inst.id).await?;
    let edit = validate(&state.taxonomy.current(), &services, &mut form, state.now(), None);
    if !form.is_valid() {
        let mut page = page_of(&state.taxonomy.current(), &services, form, None, Vec::new(), false);
        page.acting_for = staff.institution_id.is_none().then_some(inst);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let id = crate::services::offers::create(&state, &staff.user, institution_id, &edit).await?;
    let apercu = if form.get("action") == "apercu" { "&apercu=1" } else { "" };
    Ok(Redirect::to(&format!("/recruteur/offres/{id}/modifier?enregistre=1{apercu}")).into_response())
}

async fn current(state: &AppState, staff: &StaffUser, id: &i64) -> AppResult<(db::entity::offer::Model, OfferEdit)> {
    let offer = db::backoffice::managed_offer(state.db.conn(), *id, staff.institution_id).await?;
    let contracts = db::backoffice::offer_contracts(state.db.conn(), offer.id).await?;
    let profession = db::backoffice::profession_slug(state.db.conn(), offer.profession_id).await?;
    let edit = OfferEdit::of(&offer, contracts, profession)?;
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
    let services = Choices::load(&state, offer.institution_id).await?;
    let form = form_of(&edit);
    let flag = |name| crate::forms::query_param(q.as_deref(), name).as_deref() == Some("1");
    let preview = if flag("apercu") { preview_of(&form) } else { Vec::new() };
    Ok(page_of(&state.taxonomy.current(), &services, form, Some(offer.id), preview, flag("enregistre")))
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
    let services = Choices::load(&state, offer.institution_id).await?;
    let mut form = Form::parse(&body);
    let edit = validate(&state.taxonomy.current(), &services, &mut form, state.now(), Some(&before));
    let autosave = headers.contains_key("hx-request");
    if !form.is_valid() {
        if autosave {
            return Ok(Html("<p id=\"etat-brouillon\" class=\"fr-text--sm\" role=\"status\">Brouillon non enregistré : corrigez les champs signalés puis enregistrez.</p>").into_response());
        }
        let page = page_of(&state.taxonomy.current(), &services, form, Some(offer.id), Vec::new(), false);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let changes = changes(&before, &edit, &services);
    crate::services::offers::save(&state, &staff.user, &offer, &edit, changes).await?;
    if autosave {
        let time = crate::format::paris(state.now()).format("%H:%M");
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
    let new_id = crate::services::offers::duplicate(&state, &staff.user, &offer, &edit).await?;
    Ok(Redirect::to(&format!("/recruteur/offres/{new_id}/modifier?enregistre=1")).into_response())
}
