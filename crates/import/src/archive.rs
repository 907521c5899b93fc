//! The catalogue uploaded as a ZIP archive (administrators, `/admin/imports`): unpacked into a
//! private folder, then imported like the folder given to `metiers import`.
//!
//! An upload is untrusted: every entry's path must stay inside the folder (no `..`, no
//! absolute path, no link), and the unpacked size and the number of files are bounded by what
//! is actually read, not by what the archive's headers claim (a "ZIP bomb" stops there).

use crate::run::ImportError;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

/// How much an archive may unpack to. The real catalogue is about 5 MB in 800 files.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_files: usize,
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_files: 5_000, max_bytes: 60 * 1024 * 1024 }
    }
}

fn refused(msg: impl Into<String>) -> ImportError {
    ImportError::File(msg.into())
}

/// Unpacks `bytes` into `into` (an empty folder) and returns the catalogue's folder: `into`
/// itself, or the one folder the archive wraps it in (as a download of a repository does).
pub fn unpack_catalogue(bytes: &[u8], into: &Path, limits: Limits) -> Result<PathBuf, ImportError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| refused(format!("Ce fichier n’est pas une archive ZIP lisible ({e}).")))?;
    if archive.len() > limits.max_files {
        return Err(refused(format!("L’archive contient {} fichiers : {} au plus.", archive.len(), limits.max_files)));
    }
    let mut budget = limits.max_bytes;
    for i in 0..archive.len() {
        let mut entry =
            archive.by_index(i).map_err(|e| refused(format!("Entrée {} de l’archive illisible ({e}).", i + 1)))?;
        let shown = entry.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("n° {}", i + 1));
        if entry.encrypted() {
            return Err(refused(format!("« {shown} » est chiffré : envoyez une archive sans mot de passe.")));
        }
        if entry.is_symlink() {
            return Err(refused(format!("« {shown} » est un lien symbolique : l’archive est refusée.")));
        }
        let Some(relative) = entry.enclosed_name() else {
            return Err(refused(format!("« {shown} » sort du dossier de l’archive : l’archive est refusée.")));
        };
        let path = into.join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)
                .map_err(|e| refused(format!("Dossier « {shown} » impossible à créer ({e}).")))?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| refused(format!("Dossier de « {shown} » impossible à créer ({e}).")))?;
        }
        let mut out =
            std::fs::File::create(&path).map_err(|e| refused(format!("« {shown} » impossible à écrire ({e}).")))?;
        // One byte past the budget tells a file that would exceed it.
        let mut limited = (&mut entry).take(budget + 1);
        let written = std::io::copy(&mut limited, &mut out)
            .map_err(|e| refused(format!("« {shown} » illisible dans l’archive ({e}).")))?;
        if written > budget {
            return Err(refused(format!(
                "L’archive décompressée dépasse {} Mo : importez le catalogue en ligne de commande (metiers import).",
                limits.max_bytes / (1024 * 1024)
            )));
        }
        budget -= written;
        out.flush().map_err(|e| refused(format!("« {shown} » impossible à écrire ({e}).")))?;
    }
    root_of(into)
}

/// The catalogue's folder: the one holding `startups/`, at the top or inside a single folder.
fn root_of(into: &Path) -> Result<PathBuf, ImportError> {
    if crate::betagouv::is_catalogue(into) {
        return Ok(into.to_path_buf());
    }
    let dirs: Vec<PathBuf> = std::fs::read_dir(into)
        .map_err(|e| refused(format!("Archive dépaquetée illisible ({e}).")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    match dirs.as_slice() {
        [only] if crate::betagouv::is_catalogue(only) => Ok(only.clone()),
        _ => Err(refused(
            "L’archive ne contient pas de dossier startups/ (à sa racine ou dans son unique dossier) : \
             ce n’est pas le catalogue beta.gouv.fr.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zip::write::SimpleFileOptions;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            w.start_file(*name, SimpleFileOptions::default()).expect("entry");
            w.write_all(bytes).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    fn message(r: Result<PathBuf, ImportError>) -> String {
        match r {
            Err(ImportError::File(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_catalogue_is_found_at_the_top_or_in_one_folder() {
        let dir = tempfile::tempdir().expect("dir");
        let top = archive(&[("startups/a.md", b"---\ntitle: A\n---\n"), ("team.json", b"{}")]);
        assert_eq!(unpack_catalogue(&top, dir.path(), Limits::default()).expect("unpacked"), dir.path());
        let dir = tempfile::tempdir().expect("dir");
        let wrapped = archive(&[("beta-main/startups/a.md", b"x"), ("beta-main/organisations/o.md", b"y")]);
        let root = unpack_catalogue(&wrapped, dir.path(), Limits::default()).expect("unpacked");
        assert_eq!(root, dir.path().join("beta-main"));
        assert_eq!(std::fs::read(root.join("startups/a.md")).expect("file"), b"x");
    }

    #[test]
    fn hostile_archives_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().expect("dir");
        // The writer cleans names, so the hostile one is put in the bytes afterwards (a name of
        // the same length, in the local header and in the central directory).
        let mut slip = archive(&[("startups/a.md", b"x"), ("xx/xx/evil.md", b"x")]);
        let at: Vec<usize> = slip.windows(6).enumerate().filter(|(_, w)| w == b"xx/xx/").map(|(i, _)| i).collect();
        assert_eq!(at.len(), 2);
        for i in at {
            slip[i..i + 6].copy_from_slice(b"../../");
        }
        assert!(
            message(unpack_catalogue(&slip, dir.path(), Limits::default()))
                .contains("« ../../evil.md » sort du dossier")
        );
        assert!(!dir.path().parent().expect("parent").join("evil.md").exists());

        let dir = tempfile::tempdir().expect("dir");
        let big = archive(&[("startups/a.md", &[b'a'; 2_000])]);
        let small = Limits { max_files: 10, max_bytes: 1_000 };
        assert!(message(unpack_catalogue(&big, dir.path(), small)).contains("dépasse"));
        let many = archive(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        assert!(
            message(unpack_catalogue(&many, dir.path(), Limits { max_files: 2, max_bytes: 100 }))
                .contains("3 fichiers")
        );

        let dir = tempfile::tempdir().expect("dir");
        let other = archive(&[("offres.csv", b"a;b")]);
        assert!(message(unpack_catalogue(&other, dir.path(), Limits::default())).contains("pas de dossier startups/"));
        assert!(
            message(unpack_catalogue(b"PK pas une archive", dir.path(), Limits::default()))
                .contains("pas une archive ZIP")
        );
    }
}
