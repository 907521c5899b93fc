//! The State's product catalogue as beta.gouv.fr publishes it: a folder with `startups/*.md`
//! (YAML front matter, then Markdown), `organisations/*.md` (the sponsors) and `team.json`
//! (each product's team composition, without names).
//!
//! Idempotent: a product is keyed by its file id, and a file whose bytes (and team) did not
//! change is not written again. Each product is written in its own transaction with its
//! sponsors and technologies: a failure leaves no half-written product.

use crate::run::{ImportError, Rejection};
use chrono::NaiveDate;
use db::institutions::CatalogueOrganisation;
use db::products::Upserted;
use db::{Db, DbError};
use domain::Clock;
use domain::product::{Accessibility, Phase, PhaseSpan, ProductData, TeamMission};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Whether `dir` looks like the catalogue (it holds `startups/`).
pub fn is_catalogue(dir: &Path) -> bool {
    dir.join("startups").is_dir()
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct CatalogueReport {
    pub read: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub organisations: usize,
    /// Sponsors named by a product but absent from `organisations/` (the product is kept).
    pub unknown_sponsors: Vec<Rejection>,
    pub rejected: Vec<Rejection>,
}

impl CatalogueReport {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "Import du catalogue beta.gouv.fr terminé : {} produits lus, {} créés, {} mis à jour, {} inchangés, {} rejetés ; {} organisations.",
            self.read,
            self.created,
            self.updated,
            self.unchanged,
            self.rejected.len(),
            self.organisations
        );
        for r in &self.rejected {
            s.push_str(&format!("\n  {} : {}", r.position, r.reason));
        }
        if !self.unknown_sponsors.is_empty() {
            s.push_str(&format!("\n{} financeurs inconnus (produits gardés sans eux) :", self.unknown_sponsors.len()));
            for r in &self.unknown_sponsors {
                s.push_str(&format!("\n  {} : {}", r.position, r.reason));
            }
        }
        s
    }
}

/// One line of `team.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct TeamEntry {
    #[serde(default)]
    role: String,
    #[serde(default)]
    domaine: String,
    start: Option<String>,
    end: Option<String>,
}

/// The front matter and the Markdown after it.
fn split_front_matter(text: &str) -> Result<(&str, &str), String> {
    let text = text.trim_start_matches('\u{feff}');
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| "en-tête YAML manquant (le fichier doit commencer par ---)".to_string())?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err("en-tête YAML non terminé (--- de fin manquant)".into())
}

/// A scalar as text ("1000" written as a number is still a title).
fn scalar(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    domain::text::non_empty(&s)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Only web addresses: anything else (`javascript:`…) is dropped, never linked.
fn web_link(v: Option<&Value>) -> Option<String> {
    let s = v.and_then(scalar)?;
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| s.chars().take(500).collect())
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Labels in order of first appearance, without repeats (by comparison key).
fn distinct_labels(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let key = domain::text::match_key(&v);
        if !key.is_empty() && !out.iter().any(|o| domain::text::match_key(o) == key) {
            out.push(v.chars().take(120).collect());
        }
    }
    out
}

/// Reads one product file into a product, or the reason it is refused.
fn parse_product(text: &str, team: &[TeamEntry]) -> Result<(ProductData, Vec<String>), String> {
    let (yaml, body) = split_front_matter(text)?;
    let fm: Value = serde_yaml_ng::from_str(yaml).map_err(|e| format!("YAML illisible : {e}"))?;
    let map = match &fm {
        Value::Mapping(m) => m,
        _ => return Err("l’en-tête YAML n’est pas une liste de champs".into()),
    };
    let get = |k: &str| map.get(Value::String(k.into()));
    let title = get("title").and_then(scalar).ok_or("titre manquant (champ title)")?;
    let mut phases = Vec::new();
    if let Some(Value::Sequence(items)) = get("phases") {
        for item in items {
            let field = |k: &str| item.get(k).and_then(scalar);
            let name = field("name").ok_or("phase sans nom")?;
            let phase: Phase = name.parse().map_err(|_| format!("phase inconnue « {name} »"))?;
            let start_text = field("start").ok_or_else(|| format!("phase « {name} » sans date de début"))?;
            let start = date(&start_text).ok_or_else(|| format!("date de début illisible « {start_text} »"))?;
            let end = match field("end") {
                Some(e) => Some(date(&e).ok_or_else(|| format!("date de fin illisible « {e} »"))?),
                None => None,
            };
            phases.push(PhaseSpan { phase, start, end });
        }
    }
    phases.sort_by_key(|p| p.start);
    let technologies = {
        let mut out: Vec<domain::product::TechnologyName> = Vec::new();
        for raw in strings(get("techno")) {
            for t in domain::product::technologies(&raw) {
                if !out.iter().any(|o| o.key == t.key) {
                    out.push(t);
                }
            }
        }
        out
    };
    let sponsors: Vec<String> = strings(get("sponsors"))
        .into_iter()
        .map(|s| s.trim().trim_start_matches("/organisations/").trim_matches('/').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let data = ProductData {
        title: title.chars().take(200).collect(),
        mission: get("mission").and_then(scalar).unwrap_or_default(),
        body: body.trim().to_string(),
        incubator: get("incubator").and_then(scalar),
        sponsors: sponsors.clone(),
        phases,
        technologies,
        themes: distinct_labels(strings(get("thematiques"))),
        audiences: distinct_labels(strings(get("usertypes"))),
        link: web_link(get("link")),
        repository: web_link(get("repository")),
        stats_url: web_link(get("stats_url")),
        accessibility: get("accessibility_status").and_then(scalar).and_then(|a| Accessibility::from_label(&a)),
        team: team
            .iter()
            .map(|t| TeamMission {
                role: t.role.trim().to_string(),
                domain: t.domaine.trim().to_string(),
                start: t.start.as_deref().and_then(date),
                end: t.end.as_deref().and_then(date),
            })
            .collect(),
    };
    Ok((data, sponsors))
}

fn read_dir_md(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| ImportError::File(format!("lecture de {} impossible : {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn file_id(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn read_organisations(
    dir: &Path,
    report: &mut CatalogueReport,
) -> Result<HashMap<String, CatalogueOrganisation>, ImportError> {
    let mut out = HashMap::new();
    let folder = dir.join("organisations");
    if !folder.is_dir() {
        return Ok(out);
    }
    for path in read_dir_md(&folder)? {
        let id = file_id(&path);
        let position = format!("organisations/{id}.md");
        let parsed = std::fs::read_to_string(&path).map_err(|e| format!("lecture impossible : {e}")).and_then(|text| {
            let (yaml, _) = split_front_matter(&text)?;
            let fm: Value = serde_yaml_ng::from_str(yaml).map_err(|e| format!("YAML illisible : {e}"))?;
            let name = fm.get("name").and_then(scalar).ok_or("nom manquant (champ name)")?;
            Ok(CatalogueOrganisation {
                id: id.clone(),
                name: name.chars().take(200).collect(),
                acronym: fm.get("acronym").and_then(scalar),
                ministry: fm
                    .get("domaine_ministeriel")
                    .and_then(scalar)
                    .and_then(|c| domain::product::ministry_label(&c))
                    .map(str::to_string),
            })
        });
        match parsed {
            Ok(org) => {
                out.insert(id, org);
            }
            Err(reason) => report.rejected.push(Rejection { position, reason }),
        }
    }
    report.organisations = out.len();
    Ok(out)
}

fn read_team(dir: &Path) -> Result<HashMap<String, Vec<TeamEntry>>, ImportError> {
    let path = dir.join("team.json");
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let bytes =
        std::fs::read(&path).map_err(|e| ImportError::File(format!("lecture de team.json impossible : {e}")))?;
    // Teams are part of every product's content: an unreadable file stops the import rather
    // than erasing every team.
    serde_json::from_slice(&bytes).map_err(|e| ImportError::File(format!("team.json illisible : {e}")))
}

/// Imports the catalogue folder `dir`. `clock` gives the one "now" of the run.
#[expect(clippy::disallowed_methods, reason = "an import commits product by product, in transactions of its own")]
pub async fn run_catalogue(
    db: &Db,
    dir: &Path,
    progress: bool,
    clock: &dyn Clock,
) -> Result<CatalogueReport, ImportError> {
    let now = clock.now();
    if !is_catalogue(dir) {
        return Err(ImportError::File(format!("{} ne contient pas de dossier startups/", dir.display())));
    }
    let mut report = CatalogueReport::default();
    let organisations = read_organisations(dir, &mut report)?;
    let teams = read_team(dir)?;
    let files = read_dir_md(&dir.join("startups"))?;
    let bar = if progress { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} produits ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    for path in files {
        bar.inc(1);
        report.read += 1;
        let id = file_id(&path);
        let position = format!("startups/{id}.md");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                report.rejected.push(Rejection { position, reason: format!("lecture impossible : {e}") });
                continue;
            }
        };
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            report.rejected.push(Rejection { position, reason: "le fichier n’est pas en UTF-8".into() });
            continue;
        };
        let team = teams.get(&id).map(Vec::as_slice).unwrap_or_default();
        let (data, sponsors) = match parse_product(&text, team) {
            Ok(p) => p,
            Err(reason) => {
                report.rejected.push(Rejection { position, reason });
                continue;
            }
        };
        let mut hasher = Sha256::new();
        hasher.update(&bytes);
        hasher.update(serde_json::to_vec(team).unwrap_or_default());
        let hash = format!("{:x}", hasher.finalize());
        let txn = db.begin().await?;
        let mut sponsor_ids = Vec::new();
        for s in &sponsors {
            match organisations.get(s) {
                Some(org) => sponsor_ids.push(db::institutions::for_catalogue(&txn, org, now).await?.id),
                None => report.unknown_sponsors.push(Rejection {
                    position: position.clone(),
                    reason: format!("organisation « {s} » absente du dossier organisations/"),
                }),
            }
        }
        let (_, outcome) = db::products::upsert_imported(&txn, &id, &data, &sponsor_ids, &hash, now).await?;
        txn.commit().await.map_err(DbError::from)?;
        match outcome {
            Upserted::Created => report.created += 1,
            Upserted::Updated => report.updated += 1,
            Upserted::Unchanged => report.unchanged += 1,
        }
    }
    bar.finish_and_clear();
    tracing::info!(
        read = report.read,
        created = report.created,
        updated = report.updated,
        rejected = report.rejected.len(),
        "catalogue imported"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body_are_split() {
        let (yaml, body) = split_front_matter("---\ntitle: A\n---\n## Contexte\nTexte").expect("split");
        assert_eq!(yaml, "title: A\n");
        assert_eq!(body, "## Contexte\nTexte");
        assert!(split_front_matter("title: A").is_err());
        assert!(split_front_matter("---\ntitle: A\n").is_err());
        assert!(split_front_matter("---\ntitle: A---").is_err(), "the closing line is --- alone");
        assert_eq!(split_front_matter("---\ntitle: A\n---").expect("split"), ("title: A\n", ""));
    }

    #[test]
    fn a_product_file_is_read_with_its_quirks() {
        let text = "---\ntitle: 1000\nmission: Aider \nlink: 'https://exemple.gouv.fr '\nrepository: javascript:alert(1)\n\
                    techno:\n  - nodejs, typescript\n  - Node.js\nthematiques:\n  - Santé\n  - santé\nsponsors:\n  - /organisations/dinum\n\
                    phases:\n  - name: investigation\n    start: 2021-01-04\n  - name: construction\n    start: 2021-06-01\n\
                    accessibility_status: partiellement conforme\n---\n## Contexte\n";
        let (p, sponsors) = parse_product(text, &[]).expect("product");
        assert_eq!(p.title, "1000");
        assert_eq!(p.mission, "Aider");
        assert_eq!(p.link.as_deref(), Some("https://exemple.gouv.fr"));
        assert_eq!(p.repository, None, "only web addresses are kept");
        assert_eq!(p.technologies.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["Node.js", "TypeScript"]);
        assert_eq!(p.themes, vec!["Santé"]);
        assert_eq!(sponsors, vec!["dinum"]);
        assert_eq!(domain::product::current_phase(&p.phases), Some(Phase::Construction));
        assert_eq!(p.accessibility, Some(Accessibility::Partial));
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        let reason = |t: &str| parse_product(t, &[]).expect_err("refused");
        assert!(reason("---\nmission: x\n---\n").contains("titre manquant"));
        assert!(
            reason("---\ntitle: A\nphases:\n  - name: incubation\n    start: 2020-01-01\n---\n")
                .contains("phase inconnue « incubation »")
        );
        assert!(
            reason("---\ntitle: A\nphases:\n  - name: construction\n    start: hier\n---\n")
                .contains("date de début illisible")
        );
        assert!(reason("---\ntitle: [A\n---\n").contains("YAML illisible"));
        assert!(reason("pas d’en-tête").contains("en-tête YAML manquant"));
    }
}
