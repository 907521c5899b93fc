//! Job offers: their closed lists and the normalised content that importers and the demo
//! catalogue hand to the database layer.

use crate::codes::code_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

code_enum!(
    /// Life cycle of an offer. Only `Published` offers whose deadline has not passed are public.
    OfferState, "l’état de l’offre", {
        Draft => ("draft", "Brouillon"),
        Published => ("published", "Publiée"),
        Filled => ("filled", "Pourvue"),
        Archived => ("archived", "Archivée"),
    }
);

code_enum!(
    /// Where an offer comes from; with `source_ref`, the key that makes imports idempotent.
    Source, "la source", {
        Platform => ("platform", "Métiers du numérique"),
        Csp => ("csp", "Choisir le service public"),
        Pep => ("pep", "Place de l’emploi public"),
    }
);

code_enum!(
    ContractType, "le type de contrat", {
        CivilServant => ("fonctionnaire", "Fonctionnaire (mutation, détachement)"),
        Permanent => ("cdi", "CDI"),
        FixedTerm => ("cdd", "CDD"),
        Apprenticeship => ("apprentissage", "Apprentissage"),
        Internship => ("stage", "Stage"),
        Freelance => ("freelance", "Freelance"),
        InternationalVolunteer => ("via", "Volontariat international (VIA)"),
    }
);

code_enum!(
    /// "Nature de l'emploi": who may hold the post.
    OfferNature, "la nature de l’emploi", {
        Both => ("titulaires_et_contractuels", "Ouvert aux fonctionnaires et aux contractuels"),
        ContractOnly => ("contractuels", "Ouvert uniquement aux contractuels"),
        CivilServantOnly => ("titulaires", "Réservé aux fonctionnaires"),
    }
);

code_enum!(
    Category, "la catégorie", {
        APlus => ("A+", "Catégorie A+"),
        A => ("A", "Catégorie A"),
        B => ("B", "Catégorie B"),
        C => ("C", "Catégorie C"),
    }
);

code_enum!(
    /// The three branches of the French civil service.
    Versant, "le versant", {
        State => ("FPE", "Fonction publique de l’État"),
        Territorial => ("FPT", "Fonction publique territoriale"),
        Hospital => ("FPH", "Fonction publique hospitalière"),
    }
);

code_enum!(
    Experience, "l’expérience", {
        Beginner => ("debutant", "Débutant·e accepté·e"),
        Confirmed => ("confirme", "Confirmé·e"),
        Expert => ("expert", "Expert·e"),
    }
);

code_enum!(
    Remote, "le télétravail", {
        No => ("non", "Pas de télétravail"),
        Partial => ("partiel", "Télétravail partiel"),
        Full => ("total", "Télétravail total"),
    }
);

code_enum!(
    WorkingTime, "le temps de travail", {
        Full => ("temps_complet", "Temps complet"),
        Part => ("temps_non_complet", "Temps non complet"),
    }
);

code_enum!(
    Vacancy, "la vacance du poste", {
        Vacant => ("vacant", "Poste vacant"),
        MayBecomeVacant => ("susceptible_vacant", "Poste susceptible d’être vacant"),
    }
);

code_enum!(
    /// French education levels of the national qualifications framework.
    EducationLevel, "le niveau d’études", {
        L3 => ("3", "Niveau 3 (CAP, BEP)"),
        L4 => ("4", "Niveau 4 (baccalauréat)"),
        L5 => ("5", "Niveau 5 (bac + 2)"),
        L6 => ("6", "Niveau 6 (licence, bac + 3)"),
        L7 => ("7", "Niveau 7 (master, bac + 5)"),
        L8 => ("8", "Niveau 8 (doctorat)"),
    }
);

impl EducationLevel {
    pub fn from_level(level: u8) -> Option<Self> {
        Self::ALL.get(usize::from(level.checked_sub(3)?)).copied()
    }
}

/// How long an imported offer without an end of publication stays open: the State's exports
/// leave the date out on many offers, which would otherwise stay open for years.
pub const IMPORTED_OPEN_DAYS: i64 = 90;

/// The deadline an offer is stored with: its own, or for an imported one without any,
/// [`IMPORTED_OPEN_DAYS`] after its publication (a later import that republishes it renews it).
pub fn stored_deadline(
    source: Source,
    published_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    match (source, expires_at) {
        (_, Some(end)) => Some(end),
        (Source::Platform, None) => None,
        (_, None) => Some(published_at + chrono::Duration::days(IMPORTED_OPEN_DAYS)),
    }
}

/// Whether the public may see an offer at all (its page, the API, favourites, the candidate
/// space): a draft is as unknown as an offer that does not exist.
pub fn is_public(state: OfferState) -> bool {
    state != OfferState::Draft
}

/// Whether an offer can be found, read as open and applied to at `now`.
pub fn is_open(state: OfferState, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    state == OfferState::Published && expires_at.is_none_or(|end| end > now)
}

/// Where the post is. Codes are INSEE codes; the région is derived from the département.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub commune_code: Option<String>,
    pub departement_code: Option<String>,
    pub region_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// The employer as a source names it; it becomes an institution, deduplicated by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmployerRef {
    pub name: String,
    pub ministry: Option<String>,
}

/// The full content of an offer as an importer or the demo catalogue produces it. The database
/// layer turns it into rows (institution, offer, contract types, domains) in one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferData {
    pub source: Source,
    pub source_ref: String,
    pub source_url: Option<String>,
    pub slug_hint: Option<String>,
    pub title: String,
    pub employer: EmployerRef,
    pub service: Option<String>,
    pub mission: Option<String>,
    pub profile: Option<String>,
    pub team: Option<String>,
    pub context: Option<String>,
    pub perks: Option<String>,
    pub process: Option<String>,
    pub particularities: Option<String>,
    pub how_to_apply: Option<String>,
    pub nature: Option<OfferNature>,
    pub contract_types: Vec<ContractType>,
    pub duration_months: Option<i32>,
    pub category: Option<Category>,
    pub versant: Option<Versant>,
    /// The profession as the source spells it, kept even when it is not a digital one.
    pub profession_label: Option<String>,
    /// Slug of the digital profession it was classified as.
    pub profession: Option<String>,
    pub domains: Vec<String>,
    pub experience: Option<Experience>,
    pub education: Option<EducationLevel>,
    pub remote: Option<Remote>,
    pub working_time: Option<WorkingTime>,
    pub vacancy: Option<Vacancy>,
    pub salary_min: Option<i32>,
    pub salary_max: Option<i32>,
    pub location: Location,
    pub published_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub starts_on: Option<NaiveDate>,
    pub state: OfferState,
    pub application_url: Option<String>,
    pub contact_email: Option<String>,
    pub languages: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::str::FromStr;

    #[test]
    fn codes_round_trip() {
        for c in ContractType::ALL {
            assert_eq!(ContractType::from_str(c.code()), Ok(*c));
        }
        for c in Category::ALL {
            assert_eq!(Category::from_str(c.code()), Ok(*c));
        }
        assert!(Versant::from_str("FPX").is_err());
    }

    #[test]
    fn education_levels_from_numbers() {
        assert_eq!(EducationLevel::from_level(3), Some(EducationLevel::L3));
        assert_eq!(EducationLevel::from_level(8), Some(EducationLevel::L8));
        assert_eq!(EducationLevel::from_level(2), None);
        assert_eq!(EducationLevel::from_level(9), None);
    }

    #[test]
    fn only_published_unexpired_offers_are_open() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).single().expect("valid date");
        let later = now + chrono::Duration::days(1);
        let earlier = now - chrono::Duration::days(1);
        assert!(is_open(OfferState::Published, None, now));
        assert!(is_open(OfferState::Published, Some(later), now));
        assert!(!is_open(OfferState::Published, Some(earlier), now));
        assert!(!is_open(OfferState::Draft, None, now));
        let published = now - chrono::Duration::days(100);
        assert_eq!(stored_deadline(Source::Csp, published, None), Some(published + chrono::Duration::days(90)));
        assert!(
            !is_open(OfferState::Published, stored_deadline(Source::Pep, published, None), now),
            "closed after 90 days"
        );
        assert_eq!(stored_deadline(Source::Platform, published, None), None, "a recruiter's offer keeps no deadline");
        assert_eq!(stored_deadline(Source::Csp, published, Some(now)), Some(now));
        assert!(!is_open(OfferState::Filled, Some(later), now));
    }
}
