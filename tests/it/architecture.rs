//! Rules of the code base that the compiler does not check.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One clock: only `domain::SystemClock` reads the system time. Anything else would judge
/// expiry by another "now" than the tests' fixed clock (the 2026-11-25 session bug).
#[test]
fn only_the_system_clock_reads_the_time() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for krate in std::fs::read_dir(root.join("crates")).expect("crates folder") {
        let src = krate.expect("crate").path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(files.len() > 50, "the source tree was not found ({} files)", files.len());
    let allowed = root.join("crates/domain/src/clock.rs");
    let mut found = Vec::new();
    for file in files.iter().filter(|f| **f != allowed) {
        let text = std::fs::read_to_string(file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if ["Utc::now(", "Local::now(", "SystemTime::now(", "now_utc("].iter().any(|p| code.contains(p)) {
                found.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(&root).unwrap_or(file).display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(found.is_empty(), "the system time is read outside domain::SystemClock:\n{}", found.join("\n"));
}

/// The Rust files under `crates/web/src/{dir}`, with their text and their path from there.
fn web_sources(dir: &str) -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/web/src");
    let mut files = Vec::new();
    rust_files(&root.join(dir), &mut files);
    files
        .into_iter()
        .map(|f| {
            let name = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
            (name, std::fs::read_to_string(&f).expect("readable source"))
        })
        .collect()
}

/// One unit of work: a handler never opens a transaction; writes go through a service
/// (`web::services::Tx` audits, queues the e-mails and drops the caches). Only the service
/// layer, the periodic jobs and the views writer open their own (clippy refuses the rest too).
#[test]
fn transactions_start_in_the_service_layer() {
    let files = web_sources("");
    assert!(files.len() > 40, "the web sources were not found ({} files)", files.len());
    let allowed = ["services/mod.rs", "jobs.rs", "views.rs"];
    let found: Vec<String> = files
        .iter()
        .filter(|(name, _)| !allowed.contains(&name.as_str()))
        .flat_map(|(name, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.split("//").next().unwrap_or("").contains(".begin().await"))
                .map(move |(n, l)| format!("{name}:{}: {}", n + 1, l.trim()))
        })
        .collect();
    assert!(found.is_empty(), "a transaction opened outside the service layer:\n{}", found.join("\n"));
}

/// Pages by audience do not reach into each other: what two audiences share lives in the
/// services, the widgets or the search (the cycle candidate → agent sign-in → back-office →
/// candidate is gone and must not come back).
#[test]
fn audiences_do_not_depend_on_each_other() {
    let rules = [
        ("candidate", "crate::backoffice::"),
        ("backoffice", "crate::candidate::"),
        ("services", "crate::backoffice::"),
        ("services", "crate::candidate::"),
        ("public", "crate::candidate::"),
        ("public", "crate::backoffice::"),
    ];
    let mut found = Vec::new();
    for (dir, forbidden) in rules {
        let files = web_sources(dir);
        assert!(!files.is_empty(), "no sources under crates/web/src/{dir}");
        for (name, text) in files {
            for (n, line) in text.lines().enumerate() {
                if line.split("//").next().unwrap_or("").contains(forbidden) {
                    found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    for (name, text) in web_sources("").into_iter().filter(|(n, _)| n == "agent_signin.rs") {
        if text.contains("crate::backoffice::") {
            found.push(format!("{name}: uses crate::backoffice"));
        }
    }
    assert!(found.is_empty(), "an audience reaches into another:\n{}", found.join("\n"));
}
