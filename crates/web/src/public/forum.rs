//! The Forum de l'emploi tech de l'État (public): `/forum` (the current edition), the
//! programme `/evenements` with its filters, a session's page and calendar file, registration
//! (an account or an e-mail address alone), the participant's own registration page (its
//! online link shortly before the start, its cancellation), the personal calendar
//! `/agenda/{token}.ics`, the feedback form and the announcements' stop link.

use crate::auth::MaybeUser;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, query_param};
use crate::layout::{Nav, Page};
use crate::security::ClientIp;
use crate::services::forum::{Registrant, when};
use crate::widgets::MessagePage;
use crate::{AppState, calendar, format, markdown};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use db::entity::{forum_edition, forum_registration};
use db::forum::{Placed, SessionView};
use domain::forum::{RegistrationStatus, SessionKind, SessionState, WindowPhase};

/// A session as the programme lists it (`forum/_session.html`).
pub struct SessionCard {
    pub url: String,
    pub title: String,
    pub kind: &'static str,
    pub when: String,
    pub employer: Option<String>,
    pub speakers: String,
    pub themes: Vec<String>,
    pub capacity: i32,
    pub remaining: i32,
    pub waiting: u64,
    pub cancelled: bool,
    pub past: bool,
    pub replay: bool,
}

impl SessionCard {
    pub fn of(v: &SessionView, now: DateTime<Utc>) -> Self {
        let s = &v.session;
        Self {
            url: format!("/evenements/{}", s.slug),
            title: s.title.clone(),
            kind: v.kind.label(),
            when: format::span(s.starts_at, s.ends_at),
            employer: v.institution.as_ref().map(|i| i.acronym.clone().unwrap_or_else(|| i.name.clone())),
            speakers: v.speakers.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", "),
            themes: v.themes(),
            capacity: s.capacity,
            remaining: v.remaining(),
            waiting: v.waiting,
            cancelled: v.state == SessionState::Cancelled,
            past: s.ends_at <= now,
            replay: s.replay_captions.is_some() && s.replay_key.is_some(),
        }
    }

    /// « 12 places restantes », « Complet : liste d’attente (3) »…
    pub fn places(&self) -> String {
        if self.cancelled {
            "Session annulée".into()
        } else if self.past {
            if self.replay { "Terminée : replay disponible".into() } else { "Terminée".into() }
        } else if self.remaining == 0 {
            match self.waiting {
                0 => "Complet : inscrivez-vous sur la liste d’attente".into(),
                n => format!("Complet : liste d’attente ({n})"),
            }
        } else if self.remaining == 1 {
            "1 place restante".into()
        } else {
            format!(
                "{} places restantes sur {}",
                format::number(self.remaining as u64),
                format::number(self.capacity as u64)
            )
        }
    }
}

/// The edition's window as the pages say it.
fn window_sentence(e: &forum_edition::Model, now: DateTime<Utc>) -> String {
    let w = domain::forum::Window { opens: e.registration_opens_at, closes: e.registration_closes_at };
    match w.phase(now) {
        WindowPhase::NotYet => format!("Les inscriptions ouvrent le {}.", format::date_time(e.registration_opens_at)),
        WindowPhase::Open => format!("Inscriptions ouvertes jusqu’au {}.", format::date_time(e.registration_closes_at)),
        WindowPhase::Closed => "Les inscriptions sont closes.".into(),
    }
}

/// The programme's filters are the stories' list's: a parameter, a label, choices.
pub use super::stories::Filter;

/// What the programme is narrowed to (values as in its address).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgrammeFilter {
    pub kind: Option<String>,
    pub day: Option<String>,
    pub theme: Option<String>,
    pub employer: Option<String>,
}

impl ProgrammeFilter {
    pub fn parse(raw: Option<&str>) -> Self {
        let get = |name| query_param(raw, name).filter(|v| !v.is_empty());
        Self { kind: get("type"), day: get("jour"), theme: get("theme"), employer: get("employeur") }
    }

    pub fn matches(&self, v: &SessionView) -> bool {
        let s = &v.session;
        self.kind.as_deref().is_none_or(|k| v.kind.code() == k)
            && self.day.as_deref().is_none_or(|d| day_key(s.starts_at) == d)
            && self.theme.as_deref().is_none_or(|t| v.themes().iter().any(|x| domain::text::slugify(x) == t))
            && self.employer.as_deref().is_none_or(|e| v.institution.as_ref().is_some_and(|i| i.slug == e))
    }
}

fn day_key(d: DateTime<Utc>) -> String {
    format::paris(d).format("%Y-%m-%d").to_string()
}

/// The edition a programme shows: `?edition=` or the current one.
async fn edition_of(state: &AppState, raw: Option<&str>) -> AppResult<Option<forum_edition::Model>> {
    match query_param(raw, "edition").filter(|v| !v.is_empty()) {
        Some(slug) => Ok(Some(db::forum::edition_by_slug(state.db.conn(), &slug).await?)),
        None => Ok(db::forum::current_edition(state.db.conn(), state.now()).await?),
    }
}

fn filters_of(all: &[SessionView], f: &ProgrammeFilter) -> Vec<Filter> {
    let pick = |chosen: &Option<String>, items: Vec<(String, String)>| {
        let mut items = items;
        items.sort();
        items.dedup();
        items.into_iter().map(|(v, l)| (v.clone(), l, chosen.as_deref() == Some(v.as_str()))).collect::<Vec<_>>()
    };
    let kinds = SessionKind::ALL
        .iter()
        .filter(|k| all.iter().any(|v| v.kind == **k))
        .map(|k| (k.code().to_string(), k.label().to_string(), f.kind.as_deref() == Some(k.code())))
        .collect();
    let days = pick(
        &f.day,
        all.iter().map(|v| (day_key(v.session.starts_at), format::weekday_date(v.session.starts_at))).collect(),
    );
    let mut themes: Vec<(String, String)> =
        all.iter().flat_map(|v| v.themes()).map(|t| (domain::text::slugify(&t), t)).collect();
    themes.sort_by_key(|(_, l)| domain::text::match_key(l));
    themes.dedup_by(|a, b| a.0 == b.0);
    let themes = themes.into_iter().map(|(v, l)| (v.clone(), l, f.theme.as_deref() == Some(v.as_str()))).collect();
    let mut employers: Vec<(String, String)> =
        all.iter().filter_map(|v| v.institution.as_ref().map(|i| (i.slug.clone(), i.name.clone()))).collect();
    employers.sort_by_key(|(_, l)| domain::text::match_key(l));
    employers.dedup();
    let employers =
        employers.into_iter().map(|(v, l)| (v.clone(), l, f.employer.as_deref() == Some(v.as_str()))).collect();
    vec![
        Filter { param: "type", label: "Type", choices: kinds },
        Filter { param: "jour", label: "Jour", choices: days },
        Filter { param: "theme", label: "Thème", choices: themes },
        Filter { param: "employeur", label: "Employeur", choices: employers },
    ]
}

/// A day of the programme.
pub struct Day {
    pub label: String,
    pub sessions: Vec<SessionCard>,
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/programme.html")]
pub struct ProgrammePage {
    pub page: Page,
    pub edition: String,
    pub edition_slug: String,
    pub window: String,
    pub filters: Vec<Filter>,
    pub filtered: bool,
    pub days: Vec<Day>,
    pub sentence: String,
    pub editions: Vec<(String, String, bool)>,
}

/// `GET /evenements`: the programme by day, filtered by type, day, theme and employer.
pub async fn programme(State(state): State<AppState>, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let Some(e) = edition_of(&state, raw.as_deref()).await? else {
        return Ok(no_edition());
    };
    let now = state.now();
    let f = ProgrammeFilter::parse(raw.as_deref());
    let all = db::forum::sessions_of(state.db.conn(), e.id, true).await?;
    let shown: Vec<&SessionView> = all.iter().filter(|v| f.matches(v)).collect();
    let mut days: Vec<Day> = Vec::new();
    for v in &shown {
        let label = format::weekday_date(v.session.starts_at);
        match days.last_mut() {
            Some(d) if d.label == label => d.sessions.push(SessionCard::of(v, now)),
            _ => days.push(Day { label, sessions: vec![SessionCard::of(v, now)] }),
        }
    }
    let sentence = match shown.len() {
        0 => "Aucune session ne correspond à ces critères".to_string(),
        1 => "1 session".to_string(),
        n => format!("{n} sessions"),
    };
    let editions = db::forum::editions(state.db.conn())
        .await?
        .into_iter()
        .map(|x| (x.slug.clone(), x.name, x.id == e.id))
        .collect();
    let view = ProgrammePage {
        page: Page::new(format!("Programme : {}", e.name))
            .nav(Nav::Forum)
            .description(format!(
                "Conférences, présentations de recruteurs, ateliers de coaching, job dating et témoignages : le programme du {}.",
                e.name
            ))
            .canonical(format!("{}/evenements", state.config.public_url))
            .crumbs(&[("Forum", Some("/forum")), ("Programme", None)]),
        window: window_sentence(&e, now),
        filters: filters_of(&all, &f),
        filtered: f != ProgrammeFilter::default(),
        edition: e.name,
        edition_slug: e.slug,
        days,
        sentence,
        editions,
    };
    Ok(view.into_response())
}

fn no_edition() -> Response {
    MessagePage::new(
        "Forum de l’emploi tech de l’État",
        vec!["Aucune édition du forum n’est encore annoncée. Abonnez-vous à la lettre d’information pour être prévenu·e de la prochaine.".into()],
        Some(("/#lettre-information", "S’abonner à la lettre d’information")),
        false,
    )
    .into_response()
}

/// A figure beside its objective.
pub struct Objective {
    pub label: &'static str,
    pub value: String,
    pub objective: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/home.html")]
pub struct ForumPage {
    pub page: Page,
    pub name: String,
    pub dates: String,
    pub description: String,
    pub window: String,
    pub objectives: Vec<Objective>,
    pub kinds: Vec<(String, &'static str, usize)>,
    pub next: Vec<SessionCard>,
    pub booths: usize,
    pub past: Vec<(String, String)>,
}

/// `GET /forum`: the current edition, its objectives and what comes next.
pub async fn home(State(state): State<AppState>) -> AppResult<Response> {
    let now = state.now();
    let Some(e) = db::forum::current_edition(state.db.conn(), now).await? else {
        return Ok(no_edition());
    };
    let sessions = db::forum::sessions_of(state.db.conn(), e.id, true).await?;
    let stats = db::forum::stats(state.db.conn(), &e, now).await?;
    let booths = db::forum::booths_of(state.db.conn(), e.id).await?.len();
    let kinds = SessionKind::ALL
        .iter()
        .map(|k| (k.code().to_string(), k.label(), sessions.iter().filter(|v| v.kind == *k).count()))
        .filter(|(_, _, n)| *n > 0)
        .collect();
    let next = sessions
        .iter()
        .filter(|v| v.session.ends_at > now && v.state == SessionState::Published)
        .take(6)
        .map(|v| SessionCard::of(v, now))
        .collect();
    let past = db::forum::editions(state.db.conn())
        .await?
        .into_iter()
        .filter(|x| x.id != e.id && x.ends_at <= now)
        .map(|x| (format!("/evenements?edition={}", x.slug), x.name))
        .collect();
    let n = |v: u64| format::number(v);
    let view = ForumPage {
        page: Page::new(e.name.clone())
            .nav(Nav::Forum)
            .description(markdown::to_plain(&e.description, 160))
            .canonical(format!("{}/forum", state.config.public_url))
            .crumbs(&[("Forum", None)]),
        dates: format::span(e.starts_at, e.ends_at),
        description: markdown::to_html(&e.description),
        window: window_sentence(&e, now),
        objectives: vec![
            Objective {
                label: "participantes et participants",
                value: n(stats.participants),
                objective: n(u64::try_from(e.objective_participants).unwrap_or(0)),
            },
            Objective {
                label: "services recruteurs",
                value: n(stats.services),
                objective: n(u64::try_from(e.objective_services).unwrap_or(0)),
            },
            Objective {
                label: "postes ouverts",
                value: n(stats.posts),
                objective: n(u64::try_from(e.objective_posts).unwrap_or(0)),
            },
        ],
        name: e.name,
        kinds,
        next,
        booths,
        past,
    };
    Ok(view.into_response())
}

/// A speaker as the session's page shows them.
pub struct Speaker {
    pub name: String,
    pub job_title: String,
    pub story: Option<String>,
}

/// The registration part of a session's page.
pub struct RegistrationBox {
    /// Registration is possible now.
    pub open: bool,
    pub window: String,
    pub signed_in: bool,
    pub full: bool,
    /// The visitor's own registration: status label, their registration page.
    pub mine: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/session.html")]
pub struct SessionPage {
    pub page: Page,
    pub card: SessionCard,
    pub slug: String,
    pub description: String,
    pub speakers: Vec<Speaker>,
    pub employer: Option<(Option<String>, String)>,
    pub place: Option<String>,
    pub registration: RegistrationBox,
    pub replay: Option<super::stories::Video>,
    pub json_ld: String,
}

fn json_ld(state: &AppState, v: &SessionView) -> String {
    let s = &v.session;
    let base = &state.config.public_url;
    let status = if v.state == SessionState::Cancelled {
        "https://schema.org/EventCancelled"
    } else {
        "https://schema.org/EventScheduled"
    };
    let mut doc = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": s.title,
        "description": markdown::to_plain(&s.description, 300),
        "startDate": format::paris(s.starts_at).to_rfc3339(),
        "endDate": format::paris(s.ends_at).to_rfc3339(),
        "eventStatus": status,
        "eventAttendanceMode": if s.place.is_some() { "https://schema.org/MixedEventAttendanceMode" } else { "https://schema.org/OnlineEventAttendanceMode" },
        "location": { "@type": "VirtualLocation", "url": format!("{base}/evenements/{}", s.slug) },
        "maximumAttendeeCapacity": s.capacity,
        "remainingAttendeeCapacity": v.remaining(),
        "isAccessibleForFree": true,
        "inLanguage": "fr",
        "url": format!("{base}/evenements/{}", s.slug),
        "organizer": { "@type": "GovernmentOrganization", "name": "Métiers du numérique", "url": base },
    });
    if let Some(i) = &v.institution {
        doc["performer"] = serde_json::json!({ "@type": "GovernmentOrganization", "name": i.name });
    }
    super::offer::script_safe_json(&doc)
}

async fn my_registration(
    state: &AppState,
    user: Option<&db::entity::user::Model>,
    session_id: i64,
) -> AppResult<Option<forum_registration::Model>> {
    let Some(u) = user else { return Ok(None) };
    let Some(p) = db::forum::participant_of_user(state.db.conn(), u.id).await? else { return Ok(None) };
    Ok(db::forum::registration_of(state.db.conn(), session_id, p.id)
        .await?
        .filter(|r| r.status != RegistrationStatus::Cancelled.code()))
}

/// `GET /evenements/{slug}` and `/evenements/{slug}.ics`.
pub async fn session(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    if let Some(slug) = slug.strip_suffix(".ics") {
        return session_ics(&state, slug).await;
    }
    let v = db::forum::public_session(state.db.conn(), &slug).await?;
    let e = db::forum::edition(state.db.conn(), v.session.edition_id).await?;
    let now = state.now();
    let s = &v.session;
    let card = SessionCard::of(&v, now);
    let window = domain::forum::Window { opens: e.registration_opens_at, closes: e.registration_closes_at };
    let mine = my_registration(&state, user.as_deref(), s.id).await?;
    let registration = RegistrationBox {
        open: window.contains(now) && !card.past && !card.cancelled,
        window: if card.past || card.cancelled { String::new() } else { window_sentence(&e, now) },
        signed_in: user.is_some(),
        full: card.remaining == 0,
        mine: match mine {
            Some(r) => {
                let status: RegistrationStatus = db::stored("inscription", r.id, &r.status)?;
                Some((status.label().to_string(), format!("/forum/inscription/{}", r.token)))
            }
            None => None,
        },
    };
    let replay = match (&s.replay_key, &s.replay_type, &s.replay_captions) {
        (Some(_), Some(mime), Some(_)) if card.past => Some(super::stories::Video {
            src: format!("/evenements/{}/replay", s.slug),
            mime: if mime == "video/webm" { "video/webm" } else { "video/mp4" },
            captions: format!("/evenements/{}/sous-titres.vtt", s.slug),
            transcript: s.replay_transcript.clone().unwrap_or_default(),
        }),
        _ => None,
    };
    let speakers = v
        .speakers
        .iter()
        .map(|p| Speaker { name: p.name.clone(), job_title: p.job_title.clone(), story: None })
        .collect::<Vec<_>>();
    let speakers = with_stories(&state, speakers, &v).await?;
    let view = SessionPage {
        page: Page::new(s.title.clone())
            .nav(Nav::Forum)
            .description(markdown::to_plain(&s.description, 160))
            .canonical(format!("{}/evenements/{}", state.config.public_url, s.slug))
            .crumbs(&[("Forum", Some("/forum")), ("Programme", Some("/evenements")), (s.title.as_str(), None)]),
        json_ld: json_ld(&state, &v),
        slug: s.slug.clone(),
        description: markdown::to_html(&s.description),
        employer: v
            .institution
            .as_ref()
            .map(|i| (i.published.then(|| format!("/employeurs/{}", i.slug)), i.name.clone())),
        place: s.place.clone(),
        speakers,
        registration,
        replay,
        card,
    };
    Ok(view.into_response())
}

/// Speakers linked to their public story, when they have one.
async fn with_stories(state: &AppState, mut speakers: Vec<Speaker>, v: &SessionView) -> AppResult<Vec<Speaker>> {
    for (sp, row) in speakers.iter_mut().zip(&v.speakers) {
        if let Some(id) = row.story_id
            && let Some(slug) = db::stories::public_slug(state.db.conn(), id).await?
        {
            sp.story = Some(format!("/temoignages/{slug}"));
        }
    }
    Ok(speakers)
}

/// `GET /evenements/{slug}/{media}`: a past session's replay (`replay`, by byte ranges) and
/// its captions (`sous-titres.vtt`).
pub async fn media(
    State(state): State<AppState>,
    Path((slug, media)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let v = db::forum::public_session(state.db.conn(), &slug).await?;
    let s = &v.session;
    if s.ends_at > state.now() {
        return Err(AppError::NotFound);
    }
    match media.as_str() {
        "replay" => {
            let (Some(key), Some(mime)) = (&s.replay_key, &s.replay_type) else { return Err(AppError::NotFound) };
            let mime = if mime == "video/webm" { "video/webm" } else { "video/mp4" };
            crate::storage::ranged_response(&state.files, key, mime, "public, max-age=3600", &headers).await
        }
        "sous-titres.vtt" => {
            let captions = s.replay_captions.clone().ok_or(AppError::NotFound)?;
            Ok((StatusCode::OK, [(axum::http::header::CONTENT_TYPE, "text/vtt; charset=utf-8")], captions)
                .into_response())
        }
        _ => Err(AppError::NotFound),
    }
}

fn session_event(
    state: &AppState,
    v: &SessionView,
    cancelled: bool,
    alarms: bool,
    personal: Option<&str>,
) -> calendar::Event {
    let s = &v.session;
    let host = host(state);
    let url = match personal {
        Some(token) => state.url(&format!("/forum/inscription/{token}")),
        None => state.url(&format!("/evenements/{}", s.slug)),
    };
    calendar::Event {
        uid: format!("session-{}@{host}", s.id),
        sequence: (s.updated_at - s.created_at).num_seconds(),
        summary: s.title.clone(),
        description: format!("{} — {}. {}\n{url}", v.kind.label(), when(s), markdown::to_plain(&s.description, 400)),
        url,
        location: Some(s.place.clone().unwrap_or_else(|| "En ligne (lien sur la page de votre inscription)".into())),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        cancelled: cancelled || v.state == SessionState::Cancelled,
        alarms,
    }
}

async fn session_ics(state: &AppState, slug: &str) -> AppResult<Response> {
    let v = db::forum::public_session(state.db.conn(), slug).await?;
    let body = calendar::render(&v.session.title, &[session_event(state, &v, false, false, None)], state.now());
    Ok(calendar::response(&format!("{}.ics", v.session.slug), body))
}

/// `GET /agenda/{token}.ics` (the secret address of a participant's calendar): every
/// registration (a cancelled one as `STATUS:CANCELLED`) and job-dating booking, with alarms.
pub async fn agenda(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let p = db::forum::participant_by_agenda(state.db.conn(), token).await?;
    let mut events = Vec::new();
    for r in db::forum::registrations_of(state.db.conn(), p.id).await? {
        if r.status == RegistrationStatus::Pending {
            continue;
        }
        let mut e = session_event(
            &state,
            &r.session,
            r.status == RegistrationStatus::Cancelled,
            true,
            Some(&r.registration.token),
        );
        if r.status == RegistrationStatus::Waiting {
            e.summary = format!("Liste d’attente : {}", e.summary);
            e.alarms = false;
        }
        events.push(e);
    }
    if let Some(user_id) = p.user_id {
        let host = host(&state);
        for b in db::forum::bookings_of_user(state.db.conn(), user_id).await? {
            events.push(calendar::Event {
                uid: format!("creneau-{}@{host}", b.slot.id),
                sequence: 0,
                summary: format!("Job dating : {}", b.institution.name),
                description: format!(
                    "Entretien de job dating avec {}, {}. Le lien de connexion est dans votre espace candidat.",
                    b.institution.name,
                    format::span(b.slot.starts_at, b.slot.ends_at)
                ),
                url: state.url("/espace-candidat#forum"),
                location: Some("En ligne".into()),
                starts_at: b.slot.starts_at,
                ends_at: b.slot.ends_at,
                cancelled: false,
                alarms: true,
            });
        }
    }
    let body = calendar::render("Mon agenda du Forum de l’emploi tech de l’État", &events, state.now());
    let mut res = calendar::response("agenda-forum.ics", body);
    // A secret address: no shared cache keeps it, no search engine follows it.
    res.headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
    res.headers_mut().insert("x-robots-tag", axum::http::HeaderValue::from_static("noindex"));
    Ok(res)
}

/// `POST /evenements/{slug}/inscription`: a signed-in account registers at once; a visitor
/// gives an e-mail address and confirms by the link it receives.
pub async fn register(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let v = db::forum::public_session(state.db.conn(), &slug).await?;
    let back = format!("/evenements/{}", v.session.slug);
    let form = Form::parse(&body);
    let who = match &user {
        Some(u) => Registrant::Account(u),
        None => match domain::email::Email::parse(form.get("email")) {
            Ok(e) => Registrant::Email(e),
            Err(_) => {
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    MessagePage::new(
                        "Adresse e-mail invalide",
                        vec!["Saisissez une adresse e-mail valide (par exemple nom@exemple.fr) pour vous inscrire, ou connectez-vous à votre compte.".into()],
                        Some((&back, "Revenir à la session")),
                        false,
                    ),
                )
                    .into_response());
            }
        },
    };
    if let Registrant::Email(e) = &who
        && !crate::security::mail_admitted(&state, "forum", e.as_str(), &ip).await?
    {
        return Ok(crate::widgets::too_many_mails((&back, "Revenir à la session")));
    }
    let anonymous = match &who {
        Registrant::Email(e) => Some(e.clone()),
        Registrant::Account(_) => None,
    };
    let done = match crate::services::forum::register(&state, &v, who).await {
        Ok(done) => done,
        // Typed by a visitor: the page does not say whether the address is registered; its
        // mailbox is told (the limit above applies).
        Err(AppError::Db(db::DbError::Conflict(db::Conflict::AlreadyRegistered { .. })))
            if let Some(email) = anonymous.as_ref() =>
        {
            crate::services::forum::remind_registration(&state, &v, email).await?;
            return Ok(MessagePage::new(
                "Vérifiez votre boîte e-mail",
                vec![format!(
                    "Un e-mail vient d’être envoyé à {} : il mène à votre inscription à « {} ».",
                    email.as_str(),
                    v.session.title
                )],
                Some(("/evenements", "Revenir au programme")),
                true,
            )
            .into_response());
        }
        Err(e) => return Err(e),
    };
    let title = &v.session.title;
    let (heading, line) = match done.placed {
        Placed::Registered => (
            "Inscription confirmée",
            format!(
                "Votre place est réservée pour « {title} », {}. Un e-mail de confirmation vient de partir à {}.",
                when(&v.session),
                done.email
            ),
        ),
        Placed::Waiting(n) => (
            "Vous êtes sur la liste d’attente",
            format!(
                "« {title} » est complet : vous êtes en position {n}. Si une place se libère, elle vous est donnée et vous recevez un e-mail à {}.",
                done.email
            ),
        ),
        Placed::Pending => (
            "Confirmez votre inscription",
            format!(
                "Un e-mail vient d’être envoyé à {} : cliquez sur le lien qu’il contient pour confirmer votre inscription à « {title} ».",
                done.email
            ),
        ),
    };
    let link = if user.is_some() {
        ("/espace-candidat#forum", "Voir mes inscriptions")
    } else {
        ("/evenements", "Revenir au programme")
    };
    Ok(MessagePage::new(heading, vec![line], Some(link), true).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/confirm.html")]
pub struct ConfirmPage {
    pub page: Page,
    pub token: String,
    pub title: String,
    pub when: String,
}

/// `GET /forum/confirmer/{token}`: the confirmation link of a registration by e-mail opens a
/// page with one button (mail scanners follow links: only a person confirms).
pub async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let Some(r) = by_token(&state, &token).await? else { return Ok(unknown_link()) };
    if r.status != RegistrationStatus::Pending.code() {
        return Ok(Redirect::to(&format!("/forum/inscription/{token}")).into_response());
    }
    let s = db::forum::session(state.db.conn(), r.session_id).await?;
    let mut res = ConfirmPage {
        page: Page::new("Confirmer mon inscription").nav(Nav::Forum),
        token,
        title: s.title.clone(),
        when: when(&s),
    }
    .into_response();
    res.headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
    Ok(res)
}

/// `POST /forum/confirmer/{token}`: confirms a registration by e-mail.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let (s, placed) = match crate::services::forum::confirm(&state, &token).await {
        Ok(x) => x,
        Err(AppError::Db(db::DbError::NotFound)) => return Ok(unknown_link()),
        Err(e) => return Err(e),
    };
    let personal = format!("/forum/inscription/{token}");
    let line = match placed {
        Some(Placed::Registered) => format!("Votre place est réservée pour « {} », {}.", s.title, when(&s)),
        Some(Placed::Waiting(n)) => {
            format!("« {} » est complet : vous êtes en position {n} sur la liste d’attente.", s.title)
        }
        Some(Placed::Pending) | None => {
            // Used before: say where the registration is now (confirmed, or cancelled since).
            let r = db::forum::registration_by_token(state.db.conn(), &token).await?;
            let status: RegistrationStatus = db::stored("inscription", r.id, &r.status)?;
            let line = match status {
                RegistrationStatus::Cancelled => "Cette inscription a été annulée depuis.".to_string(),
                s => {
                    format!("Ce lien a déjà servi : votre inscription est enregistrée ({}).", s.label().to_lowercase())
                }
            };
            return Ok(MessagePage::new(
                "Lien déjà utilisé",
                vec![line],
                Some((&personal, "Voir mon inscription")),
                true,
            )
            .into_response());
        }
    };
    Ok(MessagePage::new("Inscription confirmée", vec![line], Some((&personal, "Voir mon inscription")), true)
        .into_response())
}

/// The registration a secret link names (`None`: no such link).
async fn by_token(state: &AppState, token: &str) -> AppResult<Option<forum_registration::Model>> {
    match db::forum::registration_by_token(state.db.conn(), token).await {
        Ok(r) => Ok(Some(r)),
        Err(db::DbError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The site's host, for the calendar entries' UIDs (stable across downloads).
fn host(state: &AppState) -> &str {
    state.config.public_url.trim_start_matches("https://").trim_start_matches("http://")
}

fn unknown_link() -> Response {
    (
        StatusCode::NOT_FOUND,
        MessagePage::new(
            "Lien inconnu",
            vec!["Ce lien ne correspond à aucune inscription au forum.".into()],
            Some(("/evenements", "Voir le programme")),
            false,
        ),
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/registration.html")]
pub struct RegistrationPage {
    pub page: Page,
    pub token: String,
    pub card: SessionCard,
    pub status: RegistrationStatus,
    pub position: Option<u64>,
    /// The online link, shown to a registered participant from shortly before the start.
    pub link: Option<String>,
    pub link_from: String,
    pub feedback: bool,
}

/// `GET /forum/inscription/{token}`: a participant's own registration (the address in every
/// e-mail): its status, the online link when it is time, the cancellation.
pub async fn registration(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let Some(r) = by_token(&state, &token).await? else { return Ok(unknown_link()) };
    let v = db::forum::session_view(state.db.conn(), r.session_id).await?;
    let now = state.now();
    let status: RegistrationStatus = db::stored("inscription", r.id, &r.status)?;
    let s = &v.session;
    let visible = status == RegistrationStatus::Registered
        && v.state == SessionState::Published
        && domain::forum::link_visible(now, s.starts_at, s.ends_at);
    let position = if status == RegistrationStatus::Waiting {
        db::forum::registrations_of_session(state.db.conn(), s.id, RegistrationStatus::Waiting)
            .await?
            .iter()
            .position(|x| x.registration.id == r.id)
            .map(|i| i as u64 + 1)
    } else {
        None
    };
    let mut page = Page::new(format!("Mon inscription : {}", s.title))
        .nav(Nav::Forum)
        .crumbs(&[("Forum", Some("/forum")), ("Mon inscription", None)]);
    page.description = "Votre inscription au Forum de l’emploi tech de l’État.".into();
    let view = RegistrationPage {
        page,
        link: visible.then(|| format!("/forum/rejoindre/{token}")),
        link_from: format::date_time(s.starts_at - chrono::Duration::minutes(domain::forum::LINK_LEAD_MINUTES)),
        feedback: s.ends_at <= now && status == RegistrationStatus::Registered && r.feedback_rating.is_none(),
        card: SessionCard::of(&v, now),
        token,
        status,
        position,
    };
    let mut res = view.into_response();
    // Somebody's own page behind a secret address: no shared cache keeps it.
    res.headers_mut()
        .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
    res.headers_mut().insert("x-robots-tag", axum::http::HeaderValue::from_static("noindex"));
    Ok(res)
}

/// `GET /forum/rejoindre/{token}`: records the attendance and opens the online link, when it
/// is time; otherwise back to the registration page.
pub async fn join(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let Some(r) = by_token(&state, &token).await? else { return Ok(unknown_link()) };
    let s = db::forum::session(state.db.conn(), r.session_id).await?;
    let registered = r.status == RegistrationStatus::Registered.code() && s.state == SessionState::Published.code();
    if !registered || !domain::forum::link_visible(state.now(), s.starts_at, s.ends_at) {
        return Ok(Redirect::to(&format!("/forum/inscription/{token}")).into_response());
    }
    crate::services::forum::mark_attended(&state, None, r.id).await?;
    Ok(Redirect::to(&s.online_url).into_response())
}

/// `POST /forum/annuler/{token}`: cancels in one click; the first person waiting takes the seat.
pub async fn cancel(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let (s, before) = match crate::services::forum::cancel(&state, &token).await {
        Ok(x) => x,
        Err(AppError::Db(db::DbError::NotFound)) => return Ok(unknown_link()),
        Err(e) => return Err(e),
    };
    let line = match before {
        Some(RegistrationStatus::Waiting) => format!("Vous avez quitté la liste d’attente de « {} ».", s.title),
        Some(_) => format!("Votre inscription à « {} » est annulée. Merci d’avoir libéré votre place.", s.title),
        None => format!("Votre inscription à « {} » était déjà annulée.", s.title),
    };
    let back = format!("/evenements/{}", s.slug);
    Ok(MessagePage::new(
        "Inscription annulée",
        vec![
            line,
            "Vous pouvez vous réinscrire depuis la page de la session tant que les inscriptions sont ouvertes.".into(),
        ],
        Some((&back, "Revenir à la session")),
        true,
    )
    .into_response())
}

/// `POST /forum/avis/{token}`: the feedback after a session (a rating from 1 to 5, a comment).
pub async fn feedback(State(state): State<AppState>, Path(token): Path<String>, body: Bytes) -> AppResult<Response> {
    let form = Form::parse(&body);
    let back = format!("/forum/inscription/{token}");
    let rating = form.get("note").parse::<i32>().ok().filter(|n| (1..=5).contains(n));
    let Some(rating) = rating else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            MessagePage::new(
                "Note manquante",
                vec!["Choisissez une note de 1 à 5.".into()],
                Some((&back, "Revenir au formulaire")),
                false,
            ),
        )
            .into_response());
    };
    let comment: String = form.get("commentaire").trim().chars().take(2000).collect();
    match crate::services::forum::save_feedback(&state, &token, rating, &comment).await {
        Ok(()) => {}
        Err(AppError::Db(db::DbError::NotFound)) => return Ok(unknown_link()),
        Err(e) => return Err(e),
    }
    Ok(MessagePage::new(
        "Merci pour votre avis",
        vec!["Votre avis aide les organisateurs à préparer la prochaine édition.".into()],
        Some(("/forum", "Revenir au forum")),
        true,
    )
    .into_response())
}

/// `GET /forum/annonces/arret/{token}`: the stop link of an announcement opens a page with
/// one button (mail scanners follow links).
pub async fn stop_page(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    db::forum::participant_by_agenda(state.db.conn(), &token).await.map_err(|_| AppError::NotFound)?;
    Ok(StoppedPage { page: Page::new("Arrêter les annonces").nav(Nav::Forum), token, stopped: false }.into_response())
}

/// `POST /forum/annonces/arret/{token}`: stops the organisers' announcements (the mail
/// clients' one-click unsubscribe posts here too); the page offers the undo.
pub async fn stop_announcements(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    if !crate::services::forum::set_announcements(&state, &token, true).await? {
        return Ok(unknown_link());
    }
    Ok(StoppedPage { page: Page::new("Annonces arrêtées").nav(Nav::Forum), token, stopped: true }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "forum/stopped.html")]
pub struct StoppedPage {
    pub page: Page,
    pub token: String,
    pub stopped: bool,
}

/// `POST /forum/annonces/reprise/{token}`: the undo of the above.
pub async fn resume_announcements(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    if !crate::services::forum::set_announcements(&state, &token, false).await? {
        return Ok(unknown_link());
    }
    Ok(MessagePage::new(
        "Annonces reprises",
        vec!["Vous recevrez de nouveau les annonces des organisateurs du forum.".into()],
        Some(("/forum", "Revenir au forum")),
        true,
    )
    .into_response())
}
