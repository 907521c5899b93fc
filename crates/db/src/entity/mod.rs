//! SeaORM entities, one per table. Columns holding closed lists are plain strings; the query
//! functions convert them to and from the `domain` enums.

pub mod commune;
pub mod departement;
pub mod domain;
pub mod import_run;
pub mod institution;
pub mod offer;
pub mod offer_contract_type;
pub mod offer_domain;
pub mod profession;
pub mod region;
pub mod service;
pub mod user;
pub mod user_service;
