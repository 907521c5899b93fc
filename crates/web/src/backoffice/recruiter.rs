//! `/recruteur`: the institution's offers, their states, and each offer's applicant pipeline.

use crate::AppState;
use crate::auth::StaffUser;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use db::entity::{application, offer, refusal_reason};
use domain::candidate::Stage;
use domain::offer::OfferState;

pub struct OfferRow {
    pub offer: offer::Model,
    pub applications: u64,
    pub state: OfferState,
}

impl OfferRow {
    pub fn state(&self) -> OfferState {
        self.state
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/recruiter.html")]
pub struct HomePage {
    page: Page,
    rows: Vec<OfferRow>,
    admin: bool,
    notice: Option<String>,
    /// The recruiter's employer and services, as the administrators set them.
    attachment: Option<(String, Vec<String>)>,
    /// When they hear of new applications (recruiters only): each choice, the current one checked.
    application_mail: Vec<crate::widgets::Opt>,
}

/// `GET /recruteur` (recruiter, administrator).
pub async fn home(State(state): State<AppState>, staff: StaffUser) -> AppResult<HomePage> {
    let rows = db::backoffice::institution_offers(state.db.conn(), staff.institution_id)
        .await?
        .into_iter()
        .map(|(offer, applications)| Ok(OfferRow { state: offer.state()?, offer, applications }))
        .collect::<Result<Vec<_>, db::DbError>>()?;
    let notice = super::notice();
    let attachment = match staff.institution_id {
        Some(id) => {
            let institution = db::institutions::by_id(state.db.conn(), id).await?;
            let mine = db::backoffice::user_service_ids(state.db.conn(), staff.user.id).await?;
            let services = db::institutions::services(state.db.conn(), id)
                .await?
                .into_iter()
                .filter(|s| mine.contains(&s.id))
                .map(|s| s.name)
                .collect();
            Some((institution.name, services))
        }
        None => None,
    };
    let application_mail = domain::role::ApplicationMail::ALL
        .iter()
        .map(|c| crate::widgets::Opt {
            value: c.code().to_string(),
            label: c.label().to_string(),
            checked: staff.user.application_mail == c.code(),
        })
        .collect();
    Ok(HomePage {
        page: Page::new("Espace recruteur").crumbs(&[("Espace recruteur", None)]),
        rows,
        admin: staff.institution_id.is_none(),
        notice,
        attachment,
        application_mail,
    })
}

/// `POST /recruteur/e-mails-candidatures` (recruiter): `frequence` = each, daily or never.
pub async fn set_application_mail(State(state): State<AppState>, staff: StaffUser, body: Bytes) -> AppResult<Response> {
    let form = Form::parse(&body);
    let Ok(choice) = form.get("frequence").parse::<domain::role::ApplicationMail>() else {
        return Ok(super::with_message(
            "/recruteur#e-mails-candidatures",
            "Choisissez quand être prévenu·e des candidatures.",
        ));
    };
    db::backoffice::set_application_mail(state.db.conn(), staff.user.id, choice, state.now()).await?;
    Ok(super::with_message(
        "/recruteur#e-mails-candidatures",
        &format!("E-mails de nouvelles candidatures : {}.", choice.label().to_lowercase()),
    ))
}

/// `POST /recruteur/offres/{id}/etat` (recruiter of the offer's institution): publish, mark
/// filled, archive.
pub async fn set_state(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let offer = db::backoffice::managed_offer(state.db.conn(), id, staff.institution_id).await?;
    let form = Form::parse(&body);
    let Ok(to) = form.get("etat").parse::<OfferState>() else {
        return Ok(back("État inconnu."));
    };
    match crate::services::offers::set_state(&state, &staff.user, &offer, to).await {
        Ok(()) => {}
        Err(AppError::Db(db::DbError::Invalid(i))) => {
            return Ok(back(&format!("« {} » : {}", offer.title, crate::error::invalid_text(&i))));
        }
        Err(e) => return Err(e),
    }
    Ok(back(&format!("« {} » : {}.", offer.title, to.label().to_lowercase())))
}

pub(crate) fn back(message: &str) -> Response {
    super::with_message("/recruteur", message)
}

pub struct Row {
    pub application: application::Model,
    pub stage: Stage,
    pub notes: Vec<db::entity::application_note::Model>,
    /// How to reach the candidate and what their profile says (none once anonymised).
    pub contact: Option<Contact>,
}

/// A candidate's details for the recruiters they applied to.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub email: String,
    pub phone: Option<String>,
    /// The phone number as a `tel:` address (digits and `+` only).
    pub phone_href: Option<String>,
    pub position: Option<String>,
    pub years: Option<i32>,
    /// The links given with the application: web addresses are links, the rest text.
    pub links: Vec<(String, bool)>,
}

/// The contact card of an application: its e-mail and links, and the profile's phone and
/// answers when the candidate has a profile (`profiles`: loaded once for the whole list).
fn contact_of(
    a: &application::Model,
    profiles: &std::collections::HashMap<i64, db::entity::candidate_profile::Model>,
) -> Option<Contact> {
    let email = a.candidate_email.clone()?;
    let profile = a.user_id.and_then(|uid| profiles.get(&uid));
    let links = a
        .links
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| (l.to_string(), l.starts_with("https://") || l.starts_with("http://")))
        .collect();
    let phone = profile.and_then(|p| p.phone.clone());
    let phone_href = phone
        .as_deref()
        .map(|p| p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())
        .filter(|p| !p.is_empty())
        .map(|p| format!("tel:{p}"));
    Some(Contact {
        email,
        phone,
        phone_href,
        position: profile.and_then(|p| p.current_position.clone()),
        years: profile.and_then(|p| p.years_experience),
        links,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/pipeline.html")]
pub struct PipelinePage {
    page: Page,
    offer: offer::Model,
    rows: Vec<Row>,
    reasons: Vec<refusal_reason::Model>,
    stages: Vec<Stage>,
    notice: Option<String>,
    /// The board (a column per stage) rather than the table.
    board: bool,
}

impl PipelinePage {
    /// The board's columns: every stage, with its applications.
    fn columns(&self) -> Vec<(Stage, Vec<&Row>)> {
        Stage::ALL.iter().map(|s| (*s, self.rows.iter().filter(|r| r.stage == *s).collect())).collect()
    }

    fn reason_label(&self, code: &str) -> String {
        self.reasons.iter().find(|r| r.code == code).map(|r| r.label.clone()).unwrap_or_default()
    }
}

/// `GET /recruteur/offres/{id}/candidatures` (recruiter of the offer's institution).
pub async fn pipeline(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    RawQuery(q): RawQuery,
) -> AppResult<PipelinePage> {
    let offer = db::backoffice::managed_offer(state.db.conn(), id, staff.institution_id).await?;
    let apps = db::backoffice::offer_applications(state.db.conn(), offer.id).await?;
    let mut notes = db::backoffice::notes(state.db.conn(), &apps.iter().map(|a| a.id).collect::<Vec<_>>()).await?;
    let user_ids: Vec<i64> = apps.iter().filter_map(|a| a.user_id).collect();
    let profiles = db::profiles::basics(state.db.conn(), &user_ids).await?;
    let rows = apps
        .into_iter()
        .map(|a| {
            Ok(Row {
                stage: a.stage()?,
                notes: notes.remove(&a.id).unwrap_or_default(),
                contact: contact_of(&a, &profiles),
                application: a,
            })
        })
        .collect::<Result<Vec<_>, db::DbError>>()?;
    let notice = super::notice();
    let board = crate::forms::query_param(q.as_deref(), "vue").as_deref() == Some("tableau");
    Ok(PipelinePage {
        board,
        page: Page::new(format!("Candidatures : {}", offer.title))
            .crumbs(&[("Espace recruteur", Some("/recruteur")), ("Candidatures", None)]),
        rows,
        reasons: db::applications::refusal_reasons(state.db.conn()).await?.into_iter().filter(|r| r.active).collect(),
        stages: Stage::RECRUITER_TARGETS.to_vec(),
        offer,
        notice,
    })
}

/// `POST /recruteur/candidatures/{id}/etape` (recruiter of the application's institution):
/// moves it and e-mails the candidate.
pub async fn move_stage(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let app = db::backoffice::managed_application(state.db.conn(), id, staff.institution_id).await?;
    let form = Form::parse(&body);
    // Back to the view the move came from (the board keeps its columns).
    let view = if form.get("vue") == "tableau" { "?vue=tableau" } else { "" };
    let back = |message: &str| match app.offer_id {
        Some(o) => super::with_message(&format!("/recruteur/offres/{o}/candidatures{view}"), message),
        None => super::with_message("/recruteur", message),
    };
    let Ok(to) = form.get("etape").parse::<Stage>() else {
        return Ok(back("Choisissez une étape."));
    };
    let reason = form.opt("motif");
    match crate::services::applications::move_stage(&state, &staff.user, app.id, to, reason.as_deref()).await {
        Ok(_) => Ok(back(&format!(
            "Candidature passée à l’étape « {} » ; la personne a été prévenue par e-mail.",
            to.label()
        ))),
        Err(e) => match e.refusal() {
            Some(message) => Ok(back(&message)),
            None => Err(e),
        },
    }
}

/// `GET /recruteur/offres/{id}/candidatures.csv` (recruiter of the offer's institution).
pub async fn export_csv(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<Response> {
    let offer = db::backoffice::managed_offer(state.db.conn(), id, staff.institution_id).await?;
    let apps = db::backoffice::offer_applications(state.db.conn(), offer.id).await?;
    let reasons = db::applications::refusal_reasons(state.db.conn()).await?;
    let rows = apps.into_iter().map(|a| {
        let stage = a.stage.parse::<Stage>().map(|s| s.label().to_string()).unwrap_or(a.stage.clone());
        let cv = a.cv_file_id.map(|f| state.url(&format!("/fichiers/{f}"))).unwrap_or_default();
        vec![
            a.id.to_string(),
            a.candidate_name.unwrap_or_else(|| "(anonymisée)".into()),
            a.candidate_email.unwrap_or_default(),
            crate::format::sheet_time(a.created_at),
            stage,
            a.refusal_reason
                .and_then(|code| reasons.iter().find(|r| r.code == code).map(|r| r.label.clone()))
                .unwrap_or_default(),
            a.links.unwrap_or_default().replace('\n', " "),
            cv,
        ]
    });
    super::spreadsheet_download(
        &format!("candidatures-{}.csv", offer.id),
        &["id", "nom", "email", "envoyee_le", "etape", "motif_refus", "liens", "cv"],
        rows,
    )
}

/// `POST /recruteur/candidatures/{id}/note` (recruiter of the application's institution): a
/// note, and/or a rating from 1 to 5 (`note_globale`), seen only by the institution's
/// recruiters.
pub async fn annotate(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let app = db::backoffice::managed_application(state.db.conn(), id, staff.institution_id).await?;
    let form = Form::parse(&body);
    let back = |message: &str| match app.offer_id {
        Some(o) => super::with_message(&format!("/recruteur/offres/{o}/candidatures#candidature-{}", app.id), message),
        None => super::with_message("/recruteur/candidatures-spontanees", message),
    };
    let rating = match form.get("note_globale") {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(n) if (1..=5).contains(&n) => Some(n),
            _ => return Ok(back("La note va de 1 à 5.")),
        },
    };
    let note = form.opt("texte");
    if note.as_ref().is_some_and(|n| n.chars().count() > 5000) {
        return Ok(back("Une note fait 5 000 caractères au plus."));
    }
    crate::services::applications::annotate(&state, &staff.user, &app, note.as_deref(), rating).await?;
    Ok(back("Note enregistrée."))
}

/// `POST /recruteur/offres/{id}/candidatures/lot` (recruiter of the offer's institution): moves
/// every selected application (`ids`) to `etape` (with `motif` for a refusal), each with its
/// e-mail; says how many moved and why the others did not.
pub async fn bulk_move(
    State(state): State<AppState>,
    staff: StaffUser,
    crate::forms::Id(id): crate::forms::Id,
    body: Bytes,
) -> AppResult<Response> {
    let offer = db::backoffice::managed_offer(state.db.conn(), id, staff.institution_id).await?;
    let form = Form::parse(&body);
    let back = |message: String| super::with_message(&format!("/recruteur/offres/{}/candidatures", offer.id), &message);
    let Ok(to) = form.get("etape").parse::<Stage>() else {
        return Ok(back("Choisissez une étape.".into()));
    };
    let ids: Vec<i64> = form.all("ids").iter().filter_map(|v| v.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(back("Cochez au moins une candidature.".into()));
    }
    let mine: Vec<i64> =
        db::backoffice::offer_applications(state.db.conn(), offer.id).await?.iter().map(|a| a.id).collect();
    let reason = form.opt("motif");
    let (mut moved, mut errors) = (0, Vec::new());
    for id in ids.into_iter().filter(|i| mine.contains(i)) {
        match crate::services::applications::move_stage(&state, &staff.user, id, to, reason.as_deref()).await {
            Ok(_) => moved += 1,
            Err(e) => errors.push(e.refusal().ok_or(e)?),
        }
    }
    errors.dedup();
    let mut message = format!(
        "{moved} candidature{} passée{} à l’étape « {} ».",
        if moved > 1 { "s" } else { "" },
        if moved > 1 { "s" } else { "" },
        to.label()
    );
    if !errors.is_empty() {
        message.push_str(&format!(" Non déplacées : {}.", errors.join(" ; ")));
    }
    Ok(back(message))
}
