//! The PEP back-office (Talentsoft) export, as JSON or `;`-separated CSV: the same column names.

use crate::map;
use crate::record::Fields;
use domain::offer::{EmployerRef, OfferData, Source};
use domain::taxonomy;
use domain::text::non_empty;

/// Columns that must be in a Talentsoft export's header.
pub const SIGNATURE: [&str; 3] = ["Offer_Reference_", "JobDescriptionTranslation_JobTitle_", "Origin_Entity_"];

pub fn to_offer(f: &impl Fields) -> Result<OfferData, String> {
    let reference = f.get("Offer_Reference_");
    if reference.is_empty() {
        return Err("référence absente (colonne Offer_Reference_)".into());
    }
    let title = f.get("JobDescriptionTranslation_JobTitle_");
    if title.is_empty() {
        return Err("intitulé du poste absent (colonne JobDescriptionTranslation_JobTitle_)".into());
    }
    let employer = f.first(&["Origin_Entity_", "Origin_Entity_With5", "Origin_Entity_With4", "Origin_Entity_With3"]);
    if employer.is_empty() {
        return Err("employeur absent (colonne Origin_Entity_)".into());
    }
    let ministry = non_empty(f.get("Origin_Entity_With3")).filter(|m| m != employer);
    let state = map::offer_state(f.get("Offer_OfferStatus_"))?;
    let published = map::parse_date(f.first(&[
        "FirstPublicationDate",
        "SchedulingData_DefaultPublicationBeginDate_",
        "Offer_ModificationDate_",
    ]))?
    .ok_or("date de première publication absente (colonne FirstPublicationDate)")?;
    let expires_at = map::end_of_publication(f.first(&[
        "OF_CustomFields_Date1_",
        "Offer_CustomFields_Date1_",
        "SchedulingData_DefaultPublicationEndDate_",
    ]))?;
    let starts_on = map::parse_date(f.get("Origin_BeginningDate_"))?.map(|d| d.date());
    let (latitude, longitude) = map::coordinates(f.get("Offer_CoordLat_"), f.get("Offer_CoordLong_"))?;
    let mut location = map::location(
        f.get("Location_Department_Department_"),
        f.get("Location_Region_Region_"),
        f.get("Location_JobLocation_"),
    );
    location.latitude = latitude;
    location.longitude = longitude;
    let nature = map::nature(f.get("JobDescription_Contract_"));
    let profession_label = non_empty(f.get("JobDescription_PrimaryProfile_"));
    let profession = profession_label.as_deref().and_then(taxonomy::classify_profession);
    let languages = match (f.get("RequiredLanguage_Language_"), f.get("RequiredLanguage_LanguageLevel_")) {
        ("", "") => None,
        (lang, "") => Some(lang.to_string()),
        ("", level) => Some(level.to_string()),
        (lang, level) => Some(format!("{lang} ({level})")),
    };
    Ok(OfferData {
        source: Source::Pep,
        source_ref: reference.to_string(),
        source_url: Some(format!("https://choisirleservicepublic.gouv.fr/offre-emploi/{reference}/")),
        slug_hint: None,
        title: title.to_string(),
        employer: EmployerRef { name: employer.to_string(), ministry },
        service: None,
        mission: map::text(f.get("JobDescriptionTranslation_Description1_")),
        profile: map::text(f.get("JobDescriptionTranslation_Description2_")),
        team: map::text(f.get("JobDescription_CustomFieldsTranslation_LongText1_")),
        context: map::text(f.get("JobDescription_CustomFieldsTranslation_LongText3_")),
        perks: None,
        process: None,
        particularities: map::text(f.get("JobDescription_CustomFieldsTranslation_LongText2_")),
        how_to_apply: map::text(f.get("OfferCustomBlock1_CustomFieldsTranslation_LongText1_")),
        nature,
        contract_types: map::contract_types("", nature),
        duration_months: map::duration_months(f.get("JobDescriptionTranslation_ContractLength_")),
        category: map::category(f.get("JobDescription_CustomFields_CustomCodeTableValue1_")),
        versant: map::versant(f.get("JobDescription_SalaryRange_")),
        profession: profession.map(|p| p.slug.clone()),
        domains: profession.map(|p| vec![p.domain.clone()]).unwrap_or_default(),
        profession_label,
        experience: map::experience(f.get("ApplicantCriteria_ExperienceLevel_")),
        education: map::education(f.get("ApplicantCriteria_EducationLevel_")),
        remote: None,
        working_time: map::working_time(f.get("OfferCustomBlock1_CustomFields_CustomCodeTableValue3_")),
        vacancy: map::vacancy(f.get("JobDescription_ProfessionalCategory_")),
        salary_min: None,
        salary_max: None,
        location,
        published_at: map::paris_to_utc(published),
        expires_at,
        starts_on,
        state,
        application_url: None,
        contact_email: non_empty(f.get("Origin_CustomFieldsTranslation_ShortText2_")),
        languages,
    })
}
