//! Applications: their stage moves and the e-mail each move sends the candidate.

use super::Tx;
use crate::AppState;
use crate::error::AppResult;
use db::entity::user;
use domain::audit::AuditAction;
use domain::candidate::Stage;

/// Moves an application to another stage and e-mails the candidate, in one unit of work (the
/// recruiters' pipeline calls this). Anonymised applications move without an e-mail.
pub async fn move_stage(
    state: &AppState,
    actor: &user::Model,
    id: i64,
    to: Stage,
    reason: Option<&str>,
) -> AppResult<db::applications::ApplicationView> {
    let tx = Tx::by(state, actor).await?;
    let before = db::applications::get(tx.conn(), id).await?.application.stage;
    let view = db::applications::move_stage(tx.conn(), id, to, reason, tx.now()).await?;
    let after = match reason {
        Some(r) => format!("{} ({r})", to.code()),
        None => to.code().to_string(),
    };
    tx.audit(AuditAction::ApplicationStage, format!("candidature {id}"), Some(before), Some(after)).await?;
    if let Some(email) = view.application.candidate_email.clone() {
        let reason_label = match &view.application.refusal_reason {
            Some(code) => db::applications::refusal_reasons(tx.conn())
                .await?
                .into_iter()
                .find(|r| &r.code == code)
                .map(|r| r.label),
            None => None,
        };
        let title = match (&view.offer, &view.institution) {
            (Some(o), _) => o.title.clone(),
            (None, Some(i)) => format!("candidature spontanée ({})", i.name),
            (None, None) => "candidature spontanée".to_string(),
        };
        let employer = view.institution.as_ref().map(|i| i.name.clone()).unwrap_or_else(|| "l’employeur".into());
        let (template, _) = db::mail_templates::in_force(tx.conn(), to).await?;
        let values = domain::mail_template::Values {
            offer: &title,
            employer: &employer,
            stage: to.label(),
            reason: reason_label.as_deref().unwrap_or_default(),
        };
        let (subject, paragraphs) = domain::mail_template::fill(&template, &values);
        let url = state.url(&format!("/espace-candidat/candidatures/{id}"));
        tx.mail(mail::messages::application_stage(&email, &subject, paragraphs, &url)).await?;
    }
    tx.commit().await?;
    Ok(view)
}

/// The offer an application answers, as its confirmation e-mail names it.
#[derive(Debug, Clone, Copy)]
pub struct Answering<'a> {
    pub title: &'a str,
    pub employer: &'a str,
}

/// Records an application (to `offer`, or spontaneous when `None`) and e-mails its
/// confirmation to the candidate. A second one to the same offer is `Conflict::AlreadyApplied`.
pub async fn submit(
    state: &AppState,
    new: &db::applications::NewApplication,
    offer: Option<Answering<'_>>,
) -> AppResult<i64> {
    let tx = Tx::begin(state).await?;
    let app = db::applications::create(tx.conn(), new, tx.now()).await?;
    let space = state.url(&format!("/espace-candidat/candidatures/{}", app.id));
    let msg = match offer {
        Some(o) => mail::messages::application_received(&new.candidate_email, o.title, o.employer, &space),
        None => {
            let employer = match new.institution_id {
                Some(id) => db::institutions::by_ids(tx.conn(), &[id]).await?.pop().map(|i| i.name).unwrap_or_default(),
                None => "tous les employeurs de la plateforme".into(),
            };
            mail::messages::spontaneous_received(&new.candidate_email, &employer, &space)
        }
    };
    tx.mail(msg).await?;
    tx.commit().await?;
    Ok(app.id)
}

/// A recruiter's note and rating (1 to 5) on an application, both optional.
pub async fn annotate(
    state: &AppState,
    actor: &user::Model,
    app: &db::entity::application::Model,
    note: Option<&str>,
    rating: Option<i32>,
) -> AppResult<()> {
    let tx = Tx::by(state, actor).await?;
    if let Some(text) = note {
        db::backoffice::add_note(tx.conn(), app.id, &actor.email, text, tx.now()).await?;
    }
    if rating.is_some() {
        db::backoffice::set_rating(tx.conn(), app.id, rating).await?;
    }
    let (before, after) = (app.rating.map(|r| r.to_string()), rating.map(|r| r.to_string()));
    tx.audit(AuditAction::ApplicationNote, format!("candidature {}", app.id), before, after).await?;
    tx.commit().await
}

/// Adds a refusal reason to the list recruiters choose from (a duplicate is `ReasonTaken`).
pub async fn add_refusal_reason(state: &AppState, admin: &user::Model, code: &str, label: &str) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    db::backoffice::add_refusal_reason(tx.conn(), code, label).await?;
    tx.audit(AuditAction::ReasonAdded, code, None, Some(label.to_string())).await?;
    tx.commit().await
}

/// Withdraws a refusal reason from the list, or brings it back (past refusals keep their text).
pub async fn set_refusal_reason_active(state: &AppState, admin: &user::Model, id: i64, on: bool) -> AppResult<()> {
    let tx = Tx::by(state, admin).await?;
    db::backoffice::set_refusal_reason_active(tx.conn(), id, on).await?;
    tx.audit(AuditAction::ReasonState, format!("motif {id}"), Some((!on).to_string()), Some(on.to_string())).await?;
    tx.commit().await
}
