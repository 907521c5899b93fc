//! Widgets shared by every audience's pages: the options of a list, the message page.

use crate::layout::Page;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// One checkbox or radio of a list.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A list of options under one legend (a DSFR fieldset).
#[derive(Debug, Clone)]
pub struct OptionList {
    pub name: String,
    pub legend: String,
    pub options: Vec<Opt>,
}

/// A page that only tells something (and offers where to go next).
#[derive(Template, WebTemplate)]
#[template(path = "account/message.html")]
pub struct MessagePage {
    pub page: Page,
    pub heading: String,
    pub lines: Vec<String>,
    pub link: Option<(String, String)>,
    pub success: bool,
}

impl MessagePage {
    pub fn new(heading: &str, lines: Vec<String>, link: Option<(&str, &str)>, success: bool) -> Self {
        Self {
            page: Page::new(heading).crumbs(&[(heading, None)]),
            heading: heading.to_string(),
            lines,
            link: link.map(|(h, l)| (h.to_string(), l.to_string())),
            success,
        }
    }
}

/// The page of a form throttled by [`security::mail_admitted`] that has no field to show it on.
pub fn too_many_mails(back: (&str, &str)) -> Response {
    let page = MessagePage::new("Trop de demandes", vec![crate::security::TOO_MANY_MAILS.into()], Some(back), false);
    (StatusCode::TOO_MANY_REQUESTS, page).into_response()
}
