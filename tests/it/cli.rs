//! The `metiers` binary: defaults, environment variables, messages and exit codes.

use crate::support::fixture;
use std::process::{Command, Output};

fn metiers(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_metiers"))
        .args(args)
        .env("DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("PUBLIC_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("metiers runs")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn migrate_creates_the_sqlite_database_under_the_data_dir() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("données");
    let out = metiers(&data, &["migrate"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(data.join("metiers.db").is_file());
    assert_eq!(text(&out).0, "Base de données à jour.\n");
}

#[test]
fn import_prints_a_summary_with_every_rejected_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = fixture("csp/offres-datagouv-20261116.csv");
    let out = metiers(dir.path(), &["import", file.to_str().expect("utf-8 path")]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.starts_with(
            "Import csp-csv terminé : 15 lues, 8 créées, 0 mises à jour, 0 inchangées, 0 archivées, 7 rejetées."
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\n  ligne 17 : 4 colonnes au lieu de 30\n"), "{stdout}");
    let out = metiers(dir.path(), &["import", "--format", "csp-csv", "--full", file.to_str().expect("utf-8 path")]);
    assert!(text(&out).0.contains("0 créées, 0 mises à jour, 8 inchangées, 0 archivées"), "{:?}", text(&out));
}

#[test]
fn bad_arguments_get_a_french_message_and_status_1() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = fixture("csp/offres-datagouv-20261116.csv");
    for (args, message) in [
        (vec!["import", "--format", "xml", file.to_str().expect("path")], "format inconnu « xml »"),
        (vec!["import", "/nulle/part.csv"], "fichier introuvable : /nulle/part.csv"),
        (vec!["user", "add", "--role", "chef", "a@b.fr"], "valeur inconnue « chef » pour le rôle"),
        (vec!["user", "add", "pas-une-adresse"], "adresse électronique invalide"),
        (vec!["user", "set-role", "personne@exemple.fr", "recruiter"], "aucun compte pour personne@exemple.fr"),
    ] {
        let out = metiers(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let (_, stderr) = text(&out);
        assert!(stderr.starts_with("Erreur : ") && stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn users_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = metiers(dir.path(), &["user", "add", "--role", "administrator", "Admin@Exemple.fr"]);
    let stdout = text(&out).0;
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("Compte créé : admin@exemple.fr (Administrateur·rice)."));
    let link = lines.next().expect("a sign-in link");
    assert!(
        link.starts_with("Lien de connexion à usage unique, valable 24 heures : http://127.0.0.1:8080/connexion/lien/"),
        "{link}"
    );
    assert!(link.len() > 100, "a long random token: {link}");
    // The link follows the server's address: PUBLIC_URL, else where it listens.
    let out = Command::new(env!("CARGO_BIN_EXE_metiers"))
        .args(["user", "add", "agent@exemple.fr"])
        .env("DATA_DIR", dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("PUBLIC_URL")
        .env("BIND", "127.0.0.1:3000")
        .output()
        .expect("metiers runs");
    assert!(text(&out).0.contains(" : http://127.0.0.1:3000/connexion/lien/"), "{}", text(&out).0);
    let out = Command::new(env!("CARGO_BIN_EXE_metiers"))
        .args(["user", "add", "agente@exemple.fr"])
        .env("DATA_DIR", dir.path())
        .env_remove("DATABASE_URL")
        .env("PUBLIC_URL", "https://metiers.numerique.gouv.fr/")
        .output()
        .expect("metiers runs");
    assert!(text(&out).0.contains(" : https://metiers.numerique.gouv.fr/connexion/lien/"), "{}", text(&out).0);
    let again = metiers(dir.path(), &["user", "add", "admin@exemple.fr"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).1.contains("un compte existe déjà pour admin@exemple.fr"));
    let out = metiers(dir.path(), &["user", "set-role", "admin@exemple.fr", "recruiter"]);
    assert_eq!(text(&out).0, "Rôle de admin@exemple.fr : Recruteur·euse.\n");
    let out = metiers(dir.path(), &["user", "list"]);
    assert_eq!(
        text(&out).0,
        "admin@exemple.fr\trecruiter\tactif\nagent@exemple.fr\tcandidate\tactif\nagente@exemple.fr\tcandidate\tactif\n"
    );
}
