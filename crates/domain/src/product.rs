//! The State's digital products (the showcase, `/projets`): their phases, technologies and
//! teams, as the State's product catalogue (beta.gouv.fr) describes them and as recruiters
//! write them.

use crate::codes::code_enum;
use crate::text::{compact_key, slugify_max};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum!(
    /// A product's phase, in the catalogue's own codes. Old or unknown names are refused by the
    /// importer with a reason, never guessed.
    Phase, "la phase", {
        Investigation => ("investigation", "Investigation"),
        Construction => ("construction", "Construction"),
        Acceleration => ("acceleration", "Accélération"),
        Consolidation => ("consolidation", "Consolidation"),
        Transferred => ("transfere", "Transféré"),
        Operated => ("opere", "Opéré"),
        Abandoned => ("abandon", "Arrêté"),
        InvestigationAbandoned => ("abandon-investigation", "Investigation non concluante"),
    }
);

impl Phase {
    /// Whether the service is still offered to its users in this phase.
    pub fn is_live(self) -> bool {
        !matches!(self, Phase::Abandoned | Phase::InvestigationAbandoned)
    }
}

code_enum!(
    /// Accessibility status declared for the service (RGAA).
    Accessibility, "le statut d’accessibilité", {
        Compliant => ("totalement-conforme", "Totalement conforme"),
        Partial => ("partiellement-conforme", "Partiellement conforme"),
        NonCompliant => ("non-conforme", "Non conforme"),
    }
);

impl Accessibility {
    /// Reads the catalogue's wording ("non conforme", "Partiellement conforme ").
    pub fn from_label(s: &str) -> Option<Self> {
        let key = crate::text::match_key(s).replace(' ', "-");
        Self::ALL.iter().copied().find(|a| a.code() == key)
    }
}

code_enum!(
    /// What a product's visible state is; only `Published` products are public.
    ProductState, "l’état du produit", {
        Draft => ("draft", "Brouillon"),
        Published => ("published", "Publié"),
        Archived => ("archived", "Archivé"),
    }
);

/// One phase of a product's life, with its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseSpan {
    pub phase: Phase,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// The current phase: the one that started last.
pub fn current_phase(phases: &[PhaseSpan]) -> Option<Phase> {
    phases.iter().max_by_key(|p| p.start).map(|p| p.phase)
}

/// One mission of a team member on a product (no names: the catalogue's derived team file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMission {
    pub role: String,
    pub domain: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl TeamMission {
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= today) && self.end.is_none_or(|e| e >= today)
    }
}

/// How a team is made, by domain: `(domain's French wording, count)` by decreasing count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamComposition {
    pub current: usize,
    pub current_by_domain: Vec<(String, usize)>,
    pub past: usize,
    pub past_by_domain: Vec<(String, usize)>,
}

impl TeamComposition {
    pub fn of(missions: &[TeamMission], today: NaiveDate) -> Self {
        let count = |current: bool| {
            let mut by: Vec<(String, usize)> = Vec::new();
            for m in missions.iter().filter(|m| m.is_current(today) == current) {
                let label = domain_wording(&m.domain);
                match by.iter_mut().find(|(l, _)| *l == label) {
                    Some((_, n)) => *n += 1,
                    None => by.push((label, 1)),
                }
            }
            by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (by.iter().map(|(_, n)| n).sum::<usize>(), by)
        };
        let (current, current_by_domain) = count(true);
        let (past, past_by_domain) = count(false);
        Self { current, current_by_domain, past, past_by_domain }
    }

    /// "14 personnes : 6 en développement, 2 en design…" (`None` for nobody).
    pub fn sentence(total: usize, by: &[(String, usize)]) -> Option<String> {
        if total == 0 {
            return None;
        }
        let head = if total == 1 { "1 personne".to_string() } else { format!("{total} personnes") };
        let parts: Vec<String> = by.iter().map(|(l, n)| format!("{n} {l}")).collect();
        Some(format!("{head} : {}", parts.join(", ")))
    }
}

/// The catalogue's team domains, as a phrase after a number ("6 en développement").
fn domain_wording(domain: &str) -> String {
    match compact_key(domain).as_str() {
        "developpement" => "en développement".into(),
        "produit" => "en produit".into(),
        "design" => "en design".into(),
        "coaching" => "en coaching".into(),
        "data" => "en données".into(),
        "deploiement" => "en déploiement".into(),
        "animation" => "en animation".into(),
        "intraprenariat" | "intrapreneuriat" => "en intrapreneuriat".into(),
        "" | "autre" => "dans d’autres rôles".into(),
        _ => format!("en {}", domain.trim().to_lowercase()),
    }
}

/// Well-known technologies under their usual name, with the spellings found for them. Any
/// other technology keeps the first spelling seen; administrators merge and rename.
const KNOWN_TECHNOLOGIES: &[(&str, &[&str])] = &[
    ("Node.js", &["node", "nodejs", "node js"]),
    ("Ruby on Rails", &["rails", "ruby on rails", "ror", "rubyonrails"]),
    ("Ruby", &["ruby"]),
    ("PostgreSQL", &["postgres", "postgresql", "postgre", "psql", "pg"]),
    ("Vue.js", &["vue", "vuejs", "vue 3", "vue3"]),
    ("Nuxt", &["nuxt", "nuxtjs"]),
    ("Next.js", &["next", "nextjs"]),
    ("React", &["react", "reactjs", "react js"]),
    ("React Native", &["react native", "reactnative"]),
    ("TypeScript", &["typescript", "ts"]),
    ("JavaScript", &["javascript", "js", "vanilla js"]),
    ("Python", &["python", "python3", "python 3"]),
    ("Django", &["django"]),
    ("Flask", &["flask"]),
    ("FastAPI", &["fastapi"]),
    ("Docker", &["docker"]),
    ("Kubernetes", &["kubernetes", "k8s"]),
    ("Tailwind CSS", &["tailwind", "tailwindcss", "tailwind css"]),
    ("Publicodes", &["publicodes", "publi codes", "public codes"]),
    ("NestJS", &["nest", "nestjs"]),
    ("Express", &["express", "expressjs"]),
    ("Elasticsearch", &["elasticsearch", "elastic search", "elastic"]),
    ("Angular", &["angular", "angularjs"]),
    ("Système de design de l’État (DSFR)", &["dsfr", "systeme de design de l etat"]),
    ("Clever Cloud", &["clever cloud", "clevercloud"]),
    ("Metabase", &["metabase"]),
    ("Grist", &["grist"]),
    ("PHP", &["php"]),
    ("Symfony", &["symfony"]),
    ("Java", &["java"]),
    ("Spring Boot", &["spring boot", "springboot", "spring"]),
    ("Go", &["go", "golang"]),
    ("Rust", &["rust"]),
    ("MongoDB", &["mongodb", "mongo"]),
    ("GraphQL", &["graphql"]),
    ("Terraform", &["terraform"]),
    ("Ansible", &["ansible"]),
    ("SQL", &["sql"]),
    ("HTML", &["html", "html5"]),
    ("CSS", &["css", "css3"]),
    ("Git", &["git"]),
    ("Large language models (LLM)", &["llm", "llms"]),
    ("Intelligence artificielle", &["ia", "ai", "intelligence artificielle"]),
    ("Redis", &["redis"]),
    ("RabbitMQ", &["rabbitmq"]),
    ("Strapi", &["strapi"]),
    ("Wagtail", &["wagtail"]),
    ("dbt", &["dbt"]),
    ("n8n", &["n8n"]),
    ("Vite", &["vite", "vitejs"]),
];

/// Values that say no technology ("en cours", "à définir").
const NOT_TECHNOLOGIES: &[&str] = &["encours", "adefinir", "tbd", "todo", "na", "nc", "aucun", "aucune", "inconnu"];

/// A technology as written somewhere, normalised: the key that identifies all its spellings,
/// the name to show for a new technology and its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnologyName {
    /// `compact_key` of the spelling: what the alias table is keyed by.
    pub key: String,
    /// The well-known name when there is one, else the spelling as written.
    pub name: String,
    pub slug: String,
}

/// Splits a catalogue's technology value ("nodejs, typescript, react") into normalised names;
/// values that name no technology are dropped.
pub fn technologies(raw: &str) -> Vec<TechnologyName> {
    let mut out: Vec<TechnologyName> = Vec::new();
    for part in raw.split([',', ';', '\n']) {
        let spelled = part.trim().trim_matches(|c: char| c == '"' || c == '\'' || c == '.').trim();
        // "C#" and "C++" are not "C": their signs are words for the key and the slug.
        let keyed = spelled.replace('#', " sharp").replace("++", " plus plus");
        let key = compact_key(&keyed);
        if key.is_empty() || key.len() > 60 || NOT_TECHNOLOGIES.contains(&key.as_str()) {
            continue;
        }
        let (key, name) =
            match KNOWN_TECHNOLOGIES.iter().find(|(_, aliases)| aliases.iter().any(|a| compact_key(a) == key)) {
                // Every spelling of a known technology shares the key of its usual name.
                Some((name, _)) => (compact_key(name), (*name).to_string()),
                None => (key, spelled.chars().take(60).collect()),
            };
        let slug = slugify_max(&name.replace('#', " sharp").replace("++", " plus plus"), 60);
        if !slug.is_empty() && !out.iter().any(|t| t.key == key) {
            out.push(TechnologyName { key, name, slug });
        }
    }
    out
}

/// The spellings of a well-known technology (its aliases), for the search of offers asking for it.
pub fn known_spellings(key: &str) -> Vec<String> {
    KNOWN_TECHNOLOGIES
        .iter()
        .find(|(name, _)| compact_key(name) == key)
        .map(|(_, aliases)| aliases.iter().map(|a| (*a).to_string()).collect())
        .unwrap_or_default()
}

/// The ministry of the catalogue's `domaine_ministeriel` codes, as a ministry is named.
pub fn ministry_label(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "environnement" => "Ministère de la Transition écologique",
        "solidarite-sante" => "Ministère de la Santé et des Solidarités",
        "interieur" => "Ministère de l’Intérieur",
        "justice" => "Ministère de la Justice",
        "spm" => "Services du Premier ministre",
        "territoires" => "Ministère de l’Aménagement du territoire",
        "bercy" => "Ministère de l’Économie et des Finances",
        "agriculture" => "Ministère de l’Agriculture",
        "travail" => "Ministère du Travail",
        "education" => "Ministère de l’Éducation nationale",
        "culture" => "Ministère de la Culture",
        "enseignement-sup" => "Ministère de l’Enseignement supérieur et de la Recherche",
        "armees" => "Ministère des Armées",
        "affaires-etrangeres" => "Ministère de l’Europe et des Affaires étrangères",
        "sport" => "Ministère des Sports",
        _ => return None,
    })
}

/// A product as importers and editors produce it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductData {
    pub title: String,
    pub mission: String,
    /// Markdown: Contexte, Problème, Solution, Stratégie…
    pub body: String,
    pub incubator: Option<String>,
    /// The catalogue's organisation ids, in order.
    pub sponsors: Vec<String>,
    pub phases: Vec<PhaseSpan>,
    pub technologies: Vec<TechnologyName>,
    pub themes: Vec<String>,
    pub audiences: Vec<String>,
    pub link: Option<String>,
    pub repository: Option<String>,
    pub stats_url: Option<String>,
    pub accessibility: Option<Accessibility>,
    pub team: Vec<TeamMission>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str) -> Vec<(String, String)> {
        technologies(raw).into_iter().map(|t| (t.name, t.slug)).collect()
    }

    #[test]
    fn spellings_of_one_technology_are_one() {
        let one = |raw: &str| technologies(raw).into_iter().map(|t| t.key).collect::<Vec<_>>();
        assert_eq!(one("Ruby on Rails"), one("rails"));
        assert_eq!(one("ruby on rails"), one("Rails"));
        assert_eq!(one("node"), one("Node.js"));
        assert_eq!(one("nodejs"), one("node.js"));
        assert_eq!(one("next.js"), one("NextJS"));
        assert_ne!(one("ruby"), one("rails"));
        assert_eq!(names("ruby on rails"), vec![("Ruby on Rails".into(), "ruby-on-rails".into())]);
        assert_eq!(names("Scalingo "), vec![("Scalingo".into(), "scalingo".into())]);
        assert_eq!(
            names("C#, C++, C"),
            vec![("C#".into(), "c-sharp".into()), ("C++".into(), "c-plus-plus".into()), ("C".into(), "c".into())]
        );
    }

    #[test]
    fn lists_are_split_and_non_technologies_dropped() {
        let got: Vec<String> =
            technologies("nodejs, typescript, react, nextjs, mongodb").into_iter().map(|t| t.name).collect();
        assert_eq!(got, vec!["Node.js", "TypeScript", "React", "Next.js", "MongoDB"]);
        assert!(technologies("en cours").is_empty());
        assert!(technologies("  ").is_empty());
        assert_eq!(technologies("react, React.js").len(), 1);
    }

    #[test]
    fn team_composition_counts_current_and_past() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let m = |domain: &str, end: &str| TeamMission {
            role: "x".into(),
            domain: domain.into(),
            start: d("2024-01-01"),
            end: d(end),
        };
        let team = [
            m("Développement", "2027-01-01"),
            m("Développement", "2027-01-01"),
            m("Design", "2027-01-01"),
            m("Produit", "2025-01-01"),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        let c = TeamComposition::of(&team, today);
        assert_eq!((c.current, c.past), (3, 1));
        assert_eq!(
            TeamComposition::sentence(c.current, &c.current_by_domain).as_deref(),
            Some("3 personnes : 2 en développement, 1 en design")
        );
        assert_eq!(TeamComposition::sentence(c.past, &c.past_by_domain).as_deref(), Some("1 personne : 1 en produit"));
    }

    #[test]
    fn accessibility_wordings_and_current_phase() {
        assert_eq!(Accessibility::from_label("non conforme"), Some(Accessibility::NonCompliant));
        assert_eq!(Accessibility::from_label("Partiellement conforme "), Some(Accessibility::Partial));
        assert_eq!(Accessibility::from_label("peut-être"), None);
        let d = |y| NaiveDate::from_ymd_opt(y, 1, 1).expect("date");
        let spans = [
            PhaseSpan { phase: Phase::Construction, start: d(2022), end: None },
            PhaseSpan { phase: Phase::Investigation, start: d(2021), end: None },
        ];
        assert_eq!(current_phase(&spans), Some(Phase::Construction));
    }
}
