//! Domain types and rules of Métiers du numérique.
//!
//! Error policy: this crate does no I/O. Parsing functions return `Result<_, ParseError>` (or
//! `Option` when "absent" is a normal outcome); nothing here panics on user input. The reference
//! lists (geography, professions) are compiled in and checked by unit tests, so reading them
//! cannot fail at run time.

pub mod audit;
pub mod candidate;
pub mod clock;
pub mod codes;
pub mod email;
pub mod forum;
pub mod geo;
pub mod immersion;
pub mod mail_template;
pub mod offer;
pub mod product;
pub mod role;
pub mod story;
pub mod taxonomy;
pub mod text;

pub use clock::{Clock, FixedClock, SystemClock};
pub use codes::ParseError;
