//! The open-data export of Choisir le service public (`offres-datagouv-YYYYMMDD.csv`): 30
//! `;`-separated columns with French names, quoted multi-line fields, `dd/mm/yyyy` dates.

use crate::map;
use crate::record::Fields;
use domain::offer::{EmployerRef, OfferData, OfferState, Source};
use domain::taxonomy;
use domain::text::non_empty;

/// Columns that identify the format in a header.
pub const SIGNATURE: [&str; 3] = ["Référence", "Intitulé du poste", "Organisme de rattachement"];

pub fn to_offer(f: &impl Fields) -> Result<OfferData, String> {
    let reference = f.get("Référence");
    if reference.is_empty() {
        return Err("référence absente (colonne « Référence »)".into());
    }
    let title = f.get("Intitulé du poste");
    if title.is_empty() {
        return Err("intitulé du poste absent (colonne « Intitulé du poste »)".into());
    }
    let organisation = f.get("Organisme de rattachement");
    // "Employeur" may hold the employer's name followed by its postal address.
    let employer_line = f.get("Employeur").lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let employer = if employer_line.is_empty() { organisation } else { employer_line };
    if employer.is_empty() {
        return Err("employeur absent (colonnes « Employeur » et « Organisme de rattachement »)".into());
    }
    let published =
        map::parse_date(f.first(&["Date de première publication", "Date de début de publication par défaut"]))?
            .ok_or("date de première publication absente")?;
    let expires_at = map::end_of_publication(f.get("Date de fin de publication par défaut"))?;
    let starts_on = map::parse_date(f.get("Date de vacance de l'emploi"))?.map(|d| d.date());
    let address = f.first(&["Lieu d'affectation", "Lieu d'affectation (sans géolocalisation)"]);
    let location = map::location(f.get("Localisation du poste"), "", address);
    if location.departement_code.is_none()
        && location.region_code.is_none()
        && !f.get("Localisation du poste").is_empty()
    {
        return Err(format!("localisation inconnue « {} »", map::truncate(f.get("Localisation du poste"), 40)));
    }
    let nature = map::nature(f.get("Nature de l'emploi"));
    let profession_label = non_empty(f.get("Métier"));
    let profession = profession_label.as_deref().and_then(taxonomy::classify_profession);
    let languages = match (f.get("Langues"), f.get("Niveaux")) {
        ("", _) => None,
        (lang, "") => Some(lang.to_string()),
        (lang, level) => Some(format!("{lang} ({level})")),
    };
    let particularities = [
        ("Management", f.get("Management")),
        ("Spécialisation", f.get("Spécialisation")),
        ("Avis de vacance au Journal officiel", f.get("Avis de vacances au JO")),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k} : {v}"))
    .collect::<Vec<_>>()
    .join("\n");
    let duration = f.first(&["Durée du contrat", "Durée du poste"]);
    Ok(OfferData {
        source: Source::Csp,
        source_ref: reference.to_string(),
        source_url: Some(format!("https://choisirleservicepublic.gouv.fr/offre-emploi/{reference}/")),
        slug_hint: None,
        title: title.to_string(),
        employer: EmployerRef {
            name: employer.to_string(),
            ministry: non_empty(organisation).filter(|o| o != employer),
        },
        service: None,
        mission: None,
        profile: map::text(f.get("Compétences attendues")),
        team: None,
        context: None,
        perks: None,
        process: None,
        particularities: non_empty(&particularities),
        how_to_apply: map::text(f.get("Documents à transmettre")),
        nature,
        contract_types: map::contract_types(f.get("Nature de contrat"), nature),
        duration_months: map::duration_months(duration),
        category: map::category(f.get("Catégorie")),
        versant: map::versant(f.get("Versant")),
        profession: profession.map(|p| p.slug.clone()),
        domains: profession.map(|p| vec![p.domain.clone()]).unwrap_or_default(),
        profession_label,
        experience: map::experience(f.get("Niveau d'expérience min. requis")),
        education: map::education(f.get("Niveau d'études")),
        remote: map::remote(f.get("Télétravail")),
        working_time: map::working_time(f.get("Temps Plein")),
        vacancy: map::vacancy(f.get("Statut du poste")),
        salary_min: None,
        salary_max: None,
        location,
        published_at: map::paris_to_utc(published),
        expires_at,
        starts_on,
        // The open-data file lists offers as published; their end date says whether they
        // are still open.
        state: OfferState::Published,
        application_url: None,
        contact_email: None,
        languages,
    })
}
