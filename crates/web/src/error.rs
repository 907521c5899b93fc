//! The HTTP error type and the DSFR error pages (404, 409, 410, 422, 500).
//!
//! Error policy of the web layer:
//! - handlers return `Result<_, AppError>`; `?` on a db call is fine;
//! - expected outcomes are never a 500: not found is a 404 page, gone a 410, refused a 403, too busy a 503 with
//!   `Retry-After` (heavy work is bounded, [`crate::bounded`]);
//!   a write the database refused because of what it holds (`DbError::Conflict`: a double
//!   submit, two racing approvals, a duplicate) is a 409 page, one refused by a rule
//!   (`DbError::Invalid`) a 422 page, each with its French wording from [`refusal_text`].
//!   Handlers that can show the refusal next to a field or in the page's notice match the
//!   error first and use the same wording;
//! - the French wording of the db crate's typed refusals lives here, nowhere else;
//! - anything else is a bug or an outage: logged with its whole source chain and the request
//!   id, and the user sees the generic 500 page, never the cause.

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
    /// Too much heavy work queued ([`crate::bounded`]): 503 with `Retry-After`.
    #[error("serveur occupé")]
    Busy,
    /// A failure below the web layer that is not the database's; its source is kept for the log.
    #[error("{0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    code: u16,
    heading: &'static str,
    lead: String,
    detail: &'static str,
}

impl AppError {
    /// The French wording of a refused write, for a handler that shows it in the page's notice.
    pub fn refusal(&self) -> Option<String> {
        match self {
            AppError::Db(e) => refusal_text(e),
            _ => None,
        }
    }

    /// The refusal as a sentence for a notice (capitalised, with its full stop), or the error
    /// itself when it is a failure.
    pub fn into_refusal_sentence(self) -> Result<String, AppError> {
        match self.refusal() {
            Some(why) => {
                let mut c = why.chars();
                Ok(c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".").unwrap_or_default())
            }
            None => Err(self),
        }
    }
}

/// The French wording of a write the database refused, or `None` for a failure.
pub fn refusal_text(e: &db::DbError) -> Option<String> {
    match e {
        db::DbError::Conflict(c) => Some(conflict_text(c)),
        db::DbError::Invalid(i) => Some(invalid_text(i)),
        _ => None,
    }
}

pub fn conflict_text(c: &db::Conflict) -> String {
    use db::Conflict::*;
    match c {
        EmailTaken { email } => format!("un compte existe déjà pour {email}"),
        InstitutionNameTaken { name } => format!("un autre employeur s’appelle déjà « {name} »"),
        SiretTaken { siret, owner } => format!("le SIRET {siret} est déjà celui de {owner}"),
        EmailDomainTaken { domain, owner } => format!("le domaine {domain} est déjà rattaché à {owner}"),
        AlreadyApplied => "vous avez déjà candidaté à cette offre".into(),
        AlreadyDecided => "cette demande a déjà été traitée".into(),
        StageChanged => "la candidature a changé entre-temps".into(),
        RefusalReasonExists => "ce motif existe déjà".into(),
        DomainLabelTaken { label } => format!("un domaine « {label} » existe déjà"),
        ProfessionLabelTaken { label } => format!("un métier « {label} » existe déjà"),
        Duplicate => "c’est déjà fait : une demande identique vient d’être enregistrée".into(),
        AlreadyRegistered { status } => match status {
            domain::forum::RegistrationStatus::Waiting => {
                "vous êtes déjà sur la liste d’attente de cette session".into()
            }
            domain::forum::RegistrationStatus::Pending => {
                "votre inscription attend sa confirmation : cliquez sur le lien de l’e-mail reçu".into()
            }
            _ => "vous êtes déjà inscrit·e à cette session".into(),
        },
        BoothExists => "cet employeur a déjà un stand à cette édition".into(),
        SlotTaken => "ce créneau vient d’être réservé par quelqu’un d’autre : choisissez-en un autre".into(),
        AlreadyBookedAtBooth => {
            "vous avez déjà un créneau à ce stand : annulez-le d’abord pour en choisir un autre".into()
        }
        OverlappingBooking { starts_at } => format!(
            "ce créneau chevauche votre rendez-vous du {} : un seul entretien à la fois",
            crate::format::date_time(*starts_at)
        ),
        AlreadyInDuo => "cette candidature fait déjà partie d’un duo en cours".into(),
        NoSeatLeft => "cet agent accueille déjà autant d’étudiant·es qu’il ou elle l’a proposé".into(),
        DuoChanged => "ce duo a changé entre-temps (une réponse, une expiration) : rechargez la page".into(),
    }
}

pub fn invalid_text(i: &db::Invalid) -> String {
    use db::Invalid::*;
    match i {
        NotPublishable(missing) => {
            let what: Vec<&str> = missing
                .iter()
                .map(|m| match m {
                    db::Missing::Mission => "les missions",
                    db::Missing::Region => "le département (la région en découle)",
                    db::Missing::Deadline => "la date limite de candidature",
                })
                .collect();
            format!("Pour publier, renseignez {}.", what.join(" et "))
        }
        DeadlinePassed => "La date limite de candidature est passée : choisissez une date future.".into(),
        UnknownDomain => "ce domaine n’existe pas".into(),
        NotInProgress => "cette candidature n’est plus en cours".into(),
        Transition { from, to } => format!("impossible de passer de « {} » à « {} »", from.label(), to.label()),
        UnknownRefusalReason => "motif de refus inconnu".into(),
        RefusalReasonRequired => "un refus demande un motif".into(),
        StoryNotPublishable(missing) => format!("Pour publier ce témoignage, il manque {}.", missing.join(", ")),
        MergeIntoItself => "une technologie ne peut pas être fusionnée dans elle-même".into(),
        AlreadyMerged => "cette technologie a déjà été fusionnée dans une autre".into(),
        TechnologyNameTaken { name } => {
            format!("la technologie « {name} » existe déjà : fusionnez plutôt les deux technologies")
        }
        CapacityBelowTaken { taken } => match taken {
            1 => "1 personne est déjà inscrite : la capacité ne peut pas descendre en dessous".into(),
            n => format!("{n} personnes sont déjà inscrites : la capacité ne peut pas descendre en dessous"),
        },
        OfferOfAnotherEmployer => "un créneau ne peut porter que sur les offres de votre employeur".into(),
        RegistrationClosed => "les inscriptions à cette session ne sont pas ouvertes".into(),
        BookingClosed => "la réservation de ce créneau est fermée".into(),
        FeedbackNotOpen => "l’avis se donne après la session, par les personnes inscrites".into(),
        SessionCancelled => "cette session est annulée : créez-en une nouvelle plutôt que de la rétablir".into(),
        SessionHasRegistrations => "des personnes sont inscrites ou en attente : annulez la session (elles seront prévenues) plutôt que de la remettre en brouillon".into(),
        AccountNotVerified => "confirmez d’abord votre adresse e-mail (le lien reçu à l’inscription) pour réserver un entretien".into(),
        SlotInThePast => "ces créneaux commenceraient dans le passé : choisissez un jour à venir".into(),
        CampaignClosed => "les offres et les candidatures de cette campagne ne sont pas ouvertes".into(),
        MatchingConfirmed => "l’appariement a été validé et envoyé : il ne se recalcule plus".into(),
        MatchingNotNow => "l’appariement se prépare une fois les offres et les candidatures closes, avant les journées d’immersion".into(),
        PairNotPossible => "ce duo est impossible : aucun jour commun, ou aucun lieu possible (région souhaitée, ou distance acceptée des deux côtés)".into(),
        NotAvailable => "cette offre ou cette candidature est en pause ou retirée".into(),
        SeatsBelowDuos { duos } => match duos {
            1 => "1 étudiant·e vous est déjà associé·e : le nombre de places ne peut pas descendre en dessous".into(),
            n => format!("{n} étudiant·es vous sont déjà associé·es : le nombre de places ne peut pas descendre en dessous"),
        },
        AnswerClosed => "le délai pour répondre à cette proposition est passé".into(),
        DuoNotAccepted => "la convention et l’organisation de la journée viennent une fois le duo accepté des deux côtés".into(),
        DayNotOver => "l’avis se donne après la journée d’immersion".into(),
    }
}

/// The page of a refused write: 409 (what is stored forbids it) or 422 (a rule on the values).
fn refused_page(status: StatusCode, text: String) -> Response {
    let mut lead = text;
    if let Some(first) = lead.chars().next() {
        lead.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    if !lead.ends_with('.') {
        lead.push('.');
    }
    render_error(
        status,
        "Action impossible",
        lead,
        "La page a peut-être changé entre-temps : revenez en arrière, rechargez-la et réessayez.",
    )
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
        StatusCode::SERVICE_UNAVAILABLE => (
            "Service momentanément surchargé",
            "Trop de demandes arrivent en même temps : votre demande n’a pas été traitée.",
            "Rien n’a été enregistré. Réessayez dans quelques secondes ; si le problème continue, revenez un peu plus tard.",
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
    render_error(status, heading, lead.to_string(), detail)
}

fn render_error(status: StatusCode, heading: &'static str, lead: String, detail: &'static str) -> Response {
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
            AppError::Busy => {
                let mut res = error_page(StatusCode::SERVICE_UNAVAILABLE);
                res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
                res
            }
            AppError::Db(db::DbError::NotFound) => error_page(StatusCode::NOT_FOUND),
            AppError::Db(db::DbError::Gone) => error_page(StatusCode::GONE),
            AppError::Db(db::DbError::Conflict(c)) => refused_page(StatusCode::CONFLICT, conflict_text(&c)),
            AppError::Db(db::DbError::Invalid(i)) => refused_page(StatusCode::UNPROCESSABLE_ENTITY, invalid_text(&i)),
            other => {
                tracing::error!(error = %chain(&other), "request failed");
                error_page(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// An error and its sources, "outer: inner: …", for the log.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
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
