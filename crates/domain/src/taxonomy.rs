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
    let professions: Vec<Profession> = raw
        .professions
        .into_iter()
        .map(|p| Profession { slug: slugify(&p.label), label: p.label, domain: p.domain })
        .collect();
    let by_key = professions.iter().enumerate().map(|(i, p)| (compact_key(&p.label), i)).collect();
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
pub fn classify_profession(label: &str) -> Option<&'static Profession> {
    TAXONOMY.by_key.get(&compact_key(label)).map(|&i| &TAXONOMY.professions[i])
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
    }
}
