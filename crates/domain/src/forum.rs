//! The Forum de l'emploi tech de l'État: an edition a year, its sessions (with capacity and a
//! waiting list), its booths and their job-dating slots. The rules every page and service
//! applies: windows, when the online link shows, overlaps, reminders, slot series.

use crate::codes::code_enum;
use chrono::{DateTime, Duration, Utc};

code_enum!(
    /// What a session of the programme is.
    SessionKind, "le type de session", {
        Conference => ("conference", "Conférence"),
        Presentation => ("presentation", "Présentation recruteur"),
        Workshop => ("atelier", "Atelier de coaching"),
        JobDating => ("job-dating", "Job dating"),
        Testimony => ("temoignage", "Témoignage"),
    }
);

code_enum!(
    /// Where a session is: only `Published` and `Cancelled` ones are public (a cancelled one
    /// stays readable with its notice, and its calendar entries say `STATUS:CANCELLED`).
    SessionState, "l’état de la session", {
        Draft => ("draft", "Brouillon"),
        Published => ("published", "Publiée"),
        Cancelled => ("cancelled", "Annulée"),
    }
);

code_enum!(
    /// A participant's place in a session; `Pending`: given with an e-mail address alone,
    /// until its link is followed (double opt-in).
    RegistrationStatus, "l’état de l’inscription", {
        Pending => ("pending", "À confirmer"),
        Registered => ("registered", "Inscrit·e"),
        Waiting => ("waiting", "Sur liste d’attente"),
        Cancelled => ("cancelled", "Annulée"),
    }
);

code_enum!(
    /// What a recruiter decided after a job-dating meeting; `Invite` (« proposer de
    /// candidater ») creates an application in the offer's pipeline.
    BookingOutcome, "la suite donnée", {
        Invite => ("proposer", "Proposer de candidater"),
        NoFollowUp => ("sans-suite", "Sans suite"),
    }
);

/// The online link is shown to registered participants from this long before the start.
pub const LINK_LEAD_MINUTES: i64 = 30;
/// Booking a slot closes this long before it by default.
pub const DEFAULT_BOOKING_CLOSES_MINUTES: i32 = 60;
/// Participants' data is purged this long after the edition ends (the counts stay).
pub const PARTICIPANTS_RETENTION_DAYS: i64 = 90;
/// A session seats at most this many (an online room's size).
pub const MAX_CAPACITY: i32 = 10_000;
/// A slot lasts between these (minutes).
pub const SLOT_MINUTES: (i64, i64) = (10, 120);
/// A series of slots publishes at most this many at once.
pub const MAX_SLOTS_PER_SERIES: usize = 40;

/// A span of time, `[opens, closes)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

impl Window {
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        self.opens <= now && now < self.closes
    }

    /// What a visitor is told about the window at `now`.
    pub fn phase(&self, now: DateTime<Utc>) -> WindowPhase {
        if now < self.opens {
            WindowPhase::NotYet
        } else if now < self.closes {
            WindowPhase::Open
        } else {
            WindowPhase::Closed
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowPhase {
    NotYet,
    Open,
    Closed,
}

/// Whether two spans `[a0, a1)` and `[b0, b1)` share a moment.
pub fn overlaps(a: Span, b: Span) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether a registered participant sees the online link at `now`: from
/// [`LINK_LEAD_MINUTES`] before the start until the end.
pub fn link_visible(now: DateTime<Utc>, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> bool {
    now >= starts_at - Duration::minutes(LINK_LEAD_MINUTES) && now < ends_at
}

/// The slot's booking window: the edition's booking opening until `closes_minutes` before it.
pub fn booking_window(opens: DateTime<Utc>, slot_start: DateTime<Utc>, closes_minutes: i32) -> Window {
    Window { opens, closes: slot_start - Duration::minutes(i64::from(closes_minutes)) }
}

/// The two reminders of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// The day before (from 24 to 12 hours before the start: « demain » is then true).
    DayBefore,
    /// An hour before.
    HourBefore,
}

impl Reminder {
    /// Whether this reminder is due at `now` for a session starting at `start`: inside its own
    /// span only, so a registration made 20 minutes before the start gets no « demain ».
    pub fn due(self, now: DateTime<Utc>, start: DateTime<Utc>) -> bool {
        match self {
            Reminder::DayBefore => now >= start - Duration::hours(24) && now < start - Duration::hours(12),
            Reminder::HourBefore => now >= start - Duration::hours(1) && now < start,
        }
    }
}

/// Why a series of slots cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotSeriesError {
    #[error("la durée d’un créneau va de {} à {} minutes", SLOT_MINUTES.0, SLOT_MINUTES.1)]
    Duration,
    #[error("la pause entre deux créneaux va de 0 à 60 minutes")]
    Buffer,
    #[error("la fin doit suivre le début d’au moins un créneau")]
    Empty,
    #[error("au plus {MAX_SLOTS_PER_SERIES} créneaux à la fois")]
    TooMany,
}

/// A span of time `[start, end)`.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The slots of a series from `start` to `end`: each `minutes` long, `buffer` minutes apart
/// (recruiters need a breath between two candidates; no back-to-back meetings).
pub fn slot_series(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    minutes: i64,
    buffer: i64,
) -> Result<Vec<Span>, SlotSeriesError> {
    if !(SLOT_MINUTES.0..=SLOT_MINUTES.1).contains(&minutes) {
        return Err(SlotSeriesError::Duration);
    }
    if !(0..=60).contains(&buffer) {
        return Err(SlotSeriesError::Buffer);
    }
    let mut out = Vec::new();
    let mut at = start;
    while at + Duration::minutes(minutes) <= end {
        if out.len() == MAX_SLOTS_PER_SERIES {
            return Err(SlotSeriesError::TooMany);
        }
        out.push((at, at + Duration::minutes(minutes)));
        at += Duration::minutes(minutes + buffer);
    }
    if out.is_empty() {
        return Err(SlotSeriesError::Empty);
    }
    Ok(out)
}

/// Themes are free words chosen by the organisers, kept in one text column: this is their
/// one spelling (trimmed, deduplicated, comma-separated).
pub fn themes_of(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let t: String = t.chars().take(60).collect();
        if !out.iter().any(|o| crate::text::match_key(o) == crate::text::match_key(&t)) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 16, h, m, 0).single().expect("date")
    }

    #[test]
    fn spans_overlap_only_when_they_share_a_moment() {
        assert!(overlaps((at(10, 0), at(10, 30)), (at(10, 15), at(10, 45))));
        assert!(overlaps((at(10, 0), at(11, 0)), (at(10, 15), at(10, 30))));
        assert!(!overlaps((at(10, 0), at(10, 30)), (at(10, 30), at(11, 0))), "back to back is not an overlap");
        assert!(!overlaps((at(9, 0), at(9, 30)), (at(10, 0), at(11, 0))));
    }

    #[test]
    fn a_series_leaves_its_buffer_and_stops_before_the_end() {
        let s = slot_series(at(14, 0), at(15, 0), 20, 10).expect("series");
        assert_eq!(s, vec![(at(14, 0), at(14, 20)), (at(14, 30), at(14, 50))]);
        assert_eq!(slot_series(at(14, 0), at(14, 10), 20, 0), Err(SlotSeriesError::Empty));
        assert_eq!(slot_series(at(14, 0), at(18, 0), 5, 0), Err(SlotSeriesError::Duration));
        assert_eq!(slot_series(at(14, 0), at(18, 0), 20, 90), Err(SlotSeriesError::Buffer));
        assert_eq!(slot_series(at(0, 0), at(23, 0), 10, 0), Err(SlotSeriesError::TooMany));
    }

    #[test]
    fn reminders_are_due_in_their_own_span() {
        let start = at(14, 0);
        assert!(!Reminder::DayBefore.due(start - Duration::hours(25), start));
        assert!(Reminder::DayBefore.due(start - Duration::hours(24), start));
        assert!(!Reminder::DayBefore.due(start - Duration::minutes(50), start));
        assert!(!Reminder::DayBefore.due(start - Duration::hours(2), start), "not « demain » two hours before");
        assert!(Reminder::HourBefore.due(start - Duration::minutes(50), start));
        assert!(!Reminder::HourBefore.due(start, start));
    }

    #[test]
    fn the_link_shows_shortly_before_and_during() {
        assert!(!link_visible(at(13, 0), at(14, 0), at(15, 0)));
        assert!(link_visible(at(13, 30), at(14, 0), at(15, 0)));
        assert!(link_visible(at(14, 59), at(14, 0), at(15, 0)));
        assert!(!link_visible(at(15, 0), at(14, 0), at(15, 0)));
    }

    #[test]
    fn windows_and_themes() {
        let w = Window { opens: at(9, 0), closes: at(10, 0) };
        assert_eq!(w.phase(at(8, 0)), WindowPhase::NotYet);
        assert!(w.contains(at(9, 0)));
        assert_eq!(w.phase(at(10, 0)), WindowPhase::Closed);
        assert_eq!(booking_window(at(9, 0), at(14, 0), 60).closes, at(13, 0));
        assert_eq!(themes_of(" Données, données ,IA,, "), vec!["Données".to_string(), "IA".to_string()]);
    }
}
