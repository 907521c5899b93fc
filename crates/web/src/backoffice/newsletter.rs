//! `/admin/lettre-information`: administrators write an issue of the newsletter, preview it,
//! and send it through the outbox to every confirmed subscriber, each with their own
//! one-click unsubscribe link.

use crate::AppState;
use crate::auth::AdminUser;
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

#[derive(Template, WebTemplate)]
#[template(path = "backoffice/newsletter.html")]
pub struct NewsletterPage {
    page: Page,
    form: Form,
    readers: usize,
    /// The subject and paragraphs, as subscribers will read them.
    preview: Option<(String, Vec<String>)>,
    notice: Option<String>,
}

/// Paragraphs are separated by a blank line.
fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

async fn page(state: &AppState, form: Form, preview: Option<(String, Vec<String>)>) -> AppResult<NewsletterPage> {
    let title = if form.is_valid() { "Lettre d’information" } else { "Lettre d’information – erreur" };
    Ok(NewsletterPage {
        page: Page::new(title).crumbs(&[("Administration", Some("/admin")), ("Lettre d’information", None)]),
        readers: db::alerts::newsletter_readers(state.db.conn()).await?.len(),
        preview,
        notice: super::notice(),
        form,
    })
}

/// `GET /admin/lettre-information` (administrator).
pub async fn form(State(state): State<AppState>, AdminUser(_): AdminUser) -> AppResult<NewsletterPage> {
    page(&state, Form::default(), None).await
}

/// `POST /admin/lettre-information` (administrator): `objet`, `texte`; `action=apercu`
/// shows it, `action=envoyer` sends it. The same issue is sent once, whatever the clicks.
pub async fn send(State(state): State<AppState>, AdminUser(admin): AdminUser, body: Bytes) -> AppResult<Response> {
    let mut form = Form::parse(&body);
    let subject = form.required("objet", "l’objet de la lettre", 150);
    let text = form.required("texte", "le texte de la lettre", 20_000);
    if !form.is_valid() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, form, None).await?).into_response());
    }
    let parts = paragraphs(&text);
    if form.get("action") != "envoyer" {
        return Ok(page(&state, form, Some((subject, parts))).await?.into_response());
    }
    let key = {
        let digest = Sha256::digest(format!("{subject}\n{text}").as_bytes());
        format!("lettre:{}", digest.iter().take(12).map(|b| format!("{b:02x}")).collect::<String>())
    };
    let Some(readers) = crate::services::newsletter::send(&state, &admin, &key, &subject, &parts).await? else {
        return Ok(super::with_message("/admin/lettre-information", "Cette lettre a déjà été envoyée."));
    };
    Ok(super::with_message(
        "/admin/lettre-information",
        &format!("Lettre « {subject} » envoyée à {readers} abonné·e·s (par la file d’envoi des e-mails)."),
    ))
}
