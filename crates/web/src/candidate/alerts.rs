//! Alerts on a search and the newsletter (public: with or without an account). An address that
//! is not a signed-in, verified account's confirms by e-mail first (double opt-in); every
//! e-mail carries a one-click unsubscribe link, and the unsubscribe page offers to undo.

use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::AppResult;
use crate::forms::Form;
use crate::layout::Page;
use crate::offer_search::SearchParams;
use crate::security::ClientIp;
use crate::widgets::MessagePage;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::candidate::Frequency;
use domain::email::Email;

#[derive(Template, WebTemplate)]
#[template(path = "candidate/unsubscribed.html")]
pub struct UnsubscribedPage {
    page: Page,
    label: String,
    token: String,
    resubscribed: bool,
}

/// `POST /alertes` (public): `recherche` is the search's query string.
pub async fn create(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> AppResult<Response> {
    let form = Form::parse(&body);
    // Normalised through the search parameters, so an alert only ever stores a valid search.
    let mut params = SearchParams::parse(Some(form.get("recherche").trim_start_matches('?')));
    params.page = 1;
    let query = params.query_string();
    // The name given, or what the search looks for: the alert's page and e-mails say it.
    let label = match form.opt("nom") {
        Some(n) => n.chars().take(120).collect::<String>(),
        None => crate::public::offers::describe(&state, &params).await?,
    };
    // Daily when not chosen; a value outside the list is refused, not turned into daily.
    let frequency = match form.opt("frequence") {
        None => Frequency::Daily,
        Some(f) => match f.parse::<Frequency>() {
            Ok(f) => f,
            Err(_) => {
                return Ok((
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    MessagePage::new(
                        "Fréquence inconnue",
                        vec!["Choisissez la fréquence de l’alerte dans la liste : chaque jour, chaque semaine, ou jamais (recherche enregistrée seulement).".into()],
                        Some((&format!("/offres-emploi?{query}"), "Revenir à la recherche")),
                        false,
                    ),
                )
                    .into_response());
            }
        },
    };
    let (email, user_id, confirmed) = match &user {
        Some(u) => (u.email.clone(), Some(u.id), u.email_verified_at.is_some()),
        None => {
            match Email::parse(form.get("email")) {
                Ok(e) => (e.as_str().to_string(), None, false),
                Err(_) => {
                    return Ok(MessagePage::new(
                    "Adresse e-mail invalide",
                    vec!["Saisissez une adresse e-mail valide (par exemple nom@exemple.fr) pour recevoir cette alerte.".into()],
                    Some((&format!("/offres-emploi?{query}"), "Revenir à la recherche")),
                    false,
                )
                .into_response());
                }
            }
        }
    };
    if !confirmed && !crate::security::mail_admitted(&state, "alerte", &email, &ip).await? {
        return Ok(crate::widgets::too_many_mails((&format!("/offres-emploi?{query}"), "Revenir à la recherche")));
    }
    let token = auth::random_token()?;
    let new = db::alerts::NewAlert {
        user_id,
        email: email.clone(),
        query: query.clone(),
        label: label.clone(),
        frequency,
        token,
        confirmed,
    };
    crate::services::alerts::create(&state, &new).await?;
    let lines = if confirmed {
        vec![format!("Votre alerte « {label} » est enregistrée : {}.", frequency.label().to_lowercase())]
    } else {
        vec![format!(
            "Un e-mail vient d’être envoyé à {email} : cliquez sur le lien qu’il contient pour activer l’alerte « {label} »."
        )]
    };
    let link = if user.is_some() {
        ("/espace-candidat#alertes", "Voir mes alertes")
    } else {
        ("/offres-emploi", "Revenir aux offres")
    };
    Ok(MessagePage::new(
        if confirmed { "Alerte enregistrée" } else { "Confirmez votre alerte" },
        lines,
        Some(link),
        true,
    )
    .into_response())
}

/// `GET /alertes/confirmer/{token}` (public: the link sent by e-mail).
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<MessagePage> {
    Ok(match db::alerts::confirm(state.db.conn(), &token, state.now()).await? {
        Some(a) => MessagePage::new(
            "Alerte activée",
            vec![format!("Vous recevrez les nouvelles offres de « {} » ({}).", a.label, a.frequency)],
            Some(("/offres-emploi", "Voir les offres")),
            true,
        ),
        None => MessagePage::new(
            "Lien inconnu",
            vec!["Ce lien ne correspond à aucune alerte.".into()],
            Some(("/", "Accueil")),
            false,
        ),
    })
}

/// `GET /alertes/desinscription/{token}` (public): unsubscribes in one click.
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    Ok(match db::alerts::set_unsubscribed(state.db.conn(), &token, true, state.now()).await? {
        Some(a) => UnsubscribedPage {
            page: Page::new("Alerte désactivée").crumbs(&[("Alerte désactivée", None)]),
            label: a.label,
            token,
            resubscribed: false,
        }
        .into_response(),
        None => MessagePage::new(
            "Lien inconnu",
            vec!["Ce lien ne correspond à aucune alerte.".into()],
            Some(("/", "Accueil")),
            false,
        )
        .into_response(),
    })
}

/// `POST /alertes/reinscription/{token}` (public): the undo of the above.
pub async fn resubscribe(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    Ok(match db::alerts::set_unsubscribed(state.db.conn(), &token, false, state.now()).await? {
        Some(a) => UnsubscribedPage {
            page: Page::new("Alerte réactivée").crumbs(&[("Alerte réactivée", None)]),
            label: a.label,
            token,
            resubscribed: true,
        }
        .into_response(),
        None => MessagePage::new(
            "Lien inconnu",
            vec!["Ce lien ne correspond à aucune alerte.".into()],
            Some(("/", "Accueil")),
            false,
        )
        .into_response(),
    })
}

/// `POST /lettre-information` (public): double opt-in, the same answer for any address.
pub async fn newsletter(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> AppResult<Response> {
    let form = Form::parse(&body);
    let Ok(email) = Email::parse(form.get("email")) else {
        return Ok(MessagePage::new(
            "Adresse e-mail invalide",
            vec!["Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.".into()],
            Some(("/", "Retour à l’accueil")),
            false,
        )
        .into_response());
    };
    if !crate::security::mail_admitted(&state, "lettre", email.as_str(), &ip).await? {
        return Ok(crate::widgets::too_many_mails(("/", "Retour à l’accueil")));
    }
    let token = auth::random_token()?;
    crate::services::alerts::subscribe_newsletter(&state, &email, &token).await?;
    Ok(MessagePage::new(
        "Vérifiez votre boîte e-mail",
        vec![format!("Si {email} n’est pas encore inscrite, un e-mail de confirmation vient de lui être envoyé : l’inscription n’est active qu’après un clic sur son lien.")],
        Some(("/", "Retour à l’accueil")),
        true,
    )
    .into_response())
}

/// `GET /lettre-information/confirmer/{token}` (public).
pub async fn newsletter_confirm(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<MessagePage> {
    Ok(if db::alerts::newsletter_confirm(state.db.conn(), &token, state.now()).await? {
        MessagePage::new(
            "Inscription confirmée",
            vec!["Vous recevrez la lettre d’information de Métiers du numérique.".into()],
            Some(("/", "Accueil")),
            true,
        )
    } else {
        MessagePage::new(
            "Lien inconnu",
            vec!["Ce lien ne correspond à aucune inscription.".into()],
            Some(("/", "Accueil")),
            false,
        )
    })
}

/// `GET /lettre-information/desinscription/{token}` (public).
pub async fn newsletter_unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<MessagePage> {
    Ok(if db::alerts::newsletter_unsubscribe(state.db.conn(), &token, state.now()).await? {
        MessagePage::new(
            "Désinscription confirmée",
            vec!["Vous ne recevrez plus la lettre d’information.".into()],
            Some(("/", "Accueil")),
            true,
        )
    } else {
        MessagePage::new(
            "Lien inconnu",
            vec!["Ce lien ne correspond à aucune inscription.".into()],
            Some(("/", "Accueil")),
            false,
        )
    })
}
