//! `/stands` and `/stands/{slug}` (public): the forum's booths, one per recruiting service,
//! with its open offers, its presentation session and its job-dating slots (recruiters are
//! not named there: a person is named on a public page only with their recorded consent); a signed-in
//! candidate books a slot there (`POST /stands/{slug}/creneaux/{id}`).

use crate::auth::{CandidateUser, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::forms::Form;
use crate::layout::{Nav, Page};
use crate::widgets::MessagePage;
use crate::{AppState, format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use db::forum::BoothView;

/// A booth's tile on `/stands`.
pub struct BoothTile {
    pub url: String,
    pub name: String,
    pub free_slots: u64,
    pub slots: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/booths.html")]
pub struct BoothsPage {
    pub page: Page,
    pub edition: String,
    pub booths: Vec<BoothTile>,
}

/// `GET /stands`: the current edition's booths.
pub async fn list(State(state): State<AppState>) -> AppResult<Response> {
    let Some(e) = db::forum::current_edition(state.db.conn(), state.now()).await? else {
        return Err(AppError::NotFound);
    };
    let booths = db::forum::booths_of(state.db.conn(), e.id).await?;
    let view = BoothsPage {
        page: Page::new(format!("Stands : {}", e.name))
            .nav(Nav::Forum)
            .description(
                "Les services recruteurs du forum : leurs offres, leurs équipes et leurs créneaux de job dating.",
            )
            .canonical(format!("{}/stands", state.config.public_url))
            .crumbs(&[("Forum", Some("/forum")), ("Stands", None)]),
        edition: e.name,
        booths: booths
            .iter()
            .map(|b| BoothTile {
                url: format!("/stands/{}", b.booth.slug),
                name: b.institution.name.clone(),
                free_slots: b.free_slots,
                slots: b.slots,
            })
            .collect(),
    };
    Ok(view.into_response())
}

/// A slot as the booth's page offers it.
pub struct SlotRow {
    pub id: i64,
    pub when: String,
    pub question: Option<String>,
    pub offers: Vec<(String, String)>,
    /// Booked by somebody (the visitor's own booking is `mine`).
    pub taken: bool,
    pub mine: bool,
    pub bookable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/booth.html")]
pub struct BoothPage {
    pub page: Page,
    pub slug: String,
    pub name: String,
    pub employer_url: Option<String>,
    pub presentation: String,
    pub session: Option<(String, String)>,
    pub offers: Vec<super::offers::Card>,
    pub more_offers: Option<String>,
    pub slots: Vec<SlotRow>,
    pub signed_in_candidate: bool,
    pub signed_in: bool,
    pub booking_note: String,
    /// The edition's booking has opened.
    pub booking_open: bool,
}

/// `GET /stands/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let b: BoothView = db::forum::booth_by_slug(state.db.conn(), &slug).await?;
    let e = db::forum::edition(state.db.conn(), b.booth.edition_id).await?;
    let now = state.now();
    let is_candidate = user.as_ref().is_some_and(|u| u.role == domain::role::Role::Candidate.code());
    let mine: Vec<i64> = match &user {
        Some(u) => db::forum::bookings_of_user(state.db.conn(), u.id).await?.into_iter().map(|x| x.slot.id).collect(),
        None => Vec::new(),
    };
    let offers = db::listing::latest_open(state.db.conn(), now, 500, Some(b.institution.id), None, None).await?;
    let titles: std::collections::HashMap<i64, (String, String)> =
        offers.iter().map(|o| (o.offer.id, (format!("/emploi/{}", o.offer.slug), o.offer.title.clone()))).collect();
    let slots = db::forum::slots_of_booth(state.db.conn(), b.booth.id)
        .await?
        .into_iter()
        .filter(|v| v.slot.ends_at > now)
        .map(|v| {
            let window = domain::forum::booking_window(e.booking_opens_at, v.slot.starts_at, e.booking_closes_minutes);
            SlotRow {
                id: v.slot.id,
                when: format::span(v.slot.starts_at, v.slot.ends_at),
                question: v.slot.question.clone(),
                offers: db::forum::slot_offer_ids(&v.slot).iter().filter_map(|i| titles.get(i).cloned()).collect(),
                taken: v.booking.is_some(),
                mine: mine.contains(&v.slot.id),
                bookable: v.booking.is_none() && window.contains(now),
            }
        })
        .collect();
    let session = match b.booth.session_id {
        Some(id) => db::forum::session_view(state.db.conn(), id)
            .await
            .ok()
            .filter(|v| v.state != domain::forum::SessionState::Draft)
            .map(|v| (format!("/evenements/{}", v.session.slug), v.session.title)),
        None => None,
    };
    let booking_note = if now < e.booking_opens_at {
        format!("Les réservations ouvrent le {}.", format::date_time(e.booking_opens_at))
    } else {
        format!(
            "Un créneau par stand, jamais deux en même temps ; réservation possible jusqu’à {}.",
            if e.booking_closes_minutes == 0 {
                "son début".to_string()
            } else {
                format!("{} avant le créneau", format::minutes(e.booking_closes_minutes))
            }
        )
    };
    let view = BoothPage {
        page: Page::new(format!("Stand : {}", b.institution.name))
            .nav(Nav::Forum)
            .description(markdown::to_plain(&b.booth.presentation, 160))
            .canonical(format!("{}/stands/{}", state.config.public_url, b.booth.slug))
            .crumbs(&[("Forum", Some("/forum")), ("Stands", Some("/stands")), (b.institution.name.as_str(), None)]),
        slug: b.booth.slug.clone(),
        name: b.institution.name.clone(),
        employer_url: b.institution.published.then(|| format!("/employeurs/{}", b.institution.slug)),
        presentation: markdown::to_html(&b.booth.presentation),
        session,
        more_offers: (offers.len() > 12).then(|| format!("/offres-emploi?employeur={}", b.institution.slug)),
        offers: offers.iter().take(12).map(|o| super::offers::card(o, None)).collect(),
        slots,
        signed_in_candidate: is_candidate,
        signed_in: user.is_some(),
        booking_note,
        booking_open: now >= e.booking_opens_at,
    };
    Ok(view.into_response())
}

/// `POST /stands/{slug}/creneaux/{id}` (candidates): books the slot, with the answer to its
/// question when it asks one.
pub async fn book(
    State(state): State<AppState>,
    CandidateUser(user): CandidateUser,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let b = db::forum::booth_by_slug(state.db.conn(), &slug).await?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let slot = db::forum::slot(state.db.conn(), id).await?;
    if slot.booth_id != b.booth.id {
        return Err(AppError::NotFound);
    }
    let form = Form::parse(&body);
    let answer: Option<String> = domain::text::non_empty(form.get("reponse")).map(|a| a.chars().take(2000).collect());
    let back = format!("/stands/{slug}");
    if slot.question.is_some() && answer.is_none() {
        return Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            MessagePage::new(
                "Réponse manquante",
                vec!["Ce créneau pose une question avant l’entretien : répondez-y pour réserver.".into()],
                Some((&back, "Revenir au stand")),
                false,
            ),
        )
            .into_response());
    }
    crate::services::forum::book(&state, &user, id, answer).await?;
    Ok(MessagePage::new(
        "Rendez-vous réservé",
        vec![format!(
            "Votre entretien avec {} est réservé, {}. Vous le retrouvez dans votre espace candidat et dans votre agenda du forum.",
            b.institution.name,
            format::span(slot.starts_at, slot.ends_at)
        )],
        Some(("/espace-candidat#forum", "Voir mes rendez-vous")),
        true,
    )
    .into_response())
}
