//! The talent pool (`/recruteur/vivier`), spontaneous applications
//! (`/recruteur/candidatures-spontanees`), and inviting a candidate to apply to an offer.
//! Recruiters never see candidates who hid their profile from their institution, nor an
//! address: contact goes through the platform's e-mail, and the candidate can decline.

use crate::AppState;
use crate::auth::{CandidateUser, StaffUser};
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use crate::services::pool::Invitation;
use crate::widgets::Opt;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use db::entity::{application, offer};
use domain::candidate::{CandidateCriteria, Criterion, OfferCriteria};

pub struct PoolRow {
    pub user_id: i64,
    pub name: String,
    pub position: String,
    pub years: Option<i32>,
    pub wishes: String,
    pub score: Option<u32>,
    pub criteria: Vec<Criterion>,
    /// Already applied to the offer compared with: nothing to invite to.
    pub applied: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/pool.html")]
pub struct PoolPage {
    page: Page,
    form: Form,
    rows: Vec<PoolRow>,
    offers: Vec<Opt>,
    professions: Vec<Opt>,
    domains: Vec<Opt>,
    regions: Vec<Opt>,
    selected_offer: Option<i64>,
    notice: Option<String>,
}

fn param(q: &Option<String>, name: &str) -> String {
    crate::forms::query_param(q.as_deref(), name).map(|v| v.trim().chars().take(200).collect()).unwrap_or_default()
}

async fn criteria_of(state: &AppState, o: &offer::Model) -> AppResult<OfferCriteria> {
    let view = db::listing::views_by_ids(state.db.conn(), &[o.id]).await?.pop().ok_or(AppError::NotFound)?;
    Ok(OfferCriteria {
        profession: view.profession.as_ref().map(|p| p.slug.clone()),
        domains: view.domains.iter().map(|d| d.slug.clone()).collect(),
        region: o.region_code.clone(),
        contracts: view.contract_types.clone(),
        experience: db::stored_opt("expérience de l’offre", o.id, o.experience.as_deref())?,
        remote: db::stored_opt("télétravail de l’offre", o.id, o.remote.as_deref())?,
    })
}

/// `GET /recruteur/vivier` (recruiter): search by keyword, profession, domain (chosen as such,
/// or through a profession of that domain), région and minimum experience; with `offre`, each
/// candidate's match score against that offer.
pub async fn search(State(state): State<AppState>, staff: StaffUser, RawQuery(q): RawQuery) -> AppResult<PoolPage> {
    let mut form = Form::default();
    for k in ["q", "metier", "domaine", "region", "experience_min", "offre"] {
        form.set(k, param(&q, k));
    }
    let own_offers = db::backoffice::institution_offers(state.db.conn(), staff.institution_id).await?;
    let selected = own_offers.iter().map(|(o, _)| o).find(|o| o.id.to_string() == form.get("offre")).cloned();
    let criteria = match &selected {
        Some(o) => Some(criteria_of(&state, o).await?),
        None => None,
    };
    // Who applied to the offer compared with already (no invitation to what they did).
    let applicants: std::collections::HashSet<i64> = match &selected {
        Some(o) => {
            db::backoffice::offer_applications(state.db.conn(), o.id).await?.iter().filter_map(|a| a.user_id).collect()
        }
        None => Default::default(),
    };
    let words: Vec<String> = domain::text::fold(form.get("q")).split_whitespace().map(str::to_string).collect();
    let min_years: Option<i32> = form.get("experience_min").parse().ok();
    let taxonomy = state.taxonomy.current();
    let mut rows: Vec<PoolRow> = Vec::new();
    for c in db::backoffice::talent_pool(state.db.conn(), staff.institution_id).await? {
        let p = &c.profile;
        let has = |kind: &str, code: &str| c.choices.iter().any(|(k, v)| k == kind && v == code);
        if !form.get("metier").is_empty() && !has("metier", form.get("metier")) {
            continue;
        }
        let wanted_domain = form.get("domaine");
        if !wanted_domain.is_empty()
            && !has("domaine", wanted_domain)
            && !c.choices.iter().any(|(k, v)| k == "metier" && taxonomy.in_domain(v, wanted_domain))
        {
            continue;
        }
        if !form.get("region").is_empty() && !has("region", form.get("region")) {
            continue;
        }
        if min_years.is_some_and(|m| p.years_experience.unwrap_or(0) < m) {
            continue;
        }
        let wishes: Vec<String> = c
            .choices
            .iter()
            .filter_map(|(k, v)| match k.as_str() {
                "metier" => taxonomy.profession_by_slug(v).map(|x| x.2.clone()),
                "domaine" => taxonomy.domain_by_slug(v).map(|x| x.2.clone()),
                "region" => domain::geo::region(v).map(|x| x.name.clone()),
                _ => None,
            })
            .collect();
        let haystack = domain::text::fold(&format!(
            "{} {} {} {}",
            p.current_position.clone().unwrap_or_default(),
            p.languages.clone().unwrap_or_default(),
            wishes.join(" "),
            p.last_name
        ));
        if !words.iter().all(|w| haystack.contains(w.as_str())) {
            continue;
        }
        let (score, crit) = match &criteria {
            Some(o) => {
                let cc = CandidateCriteria {
                    choices: c.choices.clone(),
                    years: p.years_experience,
                    remote: db::stored_opt("télétravail du profil", p.user_id, p.remote.as_deref())?,
                };
                let (s, crit) = domain::candidate::match_score(&cc, o);
                (Some(s), crit)
            }
            None => (None, Vec::new()),
        };
        rows.push(PoolRow {
            user_id: c.user_id,
            name: format!("{} {}", p.first_name, p.last_name),
            position: p.current_position.clone().unwrap_or_default(),
            years: p.years_experience,
            wishes: wishes.join(", "),
            score,
            criteria: crit,
            applied: applicants.contains(&c.user_id),
        });
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.score));
    let notice = super::notice();
    Ok(PoolPage {
        page: Page::new("Vivier de talents")
            .crumbs(&[("Espace recruteur", Some("/recruteur")), ("Vivier de talents", None)]),
        offers: own_offers
            .iter()
            .map(|(o, _)| Opt {
                value: o.id.to_string(),
                label: o.title.clone(),
                checked: selected.as_ref().is_some_and(|s| s.id == o.id),
            })
            .collect(),
        professions: state
            .taxonomy
            .current()
            .professions
            .iter()
            .map(|(_, slug, label)| Opt {
                value: slug.clone(),
                label: label.clone(),
                checked: form.get("metier") == *slug,
            })
            .collect(),
        domains: state
            .taxonomy
            .current()
            .domains
            .iter()
            .map(|(_, slug, label)| Opt {
                value: slug.clone(),
                label: label.clone(),
                checked: form.get("domaine") == *slug,
            })
            .collect(),
        regions: domain::geo::regions()
            .iter()
            .map(|r| Opt { value: r.code.clone(), label: r.name.clone(), checked: form.get("region") == r.code })
            .collect(),
        selected_offer: selected.map(|o| o.id),
        rows,
        form,
        notice,
    })
}

/// Invites a candidate to `offre` (an offer id; anything else is a 404), and says what happened.
async fn invite_to(state: &AppState, staff: &StaffUser, user_id: i64, offer_id: &str) -> AppResult<&'static str> {
    let offer_id: i64 = offer_id.parse().map_err(|_| AppError::NotFound)?;
    Ok(match crate::services::pool::invite(state, staff, user_id, offer_id).await? {
        Invitation::Sent => "Invitation envoyée par e-mail.",
        Invitation::AlreadyApplied => "Cette personne a déjà candidaté à cette offre : pas besoin de l’y inviter.",
        Invitation::AlreadyInvited => "Cette personne a déjà été invitée à candidater à cette offre.",
    })
}

fn to(path: &str, message: &str) -> Response {
    super::with_message(path, message)
}

/// `POST /recruteur/vivier/{id}/inviter` (recruiter): `id` is a candidate of the pool who did
/// not hide their profile from the recruiter's institution.
pub async fn invite(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let visible =
        db::backoffice::talent_pool(state.db.conn(), staff.institution_id).await?.iter().any(|c| c.user_id == id);
    if !visible {
        return Err(AppError::NotFound);
    }
    let form = Form::parse(&body);
    if form.get("offre").parse::<i64>().is_err() {
        return Ok(to("/recruteur/vivier", "Choisissez d’abord l’offre à proposer."));
    }
    let message = invite_to(&state, &staff, id, form.get("offre")).await?;
    Ok(to(&format!("/recruteur/vivier?offre={}", form.get("offre")), message))
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/spontaneous.html")]
pub struct SpontaneousPage {
    page: Page,
    rows: Vec<application::Model>,
    offers: Vec<Opt>,
    notice: Option<String>,
}

/// `GET /recruteur/candidatures-spontanees` (recruiter).
pub async fn spontaneous(State(state): State<AppState>, staff: StaffUser) -> AppResult<SpontaneousPage> {
    let offers = db::backoffice::institution_offers(state.db.conn(), staff.institution_id)
        .await?
        .into_iter()
        .filter(|(o, _)| o.state == domain::offer::OfferState::Published.code())
        .map(|(o, _)| Opt { value: o.id.to_string(), label: o.title, checked: false })
        .collect();
    let notice = super::notice();
    Ok(SpontaneousPage {
        page: Page::new("Candidatures spontanées")
            .crumbs(&[("Espace recruteur", Some("/recruteur")), ("Candidatures spontanées", None)]),
        rows: db::backoffice::spontaneous(state.db.conn(), staff.institution_id).await?,
        offers,
        notice,
    })
}

/// `POST /recruteur/candidatures/{id}/proposer` (recruiter the spontaneous application was
/// sent to): proposes one of the institution's offers to its author.
pub async fn propose(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let app = db::backoffice::managed_application(state.db.conn(), id, staff.institution_id).await?;
    let Some(user_id) = app.user_id.filter(|_| app.offer_id.is_none()) else {
        return Ok(to("/recruteur/candidatures-spontanees", "Cette candidature ne peut plus recevoir de proposition."));
    };
    let form = Form::parse(&body);
    if form.get("offre").parse::<i64>().is_err() {
        return Ok(to("/recruteur/candidatures-spontanees", "Choisissez l’offre à proposer."));
    }
    let message = invite_to(&state, &staff, user_id, form.get("offre")).await?;
    Ok(to("/recruteur/candidatures-spontanees", message))
}

/// `POST /espace-candidat/invitations/{id}/decliner` (candidate; own invitations only).
pub async fn decline(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<Response> {
    db::backoffice::decline_invitation(state.db.conn(), id, user.id, state.now()).await?;
    Ok(Redirect::to("/espace-candidat#invitations").into_response())
}
