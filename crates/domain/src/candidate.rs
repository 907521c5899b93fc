//! Candidate-side rules: passwords, the application stage machine, alert frequencies, the
//! e-mail message every part of the platform queues.

use crate::codes::code_enum;

/// An e-mail ready to queue: rendered subject and bodies (French), one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe address of a mailing (alerts, newsletter): sent as the
    /// `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058), which mail clients
    /// show as an "unsubscribe" button.
    pub unsubscribe: Option<String>,
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// zxcvbn's dictionaries are English: these frequent French choices (and the site's own words)
/// are added so that "azertyuiop" or "motdepasse" count as guessable.
const FRENCH_COMMON: &[&str] = &[
    "azerty",
    "azertyuiop",
    "azertyuiopqsdfghjklm",
    "qsdfghjklm",
    "wxcvbn",
    "motdepasse",
    "soleil",
    "bonjour",
    "doudou",
    "loulou",
    "chouchou",
    "jetaime",
    "marseille",
    "paris",
    "france",
    "bisous",
    "coucou",
    "nicolas",
    "camille",
    "julien",
    "amour",
    "chocolat",
    "princesse",
    "emploi",
    "metiers",
    "numerique",
    "fonctionpublique",
];

/// Why a password is refused, in French, for the field's error message.
///
/// Length first (the ANSSI's recommendation for a password alone is 12 characters or more),
/// then strength: zxcvbn knows common passwords, keyboard walks, dates and the words of the
/// account's own e-mail address.
pub fn check_password(password: &str, email: &str) -> Result<(), &'static str> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err("Le mot de passe doit contenir au moins 12 caractères.");
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err("Le mot de passe doit contenir au plus 128 caractères.");
    }
    let local = email.split('@').next().unwrap_or_default();
    let mut inputs = vec![email, local];
    inputs.extend_from_slice(FRENCH_COMMON);
    let weak = zxcvbn::zxcvbn(password, &inputs).score() < zxcvbn::Score::Three;
    if weak {
        return Err("Ce mot de passe est trop courant ou trop facile à deviner : \
                    choisissez une phrase de plusieurs mots, par exemple.");
    }
    Ok(())
}

code_enum!(
    /// Where an application stands. `Received` → `Review` → `Interview` → `Accepted` or `Refused`;
    /// a recruiter may refuse at any open stage, the candidate may withdraw at any open stage.
    Stage, "l’étape de la candidature", {
        Received => ("recue", "Reçue"),
        Review => ("examen", "En cours d’examen"),
        Interview => ("entretien", "Entretien"),
        Accepted => ("acceptee", "Acceptée"),
        Refused => ("refusee", "Refusée"),
        Withdrawn => ("retiree", "Retirée"),
    }
);

impl Stage {
    /// The stages a recruiter moves an application to (the pipeline's choices, and the stages
    /// with an e-mail template).
    pub const RECRUITER_TARGETS: [Stage; 4] = [Stage::Review, Stage::Interview, Stage::Accepted, Stage::Refused];

    /// Whether the application is still in progress (neither decided nor withdrawn).
    pub fn is_open(self) -> bool {
        matches!(self, Stage::Received | Stage::Review | Stage::Interview)
    }

    /// Whether a recruiter may move an application from `self` to `to`.
    pub fn recruiter_may_move_to(self, to: Stage) -> bool {
        self.is_open() && to != self && to != Stage::Withdrawn && to != Stage::Received
    }

    /// The DSFR badge variant that shows this stage.
    pub fn badge(self) -> &'static str {
        match self {
            Stage::Received | Stage::Review => "info",
            Stage::Interview => "new",
            Stage::Accepted => "success",
            Stage::Refused => "error",
            Stage::Withdrawn => "warning",
        }
    }
}

code_enum!(
    /// How often an alert sends its digest; `Never` keeps it as a saved search only.
    Frequency, "la fréquence", {
        Daily => ("quotidienne", "Chaque jour"),
        Weekly => ("hebdomadaire", "Chaque semaine"),
        Never => ("aucune", "Jamais (recherche enregistrée seulement)"),
    }
);

code_enum!(
    /// The lists a candidate profile chooses from, stored as (kind, code) pairs.
    ChoiceKind, "le type de choix", {
        Profession => ("metier", "Métiers recherchés"),
        Domain => ("domaine", "Domaines"),
        Region => ("region", "Régions"),
        Contract => ("contrat", "Types de contrat"),
    }
);

/// What an offer asks, for the talent pool's match score.
#[derive(Debug, Clone, Default)]
pub struct OfferCriteria {
    pub profession: Option<String>,
    pub domains: Vec<String>,
    pub region: Option<String>,
    pub contracts: Vec<String>,
    pub experience: Option<crate::offer::Experience>,
    pub remote: Option<crate::offer::Remote>,
}

/// What a candidate looks for and brings.
#[derive(Debug, Clone, Default)]
pub struct CandidateCriteria {
    /// (kind, code) pairs of the profile, see [`ChoiceKind`].
    pub choices: Vec<(String, String)>,
    pub years: Option<i32>,
    pub remote: Option<crate::offer::Remote>,
}

/// One criterion of a match and whether it matched, in French.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub label: &'static str,
    pub matched: bool,
}

/// A match score (0–100) between a candidate and an offer, with the criteria that explain it.
/// Only criteria both sides state are counted, so an empty profile scores 0, not 100.
pub fn match_score(c: &CandidateCriteria, o: &OfferCriteria) -> (u32, Vec<Criterion>) {
    use crate::offer::{Experience, Remote};
    let has = |kind: ChoiceKind, code: &str| c.choices.iter().any(|(k, v)| k == kind.code() && v == code);
    let wants = |kind: ChoiceKind| c.choices.iter().any(|(k, _)| k == kind.code());
    let add = |label, weight: u32, matched: bool, list: &mut Vec<(Criterion, u32)>| {
        list.push((Criterion { label, matched }, weight));
    };
    let mut list = Vec::new();
    // Every criterion the offer has counts: one the candidate left blank is not a match (an
    // empty profile scores 0, not 100 %), and says so. `offered`: the offer's codes for it.
    let choice = |kind: ChoiceKind, offered: &[&String], weight, label, blank, list: &mut Vec<_>| {
        if offered.is_empty() {
            return;
        }
        if wants(kind) {
            add(label, weight, offered.iter().any(|code| has(kind, code)), list);
        } else {
            add(blank, weight, false, list);
        }
    };
    let profession: Vec<&String> = o.profession.iter().collect();
    let region: Vec<&String> = o.region.iter().collect();
    let domains: Vec<&String> = o.domains.iter().collect();
    let contracts: Vec<&String> = o.contracts.iter().collect();
    choice(ChoiceKind::Profession, &profession, 35, "Métier recherché", "Métier recherché non précisé", &mut list);
    choice(ChoiceKind::Domain, &domains, 15, "Domaine", "Domaine non précisé", &mut list);
    choice(ChoiceKind::Region, &region, 20, "Région", "Région non précisée", &mut list);
    choice(ChoiceKind::Contract, &contracts, 10, "Type de contrat", "Type de contrat non précisé", &mut list);
    if let Some(e) = o.experience {
        match c.years {
            Some(y) => {
                let enough = match e {
                    Experience::Beginner => true,
                    Experience::Confirmed => y >= 3,
                    Experience::Expert => y >= 8,
                };
                add("Expérience", 15, enough, &mut list);
            }
            None => add("Expérience non précisée", 15, false, &mut list),
        }
    }
    if let Some(offered) = o.remote {
        match c.remote {
            Some(wanted) => {
                let ok = match wanted {
                    Remote::No => true,
                    Remote::Partial => offered != Remote::No,
                    Remote::Full => offered == Remote::Full,
                };
                add("Télétravail", 5, ok, &mut list);
            }
            None => add("Télétravail non précisé", 5, false, &mut list),
        }
    }
    let total: u32 = list.iter().map(|(_, w)| w).sum();
    let got: u32 = list.iter().filter(|(c, _)| c.matched).map(|(_, w)| w).sum();
    let score = (got * 100).checked_div(total).unwrap_or(0);
    (score, list.into_iter().map(|(c, _)| c).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn match_scores_explain_themselves() {
        use super::*;
        use crate::offer::{Experience, Remote};
        let c = CandidateCriteria {
            choices: vec![
                ("metier".into(), "developpeur-developpeuse".into()),
                ("region".into(), "53".into()),
                ("contrat".into(), "cdi".into()),
            ],
            years: Some(4),
            remote: Some(Remote::Partial),
        };
        let o = OfferCriteria {
            profession: Some("developpeur-developpeuse".into()),
            domains: vec!["developpement".into()],
            region: Some("11".into()),
            contracts: vec!["cdi".into(), "fonctionnaire".into()],
            experience: Some(Experience::Confirmed),
            remote: Some(Remote::Partial),
        };
        let (score, criteria) = match_score(&c, &o);
        // Profession 35 + contract 10 + experience 15 + remote 5 of every criterion of the offer
        // (35 + 15 + 20 + 10 + 15 + 5 = 100): the domain left blank counts as not matched.
        assert_eq!(score, 65);
        assert!(criteria.contains(&Criterion { label: "Région", matched: false }));
        assert!(criteria.contains(&Criterion { label: "Métier recherché", matched: true }));
        assert!(criteria.contains(&Criterion { label: "Domaine non précisé", matched: false }));
        // An empty profile matches nothing, whatever the offer asks.
        let (empty, said) = match_score(&CandidateCriteria::default(), &o);
        assert_eq!(empty, 0);
        assert_eq!(said.len(), 6, "each criterion of the offer is listed: {said:?}");
        let easy =
            OfferCriteria { experience: Some(Experience::Beginner), remote: Some(Remote::No), ..Default::default() };
        assert_eq!(
            match_score(&CandidateCriteria::default(), &easy).0,
            0,
            "an offer for beginners is no 100 % for nobody"
        );
    }

    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert!(check_password("court", "a@b.fr").is_err());
        assert!(check_password("motdepasse123", "a@b.fr").is_err());
        assert!(check_password("azertyuiopqsdf", "a@b.fr").is_err());
        assert!(check_password("camille.martin2024", "camille.martin2024@exemple.fr").is_err());
        assert!(check_password(&"x".repeat(129), "a@b.fr").is_err());
        assert!(check_password("cheval-agrafe-lune-brique", "a@b.fr").is_ok());
    }

    #[test]
    fn stage_machine() {
        assert!(Stage::Received.recruiter_may_move_to(Stage::Interview));
        assert!(Stage::Review.recruiter_may_move_to(Stage::Refused));
        assert!(!Stage::Refused.recruiter_may_move_to(Stage::Accepted));
        assert!(!Stage::Withdrawn.recruiter_may_move_to(Stage::Review));
        assert!(!Stage::Review.recruiter_may_move_to(Stage::Withdrawn));
        assert!(!Stage::Review.recruiter_may_move_to(Stage::Review));
        assert!(Stage::Interview.is_open() && !Stage::Accepted.is_open());
    }
}
