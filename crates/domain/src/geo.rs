//! French geography (INSEE codes), compiled in from `reference/` (Licence Ouverte, from
//! @etalab/decoupage-administratif; see ARCHITECTURE.md).

use crate::text::{compact_key, match_key};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Region {
    pub code: String,
    #[serde(rename = "nom")]
    pub name: String,
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Departement {
    pub code: String,
    #[serde(rename = "region")]
    pub region_code: String,
    #[serde(rename = "nom")]
    pub name: String,
    pub zone: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub departement_code: String,
    pub region_code: String,
    pub postal_codes: Vec<String>,
    pub population: u32,
}

struct Geography {
    regions: Vec<Region>,
    departements: Vec<Departement>,
    communes: Vec<Commune>,
    region_by_key: HashMap<String, usize>,
    communes_by_postal_code: HashMap<String, Vec<usize>>,
    commune_by_code: HashMap<String, usize>,
}

static GEO: LazyLock<Geography> = LazyLock::new(load);

#[allow(clippy::expect_used)] // compiled-in data, validated by the tests below
fn load() -> Geography {
    let all_regions: Vec<Region> =
        serde_json::from_str(include_str!("../reference/regions.json")).expect("regions.json is valid");
    // The platform covers the 18 régions (metropolitan and overseas départements); the
    // overseas collectivities have no région and are not offered as filters.
    let regions: Vec<Region> = all_regions.into_iter().filter(|r| r.zone != "com").collect();
    let departements: Vec<Departement> =
        serde_json::from_str(include_str!("../reference/departements.json")).expect("departements.json is valid");
    let mut communes = Vec::with_capacity(35_000);
    for line in include_str!("../reference/communes-actuelles.csv").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 6 {
            continue;
        }
        communes.push(Commune {
            code: f[0].to_string(),
            name: f[1].to_string(),
            departement_code: f[2].to_string(),
            region_code: f[3].to_string(),
            postal_codes: f[4].split(' ').filter(|p| !p.is_empty()).map(str::to_string).collect(),
            population: f[5].parse().unwrap_or(0),
        });
    }
    let mut region_by_key = HashMap::new();
    for (i, r) in regions.iter().enumerate() {
        region_by_key.insert(compact_key(&r.name), i);
    }
    // Spellings met in the State's exports.
    for (alias, code) in [("reunion", "04"), ("paca", "93")] {
        if let Some(i) = regions.iter().position(|r| r.code == code) {
            region_by_key.insert(alias.to_string(), i);
        }
    }
    let mut communes_by_postal_code: HashMap<String, Vec<usize>> = HashMap::new();
    let mut commune_by_code = HashMap::new();
    for (i, c) in communes.iter().enumerate() {
        commune_by_code.insert(c.code.clone(), i);
        for p in &c.postal_codes {
            communes_by_postal_code.entry(p.clone()).or_default().push(i);
        }
    }
    Geography { regions, departements, communes, region_by_key, communes_by_postal_code, commune_by_code }
}

/// The 18 régions, in INSEE code order.
pub fn regions() -> &'static [Region] {
    &GEO.regions
}

pub fn departements() -> &'static [Departement] {
    &GEO.departements
}

pub fn communes() -> &'static [Commune] {
    &GEO.communes
}

pub fn region(code: &str) -> Option<&'static Region> {
    GEO.regions.iter().find(|r| r.code == code)
}

/// A région from its name however it is spelled ("Hauts de France", "Ile-de-France").
pub fn region_by_name(name: &str) -> Option<&'static Region> {
    GEO.region_by_key.get(&compact_key(name)).map(|&i| &GEO.regions[i])
}

pub fn departement(code: &str) -> Option<&'static Departement> {
    GEO.departements.iter().find(|d| d.code == code)
}

/// A département from "Paris (75)", "Corse-du-Sud (2A)", "Guyane (973)", "75" or "Paris".
pub fn departement_from_label(label: &str) -> Option<&'static Departement> {
    let label = label.trim();
    if let (Some(open), Some(close)) = (label.rfind('('), label.rfind(')'))
        && open < close
        && let Some(d) = departement(label[open + 1..close].trim())
    {
        return Some(d);
    }
    if let Some(d) = departement(label) {
        return Some(d);
    }
    let key = match_key(label);
    GEO.departements.iter().find(|d| match_key(&d.name) == key)
}

pub fn commune(code: &str) -> Option<&'static Commune> {
    GEO.commune_by_code.get(code).map(|&i| &GEO.communes[i])
}

/// The commune a postal code designates; when several share it, the one named in `hint`
/// (the address), else the most populous.
pub fn commune_by_postal_code(postal_code: &str, hint: &str) -> Option<&'static Commune> {
    let candidates = GEO.communes_by_postal_code.get(postal_code)?;
    let hint_key = format!(" {} ", match_key(hint));
    let named = candidates
        .iter()
        .map(|&i| &GEO.communes[i])
        .filter(|c| hint_key.contains(&format!(" {} ", match_key(&c.name))))
        .max_by_key(|c| c.name.len());
    named.or_else(|| candidates.iter().map(|&i| &GEO.communes[i]).max_by_key(|c| c.population))
}

/// A commune by its name within a département (exact after folding).
pub fn commune_by_name(name: &str, departement_code: &str) -> Option<&'static Commune> {
    let key = match_key(name);
    GEO.communes
        .iter()
        .filter(|c| c.departement_code == departement_code && match_key(&c.name) == key)
        .max_by_key(|c| c.population)
}

/// The first five-digit token of an address that is a known postal code.
pub fn find_postal_code(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let token = &text[start..i];
            if token.len() == 5 && GEO.communes_by_postal_code.contains_key(token) {
                return Some(token.to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_lists_are_complete() {
        assert_eq!(regions().len(), 18);
        assert_eq!(departements().len(), 109);
        assert!(communes().len() > 34_000);
    }

    #[test]
    fn region_spellings() {
        assert_eq!(region_by_name("Hauts de France").map(|r| r.code.as_str()), Some("32"));
        assert_eq!(region_by_name("Ile-de-France").map(|r| r.code.as_str()), Some("11"));
        assert_eq!(region_by_name("Provence-Alpes-Côte d'Azur").map(|r| r.code.as_str()), Some("93"));
        assert_eq!(region_by_name("Réunion").map(|r| r.code.as_str()), Some("04"));
        assert_eq!(region_by_name("Centre-Val deLoire").map(|r| r.code.as_str()), Some("24"));
        assert_eq!(region_by_name("Atlantide"), None);
    }

    #[test]
    fn departement_labels() {
        assert_eq!(departement_from_label("Paris (75)").map(|d| d.region_code.as_str()), Some("11"));
        assert_eq!(departement_from_label("Corse-du-Sud (2A)").map(|d| d.code.as_str()), Some("2A"));
        assert_eq!(departement_from_label("Guyane (973)").map(|d| d.region_code.as_str()), Some("03"));
        assert_eq!(departement_from_label("Bouches-du-Rhône").map(|d| d.code.as_str()), Some("13"));
        assert_eq!(departement_from_label("(99)"), None);
    }

    #[test]
    fn postal_codes_in_addresses() {
        let address = "59 boulevard Vincent-Auriol 75013 - Métro Chevaleret";
        assert_eq!(find_postal_code(address).as_deref(), Some("75013"));
        assert_eq!(commune_by_postal_code("75013", address).map(|c| c.code.as_str()), Some("75056"));
        assert_eq!(find_postal_code("Bâtiment 12345678"), None);
    }
}
