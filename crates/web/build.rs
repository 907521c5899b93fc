//! Installs the front-end packages (DSFR, DSFR charts, htmx) with `npm ci` when they are missing, so that a
//! plain `cargo run` works on a fresh clone, and derives the version segment of static URLs
//! from the lock file and our own static files.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let root = manifest.join("../..");
    let lock = root.join("package-lock.json");
    println!("cargo:rerun-if-changed={}", lock.display());
    println!("cargo:rerun-if-changed={}", root.join("package.json").display());
    println!("cargo:rerun-if-changed={}", manifest.join("static").display());
    println!("cargo:rerun-if-changed={}", root.join("node_modules/@gouvfr/dsfr/dist/dsfr.min.css").display());

    let marker = root.join("node_modules/@gouvfr/dsfr/dist/dsfr.min.css");
    let htmx = root.join("node_modules/htmx.org/dist/htmx.min.js");
    let chart = root.join("node_modules/@gouvfr/dsfr-chart/dist/DSFRChart/DSFRChart.js");
    if !marker.exists() || !htmx.exists() || !chart.exists() {
        let status = Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&root).status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!("`npm ci` failed ({s}): the DSFR and htmx packages are needed to build the site"),
            Err(e) => panic!("cannot run `npm ci` ({e}): install Node.js and npm to build the site"),
        }
    }

    let mut hasher = Sha256::new();
    hasher.update(std::fs::read(&lock).unwrap_or_default());
    let mut own: Vec<PathBuf> = std::fs::read_dir(manifest.join("static"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    own.sort();
    for path in own {
        hash_file(&mut hasher, &path);
    }
    let digest = hasher.finalize();
    let version: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=ASSET_VERSION={version}");
}

fn hash_file(hasher: &mut Sha256, path: &Path) {
    hasher.update(path.file_name().map(|n| n.as_encoded_bytes().to_vec()).unwrap_or_default());
    hasher.update(std::fs::read(path).unwrap_or_default());
}
