//! The back-offices: `/recruteur…` (recruiters, on their own institution's offers and
//! applications only; administrators on every institution) and `/admin…` (administrators).
//! Scoping is done in the queries (`db::backoffice::managed_*`): another institution's row is
//! a 404, as if it did not exist.

pub mod access;
pub mod admin;
pub mod booth;
pub mod employer;
pub mod forum;
pub mod immersion;
pub mod imports;
pub mod institutions;
pub mod journal;
pub mod newsletter;
pub mod offers;
pub mod pool;
pub mod products;
pub mod recruiter;
pub mod stats;
pub mod stories;
pub mod taxonomy;
pub mod technologies;
pub mod templates;

use crate::routes::{Access::*, Routes};
use axum::response::Response;

/// Back to a back-office page with a status message for the person who acted (read back by
/// [`notice`]): every back-office form answers this way (post/redirect/get).
/// What changed between two versions of a record, as two texts for the audit log: one line
/// per changed field, `Label : value` (long texts cut at 300 characters).
pub(crate) fn field_changes(
    before: &[(&'static str, Option<String>)],
    after: &[(&'static str, Option<String>)],
) -> (String, String) {
    let show = |v: &Option<String>| match v {
        Some(t) if !t.trim().is_empty() => {
            let cut: String = t.chars().take(300).collect();
            if cut.len() < t.len() { format!("{cut}…") } else { cut }
        }
        _ => "(vide)".to_string(),
    };
    let (mut was, mut is) = (Vec::new(), Vec::new());
    for ((label, old), (_, new)) in before.iter().zip(after) {
        if old != new {
            was.push(format!("{label} : {}", show(old)));
            is.push(format!("{label} : {}", show(new)));
        }
    }
    if was.is_empty() {
        return ("aucun changement".into(), "aucun changement".into());
    }
    (was.join("\n"), is.join("\n"))
}

pub(crate) fn with_message(path: &str, message: &str) -> Response {
    crate::flash::redirect(path, message)
}

/// A CSV download for spreadsheets: `;`-separated, a byte-order mark so that Excel reads the
/// accents as UTF-8, and no cell that could start a formula (names, links and notes are typed
/// by people). Personal, like every back-office answer: the route table adds `no-store`.
pub(crate) fn spreadsheet_download(
    file_name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> crate::error::AppResult<Response> {
    use axum::response::IntoResponse;
    let internal = |e: csv::Error| crate::error::AppError::Internal(e.into());
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record(header).map_err(internal)?;
    for row in rows {
        w.write_record(row.iter().map(|cell| domain::text::spreadsheet_cell(cell))).map_err(internal)?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(w.into_inner().map_err(|e| crate::error::AppError::Internal(e.into()))?);
    let disposition = format!("attachment; filename=\"{file_name}\"");
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The employer of something new (an offer, a story): the recruiter's own whatever is asked,
/// or for an administrator the one named by `requested` (`None`: they must choose first).
pub(crate) async fn employer_of_new(
    state: &crate::AppState,
    staff: &crate::auth::StaffUser,
    requested: &str,
) -> crate::error::AppResult<Option<db::entity::institution::Model>> {
    match (staff.institution_id, requested.parse::<i64>()) {
        (Some(own), _) => Ok(Some(db::institutions::by_id(state.db.conn(), own).await?)),
        (None, Ok(id)) => Ok(Some(db::institutions::by_id(state.db.conn(), id).await?)),
        (None, Err(_)) => Ok(None),
    }
}

/// The employers an administrator chooses from for something new (a recruiter has theirs: none).
pub(crate) async fn employers_to_choose(
    state: &crate::AppState,
    staff: &crate::auth::StaffUser,
) -> crate::error::AppResult<Vec<db::entity::institution::Model>> {
    match staff.institution_id {
        Some(_) => Ok(Vec::new()),
        None => Ok(db::institutions::list(state.db.conn()).await?),
    }
}

/// The status message left for this page by [`with_message`], shown once.
pub(crate) fn notice() -> Option<String> {
    crate::flash::take().filter(|m| !m.is_empty())
}

pub fn routes() -> Routes {
    // Imports upload whole export files; the global layer still caps bodies at 12 MB.
    let uploads = Routes::new()
        .post("/admin/imports", Administrator, imports::run)
        .post("/admin/imports/catalogue", Administrator, imports::run_catalogue)
        .post("/recruteur/employeur/logo", Recruiter, employer::logo)
        .post("/recruteur/temoignages/{id}/photo", Recruiter, stories::photo)
        .post("/recruteur/temoignages/{id}/video", Recruiter, stories::video)
        .post("/admin/forum/sessions/{id}/replay", Administrator, forum::replay)
        .layer(axum::extract::DefaultBodyLimit::max(12 * 1024 * 1024));
    Routes::new()
        .merge(uploads)
        .get("/recruteur", Recruiter, recruiter::home)
        .get("/recruteur/offres/nouvelle", Recruiter, offers::new_form)
        .post("/recruteur/offres/nouvelle", Recruiter, offers::create)
        .get("/recruteur/offres/{id}/modifier", Recruiter, offers::edit_form)
        .post("/recruteur/offres/{id}/modifier", Recruiter, offers::update)
        .post("/recruteur/offres/{id}/dupliquer", Recruiter, offers::duplicate)
        .post("/recruteur/offres/{id}/etat", Recruiter, recruiter::set_state)
        .get("/recruteur/offres/{id}/candidatures", Recruiter, recruiter::pipeline)
        .get("/recruteur/offres/{id}/candidatures.csv", Recruiter, recruiter::export_csv)
        .post("/recruteur/offres/{id}/candidatures/lot", Recruiter, recruiter::bulk_move)
        .post("/recruteur/candidatures/{id}/etape", Recruiter, recruiter::move_stage)
        .post("/recruteur/candidatures/{id}/note", Recruiter, recruiter::annotate)
        .post("/recruteur/candidatures/{id}/proposer", Recruiter, pool::propose)
        .get("/recruteur/candidatures-spontanees", Recruiter, pool::spontaneous)
        .get("/recruteur/vivier", Recruiter, pool::search)
        .post("/recruteur/e-mails-candidatures", Recruiter, recruiter::set_application_mail)
        .post("/recruteur/vivier/{id}/inviter", Recruiter, pool::invite)
        .post("/espace-candidat/invitations/{id}/decliner", Candidate, pool::decline)
        .get("/demande-de-compte", Public, access::form)
        .post("/demande-de-compte", Public, access::submit)
        .get("/recruteur/statistiques", Recruiter, stats::recruiter)
        .get("/recruteur/projets", Recruiter, products::list)
        .get("/recruteur/projets/nouveau", Recruiter, products::new_form)
        .post("/recruteur/projets/nouveau", Recruiter, products::create)
        .get("/recruteur/projets/{id}/modifier", Recruiter, products::edit_form)
        .post("/recruteur/projets/{id}/modifier", Recruiter, products::update)
        .get("/recruteur/projets/{id}/apercu", Recruiter, products::preview)
        .post("/recruteur/projets/{id}/etat", Recruiter, products::set_state)
        .get("/recruteur/temoignages", Recruiter, stories::list)
        .get("/recruteur/temoignages/nouveau", Recruiter, stories::new_form)
        .post("/recruteur/temoignages/nouveau", Recruiter, stories::create)
        .get("/recruteur/temoignages/{id}/modifier", Recruiter, stories::edit_form)
        .post("/recruteur/temoignages/{id}/modifier", Recruiter, stories::update)
        .get("/recruteur/temoignages/{id}/apercu", Recruiter, stories::preview)
        .post("/recruteur/temoignages/{id}/etat", Recruiter, stories::set_state)
        .post("/recruteur/temoignages/{id}/consentement", Recruiter, stories::consent)
        .get("/recruteur/temoignages/{id}/fichiers/{media}", Recruiter, stories::media)
        .get("/recruteur/employeur", Recruiter, employer::edit)
        .post("/recruteur/employeur", Recruiter, employer::save)
        .post("/recruteur/employeur/services", Recruiter, employer::add_service)
        .get("/logos/{name}", Public, employer::serve_logo)
        .get("/recruteur/forum", Recruiter, booth::show)
        .post("/recruteur/forum/stand", Recruiter, booth::save_booth)
        .post("/recruteur/forum/creneaux", Recruiter, booth::publish_slots)
        .post("/recruteur/forum/creneaux/{id}/retirer", Recruiter, booth::remove_slot)
        .post("/recruteur/forum/rendez-vous/{id}", Recruiter, booth::record)
        .get("/admin/vis-mon-job", Administrator, immersion::campaigns)
        .post("/admin/vis-mon-job", Administrator, immersion::create)
        .get("/admin/vis-mon-job/{id}", Administrator, immersion::campaign)
        .post("/admin/vis-mon-job/{id}", Administrator, immersion::update)
        .post("/admin/vis-mon-job/{id}/proposition", Administrator, immersion::compute)
        .post("/admin/vis-mon-job/{id}/paires", Administrator, immersion::add_pair)
        .post("/admin/vis-mon-job/{id}/confirmer", Administrator, immersion::confirm)
        .post("/admin/vis-mon-job/duos/{id}/retirer", Administrator, immersion::remove)
        .get("/admin/forum", Administrator, forum::editions)
        .post("/admin/forum", Administrator, forum::create_edition)
        .get("/admin/forum/{id}", Administrator, forum::edition)
        .post("/admin/forum/{id}", Administrator, forum::update_edition)
        .post("/admin/forum/{id}/stands", Administrator, forum::add_booth)
        .post("/admin/forum/{id}/annonce", Administrator, forum::announce)
        .get("/admin/forum/{id}/participants.csv", Administrator, forum::participants_csv)
        .get("/admin/forum/{id}/stands.csv", Administrator, forum::booths_csv)
        .get("/admin/forum/{id}/sessions/nouvelle", Administrator, forum::new_session)
        .post("/admin/forum/{id}/sessions/nouvelle", Administrator, forum::create_session)
        .get("/admin/forum/sessions/{id}", Administrator, forum::session)
        .post("/admin/forum/sessions/{id}", Administrator, forum::update_session)
        .post("/admin/forum/sessions/{id}/etat", Administrator, forum::set_session_state)
        .post("/admin/forum/inscriptions/{id}/presence", Administrator, forum::check_in)
        .get("/admin", Administrator, admin::home)
        .get("/admin/statistiques", Administrator, stats::platform)
        .get("/admin/imports", Administrator, imports::list)
        .get("/admin/imports/{id}", Administrator, imports::report)
        .get("/admin/employeurs", Administrator, institutions::list)
        .post("/admin/employeurs", Administrator, institutions::create)
        .get("/admin/employeurs/{id}", Administrator, institutions::show)
        .post("/admin/employeurs/{id}", Administrator, institutions::update)
        .post("/admin/employeurs/{id}/domaines", Administrator, institutions::domains)
        .post("/admin/employeurs/{id}/publication", Administrator, institutions::set_published)
        .post("/admin/employeurs/{id}/services", Administrator, institutions::add_service)
        .get("/admin/technologies", Administrator, technologies::list)
        .post("/admin/technologies/fusion", Administrator, technologies::merge)
        .post("/admin/technologies/renommer", Administrator, technologies::rename)
        .get("/admin/metiers", Administrator, taxonomy::list)
        .post("/admin/metiers/domaines", Administrator, taxonomy::add_domain)
        .post("/admin/metiers/domaines/{id}", Administrator, taxonomy::rename_domain)
        .post("/admin/metiers/metiers", Administrator, taxonomy::add_profession)
        .post("/admin/metiers/metiers/{id}", Administrator, taxonomy::update_profession)
        .get("/admin/modeles-courriels", Administrator, templates::list)
        .get("/admin/lettre-information", Administrator, newsletter::form)
        .get("/admin/journal", Administrator, journal::list)
        .get("/admin/journal.csv", Administrator, journal::export)
        .post("/admin/lettre-information", Administrator, newsletter::send)
        .post("/admin/modeles-courriels/{etape}", Administrator, templates::save)
        .get("/admin/motifs", Administrator, imports::reasons)
        .post("/admin/motifs", Administrator, imports::add_reason)
        .post("/admin/motifs/{id}/etat", Administrator, imports::set_reason)
        .post("/admin/demandes/{id}/decision", Administrator, access::decide)
        .get("/admin/utilisateurs/{id}", Administrator, admin::account)
        .post("/admin/utilisateurs/{id}/rattachement", Administrator, admin::attach)
        .post("/admin/utilisateurs/{id}/activation", Administrator, admin::set_active)
        .post("/admin/utilisateurs/{id}/role", Administrator, admin::set_role)
}
