//! `/api/v1/offres`, `/api/v1/offres/{slug}`, `/api/v1/employeurs`.

use super::{error, internal};
use crate::AppState;
use crate::offer_search::{self, MAX_PAGE, SearchParams};
use crate::public::offers::execute;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use db::listing::OfferView;
use search::Facet;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A code with its French label.
#[derive(Debug, Serialize, ToSchema)]
pub struct Label {
    pub code: String,
    pub libelle: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerRef {
    pub slug: String,
    pub nom: String,
}

/// Where the post is (INSEE codes).
#[derive(Debug, Serialize, ToSchema)]
pub struct Place {
    pub commune: Option<String>,
    pub code_commune: Option<String>,
    pub code_postal: Option<String>,
    pub departement: Option<Label>,
    pub region: Option<Label>,
}

/// An offer in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferSummary {
    pub slug: String,
    /// The reference of the offer at its source (Choisir le service public, PEP or this platform).
    pub reference_source: String,
    /// Where the offer comes from: code `plateforme`, `csp` (Choisir le service public) or `pep`
    /// (Place de l’emploi public), with its label.
    pub source: Label,
    pub intitule: String,
    pub url: String,
    pub employeur: EmployerRef,
    pub lieu: Place,
    /// ISO 8601.
    pub date_publication: String,
    /// ISO 8601; absent when the offer has no deadline.
    pub date_limite: Option<String>,
    /// Code `publiee`, `pourvue` or `archivee`, with its label.
    pub etat: Label,
    pub contrats: Vec<Label>,
    pub nature: Option<Label>,
    pub categorie: Option<Label>,
    pub versant: Option<Label>,
    pub experience: Option<Label>,
    pub teletravail: Option<Label>,
    pub salaire_min: Option<i32>,
    pub salaire_max: Option<i32>,
    pub metier: Option<Label>,
    pub domaines: Vec<Label>,
}

/// The texts of an offer, in Markdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct Sections {
    pub missions: Option<String>,
    pub profil: Option<String>,
    pub equipe: Option<String>,
    pub contexte: Option<String>,
    pub avantages: Option<String>,
    pub processus: Option<String>,
    pub particularites: Option<String>,
    pub candidater: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OfferDetail {
    #[serde(flatten)]
    pub resume: OfferSummary,
    pub textes: Sections,
    /// The employer's application page, when applications are made there.
    pub url_candidature: Option<String>,
    pub date_prise_de_poste: Option<String>,
    pub duree_mois: Option<i32>,
    pub langues: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValue {
    pub valeur: String,
    pub libelle: String,
    pub nombre: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Number of matching offers.
    pub total: u64,
    pub page: usize,
    pub par_page: usize,
    pub offres: Vec<OfferSummary>,
    /// Per filter parameter, its values with their counts (each facet applies the other filters).
    pub facettes: BTreeMap<String, Vec<FacetValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Employer {
    pub slug: String,
    pub nom: String,
    pub sigle: Option<String>,
    pub ministere: Option<String>,
    pub offres_ouvertes: u64,
    pub url: String,
}

fn label<T: std::str::FromStr + Copy>(
    v: &Option<String>,
    code: fn(T) -> &'static str,
    lbl: fn(T) -> &'static str,
) -> Option<Label> {
    v.as_deref().and_then(|s| s.parse::<T>().ok()).map(|x| Label { code: code(x).into(), libelle: lbl(x).into() })
}

/// The API's own codes for where an offer comes from: stable, French, documented (the
/// database's codes are internal and may change).
fn source_label(code: &str) -> Label {
    let (api, libelle) = match code.parse::<domain::offer::Source>() {
        Ok(domain::offer::Source::Platform) => ("plateforme", domain::offer::Source::Platform.label()),
        Ok(domain::offer::Source::Csp) => ("csp", domain::offer::Source::Csp.label()),
        Ok(domain::offer::Source::Pep) => ("pep", domain::offer::Source::Pep.label()),
        Err(_) => ("inconnue", "Source inconnue"),
    };
    Label { code: api.into(), libelle: libelle.into() }
}

/// The API's own codes for an offer's state (drafts are never shown).
fn state_label(code: &str) -> Label {
    use domain::offer::OfferState;
    let (api, libelle) = match code.parse::<OfferState>() {
        Ok(OfferState::Published) => ("publiee", OfferState::Published.label()),
        Ok(OfferState::Filled) => ("pourvue", OfferState::Filled.label()),
        Ok(OfferState::Archived) => ("archivee", OfferState::Archived.label()),
        Ok(OfferState::Draft) | Err(_) => ("inconnu", "État inconnu"),
    };
    Label { code: api.into(), libelle: libelle.into() }
}

fn summary(v: &OfferView, base: &str) -> OfferSummary {
    use domain::offer::{Category, ContractType, Experience, OfferNature, Remote, Versant};
    let o = &v.offer;
    OfferSummary {
        slug: o.slug.clone(),
        reference_source: o.source_ref.clone(),
        source: source_label(&o.source),
        intitule: o.title.clone(),
        url: format!("{base}/emploi/{}", o.slug),
        employeur: EmployerRef { slug: v.institution.slug.clone(), nom: v.institution.name.clone() },
        lieu: Place {
            commune: o.city.clone(),
            code_commune: o.commune_code.clone(),
            code_postal: o.postal_code.clone(),
            departement: o
                .departement_code
                .as_deref()
                .and_then(domain::geo::departement)
                .map(|d| Label { code: d.code.clone(), libelle: d.name.clone() }),
            region: o
                .region_code
                .as_deref()
                .and_then(domain::geo::region)
                .map(|r| Label { code: r.code.clone(), libelle: r.name.clone() }),
        },
        date_publication: o.published_at.to_rfc3339(),
        date_limite: o.expires_at.map(|d| d.to_rfc3339()),
        etat: state_label(&o.state),
        contrats: v
            .contract_types
            .iter()
            .filter_map(|c| c.parse::<ContractType>().ok())
            .map(|c| Label { code: c.code().into(), libelle: c.label().into() })
            .collect(),
        nature: label(&o.nature, OfferNature::code, OfferNature::label),
        categorie: label(&o.category, Category::code, Category::label),
        versant: label(&o.versant, Versant::code, Versant::label),
        experience: label(&o.experience, Experience::code, Experience::label),
        teletravail: label(&o.remote, Remote::code, Remote::label),
        salaire_min: o.salary_min,
        salaire_max: o.salary_max,
        metier: v.profession.as_ref().map(|p| Label { code: p.slug.clone(), libelle: p.label.clone() }),
        domaines: v.domains.iter().map(|d| Label { code: d.slug.clone(), libelle: d.label.clone() }).collect(),
    }
}

/// Strict reading of the API parameters: anything unknown is a 400 that says what.
fn parse_strict(raw: Option<&str>, state: &AppState) -> Result<(SearchParams, usize), String> {
    let mut per_page = 20;
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let v = value.trim();
        match key.as_ref() {
            "q" if v.chars().count() > 200 => return Err("q : 200 caractères au plus".into()),
            "q" | "employeur" | "projet" => {}
            "page" => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => {}
                _ => return Err(format!("page : un entier entre 1 et {MAX_PAGE} est attendu, reçu « {v} »")),
            },
            "par_page" => match v.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => per_page = n,
                _ => return Err(format!("par_page : un entier entre 1 et 100 est attendu, reçu « {v} »")),
            },
            "salaire_min" => {
                if v.parse::<u32>().ok().filter(|s| *s < 1_000_000).is_none() {
                    return Err(format!("salaire_min : un montant annuel en euros est attendu, reçu « {v} »"));
                }
            }
            "tri" if !["pertinence", "date", "salaire"].contains(&v) => {
                return Err(format!("tri : pertinence, date ou salaire est attendu, reçu « {v} »"));
            }
            "tri" => {}
            other => {
                let Some(f) = Facet::ALL.into_iter().find(|f| offer_search::param(*f).0 == other) else {
                    return Err(format!("paramètre inconnu « {} »", other.chars().take(40).collect::<String>()));
                };
                let known = match f {
                    Facet::Domain => state.taxonomy.current().domain_by_slug(v).is_some(),
                    Facet::Profession => state.taxonomy.current().profession_by_slug(v).is_some(),
                    Facet::Employer => true,
                    _ => offer_search::fixed_code(f, v).is_some(),
                };
                if !known {
                    return Err(format!("{other} : valeur inconnue « {} »", v.chars().take(40).collect::<String>()));
                }
            }
        }
    }
    Ok((SearchParams::parse(raw), per_page))
}

/// Search the open offers.
///
/// Same parameters as the page `/offres-emploi`; multi-valued filters repeat the parameter.
#[utoipa::path(
    get,
    path = "/api/v1/offres",
    params(
        ("q" = Option<String>, Query, description = "Texte recherché (intitulé, métier, employeur, description)"),
        ("domaine" = Option<Vec<String>>, Query, description = "Domaine (slug), répétable"),
        ("metier" = Option<Vec<String>>, Query, description = "Métier (slug), répétable"),
        ("contrat" = Option<Vec<String>>, Query, description = "fonctionnaire, cdi, cdd, apprentissage, stage, freelance, via"),
        ("categorie" = Option<Vec<String>>, Query, description = "A+, A, B, C"),
        ("versant" = Option<Vec<String>>, Query, description = "FPE, FPT, FPH"),
        ("region" = Option<Vec<String>>, Query, description = "Code INSEE de région"),
        ("departement" = Option<Vec<String>>, Query, description = "Code INSEE de département"),
        ("teletravail" = Option<Vec<String>>, Query, description = "non, partiel, total"),
        ("experience" = Option<Vec<String>>, Query, description = "debutant, confirme, expert"),
        ("employeur" = Option<Vec<String>>, Query, description = "Employeur (slug)"),
        ("projet" = Option<String>, Query, description = "Produit (slug, comme dans /projets/{slug}) : ses offres ouvertes seulement"),
        ("salaire_min" = Option<u32>, Query, description = "Salaire annuel brut minimum"),
        ("tri" = Option<String>, Query, description = "pertinence (défaut avec q), date (défaut sans q), salaire"),
        ("page" = Option<u32>, Query, description = "Page, à partir de 1"),
        ("par_page" = Option<u32>, Query, description = "Offres par page, de 1 à 100 (20 par défaut)"),
    ),
    responses(
        (status = 200, description = "Les offres trouvées", body = SearchResponse),
        (status = 400, description = "Paramètre invalide", body = super::ApiError),
    )
)]
pub async fn search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let (params, per_page) = match parse_strict(raw.as_deref(), &state) {
        Ok(p) => p,
        Err(message) => return error(StatusCode::BAD_REQUEST, "parametre_invalide", message),
    };
    let page = params.page;
    let ex = match execute(&state, params, per_page).await {
        Ok(ex) => ex,
        Err(e) => return internal(e),
    };
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let mut facettes = BTreeMap::new();
    for f in Facet::ALL {
        let values = ex.results.facets[f.index()]
            .iter()
            .filter_map(|(v, n)| {
                let (valeur, libelle) = match f {
                    Facet::Domain => state.taxonomy.current().domain(*v as i64).map(|d| (d.1.clone(), d.2.clone())),
                    Facet::Profession => {
                        state.taxonomy.current().profession(*v as i64).map(|p| (p.1.clone(), p.2.clone()))
                    }
                    Facet::Employer => ex.employers.get(v).cloned(),
                    _ => offer_search::fixed_value(f, *v),
                }?;
                Some(FacetValue { valeur, libelle, nombre: *n })
            })
            .collect();
        facettes.insert(offer_search::param(f).0.to_string(), values);
    }
    // Salaries by "at least" steps, the values `salaire_min` takes.
    let steps = ex.results.salary.iter().map(|(step, n)| FacetValue {
        valeur: step.to_string(),
        libelle: format!("{} € et plus", crate::format::number(*step)),
        nombre: *n,
    });
    facettes.insert("salaire_min".to_string(), steps.collect());
    Json(SearchResponse {
        total: ex.results.total as u64,
        page,
        par_page: per_page,
        offres: ex.offers.iter().map(|v| summary(v, &base)).collect(),
        facettes,
    })
    .into_response()
}

/// One offer, by its slug.
#[utoipa::path(
    get,
    path = "/api/v1/offres/{slug}",
    params(("slug" = String, Path, description = "Le slug de l’offre, comme dans /emploi/{slug}")),
    responses(
        (status = 200, description = "L’offre", body = OfferDetail),
        (status = 404, description = "Offre inconnue", body = super::ApiError),
        (status = 410, description = "Offre supprimée", body = super::ApiError),
    )
)]
pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let v = match db::listing::public_by_slug(state.db.conn(), &slug).await {
        Ok(v) => v,
        Err(db::DbError::NotFound) => return not_found(),
        Err(db::DbError::Gone) => return error(StatusCode::GONE, "supprimee", "Cette offre a été supprimée."),
        Err(e) => return internal(e),
    };
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let o = &v.offer;
    Json(OfferDetail {
        textes: Sections {
            missions: o.mission.clone(),
            profil: o.profile.clone(),
            equipe: o.team.clone(),
            contexte: o.context.clone(),
            avantages: o.perks.clone(),
            processus: o.process.clone(),
            particularites: o.particularities.clone(),
            candidater: o.how_to_apply.clone(),
        },
        url_candidature: o.application_url.clone(),
        date_prise_de_poste: o.starts_on.map(|d| d.to_string()),
        duree_mois: o.duration_months,
        langues: o.languages.clone(),
        resume: summary(&v, &base),
    })
    .into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "introuvable", "Aucune offre publiée ne porte ce slug.")
}

/// The employers that recruit or present themselves, with their open offers.
#[utoipa::path(
    get,
    path = "/api/v1/employeurs",
    params(("q" = Option<String>, Query, description = "Filtre sur le nom ou le sigle")),
    responses((status = 200, description = "Les employeurs", body = Vec<Employer>))
)]
pub async fn employers(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let q: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.chars().take(100).collect())
        .unwrap_or_default();
    let base = state.config.public_url.trim_end_matches('/').to_string();
    match db::institutions::directory(state.db.conn(), state.clock.now(), &q).await {
        Ok(rows) => Json(
            rows.into_iter()
                .map(|(i, n)| Employer {
                    url: format!("{base}/employeurs/{}", i.slug),
                    slug: i.slug,
                    nom: i.name,
                    sigle: i.acronym,
                    ministere: i.ministry,
                    offres_ouvertes: n,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => internal(e),
    }
}
