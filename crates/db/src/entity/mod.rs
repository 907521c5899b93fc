//! SeaORM entities, one per table. Columns holding closed lists are plain strings; the query
//! functions convert them to and from the `domain` enums.

pub mod access_request;
pub mod alert;
pub mod alert_delivery;
pub mod application;
pub mod application_event;
pub mod application_note;
pub mod audit_entry;
pub mod candidate_profile;
pub mod commune;
pub mod departement;
pub mod domain;
pub mod favourite;
pub mod file;
pub mod import_run;
pub mod institution;
pub mod institution_email_domain;
pub mod invitation;
pub mod login_attempt;
pub mod newsletter_subscription;
pub mod offer;
pub mod offer_contract_type;
pub mod offer_domain;
pub mod outbox;
pub mod periodic_run;
pub mod profession;
pub mod profile_choice;
pub mod profile_hidden_institution;
pub mod refusal_reason;
pub mod region;
pub mod service;
pub mod session;
pub mod showcase_draft;
pub mod user;
pub mod user_service;
pub mod user_token;
