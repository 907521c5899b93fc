//! `/api/v1/projets`, `/api/v1/projets/{slug}`, `/api/v1/technologies`: the State's products
//! with the same filters and facets as `/projets`.

use super::offers::FacetValue;
use super::{error, internal};
use crate::AppState;
use crate::showcase::{self, ProductParams};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use db::products::ProductView;
use search::products::ProductFacet;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Sponsor {
    pub nom: String,
    pub sigle: Option<String>,
    pub ministere: Option<String>,
    /// Its page on the platform, when it has one.
    pub url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Technology {
    pub slug: String,
    pub nom: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductSummary {
    pub slug: String,
    pub titre: String,
    pub mission: String,
    /// Code of the current phase (`investigation`, `construction`, `acceleration`, …).
    pub phase: Option<String>,
    pub phase_libelle: Option<String>,
    pub financeurs: Vec<Sponsor>,
    pub technologies: Vec<Technology>,
    pub thematiques: Vec<String>,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Phase {
    pub phase: String,
    pub libelle: String,
    /// `AAAA-MM-JJ`.
    pub debut: String,
    pub fin: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductDetail {
    #[serde(flatten)]
    pub resume: ProductSummary,
    /// Markdown.
    pub description: String,
    pub phases: Vec<Phase>,
    pub publics: Vec<String>,
    pub site: Option<String>,
    pub depot: Option<String>,
    pub statistiques: Option<String>,
    pub accessibilite: Option<String>,
    /// Current team by domain (`{"en développement": 3}`).
    pub equipe: BTreeMap<String, usize>,
    /// Slugs of the open offers attached to it.
    pub offres: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductSearchResponse {
    pub total: usize,
    pub page: usize,
    pub par_page: usize,
    pub resultats: Vec<ProductSummary>,
    /// Per filter parameter (`ministere`, `employeur`, `phase`, `techno`, `thematique`,
    /// `public`, `methode`), its values with their counts.
    pub facettes: BTreeMap<String, Vec<FacetValue>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TechnologyUse {
    pub slug: String,
    pub nom: String,
    pub produits: usize,
    pub ministeres: usize,
    pub url: String,
}

fn summary(v: &ProductView, base: &str) -> ProductSummary {
    ProductSummary {
        slug: v.product.slug.clone(),
        titre: v.product.title.clone(),
        mission: v.product.mission.clone(),
        phase: v.phase.map(|p| p.code().to_string()),
        phase_libelle: v.phase.map(|p| p.label().to_string()),
        financeurs: v
            .sponsors
            .iter()
            .map(|s| Sponsor {
                nom: s.name.clone(),
                sigle: s.acronym.clone(),
                ministere: s.ministry.clone(),
                url: s.published.then(|| format!("{base}/employeurs/{}", s.slug)),
            })
            .collect(),
        technologies: v.technologies.iter().map(|t| Technology { slug: t.slug.clone(), nom: t.name.clone() }).collect(),
        thematiques: v.themes.clone(),
        url: format!("{base}/projets/{}", v.product.slug),
    }
}

const PER_PAGE: usize = 20;

#[utoipa::path(
    get,
    path = "/api/v1/projets",
    params(
        ("q" = Option<String>, Query, description = "Texte recherché (nom, mission, technologies, thématiques, financeurs)"),
        ("ministere" = Option<Vec<String>>, Query, description = "Ministère (slug), répétable"),
        ("employeur" = Option<Vec<String>>, Query, description = "Employeur (slug de sa page), répétable"),
        ("phase" = Option<Vec<String>>, Query, description = "investigation, construction, acceleration, consolidation, transfere, opere, abandon, abandon-investigation"),
        ("techno" = Option<Vec<String>>, Query, description = "Technologie (slug), répétable"),
        ("thematique" = Option<Vec<String>>, Query, description = "Thématique (slug), répétable"),
        ("public" = Option<Vec<String>>, Query, description = "Public servi (slug), répétable"),
        ("methode" = Option<Vec<String>>, Query, description = "code-ouvert, accessibilite-declaree, dsfr"),
        ("tri" = Option<String>, Query, description = "activite (par défaut) ou nom"),
        ("page" = Option<usize>, Query, description = "Page, à partir de 1 (20 produits par page)"),
    ),
    responses(
        (status = 200, description = "Les produits trouvés, avec les facettes", body = ProductSearchResponse),
        (status = 400, description = "Paramètre invalide", body = super::ApiError),
    )
)]
pub async fn search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = match ProductParams::parse(raw.as_deref().unwrap_or_default()) {
        Ok(p) => p,
        Err(bad) => {
            return error(StatusCode::BAD_REQUEST, "parametre_invalide", format!("{} : {}", bad.param, bad.message));
        }
    };
    let found = match showcase::execute(&state.products, &state.db, &params, PER_PAGE).await {
        Ok(f) => f,
        Err(e) => return internal(e),
    };
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let mut facettes = BTreeMap::new();
    for f in ProductFacet::ALL {
        let dict = &found.snapshot.dictionaries[f.index()];
        let values = found.results.facets[f.index()]
            .iter()
            .filter_map(|(id, n)| {
                dict.value(*id).map(|v| FacetValue { valeur: v.slug.clone(), libelle: v.label.clone(), nombre: *n })
            })
            .collect();
        facettes.insert(showcase::param(f).to_string(), values);
    }
    Json(ProductSearchResponse {
        total: found.results.total,
        page: params.page,
        par_page: PER_PAGE,
        resultats: found.products().into_iter().map(|v| summary(v, &base)).collect(),
        facettes,
    })
    .into_response()
}

#[utoipa::path(
    get,
    path = "/api/v1/projets/{slug}",
    params(("slug" = String, Path, description = "Le slug du produit, comme dans /projets/{slug}")),
    responses(
        (status = 200, description = "Le produit", body = ProductDetail),
        (status = 404, description = "Produit inconnu", body = super::ApiError),
    )
)]
pub async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let v = match db::products::public_by_slug(state.db.conn(), &slug).await {
        Ok(v) => v,
        Err(db::DbError::NotFound) => {
            return error(StatusCode::NOT_FOUND, "introuvable", "Aucun produit publié à cette adresse.");
        }
        Err(e) => return internal(e),
    };
    let now = state.clock.now();
    let offers = match db::products::open_offer_ids(state.db.conn(), v.product.id, now).await {
        Ok(ids) => match db::listing::public_views_by_ids(state.db.conn(), &ids).await {
            Ok(views) => views.into_iter().map(|o| o.offer.slug).collect(),
            Err(e) => return internal(e),
        },
        Err(e) => return internal(e),
    };
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let team = domain::product::TeamComposition::of(&v.team, crate::format::paris(now).date_naive());
    Json(ProductDetail {
        resume: summary(&v, &base),
        description: v.product.body.clone(),
        phases: v
            .phases
            .iter()
            .map(|p| Phase {
                phase: p.phase.code().into(),
                libelle: p.phase.label().into(),
                debut: p.start.to_string(),
                fin: p.end.map(|e| e.to_string()),
            })
            .collect(),
        publics: v.audiences.clone(),
        site: v.product.link.clone(),
        depot: v.product.repository.clone(),
        statistiques: v.product.stats_url.clone(),
        accessibilite: v.accessibility.map(|a| a.code().to_string()),
        equipe: team.current_by_domain.into_iter().collect(),
        offres: offers,
    })
    .into_response()
}

#[utoipa::path(
    get,
    path = "/api/v1/technologies",
    responses((status = 200, description = "Les technologies des produits publiés, les plus utilisées d’abord", body = Vec<TechnologyUse>))
)]
pub async fn technologies(State(state): State<AppState>) -> Response {
    let base = state.config.public_url.trim_end_matches('/').to_string();
    match crate::showcase::technology_uses(&state).await {
        Ok(uses) => Json(
            uses.into_iter()
                .map(|u| TechnologyUse {
                    url: format!("{base}/technologies/{}", u.technology.slug),
                    slug: u.technology.slug,
                    nom: u.technology.name,
                    produits: u.products,
                    ministeres: u.ministries,
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => internal(e),
    }
}
