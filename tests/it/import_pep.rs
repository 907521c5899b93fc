//! Import of the real PEP exports of ../shared/data/pep (skipped, with a message, without it).

use crate::support::{TestDb, at, db_test, shared_data, today};
use chrono::{NaiveDate, NaiveDateTime};
use db::entity::{institution, offer};
use domain::offer::Source;
use import::{ImportError, ImportOptions, ImportReport};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashSet;
use std::path::Path;

const JSON: &str = "pep/pep-talentsoft-offers-2021-09.json";
const CSV: &str = "pep/pep-talentsoft-offers-2021-01.csv";

async fn import(db: &TestDb, file: &Path, opts: ImportOptions) -> ImportReport {
    import::run(db, file, &opts, &domain::FixedClock(today())).await.expect("import runs")
}

async fn by_ref(db: &TestDb, reference: &str) -> offer::Model {
    db::offers::by_source_ref(db.conn(), Source::Pep, reference).await.expect("offer imported")
}

async fn employer(db: &TestDb, o: &offer::Model) -> institution::Model {
    institution::Entity::find_by_id(o.institution_id).one(db.conn()).await.expect("query").expect("employer")
}

db_test!(the_talentsoft_json_export_imports_and_a_second_run_changes_nothing, |db| {
    let Some(data) = shared_data() else { return };
    let file = data.join(JSON);
    let report = import(&db, &file, ImportOptions::default()).await;
    assert_eq!(report.format, "pep-json");
    // 154 rows, one of which repeats the reference 2021-690730 with the same content.
    assert_eq!((report.read, report.created, report.updated, report.unchanged), (154, 153, 0, 0));
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].position, "élément 35");
    assert_eq!(report.rejected[0].reason, "référence 2021-690730 déjà lue (élément 34) : doublon ignoré");
    assert_eq!(offer::Entity::find().count(db.conn()).await.expect("count"), 153);

    let again = import(&db, &file, ImportOptions::default()).await;
    assert_eq!((again.created, again.updated, again.unchanged, again.archived), (0, 0, 153, 0));

    // Sampled values.
    let o = by_ref(&db, "MEF_2021-4760").await;
    assert_eq!(o.title, "DGCCRF-Réglementation RH, déontologie, contentieux, discipline H/F");
    assert_eq!(
        employer(&db, &o).await.name,
        "Direction générale de la concurrence, de la consommation et de la répression des fraudes (DGCCRF)"
    );
    assert_eq!(o.state, "published");
    assert_eq!(o.published_at.to_rfc3339(), "2021-08-27T13:21:26+00:00");
    assert_eq!(o.expires_at.map(|d| d.to_rfc3339()).as_deref(), Some("2021-12-24T23:00:00+00:00"));
    assert_eq!(o.starts_on, NaiveDate::from_ymd_opt(2021, 9, 1));
    assert_eq!((o.category.as_deref(), o.versant.as_deref()), (Some("A"), Some("FPE")));
    assert_eq!(o.nature.as_deref(), Some("titulaires_et_contractuels"));
    assert_eq!((o.departement_code.as_deref(), o.region_code.as_deref()), (Some("75"), Some("11")));
    assert_eq!((o.postal_code.as_deref(), o.commune_code.as_deref()), (Some("75013"), Some("75056")));
    assert_eq!((o.experience.as_deref(), o.vacancy.as_deref()), (Some("confirme"), Some("vacant")));
    assert_eq!(o.profession_label.as_deref(), Some("Rédactrice/ Rédacteur juridique"));
    assert_eq!(o.profession_id, None, "not a digital profession");
    assert_eq!(o.contact_email.as_deref(), Some("contact-001@dgccrf.finances.gouv.fr"));
    assert_eq!(o.source_url.as_deref(), Some("https://choisirleservicepublic.gouv.fr/offre-emploi/MEF_2021-4760/"));
    assert!(o.mission.as_deref().is_some_and(|m| m.starts_with("Le ou la titulaire du poste sera chargé(e)")));

    let o = by_ref(&db, "2021-656136").await;
    assert_eq!(o.title, "Administrateur Systèmes F/H");
    assert_eq!(employer(&db, &o).await.name, "Université de Limoges");
    assert_eq!((o.departement_code.as_deref(), o.region_code.as_deref()), (Some("87"), Some("75")));
    assert_eq!(o.education.as_deref(), Some("6"));
    assert!(o.profession_id.is_some(), "a digital profession");
    assert_eq!(
        db::offers::contract_types(db.conn(), o.id).await.expect("contracts"),
        vec!["cdd".to_string(), "fonctionnaire".to_string()]
    );

    // Comma decimals.
    let with_coords = offer::Entity::find()
        .filter(offer::Column::Latitude.is_not_null())
        .all(db.conn())
        .await
        .expect("offers with coordinates");
    assert!(!with_coords.is_empty());
    assert!(with_coords.iter().all(|o| o.latitude.is_some_and(|l| (-22.0..52.0).contains(&l))));

    // Employers are deduplicated by name: 80 distinct names in the file.
    assert_eq!(institution::Entity::find().count(db.conn()).await.expect("count"), 80);
});

/// The offers open at `moment` (Paris time) according to the file itself, computed without
/// the importer: until their end of publication, or without one until 90 days after their
/// first publication (`domain::offer::IMPORTED_OPEN_DAYS`).
fn open_in_file(json: &str, moment: NaiveDateTime) -> usize {
    let rows: Vec<serde_json::Value> = serde_json::from_str(json).expect("valid JSON");
    let mut seen = HashSet::new();
    let parse = |s: &str| NaiveDateTime::parse_from_str(s, "%d/%m/%Y %H:%M:%S").ok();
    rows.iter()
        .filter(|r| seen.insert(r["Offer_Reference_"].as_str().unwrap_or_default().to_string()))
        .filter(|r| {
            let end = r["OF_CustomFields_Date1_"].as_str().unwrap_or_default();
            if end.is_empty() {
                let published =
                    parse(r["FirstPublicationDate"].as_str().unwrap_or_default()).expect("publication date");
                published + chrono::Duration::days(90) > moment
            } else {
                let date = end.split(' ').next().unwrap_or_default();
                NaiveDate::parse_from_str(date, "%d/%m/%Y").is_ok_and(|d| d >= moment.date())
            }
        })
        .count()
}

db_test!(expiry_follows_the_clock_not_the_data, |db| {
    let Some(data) = shared_data() else { return };
    let file = data.join(JSON);
    import(&db, &file, ImportOptions::default()).await;
    let json = std::fs::read_to_string(&file).expect("read file");
    // Noon UTC on 23 September 2021 is 14:00 in Paris (summer time).
    let then = NaiveDate::from_ymd_opt(2021, 9, 23).expect("date").and_hms_opt(14, 0, 0).expect("time");
    let on_23_sept = open_in_file(&json, then);
    assert!(on_23_sept > 100, "most offers were open then ({on_23_sept})");
    let open_then = db::offers::count_open(db.conn(), at(2021, 9, 23)).await.expect("count");
    assert_eq!(open_then as usize, on_23_sept);
    // Five years on, none of them is open: those the file gives no end date closed 90 days
    // after their publication.
    let now = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date").and_hms_opt(13, 0, 0).expect("time");
    assert_eq!(open_in_file(&json, now), 0);
    let open_now = db::offers::count_open(db.conn(), today()).await.expect("count");
    assert_eq!(open_now, 0, "offers of 2021 are closed today, with or without an end date in the file");
});

db_test!(the_talentsoft_csv_export_imports, |db| {
    let Some(data) = shared_data() else { return };
    let report = import(&db, &data.join(CSV), ImportOptions::default()).await;
    assert_eq!(report.format, "pep-csv");
    assert_eq!((report.read, report.created, report.rejected.len()), (50, 50, 0));

    let o = by_ref(&db, "o09261-201633").await;
    assert_eq!(o.title, "Responsable d'applications (h/f)");
    assert_eq!(employer(&db, &o).await.name, "Communes");
    assert_eq!((o.departement_code.as_deref(), o.region_code.as_deref()), (Some("92"), Some("11")));
    assert_eq!((o.category.as_deref(), o.versant.as_deref()), (Some("A"), Some("FPT")));
    assert_eq!(o.published_at.to_rfc3339(), "2020-12-31T23:00:00+00:00", "01/01/2021 in Paris time");
    assert_eq!(o.expires_at.map(|d| d.to_rfc3339()).as_deref(), Some("2021-02-28T23:00:00+00:00"));
    assert!(o.profession_id.is_some(), "the older RMFP label is recognised as digital");

    let again = import(&db, &data.join(CSV), ImportOptions::default()).await;
    assert_eq!((again.created, again.unchanged), (0, 50));
});

db_test!(numerique_only_and_full_on_the_real_files, |db| {
    let Some(data) = shared_data() else { return };
    let opts = ImportOptions { numerique_only: true, ..Default::default() };
    let report = import(&db, &data.join(JSON), opts).await;
    assert_eq!((report.created, report.skipped, report.rejected.len()), (20, 134, 0));
    let report = import(&db, &data.join(CSV), ImportOptions { numerique_only: true, ..Default::default() }).await;
    assert_eq!((report.created, report.skipped), (14, 36));

    // A full import of the January CSV archives the September offers: same source (PEP).
    let report = import(&db, &data.join(CSV), ImportOptions { full: true, ..Default::default() }).await;
    assert_eq!((report.created, report.unchanged, report.archived), (36, 14, 20));
    let archived = offer::Entity::find().filter(offer::Column::State.eq("archived")).count(db.conn()).await.expect("n");
    assert_eq!(archived, 20);
    assert_eq!(offer::Entity::find().count(db.conn()).await.expect("count"), 70, "archived, never deleted");
});

db_test!(the_pole_emploi_feeds_are_refused_without_writing, |db| {
    let Some(data) = shared_data() else { return };
    for name in ["pep/pep2pe-export-2021-04.csv", "pep/pep2pe-export-2021-03-03.csv"] {
        let err = import::run(&db, &data.join(name), &ImportOptions::default(), &domain::FixedClock(today()))
            .await
            .expect_err(name);
        match err {
            ImportError::File(msg) => assert!(msg.contains("n’est pas importable"), "{msg}"),
            other => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(offer::Entity::find().count(db.conn()).await.expect("count"), 0);
});
