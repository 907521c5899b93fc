//! Every e-mail the platform sends, built on one layout: a few paragraphs, an optional button,
//! an optional list of offers, and a footer (why you receive it, how to stop).

use askama::Template;
use domain::candidate::MailMessage;

/// One entry of a list (an offer of a digest).
#[derive(Debug, Clone)]
pub struct Item {
    pub title: String,
    pub url: String,
    pub detail: String,
}

#[derive(Debug, Clone)]
struct Content<'a> {
    subject: String,
    paragraphs: Vec<String>,
    action: Option<(&'a str, String)>,
    items: Vec<Item>,
    footer: Vec<String>,
    unsubscribe: Option<String>,
}

#[derive(Template)]
#[template(path = "mail.txt", escape = "none")]
struct Text<'a> {
    c: &'a Content<'a>,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct Html<'a> {
    c: &'a Content<'a>,
}

fn render(to: &str, c: &Content<'_>) -> MailMessage {
    // Templates without conditions on user data cannot fail to render; fall back on the plain
    // paragraphs all the same rather than lose the message.
    let text = Text { c }.render().unwrap_or_else(|_| c.paragraphs.join("\n\n"));
    let html = Html { c }.render().unwrap_or_else(|_| c.paragraphs.join("<br>"));
    MailMessage { to: to.to_string(), subject: c.subject.clone(), text, html, unsubscribe: c.unsubscribe.clone() }
}

const SIGNATURE: &str = "L’équipe Métiers du numérique";

fn content<'a>(subject: impl Into<String>, paragraphs: Vec<String>) -> Content<'a> {
    Content {
        subject: subject.into(),
        paragraphs,
        action: None,
        items: Vec::new(),
        footer: vec![
            "Cet e-mail vous est envoyé par Métiers du numérique, la plateforme des emplois du numérique de l’État."
                .into(),
        ],
        unsubscribe: None,
    }
}

pub fn verify_email(to: &str, url: &str) -> MailMessage {
    let mut c = content(
        "Confirmez votre adresse e-mail",
        vec![
            "Bonjour,".into(),
            "Vous venez de créer un compte sur Métiers du numérique. Pour pouvoir candidater, confirmez votre adresse e-mail (ce lien est valable 48 heures) :".into(),
        ],
    );
    c.action = Some(("Confirmer mon adresse e-mail", url.to_string()));
    c.footer.insert(
        0,
        "Si vous n’êtes pas à l’origine de cette inscription, ignorez ce message : aucun compte ne sera activé.".into(),
    );
    render(to, &c)
}

/// Sent when someone signs up with an address that already has an account: the form answers
/// the same way in both cases, and only the owner of the address learns what happened.
pub fn signup_existing(to: &str, login_url: &str, reset_url: &str) -> MailMessage {
    let mut c = content(
        "Vous avez déjà un compte",
        vec![
            "Bonjour,".into(),
            "Quelqu’un (vous, sans doute) a voulu créer un compte Métiers du numérique avec cette adresse, qui en a déjà un.".into(),
            format!("Connectez-vous : {login_url}"),
            format!("Mot de passe oublié ? Choisissez-en un nouveau : {reset_url}"),
        ],
    );
    c.action = Some(("Me connecter", login_url.to_string()));
    render(to, &c)
}

pub fn password_reset(to: &str, url: &str) -> MailMessage {
    let mut c = content(
        "Choisissez un nouveau mot de passe",
        vec![
            "Bonjour,".into(),
            "Une demande de nouveau mot de passe a été faite pour votre compte. Ce lien est valable une heure et ne sert qu’une fois :".into(),
        ],
    );
    c.action = Some(("Choisir un nouveau mot de passe", url.to_string()));
    c.footer.insert(0, "Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.".into());
    render(to, &c)
}

/// A reset asked for an address without an account: said to that address only, so the
/// page itself reveals nothing.
pub fn password_reset_no_account(to: &str, signup_url: &str) -> MailMessage {
    let mut c = content(
        "Aucun compte pour cette adresse",
        vec![
            "Bonjour,".into(),
            "Quelqu’un (vous, sans doute) a demandé un nouveau mot de passe Métiers du numérique pour cette adresse, mais aucun compte n’y est rattaché.".into(),
            "Vous avez peut-être créé votre compte avec une autre adresse : refaites la demande avec celle-ci. Vous pouvez aussi créer un compte :".into(),
        ],
    );
    c.action = Some(("Créer un compte", signup_url.to_string()));
    c.footer.insert(0, "Si vous n’avez rien demandé, ignorez ce message.".into());
    render(to, &c)
}

pub fn application_received(to: &str, offer_title: &str, employer: &str, space_url: &str) -> MailMessage {
    let mut c = content(
        format!("Candidature envoyée : {offer_title}"),
        vec![
            "Bonjour,".into(),
            format!("Votre candidature à l’offre « {offer_title} » ({employer}) a bien été transmise au service recruteur."),
            "Vous suivrez son avancement (examen, entretien, réponse) dans votre espace candidat, et vous recevrez un e-mail à chaque étape.".into(),
        ],
    );
    c.action = Some(("Suivre ma candidature", space_url.to_string()));
    render(to, &c)
}

pub fn spontaneous_received(to: &str, employer: &str, space_url: &str) -> MailMessage {
    let mut c = content(
        "Candidature spontanée envoyée",
        vec![
            "Bonjour,".into(),
            format!("Votre candidature spontanée a bien été transmise à : {employer}."),
            "Les recruteurs la consulteront quand un poste correspondra à votre profil.".into(),
        ],
    );
    c.action = Some(("Voir mes candidatures", space_url.to_string()));
    render(to, &c)
}

/// A stage change, from the template in force (`domain::mail_template`): its subject and
/// paragraphs go into the platform's layout.
pub fn application_stage(to: &str, subject: &str, paragraphs: Vec<String>, space_url: &str) -> MailMessage {
    let mut c = content(subject.to_string(), paragraphs);
    c.action = Some(("Voir ma candidature", space_url.to_string()));
    render(to, &c)
}

pub fn alert_confirm(to: &str, label: &str, confirm_url: &str, unsubscribe_url: &str) -> MailMessage {
    let mut c = content(
        "Confirmez votre alerte",
        vec![
            "Bonjour,".into(),
            format!(
                "Vous avez demandé à recevoir les nouvelles offres de la recherche « {label} ». Confirmez pour commencer à les recevoir :"
            ),
        ],
    );
    c.action = Some(("Confirmer mon alerte", confirm_url.to_string()));
    c.footer.insert(0, "Sans confirmation, vous ne recevrez rien.".into());
    c.unsubscribe = Some(unsubscribe_url.to_string());
    render(to, &c)
}

/// `offers` are the newest of `total` new offers.
pub fn alert_digest(
    to: &str,
    label: &str,
    offers: Vec<Item>,
    total: usize,
    search_url: &str,
    unsubscribe_url: &str,
) -> MailMessage {
    let subject =
        if total == 1 { format!("1 nouvelle offre : {label}") } else { format!("{total} nouvelles offres : {label}") };
    let intro = if total > offers.len() {
        format!("Voici les {} plus récentes des {total} nouvelles offres de votre alerte « {label} » :", offers.len())
    } else {
        format!("Voici les nouvelles offres de votre alerte « {label} » :")
    };
    let mut c = content(subject, vec!["Bonjour,".into(), intro]);
    c.items = offers;
    c.action = Some(("Voir toute la recherche", search_url.to_string()));
    c.unsubscribe = Some(unsubscribe_url.to_string());
    render(to, &c)
}

pub fn newsletter_confirm(to: &str, confirm_url: &str, unsubscribe_url: &str) -> MailMessage {
    let mut c = content(
        "Confirmez votre inscription à la lettre d’information",
        vec![
            "Bonjour,".into(),
            "Vous avez demandé à recevoir la lettre d’information de Métiers du numérique (une par mois au plus : offres, événements, projets). Confirmez votre inscription :".into(),
        ],
    );
    c.action = Some(("Confirmer mon inscription", confirm_url.to_string()));
    c.footer.insert(0, "Sans confirmation, vous ne recevrez rien.".into());
    c.unsubscribe = Some(unsubscribe_url.to_string());
    render(to, &c)
}

/// An issue of the newsletter as the administrators wrote it: `paragraphs` are plain text.
pub fn newsletter_issue(to: &str, subject: &str, paragraphs: &[String], unsubscribe_url: &str) -> MailMessage {
    let mut c = content(subject.to_string(), paragraphs.to_vec());
    c.footer
        .insert(0, "Vous recevez cette lettre parce que vous vous y êtes abonné·e sur Métiers du numérique.".into());
    c.unsubscribe = Some(unsubscribe_url.to_string());
    render(to, &c)
}

pub fn access_request_received(to: &str) -> MailMessage {
    let c = content(
        "Votre demande d’accès recruteur est enregistrée",
        vec![
            "Bonjour,".into(),
            "Votre demande d’accès à l’espace recruteur de Métiers du numérique est enregistrée. L’équipe de la plateforme vérifie votre rattachement et vous répond par e-mail, que la demande soit acceptée ou non.".into(),
        ],
    );
    render(to, &c)
}

/// To each administrator: a recruiter access request waits for a decision.
pub fn access_request_to_decide(to: &str, name: &str, email: &str, institution: &str, admin_url: &str) -> MailMessage {
    let mut c = content(
        "Nouvelle demande d’accès recruteur",
        vec![
            "Bonjour,".into(),
            format!("{name} ({email}) demande un accès recruteur pour {institution}."),
            "Approuvez-la en choisissant l’employeur de rattachement, ou refusez-la : la personne est prévenue dans les deux cas.".into(),
        ],
    );
    c.action = Some(("Traiter la demande", admin_url.to_string()));
    c.footer.insert(0, "Vous recevez cet e-mail parce que vous administrez la plateforme.".into());
    render(to, &c)
}

pub fn access_approved(to: &str, institution: &str, signin_url: &str) -> MailMessage {
    let mut c = content(
        "Votre accès recruteur est ouvert",
        vec![
            "Bonjour,".into(),
            format!(
                "Votre accès recruteur pour {institution} est ouvert. Connectez-vous avec ce lien à usage unique, valable 7 jours :"
            ),
        ],
    );
    c.action = Some(("Accéder à l’espace recruteur", signin_url.to_string()));
    render(to, &c)
}

/// The approval of an agent who asked for an account to host a « Vis mon job » day: the link
/// leads to the offer form.
pub fn immersion_host_approved(to: &str, institution: &str, signin_url: &str) -> MailMessage {
    let mut c = content(
        "Votre compte pour « Vis mon job » est ouvert",
        vec![
            "Bonjour,".into(),
            format!(
                "Votre compte d’agent·e de {institution} est ouvert : vous pouvez proposer votre journée, et vous retrouverez aussi l’espace recruteur de votre employeur."
            ),
            "Ce lien à usage unique, valable 7 jours, vous connecte et vous mène au formulaire de votre journée :".into(),
        ],
    );
    c.action = Some(("Proposer ma journée", signin_url.to_string()));
    render(to, &c)
}

pub fn access_refused(to: &str) -> MailMessage {
    let c = content(
        "Votre demande d’accès recruteur",
        vec![
            "Bonjour,".into(),
            "Votre demande d’accès à l’espace recruteur n’a pas pu être acceptée : l’équipe de la plateforme n’a pas pu vérifier votre rattachement à un employeur public. Vous pouvez faire une nouvelle demande avec votre adresse e-mail professionnelle.".into(),
        ],
    );
    render(to, &c)
}

/// A recruiter invites a candidate (talent pool or spontaneous application) to apply.
pub fn offer_invitation(to: &str, offer_title: &str, employer: &str, offer_url: &str, space_url: &str) -> MailMessage {
    let mut c = content(
        format!("Une offre pour vous : {offer_title}"),
        vec![
            "Bonjour,".into(),
            format!(
                "Un recruteur de {employer} a lu votre profil et vous invite à candidater à l’offre « {offer_title} »."
            ),
            format!("Ce n’est pas pour vous ? Déclinez l’invitation depuis votre espace candidat : {space_url}"),
        ],
    );
    c.action = Some(("Voir l’offre", offer_url.to_string()));
    c.footer.insert(0, "Vous recevez cet e-mail parce que votre profil est visible dans le vivier de talents ; vous pouvez le masquer depuis votre profil.".into());
    render(to, &c)
}

/// The weekly recap of applications waiting for an answer, to each recruiter.
/// New applications to one offer (or spontaneous ones, `offer_title` `None`), grouped.
/// `names` are the candidates' names, oldest first.
pub fn new_applications(
    to: &str,
    offer_title: Option<&str>,
    names: &[String],
    url: &str,
    settings_url: &str,
) -> MailMessage {
    let n = names.len();
    let what = match offer_title {
        Some(t) => format!("« {t} »"),
        None => "votre employeur (candidatures spontanées)".to_string(),
    };
    let subject = match (n, offer_title) {
        (1, Some(t)) => format!("Nouvelle candidature : {t}"),
        (_, Some(t)) => format!("{n} nouvelles candidatures : {t}"),
        (1, None) => "Nouvelle candidature spontanée".to_string(),
        (_, None) => format!("{n} nouvelles candidatures spontanées"),
    };
    let line = if n == 1 {
        format!("{} a candidaté à {what}.", names[0])
    } else {
        format!("{n} personnes ont candidaté à {what} : {}.", names.join(", "))
    };
    let mut c = content(subject, vec!["Bonjour,".into(), line]);
    c.action = Some(("Voir les candidatures", url.to_string()));
    c.footer.insert(0, format!("Pour recevoir ces e-mails une fois par jour, ou plus du tout : {settings_url}"));
    render(to, &c)
}

/// The day's new applications, per offer: `groups` are (offer title or `None` for spontaneous
/// ones, number received).
pub fn new_applications_digest(
    to: &str,
    groups: &[(Option<String>, usize)],
    url: &str,
    settings_url: &str,
) -> MailMessage {
    let total: usize = groups.iter().map(|(_, n)| n).sum();
    let subject = if total == 1 {
        "1 nouvelle candidature hier".to_string()
    } else {
        format!("{total} nouvelles candidatures hier")
    };
    let mut paragraphs = vec!["Bonjour,".to_string(), "Les candidatures reçues hier par votre employeur :".to_string()];
    for (title, n) in groups {
        let what = title.as_deref().map(|t| format!("« {t} »")).unwrap_or_else(|| "candidatures spontanées".into());
        paragraphs.push(format!("{what} : {n}"));
    }
    let mut c = content(subject, paragraphs);
    c.action = Some(("Ouvrir l’espace recruteur", url.to_string()));
    c.footer.insert(0, format!("Pour changer la fréquence de ces e-mails : {settings_url}"));
    render(to, &c)
}

pub fn recruiter_recap(to: &str, waiting: u64, url: &str) -> MailMessage {
    let (subject, line) = if waiting == 1 {
        (
            "1 candidature attend une réponse".to_string(),
            "Une candidature reçue il y a plus d’une semaine attend toujours une première réponse.".to_string(),
        )
    } else {
        (
            format!("{waiting} candidatures attendent une réponse"),
            format!("{waiting} candidatures reçues il y a plus d’une semaine attendent toujours une première réponse."),
        )
    };
    let mut c = content(
        subject,
        vec![
            "Bonjour,".into(),
            line,
            "Une réponse rapide, même négative, fait beaucoup pour l’image des employeurs publics.".into(),
        ],
    );
    c.action = Some(("Ouvrir l’espace recruteur", url.to_string()));
    render(to, &c)
}

pub fn account_deleted(to: &str) -> MailMessage {
    let c = content(
        "Votre compte a été supprimé",
        vec![
            "Bonjour,".into(),
            "Votre compte Métiers du numérique a été supprimé, avec votre profil, vos CV, vos favoris et vos alertes. Vos candidatures sont devenues anonymes pour les recruteurs.".into(),
        ],
    );
    render(to, &c)
}

/// A session of the forum as its e-mails name it: title and when (« mardi 16 mars 2027 de 14 h
/// à 15 h », Paris time, written by the caller).
#[derive(Debug, Clone)]
pub struct SessionRef<'a> {
    pub title: &'a str,
    pub when: &'a str,
    pub url: &'a str,
}

pub fn forum_confirm(to: &str, s: &SessionRef<'_>, confirm_url: &str, cancel_url: &str) -> MailMessage {
    let mut c = content(
        format!("Confirmez votre inscription : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!("Vous avez demandé à vous inscrire à « {} », {}. Confirmez votre inscription :", s.title, s.when),
        ],
    );
    c.action = Some(("Confirmer mon inscription", confirm_url.to_string()));
    c.footer.insert(0, format!("Sans confirmation, aucune place ne vous est réservée. Pour renoncer : {cancel_url}"));
    render(to, &c)
}

pub fn forum_already(to: &str, s: &SessionRef<'_>) -> MailMessage {
    let mut c = content(
        format!("Votre inscription : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!(
                "Cette adresse est déjà inscrite à « {} », {} (ou sur sa liste d’attente, ou en attente de confirmation). Votre page d’inscription dit où vous en êtes :",
                s.title, s.when
            ),
        ],
    );
    c.action = Some(("Voir mon inscription", s.url.to_string()));
    c.footer.insert(0, "Ce n’est pas vous ? Quelqu’un a saisi votre adresse : vous pouvez ignorer cet e-mail.".into());
    render(to, &c)
}

pub fn forum_registered(to: &str, s: &SessionRef<'_>, agenda_url: &str, cancel_url: &str) -> MailMessage {
    let mut c = content(
        format!("Inscription confirmée : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!("Votre place est réservée pour « {} », {}.", s.title, s.when),
            "Le lien de connexion s’affichera sur votre page d’inscription 30 minutes avant le début. Vous recevrez un rappel la veille et une heure avant.".into(),
            format!("Votre agenda du forum (à ajouter à votre calendrier) : {agenda_url}"),
        ],
    );
    c.action = Some(("Voir mon inscription", s.url.to_string()));
    c.footer.insert(0, format!("Vous ne pouvez plus venir ? Libérez votre place : {cancel_url}"));
    render(to, &c)
}

pub fn forum_waiting(to: &str, s: &SessionRef<'_>, position: u64, cancel_url: &str) -> MailMessage {
    let mut c = content(
        format!("Liste d’attente : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!(
                "La session « {} », {}, est complète. Vous êtes en position {position} sur la liste d’attente : si une place se libère, elle vous est donnée et vous recevez un e-mail.",
                s.title, s.when
            ),
        ],
    );
    c.action = Some(("Voir la session", s.url.to_string()));
    c.footer.insert(0, format!("Pour quitter la liste d’attente : {cancel_url}"));
    render(to, &c)
}

pub fn forum_promoted(to: &str, s: &SessionRef<'_>, agenda_url: &str, cancel_url: &str) -> MailMessage {
    let mut c = content(
        format!("Une place s’est libérée : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!(
                "Bonne nouvelle : une place s’est libérée pour « {} », {}. Elle est à vous, vous êtes inscrit·e.",
                s.title, s.when
            ),
            "Le lien de connexion s’affichera sur votre page d’inscription 30 minutes avant le début.".into(),
            format!("Votre agenda du forum : {agenda_url}"),
        ],
    );
    c.action = Some(("Voir mon inscription", s.url.to_string()));
    c.footer
        .insert(0, format!("Vous ne pouvez plus venir ? Libérez la place pour la personne suivante : {cancel_url}"));
    render(to, &c)
}

pub fn forum_reminder(to: &str, s: &SessionRef<'_>, tomorrow: bool, cancel_url: &str) -> MailMessage {
    let (subject, lead) = if tomorrow {
        (format!("Demain : {}", s.title), format!("Rappel : « {} » a lieu {}.", s.title, s.when))
    } else {
        (
            format!("Dans une heure : {}", s.title),
            format!(
                "« {} » commence dans une heure ({}). Le lien de connexion est sur votre page d’inscription.",
                s.title, s.when
            ),
        )
    };
    let mut c = content(subject, vec!["Bonjour,".into(), lead]);
    c.action = Some((if tomorrow { "Voir mon inscription" } else { "Rejoindre la session" }, s.url.to_string()));
    c.footer.insert(0, format!("Vous ne pouvez plus venir ? Libérez votre place : {cancel_url}"));
    render(to, &c)
}

pub fn forum_feedback(to: &str, s: &SessionRef<'_>, form_url: &str) -> MailMessage {
    let mut c = content(
        format!("Votre avis sur « {} »", s.title),
        vec![
            "Bonjour,".into(),
            format!(
                "Merci d’avoir participé à « {} ». Une note de 1 à 5 et, si vous le souhaitez, un commentaire : deux minutes qui aident à préparer la prochaine édition.",
                s.title
            ),
        ],
    );
    c.action = Some(("Donner mon avis", form_url.to_string()));
    render(to, &c)
}

pub fn forum_session_moved(to: &str, s: &SessionRef<'_>, before: &str) -> MailMessage {
    let mut c = content(
        format!("Nouvel horaire : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!(
                "La session « {} », prévue {before}, a lieu désormais {}. Votre place, ou votre rang sur la liste d’attente, est conservée ; votre agenda du forum suit le nouvel horaire, les rappels aussi.",
                s.title, s.when
            ),
        ],
    );
    c.action = Some(("Voir mon inscription", s.url.to_string()));
    render(to, &c)
}

pub fn forum_session_cancelled(to: &str, s: &SessionRef<'_>) -> MailMessage {
    let mut c = content(
        format!("Session annulée : {}", s.title),
        vec![
            "Bonjour,".into(),
            format!(
                "Les organisateurs ont annulé la session « {} », prévue {}. Votre agenda du forum est mis à jour. Toutes nos excuses.",
                s.title, s.when
            ),
        ],
    );
    c.action = Some(("Voir le programme", s.url.to_string()));
    render(to, &c)
}

pub fn forum_booked(to: &str, employer: &str, when: &str, agenda_url: &str, space_url: &str) -> MailMessage {
    let mut c = content(
        format!("Rendez-vous de job dating : {employer}"),
        vec![
            "Bonjour,".into(),
            format!("Votre entretien de job dating avec {employer} est réservé : {when}."),
            "Le lien de connexion est dans votre espace candidat. Vous pouvez annuler jusqu’à la fermeture des réservations.".into(),
            format!("Votre agenda du forum : {agenda_url}"),
        ],
    );
    c.action = Some(("Voir mes rendez-vous", space_url.to_string()));
    render(to, &c)
}

pub fn forum_slot_removed(to: &str, employer: &str, when: &str, booths_url: &str) -> MailMessage {
    let mut c = content(
        format!("Rendez-vous annulé : {employer}"),
        vec![
            "Bonjour,".into(),
            format!(
                "{employer} a retiré le créneau de job dating que vous aviez réservé ({when}). Vous pouvez en réserver un autre."
            ),
        ],
    );
    c.action = Some(("Voir les stands", booths_url.to_string()));
    render(to, &c)
}

pub fn forum_invited_to_apply(to: &str, offer_title: &str, employer: &str, space_url: &str) -> MailMessage {
    let mut c = content(
        format!("{employer} vous propose de candidater"),
        vec![
            "Bonjour,".into(),
            format!(
                "À la suite de votre entretien de job dating, {employer} a ajouté votre candidature à l’offre « {offer_title} », avec votre profil et votre CV. Vous la suivez dans votre espace candidat, et pouvez la retirer à tout moment."
            ),
        ],
    );
    c.action = Some(("Voir ma candidature", space_url.to_string()));
    render(to, &c)
}

pub fn forum_announcement(to: &str, subject: &str, paragraphs: &[String], unsubscribe_url: &str) -> MailMessage {
    let mut c = content(subject.to_string(), paragraphs.to_vec());
    c.footer
        .insert(0, "Vous recevez cet e-mail parce que vous êtes inscrit·e au Forum de l’emploi tech de l’État.".into());
    c.unsubscribe = Some(unsubscribe_url.to_string());
    render(to, &c)
}

/// A "Vis mon job" duo as its e-mails name it: the campaign, the day (Paris time, written by the
/// caller), who the other side is (without contact details until both accept) and the duo's page.
#[derive(Debug, Clone)]
pub struct DuoRef<'a> {
    pub campaign: &'a str,
    pub day: &'a str,
    pub other: &'a str,
    pub url: &'a str,
}

pub fn immersion_offer_saved(to: &str, campaign: &str, matching_on: &str, url: &str) -> MailMessage {
    let mut c = content(
        format!("Votre journée « Vis mon job » est enregistrée : {campaign}"),
        vec![
            "Bonjour,".into(),
            format!(
                "Merci : votre proposition d’accueillir un·e étudiant·e pour « {campaign} » est enregistrée. Les duos seront formés le {matching_on} ; vous recevrez alors une proposition à accepter ou refuser en un clic."
            ),
            "Jusque-là, vous pouvez modifier, mettre en pause ou retirer votre proposition.".into(),
        ],
    );
    c.action = Some(("Voir ma proposition", url.to_string()));
    render(to, &c)
}

pub fn immersion_application_saved(to: &str, campaign: &str, matching_on: &str, url: &str) -> MailMessage {
    let mut c = content(
        format!("Votre candidature « Vis mon job » est enregistrée : {campaign}"),
        vec![
            "Bonjour,".into(),
            format!(
                "Votre candidature pour « {campaign} » est enregistrée. Les duos seront formés le {matching_on} : si un·e agent·e correspond à vos souhaits et à vos disponibilités, vous recevrez une proposition à accepter en un clic."
            ),
            "Vous pouvez modifier votre candidature jusqu’à cette date.".into(),
        ],
    );
    c.action = Some(("Voir ma candidature", url.to_string()));
    render(to, &c)
}

pub fn immersion_proposed(to: &str, d: &DuoRef<'_>, why: &str, deadline: &str) -> MailMessage {
    let mut c = content(
        format!("Une proposition de duo « Vis mon job » : {}", d.day),
        vec![
            "Bonjour,".into(),
            format!("Pour « {} », nous vous proposons un duo avec {}, le {}.", d.campaign, d.other, d.day),
            format!("Pourquoi ce duo : {why}."),
            format!(
                "Acceptez ou refusez avant le {deadline}. Les coordonnées de chacun s’affichent dès que les deux ont accepté."
            ),
        ],
    );
    c.action = Some(("Répondre à la proposition", d.url.to_string()));
    c.footer.insert(
        0,
        "Sans réponse à cette date, la proposition est annulée et votre participation mise en pause.".into(),
    );
    render(to, &c)
}

pub fn immersion_answer_reminder(to: &str, d: &DuoRef<'_>, deadline: &str) -> MailMessage {
    let mut c = content(
        "Rappel : votre duo « Vis mon job » attend votre réponse".to_string(),
        vec![
            "Bonjour,".into(),
            format!(
                "Un duo avec {} vous est proposé le {} pour « {} ». Il vous reste jusqu’au {deadline} pour répondre : un clic suffit.",
                d.other, d.day, d.campaign
            ),
        ],
    );
    c.action = Some(("Répondre à la proposition", d.url.to_string()));
    render(to, &c)
}

pub fn immersion_accepted(to: &str, d: &DuoRef<'_>) -> MailMessage {
    let mut c = content(
        format!("Votre duo « Vis mon job » est formé : {}", d.day),
        vec![
            "Bonjour,".into(),
            format!("Les deux côtés ont accepté : votre duo avec {} aura lieu le {}.", d.other, d.day),
            "Vos coordonnées respectives sont maintenant visibles sur la page du duo, avec le programme de la journée et la convention à approuver par chacun.".into(),
        ],
    );
    c.action = Some(("Voir mon duo", d.url.to_string()));
    render(to, &c)
}

pub fn immersion_freed(to: &str, d: &DuoRef<'_>, space_url: &str) -> MailMessage {
    let mut c = content(
        "Votre proposition de duo « Vis mon job » n’a pas abouti".to_string(),
        vec![
            "Bonjour,".into(),
            format!(
                "Le duo proposé avec {} le {} pour « {} » n’aura pas lieu : l’autre personne n’est pas disponible.",
                d.other, d.day, d.campaign
            ),
            "Votre participation reste active : une nouvelle proposition vous sera faite dès qu’une personne compatible est libre.".into(),
        ],
    );
    c.action = Some(("Voir ma participation", space_url.to_string()));
    render(to, &c)
}

pub fn immersion_expired_paused(to: &str, d: &DuoRef<'_>, resume_url: &str) -> MailMessage {
    let mut c = content(
        "Proposition « Vis mon job » expirée : votre participation est en pause".to_string(),
        vec![
            "Bonjour,".into(),
            format!(
                "Vous n’avez pas répondu à temps à la proposition de duo avec {} le {} : elle est annulée, et votre participation à « {} » est mise en pause pour ne plus vous solliciter.",
                d.other, d.day, d.campaign
            ),
            "Toujours partant·e ? Reprenez votre participation : vous recevrez une nouvelle proposition.".into(),
        ],
    );
    c.action = Some(("Reprendre ma participation", resume_url.to_string()));
    render(to, &c)
}

pub fn immersion_day_reminder(to: &str, d: &DuoRef<'_>, tomorrow: bool) -> MailMessage {
    let (subject, lead) = if tomorrow {
        (
            "Demain : votre journée « Vis mon job »".to_string(),
            format!("Rappel : votre journée avec {} a lieu demain, le {}.", d.other, d.day),
        )
    } else {
        (
            "Dans une semaine : votre journée « Vis mon job »".to_string(),
            format!(
                "Votre journée avec {} a lieu dans une semaine, le {}. Pensez à approuver la convention si ce n’est pas fait.",
                d.other, d.day
            ),
        )
    };
    let mut c = content(subject, vec!["Bonjour,".into(), lead]);
    c.action = Some(("Voir mon duo", d.url.to_string()));
    render(to, &c)
}

pub fn immersion_feedback_request(to: &str, d: &DuoRef<'_>) -> MailMessage {
    let mut c = content(
        "Votre avis sur votre journée « Vis mon job »".to_string(),
        vec![
            "Bonjour,".into(),
            format!(
                "Merci d’avoir participé à « {} » avec {}. Comment s’est passée la journée ? Trois questions, deux minutes : elles aident à préparer la prochaine campagne.",
                d.campaign, d.other
            ),
        ],
    );
    c.action = Some(("Donner mon avis", format!("{}#avis", d.url)));
    render(to, &c)
}

impl Content<'_> {
    fn signature(&self) -> &'static str {
        SIGNATURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_the_link_and_escape_html() {
        let m = application_received("a@b.fr", "Dev <script>", "DINUM", "https://x/espace-candidat");
        assert!(m.text.contains("https://x/espace-candidat"));
        assert!(m.text.contains("Dev <script>"));
        assert!(m.html.contains("Dev &#60;script&#62;") || m.html.contains("Dev &lt;script&gt;"));
        assert!(!m.html.contains("<script>"));
        assert!(m.html.contains("href=\"https://x/espace-candidat\""));
    }

    #[test]
    fn digests_list_offers_and_unsubscribe() {
        let items = vec![Item { title: "Data".into(), url: "https://x/emploi/data".into(), detail: "Paris".into() }];
        let m = alert_digest(
            "a@b.fr",
            "data",
            items,
            1,
            "https://x/offres-emploi?q=data",
            "https://x/alertes/desinscription/t",
        );
        assert_eq!(m.subject, "1 nouvelle offre : data");
        assert!(m.text.contains("https://x/emploi/data") && m.text.contains("https://x/alertes/desinscription/t"));
        assert!(m.html.contains("https://x/alertes/desinscription/t"));
    }

    /// What each e-mail says, whole (subject, recipient, unsubscribe header, text): a change
    /// of wording shows in review as a snapshot diff. The HTML part is the same layout for all,
    /// checked above and in the SMTP tests.
    #[test]
    fn every_email_reads_as_written() {
        let u = |p: &str| format!("https://metiers.numerique.gouv.fr{p}");
        let item = |t: &str| Item { title: t.into(), url: u("/emploi/x"), detail: "Paris (75) · CDI".into() };
        let names = ["Camille Martin".to_string(), "Sam Durand".to_string()];
        let paragraphs = vec!["Bonjour,".to_string(), "Votre candidature avance.".to_string()];
        let session_url = u("/forum/inscription/t");
        let session = SessionRef {
            title: "Ouvrir les données publiques",
            when: "le mardi 16 mars 2027 de 14 h 00 à 15 h 00",
            url: &session_url,
        };
        let duo_url = u("/vis-mon-job/duos/7");
        let duo = DuoRef {
            campaign: "Vis mon job 2027",
            day: "mardi 16 mars 2027",
            other: "un·e agent·e développeur·euse (DINUM)",
            url: &duo_url,
        };
        let mails = [
            ("verify_email", verify_email("a@b.fr", &u("/verification-email/t"))),
            ("signup_existing", signup_existing("a@b.fr", &u("/connexion"), &u("/mot-de-passe-oublie"))),
            ("password_reset", password_reset("a@b.fr", &u("/mot-de-passe/t"))),
            ("password_reset_no_account", password_reset_no_account("a@b.fr", &u("/inscription"))),
            (
                "application_received",
                application_received("a@b.fr", "Développeur·euse Rust", "DINUM", &u("/espace-candidat/candidatures/1")),
            ),
            ("spontaneous_received", spontaneous_received("a@b.fr", "DINUM", &u("/espace-candidat/candidatures/1"))),
            (
                "application_stage",
                application_stage(
                    "a@b.fr",
                    "Votre candidature : Entretien",
                    paragraphs.clone(),
                    &u("/espace-candidat/candidatures/1"),
                ),
            ),
            (
                "alert_confirm",
                alert_confirm("a@b.fr", "Données, Paris", &u("/alertes/confirmer/t"), &u("/alertes/desinscription/t")),
            ),
            (
                "alert_digest",
                alert_digest(
                    "a@b.fr",
                    "Données, Paris",
                    vec![item("Data engineer"), item("Data analyst")],
                    5,
                    &u("/offres-emploi?domaine=donnees"),
                    &u("/alertes/desinscription/t"),
                ),
            ),
            (
                "newsletter_confirm",
                newsletter_confirm(
                    "a@b.fr",
                    &u("/lettre-information/confirmer/t"),
                    &u("/lettre-information/desinscription/t"),
                ),
            ),
            (
                "newsletter_issue",
                newsletter_issue("a@b.fr", "Le forum arrive", &paragraphs, &u("/lettre-information/desinscription/t")),
            ),
            ("access_request_received", access_request_received("agent@numerique.gouv.fr")),
            (
                "access_request_to_decide",
                access_request_to_decide(
                    "admin@b.fr",
                    "Camille Martin",
                    "agent@numerique.gouv.fr",
                    "DINUM",
                    &u("/admin#demandes"),
                ),
            ),
            ("access_approved", access_approved("agent@numerique.gouv.fr", "DINUM", &u("/connexion/lien/t"))),
            (
                "immersion_host_approved",
                immersion_host_approved(
                    "agent@numerique.gouv.fr",
                    "DINUM",
                    &u("/connexion/lien/t?suivant=%2Fvis-mon-job%2Faccueillir"),
                ),
            ),
            ("access_refused", access_refused("agent@numerique.gouv.fr")),
            (
                "offer_invitation",
                offer_invitation(
                    "a@b.fr",
                    "Développeur·euse Rust",
                    "DINUM",
                    &u("/emploi/x"),
                    &u("/espace-candidat#invitations"),
                ),
            ),
            (
                "new_applications_one",
                new_applications(
                    "r@b.fr",
                    Some("Développeur·euse Rust"),
                    &names[..1],
                    &u("/recruteur/offres/1/candidatures"),
                    &u("/recruteur#e-mails-candidatures"),
                ),
            ),
            (
                "new_applications_spontaneous",
                new_applications(
                    "r@b.fr",
                    None,
                    &names,
                    &u("/recruteur/candidatures-spontanees"),
                    &u("/recruteur#e-mails-candidatures"),
                ),
            ),
            (
                "new_applications_digest",
                new_applications_digest(
                    "r@b.fr",
                    &[(Some("Développeur·euse Rust".into()), 3), (None, 1)],
                    &u("/recruteur"),
                    &u("/recruteur#e-mails-candidatures"),
                ),
            ),
            ("recruiter_recap", recruiter_recap("r@b.fr", 4, &u("/recruteur"))),
            ("account_deleted", account_deleted("a@b.fr")),
            ("forum_confirm", forum_confirm("a@b.fr", &session, &u("/forum/confirmer/t"), &u("/forum/inscription/t"))),
            ("forum_already", forum_already("a@b.fr", &session)),
            ("forum_registered", forum_registered("a@b.fr", &session, &u("/agenda/a.ics"), &u("/forum/inscription/t"))),
            ("forum_waiting", forum_waiting("a@b.fr", &session, 3, &u("/forum/inscription/t"))),
            ("forum_promoted", forum_promoted("a@b.fr", &session, &u("/agenda/a.ics"), &u("/forum/inscription/t"))),
            ("forum_reminder_day", forum_reminder("a@b.fr", &session, true, &u("/forum/inscription/t"))),
            ("forum_reminder_hour", forum_reminder("a@b.fr", &session, false, &u("/forum/inscription/t"))),
            ("forum_session_cancelled", forum_session_cancelled("a@b.fr", &session)),
            (
                "forum_session_moved",
                forum_session_moved("a@b.fr", &session, "le lundi 15 mars 2027 de 10 h 00 à 11 h 00"),
            ),
            ("forum_feedback", forum_feedback("a@b.fr", &session, &u("/forum/inscription/t#avis"))),
            (
                "forum_booked",
                forum_booked(
                    "a@b.fr",
                    "DINUM",
                    "mardi 16 mars 2027 à 14 h 00",
                    &u("/agenda/a.ics"),
                    &u("/espace-candidat#forum"),
                ),
            ),
            (
                "forum_slot_removed",
                forum_slot_removed("a@b.fr", "DINUM", "mardi 16 mars 2027 à 14 h 00", &u("/stands")),
            ),
            (
                "forum_invited_to_apply",
                forum_invited_to_apply(
                    "a@b.fr",
                    "Développeur·euse Rust",
                    "DINUM",
                    &u("/espace-candidat/candidatures/1"),
                ),
            ),
            (
                "forum_announcement",
                forum_announcement("a@b.fr", "Le programme est en ligne", &paragraphs, &u("/forum/annonces/arret/t")),
            ),
            (
                "immersion_offer_saved",
                immersion_offer_saved("a@b.fr", "Vis mon job 2027", "lundi 1 mars 2027", &u("/vis-mon-job/accueillir")),
            ),
            (
                "immersion_application_saved",
                immersion_application_saved(
                    "a@b.fr",
                    "Vis mon job 2027",
                    "lundi 1 mars 2027",
                    &u("/vis-mon-job/candidater"),
                ),
            ),
            (
                "immersion_proposed",
                immersion_proposed(
                    "a@b.fr",
                    &duo,
                    "même métier souhaité, dans une région souhaitée",
                    "vendredi 5 mars 2027",
                ),
            ),
            ("immersion_answer_reminder", immersion_answer_reminder("a@b.fr", &duo, "vendredi 5 mars 2027")),
            ("immersion_accepted", immersion_accepted("a@b.fr", &duo)),
            ("immersion_freed", immersion_freed("a@b.fr", &duo, &u("/vis-mon-job/candidater"))),
            ("immersion_expired_paused", immersion_expired_paused("a@b.fr", &duo, &u("/vis-mon-job/candidater"))),
            ("immersion_day_reminder_week", immersion_day_reminder("a@b.fr", &duo, false)),
            ("immersion_day_reminder_eve", immersion_day_reminder("a@b.fr", &duo, true)),
            ("immersion_feedback_request", immersion_feedback_request("a@b.fr", &duo)),
        ];
        for (name, m) in mails {
            let shown = format!(
                "À : {}\nObjet : {}\nDésinscription : {}\n\n{}",
                m.to,
                m.subject,
                m.unsubscribe.as_deref().unwrap_or("aucune"),
                m.text
            );
            insta::assert_snapshot!(name, shown);
        }
    }
}
