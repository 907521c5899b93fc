//! `metiers bench`: the search benchmark (issue 3). Generates 1k, 10k and 100k offers from
//! realistic vocabularies, builds the index, and times a fixed mix of searches; with a
//! PostgreSQL URL, times the same searches done the previous platform's way (ILIKE on titles
//! plus counts) on the same offers. Prints a Markdown table for BENCHMARKS.md.

use anyhow::Result;
use search::{FACETS, Facet, OfferDoc, SearchBackend, SearchQuery, Sort, TantivyIndex};
use std::time::Instant;

/// A small deterministic generator: the same offers at every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ROLES: &[&str] = &[
    "Développeuse / Développeur",
    "Développeur·euse",
    "Data scientist",
    "Data engineer",
    "Architecte",
    "Administrateur·rice systèmes",
    "Cheffe / Chef de projet",
    "Product owner",
    "Designer UX",
    "Ingénieur·e sécurité",
    "Technicien·ne support",
    "Analyste",
    "Responsable d’applications",
    "Ingénieur·e cloud",
    "Scrum master",
    "Tech lead",
    "Urbaniste SI",
    "DPO",
];
const STACKS: &[&str] = &[
    "Rust",
    "Java",
    "Python",
    "Go",
    "PHP / Symfony",
    "React",
    "Vue.js",
    "PostgreSQL",
    "Kubernetes",
    "Linux",
    "Spark",
    "Angular",
    "TypeScript",
    "Ansible",
    "Terraform",
    "Windows",
    "réseaux",
    "cybersécurité",
    "cloud souverain",
    "open data",
];
const CONTEXTS: &[&str] = &[
    "services en ligne",
    "applications métier",
    "plateforme de données",
    "système d’information des ressources humaines",
    "sécurité des systèmes",
    "messagerie de l’État",
    "portail des usagers",
    "statistique publique",
    "santé",
    "éducation",
];
const WORDS: &[&str] = &[
    "service",
    "public",
    "numérique",
    "usagers",
    "équipe",
    "projet",
    "agile",
    "accessibilité",
    "qualité",
    "données",
    "sécurité",
    "développement",
    "exploitation",
    "réseau",
    "application",
    "analyse",
    "pilotage",
    "budget",
    "cloud",
    "architecture",
    "tests",
    "documentation",
    "open",
    "source",
    "mission",
    "interministériel",
    "production",
    "supervision",
];

fn generate(n: u64) -> Vec<OfferDoc> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let regions = domain::geo::regions().len() as u64;
    let departements = domain::geo::departements().len() as u64;
    (1..=n)
        .map(|id| {
            let title = format!("{} {} – {}", rng.pick(ROLES), rng.pick(STACKS), rng.pick(CONTEXTS));
            let text: Vec<&str> = (0..80).map(|_| *rng.pick(WORDS)).collect();
            let mut facets: [Vec<u64>; FACETS] = Default::default();
            facets[Facet::Domain.index()] = vec![rng.below(10)];
            facets[Facet::Profession.index()] = vec![rng.below(52)];
            facets[Facet::Contract.index()] = vec![rng.below(7), rng.below(7)];
            facets[Facet::Category.index()] = vec![rng.below(4)];
            facets[Facet::Versant.index()] = vec![rng.below(3)];
            facets[Facet::Region.index()] = vec![rng.below(regions)];
            facets[Facet::Departement.index()] = vec![rng.below(departements)];
            facets[Facet::Remote.index()] = vec![rng.below(3)];
            facets[Facet::Experience.index()] = vec![rng.below(3)];
            facets[Facet::Employer.index()] = vec![rng.below(800)];
            OfferDoc {
                id,
                title,
                profession: rng.pick(ROLES).to_string(),
                employer: format!("Direction {} du numérique", rng.below(800)),
                text: text.join(" "),
                facets,
                salary_max: Some(30_000 + rng.below(70) * 1000),
                published_at: 1_760_000_000 + rng.below(5_000_000) as i64,
                expires_at: None,
            }
        })
        .collect()
}

/// The fixed mix: keyword, keyword with two facets, sort by salary, several words with a
/// filter, and all facet counts of the whole catalogue.
fn mix() -> Vec<(&'static str, SearchQuery)> {
    let base = SearchQuery { limit: 20, now: 1_800_000_000, ..Default::default() };
    let mut two = SearchQuery { text: "data".into(), ..base.clone() };
    two.filters[Facet::Region.index()] = vec![5];
    two.filters[Facet::Category.index()] = vec![1];
    let mut words = SearchQuery { text: "cloud sécurité".into(), ..base.clone() };
    words.filters[Facet::Contract.index()] = vec![2];
    vec![
        ("mot-clé « développeur »", SearchQuery { text: "développeur".into(), ..base.clone() }),
        ("« data » + 2 facettes", two),
        ("tri par salaire", SearchQuery { sort: Sort::Salary, ..base.clone() }),
        ("« cloud sécurité » + contrat", words),
        ("toutes les facettes", SearchQuery { sort: Sort::Date, ..base }),
    ]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_ms(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (percentile(samples, 0.5), percentile(samples, 0.99))
}

pub async fn run(sizes: &[u64], iterations: usize, postgres: Option<&str>) -> Result<()> {
    println!("| offres | construction de l’index | p50 | p99 |");
    println!("|---|---|---|---|");
    let mut last = None;
    for &n in sizes {
        let docs = generate(n);
        let index = TantivyIndex::in_memory()?;
        let start = Instant::now();
        for chunk in docs.chunks(5_000) {
            index.upsert(chunk)?;
        }
        index.commit()?;
        let build = start.elapsed();
        let queries = mix();
        let mut samples = Vec::with_capacity(iterations * queries.len());
        for (_, q) in &queries {
            index.search(q)?; // warm-up
        }
        for _ in 0..iterations {
            for (_, q) in &queries {
                let t = Instant::now();
                let r = index.search(q)?;
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(r);
            }
        }
        let (p50, p99) = time_ms(&mut samples);
        println!("| {n} | {:.2} s | {p50:.3} ms | {p99:.3} ms |", build.as_secs_f64());
        let mut per_query = Vec::new();
        for (name, q) in &queries {
            let mut s: Vec<f64> = (0..iterations)
                .map(|_| {
                    let t = Instant::now();
                    let _ = std::hint::black_box(index.search(q));
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            per_query.push((*name, time_ms(&mut s)));
        }
        last = Some((n, docs, p50, per_query));
    }
    let Some((n, docs, p50, per_query)) = last else { return Ok(()) };
    println!("\nDétail à {n} offres (p50 / p99, ms) :\n");
    for (name, (a, b)) in &per_query {
        println!("- {name} : {a:.3} / {b:.3}");
    }
    let Some(url) = postgres else {
        println!("\n(sans --postgres : pas de comparaison avec ILIKE)");
        return Ok(());
    };
    let db = db::Db::connect(url).await?;
    let rows: Vec<db::bench::Row> = docs
        .iter()
        .map(|d| db::bench::Row {
            id: d.id as i64,
            title: d.title.clone(),
            region: d.facets[Facet::Region.index()][0].to_string(),
            category: d.facets[Facet::Category.index()][0].to_string(),
            contract: d.facets[Facet::Contract.index()][0].to_string(),
            salary: d.salary_max.unwrap_or(0) as i32,
            published: d.published_at,
        })
        .collect();
    db::bench::create(&db, &rows).await?;
    // The same five searches, each a page of 20 plus the count of matches, and for the
    // facets the counts by région and category.
    let old: [&[&str]; 5] = [
        &[
            "SELECT id, title FROM bench_offers WHERE title ILIKE '%développeur%' ORDER BY published DESC LIMIT 20",
            "SELECT count(*) FROM bench_offers WHERE title ILIKE '%développeur%'",
        ],
        &[
            "SELECT id, title FROM bench_offers WHERE title ILIKE '%data%' AND region = '5' AND category = '1' ORDER BY published DESC LIMIT 20",
            "SELECT count(*) FROM bench_offers WHERE title ILIKE '%data%' AND region = '5' AND category = '1'",
        ],
        &["SELECT id, title FROM bench_offers ORDER BY salary DESC LIMIT 20", "SELECT count(*) FROM bench_offers"],
        &[
            "SELECT id, title FROM bench_offers WHERE title ILIKE '%cloud%' AND title ILIKE '%sécurité%' AND contract = '2' ORDER BY published DESC LIMIT 20",
            "SELECT count(*) FROM bench_offers WHERE title ILIKE '%cloud%' AND title ILIKE '%sécurité%' AND contract = '2'",
        ],
        &[
            "SELECT region, count(*) FROM bench_offers GROUP BY region",
            "SELECT category, count(*) FROM bench_offers GROUP BY category",
            "SELECT contract, count(*) FROM bench_offers GROUP BY contract",
        ],
    ];
    let rounds = (iterations / 10).max(5);
    let mut samples = Vec::new();
    for _ in 0..rounds {
        for statements in old {
            let t = Instant::now();
            for sql in statements {
                db::bench::query(&db, sql).await?;
            }
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    db::bench::drop(&db).await?;
    let (old50, old99) = time_ms(&mut samples);
    println!("\nMême mélange à {n} offres, à la manière de l’ancienne plateforme (ILIKE sur PostgreSQL + comptages) :");
    println!("p50 {old50:.2} ms, p99 {old99:.2} ms ; rapport des p50 : {:.0}×", old50 / p50);
    Ok(())
}

/// `metiers bench --products N`: the products' search (`/projets`) at N generated products, with
/// every facet counted at each query.
pub fn products(n: u64, iterations: usize) -> Result<()> {
    use search::products::{PRODUCT_FACETS, ProductDoc, ProductFacet, ProductIndex, ProductQuery, ProductSort};
    const WORDS: &[&str] = &[
        "accessibilité",
        "données",
        "santé",
        "emploi",
        "territoires",
        "logement",
        "écologie",
        "justice",
        "démarches",
        "collectivités",
        "entreprises",
        "formation",
        "jeunesse",
        "transports",
        "sécurité",
        "agriculture",
        "usagers",
        "ouvertes",
        "simplifier",
        "accompagner",
    ];
    let mut rng = Rng(0x5eed_cafe);
    let docs: Vec<ProductDoc> = (0..n)
        .map(|i| {
            let mut facets: [Vec<u64>; PRODUCT_FACETS] = Default::default();
            facets[ProductFacet::Ministry.index()] = vec![rng.below(16)];
            facets[ProductFacet::Employer.index()] = vec![rng.below(150), rng.below(150)];
            facets[ProductFacet::Phase.index()] = vec![rng.below(8)];
            facets[ProductFacet::Technology.index()] = (0..1 + rng.below(5)).map(|_| rng.below(300)).collect();
            facets[ProductFacet::Theme.index()] = vec![rng.below(90), rng.below(90)];
            facets[ProductFacet::Audience.index()] = vec![rng.below(40)];
            facets[ProductFacet::Method.index()] = (0..rng.below(3)).collect();
            let mut text = |k: u64| (0..k).map(|_| *rng.pick(WORDS)).collect::<Vec<_>>().join(" ");
            ProductDoc {
                id: i,
                title: text(3),
                mission: text(14),
                tags: text(5),
                employer: text(2),
                text: text(120),
                facets,
                activity_at: i as i64,
                name_rank: (i * 7919 % n.max(1)) as u32,
            }
        })
        .collect();
    let start = Instant::now();
    let index = ProductIndex::build(&docs)?;
    let build = start.elapsed();
    let q = |text: &str| ProductQuery { text: text.into(), limit: 20, ..Default::default() };
    let mut filtered = q("");
    filtered.filters[ProductFacet::Technology.index()] = vec![3, 7];
    filtered.filters[ProductFacet::Phase.index()] = vec![2];
    let mut by_name = q("");
    by_name.sort = ProductSort::Name;
    let mut words_and_filter = q("données santé");
    words_and_filter.filters[ProductFacet::Ministry.index()] = vec![1, 2, 3];
    let queries = [
        ("tous", q("")),
        ("« accessibilité »", q("accessibilité")),
        ("techno + phase", filtered),
        ("par nom", by_name),
        ("mots + ministères", words_and_filter),
    ];
    let mut samples = Vec::new();
    for _ in 0..iterations {
        for (_, query) in &queries {
            let t = Instant::now();
            std::hint::black_box(index.search(query)?);
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let (p50, p99) = time_ms(&mut samples);
    println!("| produits | construction de l’index | p50 | p99 |");
    println!("|---|---|---|---|");
    println!("| {n} | {:.2} s | {p50:.3} ms | {p99:.3} ms |", build.as_secs_f64());
    Ok(())
}
