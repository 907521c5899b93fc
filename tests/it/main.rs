//! The integration tests: one binary, driving the real router and the real databases
//! (SQLite always; PostgreSQL when `METIERS_TEST_POSTGRES` names a server, as `.ci/run` does).

mod support;

mod architecture;
mod authz;
mod backoffice;
mod board;
mod candidates;
mod cli;
mod conflicts;
mod forum;
mod hardening;
mod immersion;
mod import_csp;
mod import_pep;
mod mail;
mod proconnect;
mod seed;
mod showcase;
mod stories;
mod trips;
mod web_shell;
