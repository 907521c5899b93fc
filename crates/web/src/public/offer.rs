//! `GET /emploi/{slug}` (public): one offer. 404 for an unknown slug or a draft, 410 once
//! deleted, a banner when filled or expired.

use crate::error::{AppError, AppResult};
use crate::layout::{Nav, Page};
use crate::public::offers::{Card, card};
use crate::{AppState, format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use db::listing::OfferView;
use domain::offer::{
    Category, ContractType, EducationLevel, Experience, OfferNature, OfferState, Remote, Vacancy, Versant, WorkingTime,
};
use serde_json::{Value, json};

pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/show.html")]
pub struct OfferPage {
    pub page: Page,
    pub title: String,
    pub employer_name: String,
    pub employer_slug: String,
    pub employer_presentation: Option<String>,
    pub service: Option<String>,
    pub facts: Vec<(&'static str, String)>,
    pub sections: Vec<Section>,
    pub banner: Option<&'static str>,
    pub application_url: Option<String>,
    pub canonical: String,
    pub json_ld: String,
    pub share: Vec<(&'static str, String, &'static str)>,
    pub related: Vec<Card>,
    pub published: String,
    /// Whether applying is possible (open offer).
    pub open: bool,
    pub slug: String,
    pub favourite: FavouriteButton,
    /// The product the post works on: `(slug, title, mission)`.
    pub product: Option<(String, String, String)>,
}

fn label<T: std::str::FromStr>(v: &Option<String>, f: fn(T) -> &'static str) -> Option<String> {
    v.as_deref().and_then(|s| s.parse::<T>().ok()).map(|x| f(x).to_string())
}

pub async fn show(
    State(state): State<AppState>,
    crate::auth::MaybeUser(user): crate::auth::MaybeUser,
    Path(slug): Path<String>,
) -> AppResult<OfferPage> {
    let view = db::listing::public_by_slug(state.db.conn(), &slug).await?;
    let o = &view.offer;
    let offer_state: OfferState = o.state.parse().map_err(|_| AppError::NotFound)?;
    let now = state.clock.now();
    let banner = match offer_state {
        OfferState::Filled => Some("Cette offre a été pourvue : il n’est plus possible d’y candidater."),
        OfferState::Archived => Some("Cette offre a été retirée : il n’est plus possible d’y candidater."),
        _ if !domain::offer::is_open(offer_state, o.expires_at, now) => {
            Some("La date limite de candidature de cette offre est passée.")
        }
        _ => None,
    };
    let is_favourite = match &user {
        Some(u) => db::favourites::is_favourite(state.db.conn(), u.id, o.id).await?,
        None => false,
    };
    let mut related = db::listing::latest_open(state.db.conn(), now, 3, None, o.profession_id, Some(o.id)).await?;
    if related.len() < 4 {
        let same_employer =
            db::listing::latest_open(state.db.conn(), now, 4, Some(o.institution_id), None, Some(o.id)).await?;
        for v in same_employer {
            if related.len() < 4 && !related.iter().any(|r| r.offer.id == v.offer.id) {
                related.push(v);
            }
        }
    }
    let canonical = format!("{}/emploi/{}", state.config.public_url.trim_end_matches('/'), o.slug);
    let favourite = FavouriteButton {
        on: is_favourite,
        signed_in: user.is_some(),
        ..FavouriteButton::anonymous(&o.slug, &o.title)
    };
    let mut related: Vec<Card> = related.iter().map(|v| card(v, None)).collect();
    mark_favourites(&state, user.as_deref(), &mut related, &format!("/emploi/{}", o.slug)).await?;
    let product = match o.product_id {
        Some(id) => db::products::public_by_ids(state.db.conn(), &[id])
            .await?
            .pop()
            .map(|p| (p.product.slug, p.product.title, markdown::to_plain(&p.product.mission, 200))),
        None => None,
    };
    Ok(OfferPage { product, ..build(&view, banner, canonical, related, favourite) })
}

fn build(
    view: &OfferView,
    banner: Option<&'static str>,
    canonical: String,
    related: Vec<Card>,
    favourite: FavouriteButton,
) -> OfferPage {
    let o = &view.offer;
    let mut sections = Vec::new();
    for (id, title, text) in [
        ("missions", "Vos missions", &o.mission),
        ("profil", "Votre profil", &o.profile),
        ("equipe", "L’équipe", &o.team),
        ("contexte", "Le contexte", &o.context),
        ("avantages", "Les avantages", &o.perks),
        ("processus", "Le processus de recrutement", &o.process),
        ("particularites", "Particularités du poste", &o.particularities),
        ("candidater", "Comment candidater", &o.how_to_apply),
    ] {
        if let Some(t) = text {
            sections.push(Section { id, title, html: markdown::to_html(t) });
        }
    }
    let contracts: Vec<&str> =
        view.contract_types.iter().filter_map(|c| c.parse::<ContractType>().ok()).map(ContractType::label).collect();
    let location = [
        o.city.clone(),
        o.departement_code.as_deref().and_then(domain::geo::departement).map(|d| format!("{} ({})", d.name, d.code)),
        o.region_code.as_deref().and_then(domain::geo::region).map(|r| r.name.clone()),
    ]
    .into_iter()
    .flatten()
    .fold(Vec::<String>::new(), |mut acc, s| {
        if !acc.contains(&s) {
            acc.push(s);
        }
        acc
    })
    .join(", ");
    let mut facts: Vec<(&'static str, Option<String>)> = vec![
        ("Type de contrat", (!contracts.is_empty()).then(|| contracts.join(", "))),
        ("Durée", o.duration_months.map(|m| format!("{m} mois"))),
        ("Nature de l’emploi", label(&o.nature, OfferNature::label)),
        ("Catégorie", label(&o.category, Category::label)),
        ("Versant", label(&o.versant, Versant::label)),
        ("Expérience", label(&o.experience, Experience::label)),
        ("Niveau d’études", label(&o.education, EducationLevel::label)),
        ("Télétravail", label(&o.remote, Remote::label)),
        ("Temps de travail", label(&o.working_time, WorkingTime::label)),
        ("Rémunération", format::salary(o.salary_min, o.salary_max)),
        ("Lieu", (!location.is_empty()).then_some(location)),
        ("Adresse", o.address.clone()),
        ("Prise de poste", o.starts_on.map(format::naive_date)),
        (
            "Date limite de candidature",
            Some(o.expires_at.map(format::date).unwrap_or_else(|| "sans date limite".into())),
        ),
        ("Poste", label(&o.vacancy, Vacancy::label)),
        ("Métier", view.profession.as_ref().map(|p| p.label.clone()).or_else(|| o.profession_label.clone())),
        (
            "Domaine",
            (!view.domains.is_empty())
                .then(|| view.domains.iter().map(|d| d.label.clone()).collect::<Vec<_>>().join(", ")),
        ),
        ("Langues", o.languages.clone()),
        ("Référence", o.reference.clone()),
    ];
    let facts = facts.drain(..).filter_map(|(k, v)| v.map(|v| (k, v))).collect();
    let description = markdown::to_plain(o.mission.as_deref().or(o.profile.as_deref()).unwrap_or(&o.title), 160);
    let title = o.title.clone();
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let share = vec![
        ("LinkedIn", format!("https://www.linkedin.com/sharing/share-offsite/?url={}", enc(&canonical)), "linkedin"),
        ("Facebook", format!("https://www.facebook.com/sharer.php?u={}", enc(&canonical)), "facebook"),
        ("Mastodon", format!("https://mastodonshare.com/?text={}&url={}", enc(&title), enc(&canonical)), "mastodon"),
        ("courriel", format!("mailto:?subject={}&body={}", enc(&title).replace('+', "%20"), enc(&canonical)), "mail"),
    ];
    OfferPage {
        page: Page::new(title.clone())
            .nav(Nav::Offers)
            .description(description)
            .canonical(canonical.clone())
            .crumbs(&[("Offres d’emploi", Some("/offres-emploi")), (title.as_str(), None)]),
        // A closed offer is no longer a job posting for search engines (Google asks to remove
        // the markup rather than keep a future validThrough).
        json_ld: if banner.is_none() { json_ld(view, &canonical, &sections) } else { String::new() },
        employer_name: view.institution.name.clone(),
        employer_slug: view.institution.slug.clone(),
        employer_presentation: view.institution.presentation.as_deref().map(|p| markdown::to_plain(p, 300)),
        service: view.service.as_ref().map(|s| s.name.clone()),
        published: format::date(o.published_at),
        application_url: o.application_url.clone().filter(|_| banner.is_none()),
        open: banner.is_none(),
        slug: o.slug.clone(),
        favourite,
        title,
        facts,
        sections,
        banner,
        canonical,
        share,
        related,
        product: None,
    }
}

/// schema.org JobPosting, serialised so that no value can close the script element.
fn json_ld(view: &OfferView, canonical: &str, sections: &[Section]) -> String {
    let o = &view.offer;
    let mut types: Vec<&str> = Vec::new();
    let part_time = o.working_time.as_deref() == Some(WorkingTime::Part.code());
    types.push(if part_time { "PART_TIME" } else { "FULL_TIME" });
    for c in &view.contract_types {
        let t = match c.parse::<ContractType>() {
            Ok(ContractType::FixedTerm) => "TEMPORARY",
            Ok(ContractType::Internship) => "INTERN",
            Ok(ContractType::Freelance) => "CONTRACTOR",
            Ok(ContractType::InternationalVolunteer) => "VOLUNTEER",
            Ok(ContractType::Apprenticeship) => "OTHER",
            _ => continue,
        };
        if !types.contains(&t) {
            types.push(t);
        }
    }
    let mut org = json!({"@type": "Organization", "name": view.institution.name});
    if let Some(site) = &view.institution.website {
        org["sameAs"] = json!(site);
    }
    // Uploaded logos are served at /logos/…: an absolute address, as search engines need.
    if let Some(logo) = view.institution.logo_path.as_deref().filter(|l| l.starts_with("logos/")) {
        org["logo"] = json!(format!("{}/{logo}", origin(canonical)));
    }
    let mut address = json!({"@type": "PostalAddress", "addressCountry": "FR"});
    if let Some(street) = &o.address {
        address["streetAddress"] = json!(street);
    }
    if let Some(city) = &o.city {
        address["addressLocality"] = json!(city);
    }
    if let Some(r) = o.region_code.as_deref().and_then(domain::geo::region) {
        address["addressRegion"] = json!(r.name);
    }
    if let Some(pc) = &o.postal_code {
        address["postalCode"] = json!(pc);
    }
    let description: String = sections.iter().map(|s| format!("<h2>{}</h2>{}", s.title, s.html)).collect();
    let mut v: Value = json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": o.title,
        "description": description,
        "datePosted": o.published_at.date_naive().to_string(),
        "employmentType": types,
        "hiringOrganization": org,
        "jobLocation": {"@type": "Place", "address": address},
        "identifier": {"@type": "PropertyValue", "name": view.institution.name, "value": o.reference.clone().unwrap_or_else(|| o.slug.clone())},
        // Applying happens here unless the employer has its own application site.
        "directApply": o.application_url.is_none(),
        "url": canonical,
    });
    if let Some(end) = o.expires_at {
        v["validThrough"] = json!(end.to_rfc3339());
    }
    if o.salary_min.is_some() || o.salary_max.is_some() {
        let mut value = json!({"@type": "QuantitativeValue", "unitText": "YEAR"});
        if let Some(min) = o.salary_min {
            value["minValue"] = json!(min);
        }
        if let Some(max) = o.salary_max {
            value["maxValue"] = json!(max);
        }
        v["baseSalary"] = json!({"@type": "MonetaryAmount", "currency": "EUR", "value": value});
    }
    if o.remote.as_deref() == Some(Remote::Full.code()) {
        v["jobLocationType"] = json!("TELECOMMUTE");
        v["applicantLocationRequirements"] = json!({"@type": "Country", "name": "FR"});
    }
    script_safe_json(&v)
}

/// `https://host` of an absolute URL (the site's public address).
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

/// JSON whose `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`: still the same
/// JSON, but `</script>` cannot appear in it.
pub fn script_safe_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The star that adds an offer to the candidate's favourites: a form that works without
/// JavaScript (back to `back`), swapped in place by htmx; a sign-in link for visitors.
#[derive(Debug, Clone, Template, WebTemplate)]
#[template(path = "offers/_favourite.html")]
pub struct FavouriteButton {
    pub slug: String,
    pub title: String,
    pub on: bool,
    pub signed_in: bool,
    pub back: String,
}

impl FavouriteButton {
    /// As a visitor sees it; [`mark_favourites`] sets it for a signed-in candidate.
    pub fn anonymous(slug: &str, title: &str) -> Self {
        Self {
            slug: slug.to_string(),
            title: title.to_string(),
            on: false,
            signed_in: false,
            back: format!("/emploi/{slug}"),
        }
    }

    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// Sets the stars of `cards` for the signed-in user (one query), returning to `back`.
pub async fn mark_favourites(
    state: &AppState,
    user: Option<&db::entity::user::Model>,
    cards: &mut [super::offers::Card],
    back: &str,
) -> AppResult<()> {
    let Some(user) = user else { return Ok(()) };
    let ids = db::favourites::ids(state.db.conn(), user.id).await?;
    for c in cards {
        c.favourite.signed_in = true;
        c.favourite.on = ids.contains(&c.id);
        c.favourite.back = back.to_string();
    }
    Ok(())
}
