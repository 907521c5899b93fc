//! Schema migrations, written with the portable schema builder so that SQLite and PostgreSQL
//! run the same set. Closed lists are stored as short strings (see `domain::codes`).

use sea_orm_migration::prelude::*;

mod m20261124_000001_init;
mod m20261124_000002_listing_indexes;
mod m20261124_000003_candidates;
mod m20261124_000004_backoffice;
mod m20261124_000005_pipeline_notes;
mod m20261124_000006_showcase_drafts;
mod m20261124_000007_proconnect;
mod m20261124_000008_mail_templates;
mod m20261124_000009_offer_view_months;
mod m20261202_000010_mail_requests;
mod m20261202_000011_outbox_unsubscribe;
mod m20261202_000012_imported_deadlines;
mod m20261202_000013_application_mail;
mod m20261203_000014_products;
mod m20261203_000015_stories;
mod m20261204_000016_forum;
mod m20261205_000017_immersion;
mod m20261206_000018_access_purpose;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_init::Migration),
            Box::new(m20261124_000002_listing_indexes::Migration),
            Box::new(m20261124_000003_candidates::Migration),
            Box::new(m20261124_000004_backoffice::Migration),
            Box::new(m20261124_000005_pipeline_notes::Migration),
            Box::new(m20261124_000006_showcase_drafts::Migration),
            Box::new(m20261124_000007_proconnect::Migration),
            Box::new(m20261124_000008_mail_templates::Migration),
            Box::new(m20261124_000009_offer_view_months::Migration),
            Box::new(m20261202_000010_mail_requests::Migration),
            Box::new(m20261202_000011_outbox_unsubscribe::Migration),
            Box::new(m20261202_000012_imported_deadlines::Migration),
            Box::new(m20261202_000013_application_mail::Migration),
            Box::new(m20261203_000014_products::Migration),
            Box::new(m20261203_000015_stories::Migration),
            Box::new(m20261204_000016_forum::Migration),
            Box::new(m20261205_000017_immersion::Migration),
            Box::new(m20261206_000018_access_purpose::Migration),
        ]
    }
}
