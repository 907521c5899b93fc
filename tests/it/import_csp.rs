//! Import of the Choisir le service public open-data CSV, on fixtures written by the project
//! that cover each quirk of the format and each kind of bad row.

use crate::support::{TestDb, db_test, fixture, today};
use db::entity::{institution, offer};
use domain::offer::Source;
use import::{ImportOptions, ImportReport};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn import_file(db: &TestDb, name: &str, opts: ImportOptions) -> ImportReport {
    import::run(db, &fixture(name), &opts, &domain::FixedClock(today())).await.expect("import runs")
}

async fn offer_by_ref(db: &TestDb, reference: &str) -> offer::Model {
    db::offers::by_source_ref(db.conn(), Source::Csp, reference).await.expect("offer imported")
}

fn rejections(report: &ImportReport) -> Vec<(String, String)> {
    report.rejected.iter().map(|r| (r.position.clone(), r.reason.clone())).collect()
}

db_test!(bad_rows_are_reported_and_the_rest_imported, |db| {
    let report = import_file(&db, "csp/offres-datagouv-20261116.csv", ImportOptions::default()).await;
    assert_eq!(report.format, "csp-csv", "format detected from the header");
    assert_eq!((report.read, report.created, report.updated, report.unchanged), (15, 8, 0, 0));
    assert!(!report.truncated);
    assert_eq!(
        rejections(&report),
        vec![
            ("ligne 12".into(), "référence absente (colonne « Référence »)".into()),
            ("ligne 13".into(), "intitulé du poste absent (colonne « Intitulé du poste »)".into()),
            ("ligne 14".into(), "date illisible « 45/13/2026 » (format attendu jj/mm/aaaa)".into()),
            ("ligne 15".into(), "localisation inconnue « Atlantide (999) »".into()),
            ("ligne 16".into(), "référence O0752026110001 déjà lue (ligne 2) : doublon ignoré".into()),
            ("ligne 17".into(), "4 colonnes au lieu de 30".into()),
            ("ligne 18".into(), "caractères invalides : le fichier doit être encodé en UTF-8".into()),
        ]
    );
    // Nothing of a rejected row was written.
    let all = offer::Entity::find().filter(offer::Column::Source.eq("csp")).all(db.conn()).await.expect("offers");
    assert_eq!(all.len(), 8);
    assert!(all.iter().all(|o| !o.title.contains("Doublon") && !o.title.contains("Lieu inconnu")));
    // The row after the bad ones was imported.
    assert_eq!(offer_by_ref(&db, "O0312026110014").await.title, "Architecte cloud");
    // The report is kept for administrators.
    let runs = db::runs::latest(db.conn(), 1).await.expect("runs");
    assert_eq!((runs[0].created, runs[0].rejected, runs[0].format.as_str()), (8, 7, "csp-csv"));
    assert!(runs[0].report.contains("ligne 17"));
});

db_test!(each_quirk_of_the_format_is_mapped, |db| {
    import_file(&db, "csp/offres-datagouv-20261116.csv", ImportOptions::default()).await;

    // Multi-line quoted fields, doubled quotes, "Paris (75)", 31/12/9999, languages.
    let o = offer_by_ref(&db, "O0752026110001").await;
    assert_eq!(o.title, "Développeuse / Développeur back-end Rust (F/H)");
    assert_eq!(
        o.profile.as_deref(),
        Some("Vous maîtrisez Rust ; vous aimez les tests.\nVous écrivez une documentation \"claire\" et utile.")
    );
    assert_eq!(o.published_at.to_rfc3339(), "2026-11-01T23:00:00+00:00", "02/11/2026 in Paris time");
    assert_eq!(
        o.expires_at,
        Some(o.published_at + chrono::Duration::days(domain::offer::IMPORTED_OPEN_DAYS)),
        "31/12/9999 means no end date: an imported offer then closes 90 days after its publication"
    );
    assert_eq!((o.departement_code.as_deref(), o.region_code.as_deref()), (Some("75"), Some("11")));
    assert_eq!((o.commune_code.as_deref(), o.postal_code.as_deref()), (Some("75056"), Some("75011")));
    assert_eq!(o.versant.as_deref(), Some("FPE"));
    assert_eq!(o.category.as_deref(), Some("A"));
    assert_eq!(o.nature.as_deref(), Some("titulaires_et_contractuels"));
    assert_eq!(o.duration_months, Some(36));
    assert_eq!(o.education.as_deref(), Some("6"));
    assert_eq!(o.experience.as_deref(), Some("confirme"));
    assert_eq!(o.remote.as_deref(), Some("partiel"));
    assert_eq!(o.working_time.as_deref(), Some("temps_complet"));
    assert_eq!(o.vacancy.as_deref(), Some("vacant"));
    assert_eq!(o.languages.as_deref(), Some("Anglais (B2)"));
    assert_eq!(o.how_to_apply.as_deref(), Some("CV et lettre de motivation"));
    assert_eq!(db::offers::contract_types(db.conn(), o.id).await.expect("contracts"), vec!["cdd"]);
    let employer =
        institution::Entity::find_by_id(o.institution_id).one(db.conn()).await.expect("q").expect("employer");
    assert_eq!(employer.name, "Direction du numérique du ministère de l'Intérieur", "first line of « Employeur »");
    assert_eq!(employer.ministry.as_deref(), Some("Ministère de l'Intérieur et des Outre-mer"));
    let profession = db::entity::profession::Entity::find_by_id(o.profession_id.expect("classified"))
        .one(db.conn())
        .await
        .expect("q")
        .expect("profession");
    assert_eq!(profession.slug, "developpeuse-developpeur");

    // Corse-du-Sud (2A) and an overseas département.
    let o = offer_by_ref(&db, "O2A2026110002").await;
    assert_eq!((o.departement_code.as_deref(), o.region_code.as_deref()), (Some("2A"), Some("94")));
    assert_eq!(o.city.as_deref(), Some("Ajaccio"));
    assert_eq!(
        (o.category.as_deref(), o.remote.as_deref(), o.education.as_deref()),
        (Some("B"), Some("non"), Some("5"))
    );
    assert_eq!(o.experience.as_deref(), Some("debutant"));
    let o = offer_by_ref(&db, "O9732026110003").await;
    assert_eq!((o.departement_code.as_deref(), o.region_code.as_deref()), (Some("973"), Some("03")));
    assert_eq!((o.versant.as_deref(), o.category.as_deref()), (Some("FPT"), Some("C")));
    assert_eq!((o.nature.as_deref(), o.working_time.as_deref()), (Some("contractuels"), Some("temps_non_complet")));

    // A ";" inside quotes, hospital versant, A+, civil servants only, particularities.
    let o = offer_by_ref(&db, "O0692026110004").await;
    assert_eq!(o.title, "Data scientist ; statistiques \"publiques\"");
    assert_eq!((o.versant.as_deref(), o.category.as_deref()), (Some("FPH"), Some("A+")));
    assert_eq!(o.nature.as_deref(), Some("titulaires"));
    assert_eq!(db::offers::contract_types(db.conn(), o.id).await.expect("contracts"), vec!["fonctionnaire"]);
    assert_eq!((o.education.as_deref(), o.experience.as_deref()), (Some("7"), Some("expert")));
    assert_eq!(
        o.particularities.as_deref(),
        Some("Management : Non\nSpécialisation : Statistique\nAvis de vacance au Journal officiel : Oui")
    );
    assert_eq!(o.commune_code.as_deref(), Some("69123"));

    // Level 3 education; a CDI; a start date; an address that is only a commune's name.
    assert_eq!(offer_by_ref(&db, "O0592026110005").await.education.as_deref(), Some("3"));
    let o = offer_by_ref(&db, "O0352026110006").await;
    assert_eq!(db::offers::contract_types(db.conn(), o.id).await.expect("contracts"), vec!["cdi"]);
    assert_eq!(o.starts_on.map(|d| d.to_string()).as_deref(), Some("2027-01-01"));
    let o = offer_by_ref(&db, "O0132026110007").await;
    assert_eq!((o.commune_code.as_deref(), o.city.as_deref()), (Some("13055"), Some("Marseille")));
    assert_eq!(o.expires_at.map(|d| d.to_rfc3339()).as_deref(), Some("2026-12-15T23:00:00+00:00"), "open all of 15/12");
});

db_test!(a_second_run_changes_nothing_and_a_changed_row_updates_its_offer, |db| {
    let first = import_file(&db, "csp/offres-datagouv-20261116.csv", ImportOptions::default()).await;
    assert_eq!(first.created, 8);
    let before = offer_by_ref(&db, "O0352026110006").await;

    let again = import_file(&db, "csp/offres-datagouv-20261116.csv", ImportOptions::default()).await;
    assert_eq!((again.created, again.updated, again.unchanged, again.rejected.len()), (0, 0, 8, 7));

    // The next week's file (with a BOM and CRLF line ends): one offer retitled, one gone.
    let opts = ImportOptions { full: true, ..Default::default() };
    let next = import_file(&db, "csp/offres-datagouv-20261123.csv", opts).await;
    assert_eq!((next.read, next.created, next.updated, next.unchanged, next.archived), (7, 0, 1, 6, 1));
    assert!(next.rejected.is_empty(), "{:?}", next.rejected);
    let after = offer_by_ref(&db, "O0352026110006").await;
    assert_eq!(after.title, "Product owner des services numériques de la Région");
    assert_eq!((after.id, after.slug.as_str()), (before.id, before.slug.as_str()), "same offer, same URL");
    // Archived, never deleted.
    let gone = offer_by_ref(&db, "O2A2026110002").await;
    assert_eq!(gone.state, "archived");
    assert_eq!(gone.title, "Administrateur systèmes et réseaux");
});

db_test!(a_truncated_file_archives_nothing, |db| {
    import_file(&db, "csp/offres-datagouv-20261116.csv", ImportOptions::default()).await;
    let opts = ImportOptions { full: true, ..Default::default() };
    let report = import_file(&db, "csp/offres-datagouv-tronque.csv", opts).await;
    assert!(report.truncated);
    assert_eq!((report.read, report.unchanged, report.archived), (1, 1, 0));
    assert_eq!(
        rejections(&report),
        vec![(
            "ligne 6".into(),
            "dernière ligne incomplète (2 colonnes au lieu de 30) : le fichier semble tronqué".into()
        )]
    );
    assert!(report.summary().contains("aucune offre n’a été archivée"));
    let open = db::offers::count_open(db.conn(), today()).await.expect("count");
    assert_eq!(open, 8);
});

db_test!(numerique_only_keeps_the_digital_professions, |db| {
    let opts = ImportOptions { numerique_only: true, ..Default::default() };
    let report = import_file(&db, "csp/offres-datagouv-20261116.csv", opts).await;
    // The payroll clerk is not a digital profession, nor is the duplicate without one; the
    // unreadable rows are still reported.
    assert_eq!((report.created, report.skipped, report.rejected.len()), (7, 2, 6));
    assert!(db::offers::by_source_ref(db.conn(), Source::Csp, "O0592026110005").await.is_err());
});

db_test!(offers_imported_before_without_a_deadline_get_one, |db| {
    import_file(&db, "csp/offres-datagouv-20261116.csv", ImportOptions::default()).await;
    // As an earlier version stored it: no deadline at all.
    let o = offer_by_ref(&db, "O0752026110001").await;
    offer::Entity::update_many()
        .col_expr(
            offer::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(offer::Column::Id.eq(o.id))
        .exec(db.conn())
        .await
        .expect("reset");
    // The data migration runs again, with those after it (its own down step is empty).
    use sea_orm_migration::MigratorTrait;
    let all = db::migration::Migrator::migrations();
    let at = all.iter().position(|m| m.name() == "m20261202_000012_imported_deadlines").expect("the migration");
    let since = u32::try_from(all.len() - at).expect("count");
    db::migration::Migrator::down(db.conn(), Some(since)).await.expect("down");
    db::migration::Migrator::up(db.conn(), None).await.expect("up");
    let o = offer_by_ref(&db, "O0752026110001").await;
    assert_eq!(o.expires_at, Some(o.published_at + chrono::Duration::days(domain::offer::IMPORTED_OPEN_DAYS)));
});
