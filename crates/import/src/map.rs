//! Mapping rules from the State's export vocabularies onto the domain model. Each rule is a
//! small pure function with its unit tests; the format readers compose them.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use domain::geo;
use domain::offer::{
    Category, ContractType, EducationLevel, Experience, Location, OfferNature, OfferState, Remote, Vacancy, Versant,
    WorkingTime,
};
use domain::text::{fold, match_key, non_empty};

/// A date of the exports: `dd/mm/yyyy` with an optional ` hh:mm[:ss]`, in Paris time.
/// `Ok(None)` for an empty field and for `31/12/9999`, which the exports use for "no end".
pub fn parse_date(raw: &str) -> Result<Option<NaiveDateTime>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (date_part, time_part) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = NaiveDate::parse_from_str(date_part, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(date_part, "%Y-%m-%d"))
        .map_err(|_| format!("date illisible « {} » (format attendu jj/mm/aaaa)", truncate(s, 40)))?;
    if date.year() >= 9999 {
        return Ok(None);
    }
    let time = match time_part {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .map_err(|_| format!("heure illisible « {} »", truncate(t, 20)))?,
    };
    Ok(Some(date.and_time(time)))
}

/// Paris local time to UTC (CET, or CEST from the last Sunday of March to the last Sunday of
/// October, switching at 01:00 UTC), enough for publication dates.
pub fn paris_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let year = local.year();
    let dst_start = last_sunday(year, 3).and_hms_opt(2, 0, 0).unwrap_or(local);
    let dst_end = last_sunday(year, 10).and_hms_opt(3, 0, 0).unwrap_or(local);
    let offset = if local >= dst_start && local < dst_end { 2 } else { 1 };
    Utc.from_utc_datetime(&(local - Duration::hours(offset)))
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1).unwrap_or(NaiveDate::MIN) - Duration::days(1);
    while d.weekday() != Weekday::Sun {
        d -= Duration::days(1);
    }
    d
}

/// The end of publication: a date without a time means the offer stays open that whole day.
pub fn end_of_publication(raw: &str) -> Result<Option<DateTime<Utc>>, String> {
    Ok(parse_date(raw)?
        .map(|d| if d.time() == NaiveTime::MIN { paris_to_utc(d + Duration::days(1)) } else { paris_to_utc(d) }))
}

/// "45,75072" (comma decimals) or "45.75" → 45.75; empty → None; nonsense → error.
pub fn parse_decimal(raw: &str) -> Result<Option<f64>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.replace(',', ".").parse::<f64>().map(Some).map_err(|_| format!("nombre illisible « {} »", truncate(s, 30)))
}

/// Coordinates are kept only when both are valid (WGS84 ranges).
pub fn coordinates(lat: &str, lon: &str) -> Result<(Option<f64>, Option<f64>), String> {
    match (parse_decimal(lat)?, parse_decimal(lon)?) {
        (Some(a), Some(o)) if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&o) => Ok((Some(a), Some(o))),
        (Some(a), Some(o)) => Err(format!("coordonnées hors limites ({a}, {o})")),
        _ => Ok((None, None)),
    }
}

/// "Catégorie A+ (Encadrement supérieur)", "Catégorie B (profession intermédiaire)", "A".
pub fn category(raw: &str) -> Option<Category> {
    let f = fold(raw);
    let rest = f.trim().strip_prefix("categorie").unwrap_or(f.trim()).trim_start();
    if rest.starts_with("a+") || rest.starts_with("a +") {
        Some(Category::APlus)
    } else if rest.starts_with('a') && !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some(Category::A)
    } else if rest.starts_with('b') && !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some(Category::B)
    } else if rest.starts_with('c') && !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some(Category::C)
    } else {
        None
    }
}

/// "Fonction publique de l'Etat", "Fonction publique Territoriale", "FPH"…
pub fn versant(raw: &str) -> Option<Versant> {
    let f = fold(raw);
    if f.contains("etat") || f.trim() == "fpe" {
        Some(Versant::State)
    } else if f.contains("territorial") || f.trim() == "fpt" {
        Some(Versant::Territorial)
    } else if f.contains("hospital") || f.trim() == "fph" {
        Some(Versant::Hospital)
    } else {
        None
    }
}

/// "Emploi ouvert aux titulaires et aux contractuels", "… uniquement aux contractuels",
/// "Emploi réservé aux fonctionnaires…".
pub fn nature(raw: &str) -> Option<OfferNature> {
    let f = fold(raw);
    let civil = f.contains("titulaire") || f.contains("fonctionnaire");
    let contract = f.contains("contractuel");
    if f.contains("uniquement aux contractuels") || (contract && !civil) {
        Some(OfferNature::ContractOnly)
    } else if contract && civil {
        Some(OfferNature::Both)
    } else if civil {
        Some(OfferNature::CivilServantOnly)
    } else {
        None
    }
}

/// Contract types named in a free label ("CDD", "CDI de droit public", "Titulaire"), else
/// those the nature of the post implies.
pub fn contract_types(raw: &str, nature: Option<OfferNature>) -> Vec<ContractType> {
    let f = format!(" {} ", match_key(raw));
    let named = [
        (ContractType::Permanent, f.contains(" cdi ") || f.contains("duree indeterminee")),
        (ContractType::FixedTerm, f.contains(" cdd ") || f.contains("duree determinee") || f.contains("contractuel")),
        (ContractType::Apprenticeship, f.contains("apprenti")),
        (ContractType::Internship, f.contains(" stage")),
        (
            ContractType::CivilServant,
            f.contains("titulaire")
                || f.contains("fonctionnaire")
                || f.contains("detachement")
                || f.contains("mutation"),
        ),
    ];
    let out: Vec<ContractType> = named.iter().filter(|(_, hit)| *hit).map(|(c, _)| *c).collect();
    if !out.is_empty() {
        return out;
    }
    match nature {
        Some(OfferNature::Both) => vec![ContractType::CivilServant, ContractType::FixedTerm],
        Some(OfferNature::ContractOnly) => vec![ContractType::FixedTerm],
        Some(OfferNature::CivilServantOnly) => vec![ContractType::CivilServant],
        None => vec![],
    }
}

/// "36 mois", "3 ans", "1 an", "12" → months.
pub fn duration_months(raw: &str) -> Option<i32> {
    let key = match_key(raw);
    let words: Vec<&str> = key.split(' ').collect();
    let months = match words.as_slice() {
        [n] => n.parse::<i32>().ok(),
        _ => words.windows(2).find_map(|w| {
            let n = w[0].parse::<i32>().ok()?;
            match w[1] {
                "mois" => Some(n),
                "an" | "ans" => n.checked_mul(12),
                _ => None,
            }
        }),
    }?;
    (1..=600).contains(&months).then_some(months)
}

/// "Niveau 6 Licence/diplômes équivalents" → level 6; levels 1 and 2 are below the scale the
/// platform shows and map to "not specified".
/// The former scale in roman numerals ("Niveau III : Bac + 2") is converted (I → 7, II → 6,
/// III → 5, IV → 4, V → 3).
pub fn education(raw: &str) -> Option<EducationLevel> {
    let f = match_key(raw);
    let token = f.strip_prefix("niveau ")?.split(' ').next()?;
    let n = match token {
        "i" => 7,
        "ii" => 6,
        "iii" => 5,
        "iv" => 4,
        "v" => 3,
        _ => token.parse::<u8>().ok()?,
    };
    EducationLevel::from_level(n)
}

/// "Débutant", "Confirmé", "Expert", "Aucune expérience requise", "Junior", "Senior"…
pub fn experience(raw: &str) -> Option<Experience> {
    let f = fold(raw);
    if f.contains("expert") || f.contains("senior") {
        Some(Experience::Expert)
    } else if f.contains("confirm") || f.contains("experiment") {
        Some(Experience::Confirmed)
    } else if f.contains("debut") || f.contains("aucun") || f.contains("junior") || f.contains("sans experience") {
        Some(Experience::Beginner)
    } else {
        None
    }
}

/// "Oui", "Non", "Télétravail partiel", "100 % télétravail"…
pub fn remote(raw: &str) -> Option<Remote> {
    let f = match_key(raw);
    if f.is_empty() {
        None
    } else if f.contains("total") || f.contains("100") || f.contains("complet") {
        Some(Remote::Full)
    } else if f == "non" || f.starts_with("non ") || f.contains("pas de") || f.contains("aucun") {
        Some(Remote::No)
    } else if f == "oui"
        || f.starts_with("oui ")
        || f.contains("partiel")
        || f.contains("jour")
        || f.contains("possible")
    {
        Some(Remote::Partial)
    } else {
        None
    }
}

/// "Temps complet" / "Temps non complet", or the CSP "Temps Plein" column's "Oui" / "Non".
pub fn working_time(raw: &str) -> Option<WorkingTime> {
    let f = match_key(raw);
    if f.contains("non complet") || f.contains("partiel") || f == "non" {
        Some(WorkingTime::Part)
    } else if f.contains("complet") || f.contains("plein") || f == "oui" {
        Some(WorkingTime::Full)
    } else {
        None
    }
}

/// "Vacant" / "Susceptible d'être vacant".
pub fn vacancy(raw: &str) -> Option<Vacancy> {
    let f = fold(raw);
    if f.contains("susceptible") {
        Some(Vacancy::MayBecomeVacant)
    } else if f.contains("vacant") {
        Some(Vacancy::Vacant)
    } else {
        None
    }
}

/// The status of a Talentsoft offer ("Diffusée", "Pourvue"…).
pub fn offer_state(raw: &str) -> Result<OfferState, String> {
    let f = fold(raw);
    if f.trim().is_empty() || f.contains("diffus") || f.contains("publi") {
        Ok(OfferState::Published)
    } else if f.contains("pourvu") {
        Ok(OfferState::Filled)
    } else if f.contains("archiv") || f.contains("clotur") || f.contains("suspend") || f.contains("retir") {
        Ok(OfferState::Archived)
    } else {
        Err(format!("statut d’offre inconnu « {} »", truncate(raw.trim(), 40)))
    }
}

/// Location from a département label ("Paris (75)"), a région label ("Hauts de France") and
/// an address whose postal code gives the commune.
pub fn location(departement_label: &str, region_label: &str, address: &str) -> Location {
    let mut loc = Location { address: non_empty(address), ..Location::default() };
    let dept = geo::departement_from_label(departement_label);
    if let Some(d) = dept {
        loc.departement_code = Some(d.code.clone());
        loc.region_code = geo::region(&d.region_code).map(|r| r.code.clone());
    } else if let Some(r) = geo::region_by_name(region_label) {
        loc.region_code = Some(r.code.clone());
    }
    if let Some(pc) = geo::find_postal_code(address)
        && let Some(c) = geo::commune_by_postal_code(&pc, address)
    {
        let same_dept = loc.departement_code.as_ref().is_none_or(|d| *d == c.departement_code);
        if same_dept {
            loc.postal_code = Some(pc);
            loc.commune_code = Some(c.code.clone());
            loc.city = Some(c.name.clone());
            loc.departement_code = Some(c.departement_code.clone());
            loc.region_code = geo::region(&c.region_code).map(|r| r.code.clone()).or(loc.region_code);
        }
    }
    if loc.commune_code.is_none() {
        // An address that is just a commune's name ("Marseille").
        if let Some(c) = dept.and_then(|d| geo::commune_by_name(address, &d.code)) {
            loc.commune_code = Some(c.code.clone());
            loc.city = Some(c.name.clone());
            loc.postal_code = c.postal_codes.first().cloned();
        }
    }
    if loc.city.is_none() {
        loc.city = dept.map(|d| d.name.clone());
    }
    loc
}

/// Text fields of the exports: trimmed, Windows line ends normalised, empty → None.
pub fn text(raw: &str) -> Option<String> {
    non_empty(&raw.replace("\r\n", "\n").replace('\r', "\n"))
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("test date")
    }

    #[test]
    fn dates_in_french_format() {
        assert_eq!(parse_date("27/08/2021 15:21:26"), Ok(Some(dt("2021-08-27 15:21:26"))));
        assert_eq!(parse_date("24/12/2021"), Ok(Some(dt("2021-12-24 00:00:00"))));
        assert_eq!(parse_date("01/09/2021 00:00"), Ok(Some(dt("2021-09-01 00:00:00"))));
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("31/12/9999"), Ok(None), "31/12/9999 means no end date");
        assert!(parse_date("32/13/2021").is_err());
        assert!(parse_date("demain").is_err());
    }

    #[test]
    fn paris_time_follows_daylight_saving() {
        assert_eq!(paris_to_utc(dt("2021-01-15 12:00:00")).to_rfc3339(), "2021-01-15T11:00:00+00:00");
        assert_eq!(paris_to_utc(dt("2021-08-27 15:21:26")).to_rfc3339(), "2021-08-27T13:21:26+00:00");
    }

    #[test]
    fn an_end_date_keeps_the_offer_open_that_whole_day() {
        let end = end_of_publication("24/12/2021").expect("valid").expect("some");
        assert_eq!(end.to_rfc3339(), "2021-12-24T23:00:00+00:00");
        assert_eq!(end_of_publication("31/12/9999"), Ok(None));
    }

    #[test]
    fn comma_decimals() {
        assert_eq!(parse_decimal("45,75072"), Ok(Some(45.75072)));
        assert_eq!(parse_decimal("2.35"), Ok(Some(2.35)));
        assert_eq!(parse_decimal(" "), Ok(None));
        assert!(parse_decimal("45,7,1").is_err());
        assert_eq!(coordinates("48,86738", "2,3522"), Ok((Some(48.86738), Some(2.3522))));
        assert_eq!(coordinates("48,8", ""), Ok((None, None)));
        assert!(coordinates("148", "2").is_err());
    }

    #[test]
    fn categories() {
        assert_eq!(category("Catégorie A+ (Encadrement supérieur)"), Some(Category::APlus));
        assert_eq!(category("Catégorie A (cadre)"), Some(Category::A));
        assert_eq!(category("Catégorie B (profession intermédiaire)"), Some(Category::B));
        assert_eq!(category("Catégorie C (employé)"), Some(Category::C));
        assert_eq!(category("A+"), Some(Category::APlus));
        assert_eq!(category("Autre"), None);
        assert_eq!(category(""), None);
    }

    #[test]
    fn versants() {
        assert_eq!(versant("Fonction publique de l'Etat"), Some(Versant::State));
        assert_eq!(versant("Fonction publique de l’État"), Some(Versant::State));
        assert_eq!(versant("Fonction publique Territoriale"), Some(Versant::Territorial));
        assert_eq!(versant("Fonction Publique Hospitalière"), Some(Versant::Hospital));
        assert_eq!(versant("FPT"), Some(Versant::Territorial));
        assert_eq!(versant("Privé"), None);
    }

    #[test]
    fn natures_and_contracts() {
        let both = nature("Emploi ouvert aux titulaires et aux contractuels");
        assert_eq!(both, Some(OfferNature::Both));
        assert_eq!(nature("Emploi ouvert uniquement aux contractuels"), Some(OfferNature::ContractOnly));
        assert_eq!(
            nature("Emploi réservé aux fonctionnaires et lauréats d'un concours territorial"),
            Some(OfferNature::CivilServantOnly)
        );
        assert_eq!(nature(""), None);
        assert_eq!(contract_types("", both), vec![ContractType::CivilServant, ContractType::FixedTerm]);
        assert_eq!(contract_types("CDD", None), vec![ContractType::FixedTerm]);
        assert_eq!(contract_types("CDI de droit public", None), vec![ContractType::Permanent]);
        assert_eq!(contract_types("Contrat d'apprentissage", None), vec![ContractType::Apprenticeship]);
        assert_eq!(contract_types("", None), vec![]);
    }

    #[test]
    fn durations() {
        assert_eq!(duration_months("36 mois"), Some(36));
        assert_eq!(duration_months("3 ans"), Some(36));
        assert_eq!(duration_months("1 an"), Some(12));
        assert_eq!(duration_months("Jusqu'au 31/12/2021"), None);
        assert_eq!(duration_months(""), None);
    }

    #[test]
    fn education_levels() {
        assert_eq!(education("Niveau 6 Licence/diplômes équivalents"), Some(EducationLevel::L6));
        assert_eq!(education("Niveau 3 Diplômes équivalents au CAP/BEP"), Some(EducationLevel::L3));
        assert_eq!(education("Niveau 7 Master/diplômes équivalents"), Some(EducationLevel::L7));
        assert_eq!(education("Niveau 2 Effectuer des activités simples"), None);
        assert_eq!(education("Niveau III : Bac + 2\tBTS, DUT, ou diplôme équivalent"), Some(EducationLevel::L5));
        assert_eq!(education("Niveau I : Bac + 5 Master, diplôme d'ingénieur"), Some(EducationLevel::L7));
        assert_eq!(education(""), None);
    }

    #[test]
    fn experience_labels() {
        assert_eq!(experience("Débutant"), Some(Experience::Beginner));
        assert_eq!(experience("Confirmé"), Some(Experience::Confirmed));
        assert_eq!(experience("Expert"), Some(Experience::Expert));
        assert_eq!(experience("Aucune expérience requise"), Some(Experience::Beginner));
        assert_eq!(experience(""), None);
    }

    #[test]
    fn remote_working_time_vacancy() {
        assert_eq!(remote("Oui"), Some(Remote::Partial));
        assert_eq!(remote("Non"), Some(Remote::No));
        assert_eq!(remote("Télétravail total"), Some(Remote::Full));
        assert_eq!(remote(""), None);
        assert_eq!(working_time("Temps complet"), Some(WorkingTime::Full));
        assert_eq!(working_time("Temps non complet"), Some(WorkingTime::Part));
        assert_eq!(working_time("Oui"), Some(WorkingTime::Full));
        assert_eq!(working_time("Non"), Some(WorkingTime::Part));
        assert_eq!(vacancy("Vacant"), Some(Vacancy::Vacant));
        assert_eq!(vacancy("Susceptible d'être vacant"), Some(Vacancy::MayBecomeVacant));
        assert_eq!(vacancy(""), None);
    }

    #[test]
    fn states() {
        assert_eq!(offer_state("Diffusée"), Ok(OfferState::Published));
        assert_eq!(offer_state("Pourvue"), Ok(OfferState::Filled));
        assert_eq!(offer_state("Archivée"), Ok(OfferState::Archived));
        assert!(offer_state("Bizarre").is_err());
    }

    #[test]
    fn locations() {
        let l = location("Paris (75)", "Ile-de-France", "59 boulevard Vincent-Auriol 75013 - Métro Chevaleret");
        assert_eq!(l.departement_code.as_deref(), Some("75"));
        assert_eq!(l.region_code.as_deref(), Some("11"));
        assert_eq!(l.commune_code.as_deref(), Some("75056"));
        assert_eq!(l.postal_code.as_deref(), Some("75013"));
        assert_eq!(l.city.as_deref(), Some("Paris"));

        let l = location("", "Hauts de France", "");
        assert_eq!(l.region_code.as_deref(), Some("32"));
        assert_eq!(l.departement_code, None);

        // A postal code from another département than the one stated is not trusted.
        let l = location("Rhône (69)", "", "Siège à 75013 Paris");
        assert_eq!(l.departement_code.as_deref(), Some("69"));
        assert_eq!(l.commune_code, None);
        assert_eq!(l.city.as_deref(), Some("Rhône"));

        let l = location("Bouches-du-Rhône (13)", "", "Marseille");
        assert_eq!(l.commune_code.as_deref(), Some("13055"));
        assert_eq!(l.city.as_deref(), Some("Marseille"));
    }
}
