//! Digital professions (the RMFP "Numérique" labels used by the State's job board) and the
//! domains (families) they belong to, compiled in from `reference/professions.json`.

use crate::text::{compact_key, slugify};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone)]
pub struct Domain {
    pub slug: String,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Profession {
    pub slug: String,
    pub label: String,
    pub domain: String,
}

#[derive(Deserialize)]
struct RawFile {
    domains: Vec<RawDomain>,
    professions: Vec<RawProfession>,
}
#[derive(Deserialize)]
struct RawDomain {
    slug: String,
    label: String,
}
#[derive(Deserialize)]
struct RawProfession {
    label: String,
    domain: String,
    #[serde(default)]
    aliases: Vec<String>,
}

struct Taxonomy {
    domains: Vec<Domain>,
    professions: Vec<Profession>,
    by_key: HashMap<String, usize>,
}

static TAXONOMY: LazyLock<Taxonomy> = LazyLock::new(load);

#[allow(clippy::expect_used)] // compiled-in data, validated by the tests below
fn load() -> Taxonomy {
    let raw: RawFile =
        serde_json::from_str(include_str!("../reference/professions.json")).expect("professions.json is valid");
    let domains = raw.domains.into_iter().map(|d| Domain { slug: d.slug, label: d.label }).collect();
    let mut by_key = HashMap::new();
    let mut professions = Vec::with_capacity(raw.professions.len());
    for (i, p) in raw.professions.into_iter().enumerate() {
        by_key.insert(compact_key(&p.label), i);
        for alias in &p.aliases {
            by_key.insert(compact_key(alias), i);
        }
        professions.push(Profession { slug: slugify(&p.label), label: p.label, domain: p.domain });
    }
    Taxonomy { domains, professions, by_key }
}

pub fn domains() -> &'static [Domain] {
    &TAXONOMY.domains
}

pub fn professions() -> &'static [Profession] {
    &TAXONOMY.professions
}

pub fn domain(slug: &str) -> Option<&'static Domain> {
    TAXONOMY.domains.iter().find(|d| d.slug == slug)
}

pub fn profession(slug: &str) -> Option<&'static Profession> {
    TAXONOMY.professions.iter().find(|p| p.slug == slug)
}

/// The digital profession a source label designates, if it is one.
/// Older labels carry a nomenclature code in parentheses ("… (FPT - A7A/08)"), ignored here.
pub fn classify_profession(label: &str) -> Option<&'static Profession> {
    let label = label.trim();
    let without_code = match label.rfind('(') {
        Some(i) if label.ends_with(')') && is_nomenclature_code(&label[i + 1..label.len() - 1]) => &label[..i],
        _ => label,
    };
    TAXONOMY.by_key.get(&compact_key(without_code)).map(|&i| &TAXONOMY.professions[i])
}

fn is_nomenclature_code(s: &str) -> bool {
    let s = s.trim();
    ["FPT", "FPE", "FPH"].iter().any(|v| s.starts_with(v)) || s.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profession_has_a_known_domain() {
        assert_eq!(domains().len(), 10);
        assert_eq!(professions().len(), 52);
        for p in professions() {
            assert!(domain(&p.domain).is_some(), "{} → {}", p.label, p.domain);
        }
    }

    #[test]
    fn classification_tolerates_spacing_and_apostrophes() {
        let dev = classify_profession("Développeuse / Développeur").map(|p| p.domain.as_str());
        assert_eq!(dev, Some("developpement"));
        assert!(classify_profession("Cheffe / Chef de projet maitrise d'œuvre SI").is_some());
        assert!(classify_profession("Cheffe/Chef de projet maitrise d’œuvre SI").is_some());
        assert_eq!(classify_profession("Cuisinière / Cuisinier").map(|p| p.slug.as_str()), None);
        assert_eq!(classify_profession("Cuisinière/Cuisinier (FPT - C3A/04)").map(|p| p.slug.as_str()), None);
    }

    #[test]
    fn older_labels_and_codes_are_recognised() {
        let p = classify_profession("Responsable des études et applications (FPT - A7A/08)").map(|p| p.slug.as_str());
        assert_eq!(p, Some("responsable-d-applications"));
        let p =
            classify_profession("Directeur(trice) du système d'information (FPH - 45C70)").map(|p| p.domain.as_str());
        assert_eq!(p, Some("gestion"));
        assert!(
            classify_profession("Administratrice/Administrateur en systèmes d'information et de communication ")
                .is_some()
        );
    }
}
