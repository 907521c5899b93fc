//! The e-mails a candidate receives when a recruiter moves their application: one template per
//! stage, which administrators may rewrite. A template is plain text with a few variables in
//! braces; paragraphs are separated by a blank line. The layout (greeting button, footer) stays
//! the platform's, so a template cannot break it or inject markup.

use crate::candidate::Stage;

/// The variables a template may use, with what they stand for (shown to administrators).
pub const VARIABLES: [(&str, &str); 4] = [
    ("offre", "l’intitulé de l’offre (ou « candidature spontanée »)"),
    ("employeur", "le nom de l’employeur"),
    ("etape", "la nouvelle étape"),
    ("motif", "le motif du refus (vide pour les autres étapes)"),
];

pub const SUBJECT_MAX: usize = 200;
pub const BODY_MAX: usize = 5000;

/// The stages a recruiter moves an application to, hence those with a template.
pub const STAGES: [Stage; 4] = Stage::RECRUITER_TARGETS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTemplate {
    pub subject: String,
    pub body: String,
}

/// The platform's own wording, used until an administrator writes another.
pub fn default_for(stage: Stage) -> StageTemplate {
    // Every default opens with the same sentence, so the candidate reads first what changed.
    let next = match stage {
        Stage::Review => "{employeur} examine votre candidature : vous serez informé·e de la suite par e-mail.",
        Stage::Interview => {
            "Bonne nouvelle : {employeur} souhaite vous rencontrer. Le recruteur ou la recruteuse vous contactera pour convenir d’un entretien."
        }
        Stage::Accepted => {
            "Félicitations : {employeur} retient votre candidature. Le recruteur ou la recruteuse vous contactera pour la suite."
        }
        Stage::Refused => {
            "Motif : {motif}\n\nMerci de l’intérêt que vous portez au service public numérique : d’autres offres vous attendent sur Métiers du numérique."
        }
        Stage::Received | Stage::Withdrawn => "",
    };
    let body = format!("Bonjour,\n\nVotre candidature à l’offre « {{offre}} » a changé d’étape : {{etape}}.\n\n{next}");
    StageTemplate { subject: "Votre candidature : {etape}".into(), body }
}

/// What fills a template for one e-mail.
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    pub offer: &'a str,
    pub employer: &'a str,
    pub stage: &'a str,
    pub reason: &'a str,
}

/// Which part of a template a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Subject,
    Body,
}

/// Every problem of a template, in French, for the administrator who wrote it.
pub fn check(t: &StageTemplate) -> Vec<(Part, String)> {
    let mut problems = Vec::new();
    if t.subject.trim().is_empty() {
        problems.push((Part::Subject, "Renseignez l’objet de l’e-mail.".to_string()));
    }
    if t.body.trim().is_empty() {
        problems.push((Part::Body, "Renseignez le texte de l’e-mail.".to_string()));
    }
    if t.subject.chars().count() > SUBJECT_MAX {
        problems.push((Part::Subject, format!("L’objet ne doit pas dépasser {SUBJECT_MAX} caractères.")));
    }
    if t.body.chars().count() > BODY_MAX {
        problems.push((Part::Body, format!("Le texte ne doit pas dépasser {BODY_MAX} caractères.")));
    }
    if t.subject.contains('\n') {
        problems.push((Part::Subject, "L’objet tient sur une seule ligne.".to_string()));
    }
    for (kind, part, text) in [(Part::Subject, "dans l’objet", &t.subject), (Part::Body, "dans le texte", &t.body)] {
        for token in tokens(text) {
            match token {
                Token::Variable(name) if !VARIABLES.iter().any(|(v, _)| *v == name) => problems.push((
                    kind,
                    format!(
                        "La variable {{{name}}} ({part}) n’existe pas : utilisez {}.",
                        VARIABLES.iter().map(|(v, _)| format!("{{{v}}}")).collect::<Vec<_>>().join(", ")
                    ),
                )),
                Token::Unclosed => problems.push((kind, format!("Une accolade ouverte {part} n’est pas refermée."))),
                _ => {}
            }
        }
    }
    problems
}

enum Token<'a> {
    Text(&'a str),
    Variable(&'a str),
    Unclosed,
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push(Token::Text(&rest[..open]));
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(Token::Variable(after[..close].trim()));
                rest = &after[close + 1..];
            }
            None => {
                out.push(Token::Unclosed);
                out.push(Token::Text(after));
                rest = "";
            }
        }
    }
    out.push(Token::Text(rest));
    out
}

fn fill_one(text: &str, v: &Values<'_>) -> String {
    tokens(text)
        .into_iter()
        .map(|t| match t {
            Token::Text(s) => s.to_string(),
            Token::Variable("offre") => v.offer.to_string(),
            Token::Variable("employeur") => v.employer.to_string(),
            Token::Variable("etape") => v.stage.to_string(),
            Token::Variable("motif") => v.reason.to_string(),
            // Unknown variables never reach here once checked; an old one stays visible.
            Token::Variable(other) => format!("{{{other}}}"),
            Token::Unclosed => "{".to_string(),
        })
        .collect()
}

/// The subject and the paragraphs of the e-mail; a paragraph that its variables leave empty
/// (a lone `{motif}` without a reason) is dropped.
pub fn fill(t: &StageTemplate, v: &Values<'_>) -> (String, Vec<String>) {
    let subject = fill_one(&t.subject, v).replace(['\r', '\n'], " ").trim().to_string();
    let body = fill_one(&t.body, v).replace("\r\n", "\n");
    let paragraphs = body.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    (subject, paragraphs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values<'static> {
        Values { offer: "Développeur·euse Rust", employer: "DINUM", stage: "Refusée", reason: "Poste pourvu" }
    }

    #[test]
    fn defaults_are_valid_and_fill_every_stage() {
        for stage in STAGES {
            let t = default_for(stage);
            assert!(check(&t).is_empty(), "{stage:?}: {:?}", check(&t));
            let (subject, paragraphs) = fill(&t, &values());
            assert_eq!(subject, "Votre candidature : Refusée");
            assert!(paragraphs.iter().any(|p| p.contains("Développeur·euse Rust")), "{paragraphs:?}");
            assert!(paragraphs.iter().all(|p| !p.contains('{')));
        }
        let (_, refused) = fill(&default_for(Stage::Refused), &values());
        assert!(refused.contains(&"Motif : Poste pourvu".to_string()));
    }

    #[test]
    fn mistakes_are_named() {
        let t = StageTemplate { subject: "Objet {offer}".into(), body: "Texte {motif et {etape}".into() };
        let problems = check(&t);
        assert!(problems.iter().any(|(k, p)| *k == Part::Subject && p.contains("{offer}")), "{problems:?}");
        assert!(problems.iter().any(|(k, p)| *k == Part::Body && p.contains("{motif et {etape}")), "{problems:?}");
        let t = StageTemplate { subject: " ".into(), body: "x{".into() };
        let problems = check(&t);
        assert!(problems.contains(&(Part::Subject, "Renseignez l’objet de l’e-mail.".to_string())));
        assert!(problems.iter().any(|(k, p)| *k == Part::Body && p.contains("pas refermée")));
    }

    #[test]
    fn paragraphs_and_subject_lines() {
        let t = StageTemplate { subject: "À {etape}".into(), body: "Un\r\n\r\n\n\n{motif}\n\nDeux".into() };
        let (subject, paragraphs) = fill(&t, &Values { reason: "", ..values() });
        assert_eq!(subject, "À Refusée");
        assert_eq!(paragraphs, ["Un", "Deux"]);
    }
}
