//! `/admin/forum…` (administrators): editions with their window and objectives, sessions
//! (created as drafts, then published or cancelled), booths, participants (check-in, CSV),
//! the statistics beside the objectives, and an announcement to the registered.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::forms::{Form, Id};
use crate::layout::Page;
use crate::{format, services};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::State;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use db::entity::forum_edition;
use db::forum::{EditionInput, EditionStats, SessionInput, SessionView, SpeakerInput};
use domain::forum::{RegistrationStatus, SessionKind, SessionState};

/// A `datetime-local` value (« 2027-03-16T14:00 ») read as Paris time.
pub(crate) fn paris_datetime(form: &mut Form, name: &str, label: &str) -> Option<DateTime<Utc>> {
    let v = form.get(name).to_string();
    if v.is_empty() {
        form.add_error(name, format!("Renseignez {label}."));
        return None;
    }
    let parsed = NaiveDateTime::parse_from_str(&v, "%Y-%m-%dT%H:%M").ok().and_then(|t| {
        use chrono::Timelike;
        format::paris_at(t.date(), t.hour(), t.minute(), 0)
    });
    if parsed.is_none() {
        form.add_error(name, format!("{label} : une date et une heure, par exemple 2027-03-16T14:00."));
    }
    parsed
}

/// The `datetime-local` value of a moment, in Paris time.
pub(crate) fn local(d: DateTime<Utc>) -> String {
    format::paris(d).format("%Y-%m-%dT%H:%M").to_string()
}

fn number(form: &mut Form, name: &str, label: &str, range: std::ops::RangeInclusive<i32>) -> i32 {
    match form.get(name).parse::<i32>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            form.add_error(name, format!("{label} : un nombre entre {} et {}.", range.start(), range.end()));
            0
        }
    }
}

fn edition_input(form: &mut Form) -> Option<EditionInput> {
    let name = form.required("nom", "le nom de l’édition", 160);
    let description = form.optional("description", "la présentation", 10_000).unwrap_or_default();
    let starts_at = paris_datetime(form, "debut", "le début");
    let ends_at = paris_datetime(form, "fin", "la fin");
    let opens = paris_datetime(form, "inscriptions_debut", "l’ouverture des inscriptions");
    let closes = paris_datetime(form, "inscriptions_fin", "la clôture des inscriptions");
    let booking = paris_datetime(form, "reservations_debut", "l’ouverture des réservations de job dating");
    let closes_minutes = number(form, "reservations_delai", "Le délai de fermeture des réservations", 0..=2880);
    let participants = number(form, "objectif_participants", "L’objectif de participants", 0..=1_000_000);
    let services = number(form, "objectif_services", "L’objectif de services recruteurs", 0..=10_000);
    let posts = number(form, "objectif_postes", "L’objectif de postes", 0..=100_000);
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        form.add_error("fin", "La fin doit suivre le début.");
    }
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        form.add_error("inscriptions_fin", "La clôture des inscriptions doit suivre leur ouverture.");
    }
    Some(EditionInput {
        name,
        description,
        starts_at: starts_at?,
        ends_at: ends_at?,
        registration_opens_at: opens?,
        registration_closes_at: closes?,
        booking_opens_at: booking?,
        booking_closes_minutes: closes_minutes,
        objective_participants: participants,
        objective_services: services,
        objective_posts: posts,
    })
    .filter(|_| form.is_valid())
}

fn edition_form(e: &forum_edition::Model) -> Form {
    let mut f = Form::default();
    f.set("nom", e.name.clone());
    f.set("description", e.description.clone());
    f.set("debut", local(e.starts_at));
    f.set("fin", local(e.ends_at));
    f.set("inscriptions_debut", local(e.registration_opens_at));
    f.set("inscriptions_fin", local(e.registration_closes_at));
    f.set("reservations_debut", local(e.booking_opens_at));
    f.set("reservations_delai", e.booking_closes_minutes.to_string());
    f.set("objectif_participants", e.objective_participants.to_string());
    f.set("objectif_services", e.objective_services.to_string());
    f.set("objectif_postes", e.objective_posts.to_string());
    f
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/forum_editions.html")]
pub struct EditionsPage {
    page: Page,
    editions: Vec<(i64, String, String)>,
    form: Form,
    notice: Option<String>,
}

fn editions_page(editions: Vec<forum_edition::Model>, form: Form) -> EditionsPage {
    EditionsPage {
        page: Page::new("Forum de l’emploi tech").crumbs(&[("Administration", Some("/admin")), ("Forum", None)]),
        editions: editions.into_iter().map(|e| (e.id, e.name, format::span(e.starts_at, e.ends_at))).collect(),
        form,
        notice: super::notice(),
    }
}

/// `GET /admin/forum`.
pub async fn editions(State(state): State<AppState>, _admin: AdminUser) -> AppResult<EditionsPage> {
    let mut form = Form::default();
    form.set("reservations_delai", domain::forum::DEFAULT_BOOKING_CLOSES_MINUTES.to_string());
    form.set("objectif_participants", "1500");
    form.set("objectif_services", "30");
    form.set("objectif_postes", "300");
    Ok(editions_page(db::forum::editions(state.db.conn()).await?, form))
}

/// `POST /admin/forum`: a new edition.
pub async fn create_edition(State(state): State<AppState>, admin: AdminUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let Some(input) = edition_input(&mut form) else {
        let page = editions_page(db::forum::editions(state.db.conn()).await?, form);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let id = services::forum::save_edition(&state, &admin.0, None, &input).await?;
    Ok(super::with_message(&format!("/admin/forum/{id}"), "Édition créée. Ajoutez ses sessions et ses stands."))
}

/// One session's row in the edition's page.
pub struct SessionRow {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub when: String,
    pub state: SessionState,
    pub seats: String,
    pub waiting: u64,
    pub public_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/forum_edition.html")]
pub struct EditionPage {
    page: Page,
    id: i64,
    slug: String,
    form: Form,
    sessions: Vec<SessionRow>,
    booths: Vec<(String, String, u64, u64)>,
    employers: Vec<(i64, String)>,
    stats: EditionStats,
    objectives: (i32, i32, i32),
    notice: Option<String>,
}

async fn edition_page(state: &AppState, e: &forum_edition::Model, form: Form) -> AppResult<EditionPage> {
    let sessions = db::forum::sessions_of(state.db.conn(), e.id, false).await?;
    let booths = db::forum::booths_of(state.db.conn(), e.id).await?;
    let taken: Vec<i64> = booths.iter().map(|b| b.institution.id).collect();
    let employers = db::institutions::list(state.db.conn())
        .await?
        .into_iter()
        .filter(|i| !taken.contains(&i.id))
        .map(|i| (i.id, i.name))
        .collect();
    Ok(EditionPage {
        page: Page::new(e.name.clone()).crumbs(&[
            ("Administration", Some("/admin")),
            ("Forum", Some("/admin/forum")),
            (e.name.as_str(), None),
        ]),
        id: e.id,
        slug: e.slug.clone(),
        form,
        sessions: sessions.iter().map(row).collect(),
        booths: booths
            .iter()
            .map(|b| (format!("/stands/{}", b.booth.slug), b.institution.name.clone(), b.slots, b.slots - b.free_slots))
            .collect(),
        employers,
        stats: db::forum::stats(state.db.conn(), e, state.now()).await?,
        objectives: (e.objective_participants, e.objective_services, e.objective_posts),
        notice: super::notice(),
    })
}

impl EditionPage {
    /// The three figures beside their objective, for the bar chart above the table.
    fn chart_objectives(&self) -> (String, String) {
        let x = serde_json::json!([["Participants", "Services recruteurs", "Postes"]]).to_string();
        let y = serde_json::json!([
            [self.stats.participants, self.stats.services, self.stats.posts],
            [self.objectives.0, self.objectives.1, self.objectives.2]
        ])
        .to_string();
        (x, y)
    }

    /// Slots booked, attended and missed per booth, for the second chart.
    fn chart_booths(&self) -> (String, String) {
        let names: Vec<&str> = self.stats.booths.iter().map(|b| b.employer.as_str()).collect();
        let series = |f: fn(&db::forum::BoothStats) -> u64| self.stats.booths.iter().map(f).collect::<Vec<_>>();
        let x = serde_json::json!([names]).to_string();
        let y = serde_json::json!([series(|b| b.slots), series(|b| b.booked), series(|b| b.no_shows)]).to_string();
        (x, y)
    }
}

fn row(v: &SessionView) -> SessionRow {
    let s = &v.session;
    SessionRow {
        id: s.id,
        title: s.title.clone(),
        kind: v.kind.label(),
        when: format::span(s.starts_at, s.ends_at),
        state: v.state,
        seats: format!("{} / {}", s.taken, s.capacity),
        waiting: v.waiting,
        public_url: format!("/evenements/{}", s.slug),
    }
}

/// `GET /admin/forum/{id}`.
pub async fn edition(State(state): State<AppState>, _admin: AdminUser, Id(id): Id) -> AppResult<EditionPage> {
    let e = db::forum::edition(state.db.conn(), id).await?;
    edition_page(&state, &e, edition_form(&e)).await
}

/// `POST /admin/forum/{id}`: the edition's fields.
pub async fn update_edition(
    State(state): State<AppState>,
    admin: AdminUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let e = db::forum::edition(state.db.conn(), id).await?;
    let mut form = Form::parse(&body);
    let Some(input) = edition_input(&mut form) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, edition_page(&state, &e, form).await?).into_response());
    };
    services::forum::save_edition(&state, &admin.0, Some(id), &input).await?;
    Ok(super::with_message(&format!("/admin/forum/{id}"), "Édition enregistrée."))
}

/// `POST /admin/forum/{id}/stands` (`employeur`: id): a booth for an employer.
pub async fn add_booth(
    State(state): State<AppState>,
    admin: AdminUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    db::forum::edition(state.db.conn(), id).await?;
    let form = Form::parse(&body);
    let back = format!("/admin/forum/{id}#stands");
    let Ok(institution) = form.get("employeur").parse::<i64>() else {
        return Ok(super::with_message(&back, "Choisissez l’employeur du stand dans la liste."));
    };
    match services::forum::create_booth(&state, &admin.0, id, institution).await {
        Ok(_) => Ok(super::with_message(
            &back,
            "Stand ajouté : ses recruteurs le présentent et publient leurs créneaux depuis leur espace.",
        )),
        Err(e) => match e.refusal() {
            Some(why) => Ok(super::with_message(&back, &format!("Stand non ajouté : {why}."))),
            None => match e {
                AppError::Db(db::DbError::NotFound) => Ok(super::with_message(&back, "Cet employeur n’existe pas.")),
                e => Err(e),
            },
        },
    }
}

/// `POST /admin/forum/{id}/annonce` (`objet`, `message`): an e-mail to the registered.
pub async fn announce(State(state): State<AppState>, admin: AdminUser, Id(id): Id, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let back = format!("/admin/forum/{id}#annonce");
    let subject = form.required("objet", "l’objet", 150);
    let message = form.required("message", "le message", 5000);
    if !form.is_valid() {
        return Ok(super::with_message(&back, "Annonce non envoyée : renseignez l’objet et le message."));
    }
    db::forum::edition(state.db.conn(), id).await?;
    let paragraphs: Vec<String> =
        message.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    let n = services::forum::announce(&state, &admin.0, id, &subject, &paragraphs).await?;
    Ok(super::with_message(
        &back,
        &format!(
            "Annonce envoyée à {}.",
            if n == 1 { "1 personne".to_string() } else { format!("{} personnes", format::number(n as u64)) }
        ),
    ))
}

/// `GET /admin/forum/{id}/participants.csv`: registrations of every session, for organisers.
pub async fn participants_csv(State(state): State<AppState>, _admin: AdminUser, Id(id): Id) -> AppResult<Response> {
    let e = db::forum::edition(state.db.conn(), id).await?;
    let mut rows = Vec::new();
    for v in db::forum::sessions_of(state.db.conn(), e.id, false).await? {
        for status in [RegistrationStatus::Registered, RegistrationStatus::Waiting] {
            for r in db::forum::registrations_of_session(state.db.conn(), v.session.id, status).await? {
                rows.push(vec![
                    v.session.title.clone(),
                    format::sheet_time(v.session.starts_at),
                    r.email.clone(),
                    r.status.label().to_string(),
                    format::sheet_time(r.registration.created_at),
                    r.registration.attended_at.map(format::sheet_time).unwrap_or_default(),
                    r.registration.feedback_rating.map(|n| n.to_string()).unwrap_or_default(),
                ]);
            }
        }
    }
    super::spreadsheet_download(
        &format!("participants-{}.csv", e.slug),
        &["Session", "Début", "E-mail", "État", "Inscrit le", "Présent le", "Note"],
        rows,
    )
}

/// `GET /admin/forum/{id}/stands.csv`: each booth's figures, for organisers.
pub async fn booths_csv(State(state): State<AppState>, _admin: AdminUser, Id(id): Id) -> AppResult<Response> {
    let e = db::forum::edition(state.db.conn(), id).await?;
    let stats = db::forum::stats(state.db.conn(), &e, state.now()).await?;
    let rows = stats.booths.iter().map(|b| {
        vec![
            b.employer.clone(),
            b.slots.to_string(),
            b.booked.to_string(),
            b.attended.to_string(),
            b.no_shows.to_string(),
            b.applications.to_string(),
            b.hires.to_string(),
        ]
    });
    super::spreadsheet_download(
        &format!("stands-{}.csv", e.slug),
        &["Stand", "Créneaux", "Réservés", "Présents", "Absents", "Candidatures", "Recrutements"],
        rows,
    )
}

/// The lists of the session editor.
struct Choices {
    employers: Vec<(String, String)>,
}

impl Choices {
    async fn load(state: &AppState) -> AppResult<Self> {
        let employers =
            db::institutions::list(state.db.conn()).await?.into_iter().map(|i| (i.id.to_string(), i.name)).collect();
        Ok(Self { employers })
    }
}

/// Speakers are one per line: « Nom, intitulé du poste », and optionally the address of their
/// public story (« …, /temoignages/amina-developpeuse-dinum »), which links them to it and to
/// its employer.
fn speakers_of(text: &str) -> Vec<(SpeakerInput, Option<String>)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(20)
        .map(|l| {
            let mut parts: Vec<&str> = l.split(',').map(str::trim).collect();
            let story = parts
                .last()
                .and_then(|p| p.split_once("/temoignages/"))
                .map(|(_, slug)| slug.trim_matches('/').to_string())
                .filter(|s| !s.is_empty());
            if story.is_some() {
                parts.pop();
            }
            let name = parts.first().copied().unwrap_or_default();
            let job = parts.get(1..).map(|p| p.join(", ")).unwrap_or_default();
            let speaker = SpeakerInput {
                name: name.chars().take(120).collect(),
                job_title: job.chars().take(160).collect(),
                ..Default::default()
            };
            (speaker, story)
        })
        .collect()
}

/// Links the speakers whose line names a story to it and its employer (an unknown or
/// unpublished story is an error on the field); a testimony with one story is that story's.
async fn link_speakers(state: &AppState, form: &mut Form, input: &mut SessionInput) -> AppResult<()> {
    let lines = speakers_of(form.get("intervenants"));
    for (speaker, (_, slug)) in input.speakers.iter_mut().zip(lines) {
        let Some(slug) = slug else { continue };
        match db::stories::public_by_slug(state.db.conn(), &slug).await {
            Ok(v) => {
                speaker.story_id = Some(v.story.id);
                speaker.institution_id = Some(v.institution.id);
            }
            Err(db::DbError::NotFound) => {
                form.add_error("intervenants", format!("Aucun témoignage publié à l’adresse /temoignages/{slug}."));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let stories: Vec<i64> = input.speakers.iter().filter_map(|s| s.story_id).collect();
    if input.kind == SessionKind::Testimony && stories.len() == 1 {
        input.story_id = stories.first().copied();
    }
    Ok(())
}

fn session_input(form: &mut Form, choices: &Choices) -> Option<SessionInput> {
    let kind = match form.get("type").parse::<SessionKind>() {
        Ok(k) => Some(k),
        Err(_) => {
            form.add_error("type", "Choisissez le type de session dans la liste.");
            None
        }
    };
    let title = form.required("titre", "le titre", 200);
    let description = form.optional("description", "la description", 20_000).unwrap_or_default();
    let employer = form.get("employeur").to_string();
    let institution_id = if employer.is_empty() {
        None
    } else if let Some((id, _)) = choices.employers.iter().find(|(id, _)| *id == employer) {
        id.parse().ok()
    } else {
        form.add_error("employeur", "Choisissez l’employeur dans la liste.");
        None
    };
    let themes = domain::forum::themes_of(form.get("themes"));
    let starts_at = paris_datetime(form, "debut", "le début");
    let ends_at = paris_datetime(form, "fin", "la fin");
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        form.add_error("fin", "La fin doit suivre le début.");
    }
    let online_url = form.url("lien", "le lien de connexion").unwrap_or_default();
    if online_url.is_empty() {
        form.add_error("lien", "Renseignez le lien de connexion (il n’est montré qu’aux personnes inscrites).");
    }
    let place = form.optional("lieu", "le lieu", 300);
    let capacity = number(form, "capacite", "La capacité", 1..=domain::forum::MAX_CAPACITY);
    let speakers = speakers_of(form.get("intervenants")).into_iter().map(|(s, _)| s).collect();
    Some(SessionInput {
        kind: kind?,
        title,
        description,
        institution_id,
        story_id: None,
        themes,
        starts_at: starts_at?,
        ends_at: ends_at?,
        online_url,
        place,
        capacity,
        speakers,
    })
    .filter(|_| form.is_valid())
}

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/forum_session.html")]
pub struct SessionPage {
    page: Page,
    edition_id: i64,
    /// `None` for a new session.
    session: Option<SessionRow>,
    form: Form,
    kinds: Vec<(&'static str, &'static str)>,
    employers: Vec<(String, String)>,
    registered: Vec<(i64, String, Option<String>)>,
    waiting: Vec<String>,
    has_replay: bool,
    notice: Option<String>,
}

async fn session_page(
    state: &AppState,
    e: &forum_edition::Model,
    v: Option<&SessionView>,
    form: Form,
) -> AppResult<SessionPage> {
    let choices = Choices::load(state).await?;
    let (mut registered, mut waiting) = (Vec::new(), Vec::new());
    if let Some(v) = v {
        for r in
            db::forum::registrations_of_session(state.db.conn(), v.session.id, RegistrationStatus::Registered).await?
        {
            registered.push((r.registration.id, r.email.clone(), r.registration.attended_at.map(format::date_time)));
        }
        for r in db::forum::registrations_of_session(state.db.conn(), v.session.id, RegistrationStatus::Waiting).await?
        {
            waiting.push(r.email.clone());
        }
    }
    let title = v.map_or("Nouvelle session".to_string(), |v| v.session.title.clone());
    Ok(SessionPage {
        page: Page::new(title.clone()).crumbs(&[
            ("Administration", Some("/admin")),
            ("Forum", Some("/admin/forum")),
            (e.name.as_str(), Some(&format!("/admin/forum/{}", e.id))),
            (title.as_str(), None),
        ]),
        edition_id: e.id,
        session: v.map(row),
        form,
        kinds: SessionKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        employers: choices.employers,
        registered,
        waiting,
        has_replay: v.is_some_and(|v| v.session.replay_key.is_some()),
        notice: super::notice(),
    })
}

fn session_form(v: &SessionView) -> Form {
    let s = &v.session;
    let mut f = Form::default();
    f.set("type", v.kind.code());
    f.set("titre", s.title.clone());
    f.set("description", s.description.clone());
    f.set("employeur", s.institution_id.map(|i| i.to_string()).unwrap_or_default());
    f.set("themes", s.themes.clone());
    f.set("debut", local(s.starts_at));
    f.set("fin", local(s.ends_at));
    f.set("lien", s.online_url.clone());
    f.set("lieu", s.place.clone().unwrap_or_default());
    f.set("capacite", s.capacity.to_string());
    f
}

/// The speakers' lines as the editor shows them, with the address of a linked public story.
async fn speakers_text(state: &AppState, v: &SessionView) -> AppResult<String> {
    let mut lines = Vec::new();
    for p in &v.speakers {
        let mut line = if p.job_title.is_empty() { p.name.clone() } else { format!("{}, {}", p.name, p.job_title) };
        if let Some(id) = p.story_id
            && let Some(slug) = db::stories::public_slug(state.db.conn(), id).await?
        {
            line.push_str(&format!(", /temoignages/{slug}"));
        }
        lines.push(line);
    }
    Ok(lines.join("\n"))
}

/// `GET /admin/forum/{id}/sessions/nouvelle`.
pub async fn new_session(State(state): State<AppState>, _admin: AdminUser, Id(id): Id) -> AppResult<SessionPage> {
    let e = db::forum::edition(state.db.conn(), id).await?;
    let mut form = Form::default();
    form.set("capacite", "100");
    form.set("type", SessionKind::Conference.code());
    session_page(&state, &e, None, form).await
}

/// `POST /admin/forum/{id}/sessions/nouvelle`: created as a draft.
pub async fn create_session(
    State(state): State<AppState>,
    admin: AdminUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let e = db::forum::edition(state.db.conn(), id).await?;
    let mut form = Form::parse(&body);
    let choices = Choices::load(&state).await?;
    let Some(mut input) = session_input(&mut form, &choices) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, session_page(&state, &e, None, form).await?).into_response());
    };
    link_speakers(&state, &mut form, &mut input).await?;
    if !form.is_valid() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, session_page(&state, &e, None, form).await?).into_response());
    }
    let sid = services::forum::save_session(&state, &admin.0, e.id, None, &input).await?;
    Ok(super::with_message(
        &format!("/admin/forum/sessions/{sid}"),
        "Session enregistrée en brouillon : publiez-la quand elle est prête.",
    ))
}

/// `GET /admin/forum/sessions/{id}`: the editor, the registered (with check-in) and the waiting list.
pub async fn session(State(state): State<AppState>, _admin: AdminUser, Id(id): Id) -> AppResult<SessionPage> {
    let v = db::forum::session_view(state.db.conn(), id).await?;
    let e = db::forum::edition(state.db.conn(), v.session.edition_id).await?;
    let mut form = session_form(&v);
    form.set("intervenants", speakers_text(&state, &v).await?);
    session_page(&state, &e, Some(&v), form).await
}

/// `POST /admin/forum/sessions/{id}`.
pub async fn update_session(
    State(state): State<AppState>,
    admin: AdminUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let v = db::forum::session_view(state.db.conn(), id).await?;
    let e = db::forum::edition(state.db.conn(), v.session.edition_id).await?;
    let mut form = Form::parse(&body);
    let choices = Choices::load(&state).await?;
    let Some(mut input) = session_input(&mut form, &choices) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, session_page(&state, &e, Some(&v), form).await?).into_response());
    };
    link_speakers(&state, &mut form, &mut input).await?;
    if !form.is_valid() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, session_page(&state, &e, Some(&v), form).await?).into_response());
    }
    match services::forum::save_session(&state, &admin.0, e.id, Some(id), &input).await {
        Ok(_) => Ok(super::with_message(&format!("/admin/forum/sessions/{id}"), "Session enregistrée.")),
        Err(err) => match err.refusal() {
            Some(why) => {
                form.add_error("capacite", why);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, session_page(&state, &e, Some(&v), form).await?).into_response())
            }
            None => Err(err),
        },
    }
}

/// `POST /admin/forum/sessions/{id}/etat` (`etat`: draft, published, cancelled).
pub async fn set_session_state(
    State(state): State<AppState>,
    admin: AdminUser,
    Id(id): Id,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    let back = format!("/admin/forum/sessions/{id}");
    let Ok(to) = form.get("etat").parse::<SessionState>() else {
        return Ok(super::with_message(&back, "État inconnu."));
    };
    services::forum::set_session_state(&state, &admin.0, id, to).await?;
    let message = match to {
        SessionState::Published => "Session publiée : elle est au programme.",
        SessionState::Cancelled => "Session annulée : les personnes inscrites et en attente sont prévenues par e-mail.",
        SessionState::Draft => "Session remise en brouillon : elle n’est plus au programme.",
    };
    Ok(super::with_message(&back, message))
}

/// `POST /admin/forum/inscriptions/{id}/presence`: checks a participant in.
pub async fn check_in(State(state): State<AppState>, admin: AdminUser, Id(id): Id) -> AppResult<Response> {
    let r = db::forum::registration(state.db.conn(), id).await?;
    let back = format!("/admin/forum/sessions/{}#inscrits", r.session_id);
    let done = services::forum::mark_attended(&state, Some(&admin.0), id).await?;
    Ok(super::with_message(&back, if done { "Présence enregistrée." } else { "Présence déjà enregistrée." }))
}

/// `POST /admin/forum/sessions/{id}/replay` (multipart `video`, `sous_titres`, `transcription`):
/// a past session's replay, as for a story's video: never without its captions and transcript.
pub async fn replay(
    State(state): State<AppState>,
    admin: AdminUser,
    Id(id): Id,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    use domain::story::{MAX_CAPTIONS_BYTES, MAX_VIDEO_BYTES};
    let s = db::forum::session(state.db.conn(), id).await?;
    let back = format!("/admin/forum/sessions/{id}#replay");
    let Ok(multipart) = multipart else {
        return Ok(super::with_message(&back, "Replay non enregistré : l’envoi est illisible, réessayez."));
    };
    let limits = [("video", MAX_VIDEO_BYTES), ("sous_titres", MAX_CAPTIONS_BYTES)];
    let (fields, uploads) = crate::forms::read_multipart_files(multipart, &limits).await;
    if let Some((_, message)) = fields.errors.first() {
        return Ok(super::with_message(&back, &format!("Replay non enregistré : {message}")));
    }
    let up = match super::stories::video_upload(&fields, uploads) {
        Ok(up) => up,
        Err((_, message)) => return Ok(super::with_message(&back, &format!("Replay non enregistré : {message}"))),
    };
    let missing = if up.video.is_none() && s.replay_key.is_none() {
        Some("choisissez la vidéo (MP4 ou WebM)")
    } else if up.captions.is_none() && s.replay_captions.is_none() {
        Some("joignez ses sous-titres (WebVTT), obligatoires")
    } else if up.transcript.is_none() && s.replay_transcript.as_deref().is_none_or(|t| t.trim().is_empty()) {
        Some("saisissez sa transcription, obligatoire")
    } else {
        None
    };
    if let Some(why) = missing {
        return Ok(super::with_message(&back, &format!("Replay non enregistré : {why}.")));
    }
    services::forum::set_replay(&state, &admin.0, &s, up).await?;
    Ok(super::with_message(
        &back,
        "Replay enregistré, avec ses sous-titres et sa transcription : il est sur la page de la session une fois celle-ci passée.",
    ))
}
