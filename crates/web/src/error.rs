//! The HTTP error type and the DSFR error pages (404, 410, 500).

use crate::layout::Page;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::any::Any;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page introuvable")]
    NotFound,
    #[error("page supprimée")]
    Gone,
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("rendu impossible : {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Search(#[from] search::SearchError),
    #[error("accès refusé")]
    Forbidden,
    #[error("{0}")]
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    code: u16,
    heading: &'static str,
    lead: &'static str,
    detail: &'static str,
}

pub(crate) fn error_page(status: StatusCode) -> Response {
    let (heading, lead, detail) = match status {
        StatusCode::NOT_FOUND => (
            "Page non trouvée",
            "La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée.",
            "Si vous avez tapé l’adresse web dans le navigateur, vérifiez qu’elle est correcte. La page n’est peut-être plus disponible. Dans ce cas, pour continuer votre visite, vous pouvez consulter notre page d’accueil ou rechercher une offre d’emploi.",
        ),
        StatusCode::FORBIDDEN => (
            "Accès refusé",
            "Vous n’avez pas accès à cette page.",
            "Cette page est réservée à d’autres comptes. Si vous pensez qu’il s’agit d’une erreur, connectez-vous avec le bon compte ou revenez à la page d’accueil.",
        ),
        StatusCode::GONE => (
            "Page supprimée",
            "Cette page a été supprimée et n’est plus disponible.",
            "L’offre ou le contenu que vous cherchez a été retiré par son auteur. Vous pouvez consulter les autres offres depuis la page d’accueil.",
        ),
        _ => (
            "Erreur inattendue",
            "Désolé, le service rencontre un problème, nous travaillons pour le résoudre le plus rapidement possible.",
            "Essayez de rafraîchir la page ou bien réessayez plus tard. L’incident a été enregistré.",
        ),
    };
    let tpl = ErrorPage { page: Page::new(heading), code: status.as_u16(), heading, lead, detail };
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page could not be rendered");
            (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], heading).into_response()
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::NotFound => error_page(StatusCode::NOT_FOUND),
            AppError::Gone => error_page(StatusCode::GONE),
            AppError::Forbidden => error_page(StatusCode::FORBIDDEN),
            AppError::Db(db::DbError::NotFound) => error_page(StatusCode::NOT_FOUND),
            other => {
                tracing::error!(error = %other, "request failed");
                error_page(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// Fallback for unknown paths.
pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND)
}

/// A panic in a handler: logged, and the user gets the 500 page.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let msg = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("panic");
    tracing::error!(panic = msg, "handler panicked");
    error_page(StatusCode::INTERNAL_SERVER_ERROR)
}

pub type AppResult<T> = Result<T, AppError>;
