//! An injectable clock: expiry rules depend on "now", and tests must be able to choose it.
//!
//! Nothing else reads the system time (`clippy.toml` forbids it and `tests/it/architecture.rs`
//! checks the sources): a rule that mixed the two clocks would pass in tests on one day and
//! fail on another. Monotonic `Instant`s stay allowed for measuring durations (metrics, the
//! page cache's and ProConnect discovery's time to live), which no test fixes.

use chrono::{DateTime, Utc};
use std::fmt::Debug;

pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "the one read of the system time: production's clock")]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at a given instant (tests, reproducible imports).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
