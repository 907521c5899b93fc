//! `/vis-mon-job/duos/{id}…`: a duo's page for its two sides only (anyone else, and a draft
//! the administrators have not confirmed, is not found). Until both accepted, each side reads
//! a description of the other, never a name or a contact. Then: the day's organisation (the
//! host writes it), the agreement (a printable page and a PDF, a dated click per side), and
//! after the day the feedback and « garder le contact ».

use crate::AppState;
use crate::auth::{CandidateUser, SignedInUser, StaffUser};
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Id};
use crate::layout::{Nav, Page};
use crate::{format, services};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use db::immersion::{Answered, Decision, DuoView, Feedback, Organisation};
use domain::immersion::{DeclineReason, DuoState, Side};

/// The duo `id` if `user_id` is one of its sides (not found otherwise, drafts included).
async fn party(state: &AppState, id: i64, user_id: i64) -> AppResult<(DuoView, Side)> {
    let d = match db::immersion::duo(state.db.conn(), id).await {
        Ok(d) => d,
        Err(db::DbError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    match d.side_of(user_id) {
        Some(side) if d.state != DuoState::Draft => Ok((d, side)),
        _ => Err(AppError::NotFound),
    }
}

/// What one side reads about the other.
pub struct OtherSide {
    pub heading: &'static str,
    /// Before both accepted: a description without name or contact.
    pub described: String,
    /// After: (label, value) lines, contacts included.
    pub details: Vec<(&'static str, String)>,
}

fn other_side(d: &DuoView, side: Side) -> OtherSide {
    let accepted = d.state == DuoState::Accepted;
    match side {
        Side::Student => {
            let o = &d.offer;
            let mut details = Vec::new();
            if accepted {
                details.push(("Nom", display_name(&d.host)));
                details.push(("Courriel", d.host.email.clone()));
            }
            details.push(("Employeur", o.employer.clone()));
            details.push(("Service", o.service.clone()));
            details.push(("Poste", o.job_title.clone()));
            if let Some(c) = o.commune_code.as_deref().and_then(domain::geo::commune) {
                details.push(("Commune", c.name.clone()));
            }
            if !o.accessibility.is_empty() {
                details.push(("Accessibilité du lieu", o.accessibility.clone()));
            }
            details.push(("La journée", o.description.clone()));
            OtherSide { heading: "Votre hôte", described: services::immersion::host_described(o), details }
        }
        Side::Host => {
            let a = &d.application;
            let mut details = Vec::new();
            if accepted {
                details.push(("Nom", format!("{} {}", a.first_name, a.last_name)));
                details.push(("Courriel", d.student.email.clone()));
                if let Some(p) = &a.phone {
                    details.push(("Téléphone", p.clone()));
                }
            }
            details.push(("Établissement", a.school.clone()));
            details.push(("Formation", a.programme.clone()));
            details.push(("Année", db::immersion::year_of(a).map(|y| y.label()).unwrap_or("").to_string()));
            details.push(("Motivation", a.motivation.clone()));
            OtherSide { heading: "Votre étudiant·e", described: services::immersion::student_described(a), details }
        }
    }
}

fn display_name(u: &db::entity::user::Model) -> String {
    u.display_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| u.email.clone())
}

#[derive(Template, WebTemplate)]
#[template(path = "immersion/duo.html")]
pub struct DuoPage {
    page: Page,
    id: i64,
    campaign: String,
    day: String,
    hours: String,
    remote: bool,
    state: DuoState,
    state_label: &'static str,
    why: String,
    side: Side,
    other: OtherSide,
    /// While proposed: whether this side answered, and until when they can.
    answered: bool,
    other_answered: bool,
    deadline: String,
    reasons: Vec<(&'static str, &'static str)>,
    /// Once accepted.
    place: String,
    online_url: String,
    programme: String,
    manager_name: String,
    agreed: Option<String>,
    other_agreed: Option<String>,
    /// After the day.
    day_over: bool,
    feedback_given: bool,
    kept_in_touch: bool,
    form: Form,
    notice: Option<String>,
}

async fn page(state: &AppState, d: &DuoView, side: Side, form: Form) -> AppResult<DuoPage> {
    let now = state.now();
    let o = services::immersion::other_side(side);
    let day = format::weekday_date(d.duo.starts_at);
    let mut form = form;
    if !form.contains("programme") {
        form.set("lieu", d.duo.place.clone().unwrap_or_default());
        form.set("lien", d.duo.online_url.clone().unwrap_or_default());
        form.set("programme", d.duo.programme.clone());
        form.set("responsable", d.duo.manager_name.clone().unwrap_or_default());
    }
    Ok(DuoPage {
        page: Page::new(format!("Duo du {day}"))
            .nav(Nav::Immersion)
            .crumbs(&[("Vis mon job", Some("/vis-mon-job")), ("Mon duo", None)]),
        id: d.duo.id,
        campaign: d.campaign_name.clone(),
        hours: format!("de {} à {}", format::clock(d.duo.starts_at), format::clock(d.duo.ends_at)),
        day,
        remote: d.duo.remote,
        state: d.state,
        state_label: d.state.label(),
        why: domain::immersion::explain(&d.reasons),
        side,
        other: other_side(d, side),
        answered: d.accepted_by(side).is_some(),
        other_answered: d.accepted_by(o).is_some(),
        deadline: d.duo.expires_at.map(format::date_time).unwrap_or_default(),
        reasons: DeclineReason::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        place: d.duo.place.clone().unwrap_or_default(),
        online_url: d.duo.online_url.clone().unwrap_or_default(),
        programme: d.duo.programme.clone(),
        manager_name: d.duo.manager_name.clone().unwrap_or_default(),
        agreed: d.agreed_by(side).map(format::date_time),
        other_agreed: d.agreed_by(o).map(format::date_time),
        day_over: now >= d.duo.ends_at,
        feedback_given: d.feedback_given(side),
        kept_in_touch: d.duo.kept_in_touch_at.is_some(),
        form,
        notice: crate::backoffice::notice(),
    })
}

fn back(id: i64) -> String {
    format!("/vis-mon-job/duos/{id}")
}

fn said(id: i64, message: &str) -> Response {
    crate::backoffice::with_message(&back(id), message)
}

/// `GET /vis-mon-job/duos/{id}`.
pub async fn show(State(state): State<AppState>, SignedInUser(who): SignedInUser, Id(id): Id) -> AppResult<DuoPage> {
    let (d, side) = party(&state, id, who.id).await?;
    page(&state, &d, side, Form::default()).await
}

/// `POST /vis-mon-job/duos/{id}/reponse` (`reponse`: accepter or decliner, `motif`).
pub async fn answer(
    State(state): State<AppState>,
    SignedInUser(who): SignedInUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let (d, side) = party(&state, id, who.id).await?;
    let form = Form::parse(&body);
    let decision = match form.get("reponse") {
        "accepter" => Decision::Accept,
        "decliner" => match form.get("motif").parse::<DeclineReason>() {
            Ok(r) => Decision::Decline(r),
            Err(_) => return Ok(said(id, "Choisissez la raison pour laquelle vous déclinez.")),
        },
        _ => return Ok(said(id, "Acceptez ou déclinez la proposition.")),
    };
    let message = match services::immersion::answer(&state, &d, side, decision).await {
        Ok(Answered::Waiting) => {
            "Merci : vous avez accepté. Le duo est formé dès que l’autre côté accepte aussi.".into()
        }
        Ok(Answered::Accepted) => "Le duo est formé : vous voyez maintenant les coordonnées de chacun.".into(),
        Ok(Answered::Declined) => "Vous avez décliné cette proposition ; l’autre côté est prévenu.".into(),
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(id, &message))
}

/// `POST /vis-mon-job/duos/{id}/convention`: this side agrees to the agreement.
pub async fn agree(
    State(state): State<AppState>,
    SignedInUser(who): SignedInUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let (d, side) = party(&state, id, who.id).await?;
    if !Form::parse(&body).checked("accord") {
        return Ok(said(id, "Cochez la case pour donner votre accord à la convention."));
    }
    let message = match services::immersion::agree(&state, &d, side).await {
        Ok(()) => "Votre accord à la convention est enregistré.".into(),
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(id, &message))
}

/// `POST /vis-mon-job/duos/{id}/organisation` (the host): place, online link, programme,
/// manager.
pub async fn organise(State(state): State<AppState>, staff: StaffUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let (d, side) = party(&state, id, staff.user.id).await?;
    if side != Side::Host {
        return Err(AppError::Forbidden);
    }
    let mut form = Form::parse(&body);
    let place = form.optional("lieu", "l’adresse", 300);
    let online_url = form.url("lien", "le lien de la visioconférence");
    let programme = form.required("programme", "le programme de la journée", 5_000);
    let manager_name = form.optional("responsable", "le nom de votre responsable", 200);
    if d.duo.remote && online_url.is_none() {
        form.add_error("lien", "Renseignez le lien de la visioconférence : la journée a lieu à distance.");
    }
    if !d.duo.remote && place.is_none() {
        form.add_error("lieu", "Renseignez l’adresse où l’étudiant·e vous retrouve.");
    }
    if form.is_valid() {
        let o = Organisation { place, online_url, programme, manager_name };
        match services::immersion::organise(&state, &d, &o).await {
            Ok(reset) => {
                let m = if reset {
                    "Organisation enregistrée. Elle a changé : chacun redonne son accord à la convention."
                } else {
                    "Organisation de la journée enregistrée."
                };
                return Ok(said(id, m));
            }
            Err(e) => form.add_error("programme", e.into_refusal_sentence()?),
        }
    }
    let page = page(&state, &d, side, form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /vis-mon-job/duos/{id}/avis` (`note` 1–5, `recommande`, `decouverte` for the student,
/// `commentaire`).
pub async fn feedback(
    State(state): State<AppState>,
    SignedInUser(who): SignedInUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let (d, side) = party(&state, id, who.id).await?;
    let mut form = Form::parse(&body);
    let rating = match form.get("note").parse::<i32>() {
        Ok(n) if (1..=5).contains(&n) => n,
        _ => {
            form.add_error("note", "Choisissez une note de 1 à 5.");
            0
        }
    };
    let yes_no = |form: &mut Form, name: &str, message: &str| match form.get(name) {
        "oui" => Some(true),
        "non" => Some(false),
        _ => {
            form.add_error(name, message.to_string());
            None
        }
    };
    let recommends = yes_no(&mut form, "recommande", "Dites si vous recommanderiez « Vis mon job ».");
    let discovered = match side {
        Side::Student => yes_no(&mut form, "decouverte", "Dites si vous avez découvert un métier."),
        Side::Host => None,
    };
    let comment = form.optional("commentaire", "le commentaire", 3_000);
    if form.is_valid() {
        let f = Feedback { rating, recommends: recommends.unwrap_or(false), discovered, comment };
        match services::immersion::feedback(&state, &d, side, &f).await {
            Ok(()) => return Ok(said(id, "Merci pour votre avis !")),
            Err(e) => form.add_error("note", e.into_refusal_sentence()?),
        }
    }
    let page = page(&state, &d, side, form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /vis-mon-job/duos/{id}/garder-contact` (the student): joins the talent pool.
pub async fn keep_in_touch(
    State(state): State<AppState>,
    CandidateUser(who): CandidateUser,
    Id(id): Id,
) -> AppResult<Response> {
    let (d, side) = party(&state, id, who.id).await?;
    if side != Side::Student {
        return Err(AppError::Forbidden);
    }
    let message = match services::immersion::keep_in_touch(&state, &d).await {
        Ok(true) => "C’est fait : vous êtes dans le vivier des talents, les recruteurs de l’État peuvent vous proposer leurs offres. Vous en sortez quand vous voulez depuis votre profil.".to_string(),
        Ok(false) => "Vous aviez déjà demandé à garder le contact.".into(),
        Err(e) => e.into_refusal_sentence()?,
    };
    Ok(said(id, &message))
}

// --- the agreement ---------------------------------------------------------------------------

/// What the agreement says, for its page and its PDF.
pub struct Agreement {
    pub campaign: String,
    pub day: String,
    pub hours: String,
    pub student: String,
    pub school: String,
    pub host: String,
    pub employer: String,
    pub place: String,
    pub manager: Option<String>,
    pub programme: String,
    pub rules: Vec<String>,
    /// (side, agreed at) for both sides.
    pub agreements: Vec<(&'static str, Option<String>)>,
}

/// The rules every agreement states (the campaign's own rules are on its page).
const RULES: [&str; 5] = [
    "La journée est une immersion d’observation : l’étudiant·e ne réalise aucun travail productif et n’est pas rémunéré·e.",
    "L’étudiant·e respecte le règlement intérieur, les consignes de sécurité et la confidentialité de ce qu’il ou elle voit et entend.",
    "L’agent·e hôte accueille l’étudiant·e, lui présente son métier et son équipe, et reste son interlocuteur pendant la journée.",
    "L’établissement de l’étudiant·e et l’employeur de l’agent·e sont informés de la journée ; chacun reste couvert par son propre régime d’assurance.",
    "Chacun peut annuler la journée en prévenant l’autre au plus tôt ; les données personnelles échangées ne servent qu’à organiser la journée.",
];

fn agreement_of(d: &DuoView) -> Agreement {
    let place = if d.duo.remote {
        format!("À distance{}", d.duo.online_url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default())
    } else {
        d.duo.place.clone().unwrap_or_else(|| "Lieu à préciser par l’agent·e hôte".into())
    };
    Agreement {
        campaign: d.campaign_name.clone(),
        day: format::weekday_date(d.duo.starts_at),
        hours: format!("de {} à {}", format::clock(d.duo.starts_at), format::clock(d.duo.ends_at)),
        student: format!("{} {}", d.application.first_name, d.application.last_name),
        school: format!("{}, {}", d.application.programme, d.application.school),
        host: format!("{}, {}", display_name(&d.host), d.offer.job_title),
        employer: format!("{} — {}", d.offer.employer, d.offer.service),
        place,
        manager: d.duo.manager_name.clone(),
        programme: if d.duo.programme.is_empty() { d.offer.description.clone() } else { d.duo.programme.clone() },
        rules: RULES.iter().map(|r| r.to_string()).collect(),
        agreements: vec![
            ("L’étudiant·e", d.duo.student_agreed_at.map(format::date_time)),
            ("L’agent·e hôte", d.duo.host_agreed_at.map(format::date_time)),
        ],
    }
}

/// The agreement exists once both sides accepted the duo.
async fn accepted(state: &AppState, id: i64, user_id: i64) -> AppResult<DuoView> {
    let (d, _) = party(state, id, user_id).await?;
    if d.state != DuoState::Accepted {
        return Err(AppError::NotFound);
    }
    Ok(d)
}

#[derive(Template, WebTemplate)]
#[template(path = "immersion/agreement.html")]
pub struct AgreementPage {
    page: Page,
    id: i64,
    a: Agreement,
}

/// `GET /vis-mon-job/duos/{id}/convention`: the printable agreement.
pub async fn agreement(
    State(state): State<AppState>,
    SignedInUser(who): SignedInUser,
    Id(id): Id,
) -> AppResult<AgreementPage> {
    let d = accepted(&state, id, who.id).await?;
    let back = back(id);
    Ok(AgreementPage {
        page: Page::new("Convention de la journée « Vis mon job »").nav(Nav::Immersion).crumbs(&[
            ("Vis mon job", Some("/vis-mon-job")),
            ("Mon duo", Some(&back)),
            ("Convention", None),
        ]),
        id,
        a: agreement_of(&d),
    })
}

/// `GET /vis-mon-job/duos/{id}/convention.pdf`.
pub async fn agreement_pdf(
    State(state): State<AppState>,
    SignedInUser(who): SignedInUser,
    Id(id): Id,
) -> AppResult<Response> {
    let d = accepted(&state, id, who.id).await?;
    let bytes = super::pdf::agreement(&agreement_of(&d)).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"convention-vis-mon-job-{id}.pdf\"")),
        ],
        bytes,
    )
        .into_response())
}
