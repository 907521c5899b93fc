//! `/espace-candidat` (signed-in candidate): applications and their timeline, favourites,
//! alerts, export and deletion of personal data. Every query filters on the candidate's id.

use crate::AppState;
use crate::auth::CandidateUser;
use crate::candidate::accounts::candidate_page;
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::Page;
use crate::widgets::MessagePage;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use db::applications::ApplicationView;
use db::entity::{alert, refusal_reason};
use db::listing::OfferView;
use tower_sessions::Session;

#[derive(Template, WebTemplate)]
#[template(path = "candidate/space.html")]
pub struct SpacePage {
    page: Page,
    applications: Vec<ApplicationView>,
    favourites: Vec<OfferView>,
    alerts: Vec<alert::Model>,
    /// Invitations to apply from recruiters, with their offer.
    invitations: Vec<(db::entity::invitation::Model, OfferView)>,
    verified: bool,
    has_profile: bool,
    /// A status message left by the last action (address confirmed…), shown once.
    notice: Option<String>,
    forum: ForumPart,
}

/// The forum in the candidate's space: registrations, job-dating bookings, the calendar.
pub struct ForumPart {
    /// `(session url, title, when, status label, registration token, may cancel)`.
    pub registrations: Vec<(String, String, String, String, String, bool)>,
    /// `(booking id, employer, when, online link shown now, may cancel, booth url)`.
    pub bookings: Vec<(i64, String, String, Option<String>, bool, String)>,
    pub agenda: Option<String>,
}

async fn forum_part(state: &AppState, user: &db::entity::user::Model) -> AppResult<ForumPart> {
    use domain::forum::RegistrationStatus;
    let conn = state.db.conn();
    let now = state.now();
    let participant = db::forum::participant_of_user(conn, user.id).await?;
    let mut registrations = Vec::new();
    if let Some(p) = &participant {
        for r in db::forum::registrations_of(conn, p.id).await? {
            if r.status == RegistrationStatus::Cancelled {
                continue;
            }
            let s = &r.session.session;
            registrations.push((
                format!("/evenements/{}", s.slug),
                s.title.clone(),
                crate::format::span(s.starts_at, s.ends_at),
                r.status.label().to_string(),
                r.registration.token.clone(),
                s.ends_at > now,
            ));
        }
    }
    let mut bookings = Vec::new();
    for b in db::forum::bookings_of_user(conn, user.id).await? {
        let e = db::forum::edition(conn, b.booth.edition_id).await?;
        let window = domain::forum::booking_window(e.booking_opens_at, b.slot.starts_at, e.booking_closes_minutes);
        bookings.push((
            b.booking.id,
            b.institution.name.clone(),
            crate::format::span(b.slot.starts_at, b.slot.ends_at),
            domain::forum::link_visible(now, b.slot.starts_at, b.slot.ends_at).then(|| b.slot.online_url.clone()),
            now < window.closes,
            format!("/stands/{}", b.booth.slug),
        ));
    }
    Ok(ForumPart { registrations, bookings, agenda: participant.map(|p| format!("/agenda/{}.ics", p.agenda_token)) })
}

/// `POST /espace-candidat/forum/rendez-vous/{id}/annuler` (candidate; their own booking).
pub async fn cancel_booking(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<axum::response::Response> {
    crate::services::forum::cancel_booking(&state, &user, id).await?;
    Ok(crate::flash::redirect(
        "/espace-candidat#forum",
        "Votre rendez-vous de job dating est annulé : le créneau est libre pour quelqu’un d’autre.",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "candidate/application.html")]
pub struct ApplicationPage {
    page: Page,
    a: ApplicationView,
    reasons: Vec<refusal_reason::Model>,
    sent: bool,
    already: bool,
}

impl ApplicationPage {
    fn reason_label(&self, code: &str) -> String {
        self.reasons.iter().find(|r| r.code == code).map(|r| r.label.clone()).unwrap_or_default()
    }
}

/// `GET /espace-candidat` (candidate).
pub async fn home(State(state): State<AppState>, CandidateUser(user): CandidateUser) -> AppResult<SpacePage> {
    let conn = state.db.conn();
    let applications = db::applications::list_for_user(conn, user.id).await?;
    let fav_ids: Vec<i64> = db::favourites::list(conn, user.id).await?.iter().map(|f| f.offer_id).collect();
    let mut favourites = db::listing::public_views_by_ids(conn, &fav_ids).await?;
    favourites.sort_by_key(|v| fav_ids.iter().position(|id| *id == v.offer.id));
    let invites = db::backoffice::invitations_of(conn, user.id).await?;
    let invited =
        db::listing::public_views_by_ids(conn, &invites.iter().map(|i| i.offer_id).collect::<Vec<_>>()).await?;
    let invitations = invites
        .into_iter()
        .filter_map(|i| invited.iter().find(|v| v.offer.id == i.offer_id).cloned().map(|v| (i, v)))
        .collect();
    Ok(SpacePage {
        page: candidate_page("Mon espace candidat", &[("Mon espace candidat", None)]),
        invitations,
        applications,
        favourites,
        alerts: db::alerts::list_for_user(conn, user.id).await?,
        verified: user.email_verified_at.is_some(),
        has_profile: db::profiles::get(conn, user.id).await?.is_some(),
        notice: crate::flash::take().filter(|m| !m.is_empty()),
        forum: forum_part(&state, &user).await?,
    })
}

/// `GET /espace-candidat/candidatures/{id}` (candidate; only their own, 404 otherwise).
pub async fn application(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    crate::forms::Id(id): crate::forms::Id,
    RawQuery(q): RawQuery,
) -> AppResult<ApplicationPage> {
    let a = db::applications::get_for_user(state.db.conn(), id, user.id).await?;
    let q = q.unwrap_or_default();
    Ok(ApplicationPage {
        page: candidate_page(
            "Ma candidature",
            &[("Mon espace candidat", Some("/espace-candidat")), ("Ma candidature", None)],
        ),
        reasons: db::applications::refusal_reasons(state.db.conn()).await?,
        sent: q.contains("envoyee=1"),
        already: q.contains("deja=1"),
        a,
    })
}

/// `POST /espace-candidat/candidatures/{id}/retirer` (candidate; own applications only).
pub async fn withdraw(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<Response> {
    match db::applications::withdraw(state.db.conn(), id, user.id, state.now()).await {
        Ok(_) | Err(db::DbError::Invalid(_)) => {
            Ok(Redirect::to(&format!("/espace-candidat/candidatures/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /favoris/{slug}` (candidate): `etat=1` stars, `etat=0` unstars. Without JavaScript it
/// returns to the page it came from; with htmx it answers the new button.
pub async fn favourite(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let view = db::listing::public_by_slug(state.db.conn(), &slug).await?;
    let on = form.get("etat") != "0";
    db::favourites::set(state.db.conn(), user.id, view.offer.id, on, state.now()).await?;
    if headers.contains_key("hx-request") {
        let button = crate::public::offer::FavouriteButton {
            on,
            signed_in: true,
            back: form
                .opt("retour")
                .and_then(|r| crate::auth::local_path(&r))
                .unwrap_or_else(|| format!("/emploi/{slug}")),
            ..crate::public::offer::FavouriteButton::anonymous(&slug, &view.offer.title)
        };
        return Ok(button.into_response());
    }
    let back = crate::auth::safe_next(form.opt("retour").as_deref());
    Ok(Redirect::to(&back).into_response())
}

/// `POST /espace-candidat/alertes/{id}/supprimer` (candidate; own alerts only).
pub async fn delete_alert(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    crate::forms::Id(id): crate::forms::Id,
) -> AppResult<Response> {
    db::alerts::delete_for_user(state.db.conn(), id, user.id).await?;
    Ok(Redirect::to("/espace-candidat#alertes").into_response())
}

/// `GET /espace-candidat/export` (candidate): everything as one JSON file, CVs included
/// (base64).
pub async fn export(State(state): State<AppState>, CandidateUser(user): CandidateUser) -> AppResult<Response> {
    let mut data = db::personal_data::export(state.db.conn(), user.id).await?;
    let mut files = Vec::new();
    for f in db::profiles::files_of(state.db.conn(), user.id).await? {
        let bytes = state.files.get(&f.storage_key).await.unwrap_or_default();
        files.push(serde_json::json!({
            "id": f.id,
            "nom": f.file_name,
            "type": f.content_type,
            "contenu_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        }));
    }
    data["fichiers"] = serde_json::Value::Array(files);
    data["exporte_le"] = serde_json::json!(state.now());
    let body = serde_json::to_vec_pretty(&data).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"mes-donnees-metiers-du-numerique.json\""),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "candidate/delete.html")]
pub struct DeletePage {
    page: Page,
    form: Form,
}

/// `GET /espace-candidat/supprimer-mon-compte` (candidate).
pub async fn delete_form(CandidateUser(_): CandidateUser) -> DeletePage {
    DeletePage {
        page: candidate_page(
            "Supprimer mon compte",
            &[("Mon espace candidat", Some("/espace-candidat")), ("Supprimer mon compte", None)],
        ),
        form: Form::default(),
    }
}

/// `POST /espace-candidat/supprimer-mon-compte` (candidate): asks for the password again.
pub async fn delete_account(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    session: Session,
    body: Bytes,
) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let password = form.all("password").into_iter().next().unwrap_or_default();
    if !crate::auth::verify_password(password, user.password_hash.clone()).await? {
        form.add_error("password", "Mot de passe incorrect.");
        let page = candidate_page(
            "Supprimer mon compte – erreur",
            &[("Mon espace candidat", Some("/espace-candidat")), ("Supprimer mon compte", None)],
        );
        return Ok(DeletePage { page, form }.into_response());
    }
    crate::services::accounts::delete_account(&state, &user).await?;
    let _ = session.flush().await;
    Ok(MessagePage::new(
        "Votre compte a été supprimé",
        vec!["Votre profil, vos CV, vos favoris et vos alertes sont supprimés ; vos candidatures sont devenues anonymes pour les recruteurs. Un e-mail vous le confirme.".into()],
        Some(("/", "Retour à l’accueil")),
        true,
    )
    .into_response())
}
