//! iCalendar files (RFC 5545) of the forum: a session's `/evenements/{slug}.ics` and a
//! participant's `/agenda/{token}.ics`.
//!
//! Written here rather than with the `icalendar` crate: its writer stamps every component it
//! prints, alarms included, with the system clock (`DTSTAMP`) and a random `UID` when none is
//! set, which RFC 5545 forbids in `VALARM` and which would put a wall-clock read in our output.
//! What we need is small: events in UTC (`…Z`, so no `VTIMEZONE` is needed; the calendar's
//! `X-WR-TIMEZONE` tells clients to show Paris time), text escaped and lines folded at 75 octets.

use chrono::{DateTime, Utc};

/// One event of a calendar file.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across downloads and changes, so a client updates its copy.
    pub uid: String,
    /// Raised when the event changes (a session moved), for clients that compare it.
    pub sequence: i64,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub location: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cancelled: bool,
    /// Alarms the day before and an hour before (the participant's own calendar only).
    pub alarms: bool,
}

fn stamp(d: DateTime<Utc>) -> String {
    d.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value (§3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded at 75 octets without cutting a character (§3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

/// A whole calendar file; `now` is the moment it was produced (`DTSTAMP`).
pub fn render(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Métiers du numérique//Forum de l’emploi tech de l’État//FR");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    line(&mut out, "X-WR-TIMEZONE:Europe/Paris");
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{}", stamp(now)));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence.max(0)));
        line(&mut out, &format!("DTSTART:{}", stamp(e.starts_at)));
        line(&mut out, &format!("DTEND:{}", stamp(e.ends_at)));
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        line(&mut out, &format!("URL:{}", e.url));
        if let Some(place) = &e.location {
            line(&mut out, &format!("LOCATION:{}", text(place)));
        }
        line(&mut out, if e.cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        if e.alarms && !e.cancelled {
            for (trigger, when) in [("-P1D", "demain"), ("-PT1H", "dans une heure")] {
                line(&mut out, "BEGIN:VALARM");
                line(&mut out, "ACTION:DISPLAY");
                line(&mut out, &format!("DESCRIPTION:{}", text(&format!("{} : {when}", e.summary))));
                line(&mut out, &format!("TRIGGER:{trigger}"));
                line(&mut out, "END:VALARM");
            }
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// The HTTP answer of a calendar file.
pub fn response(file_name: &str, body: String) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\"")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lines_are_escaped_and_folded_on_characters() {
        let at = Utc.with_ymd_and_hms(2027, 3, 16, 13, 0, 0).single().expect("date");
        let e = Event {
            uid: "session-1@exemple.fr".into(),
            sequence: 2,
            summary: "Données, IA; et « accessibilité »".into(),
            description: "é".repeat(80),
            url: "https://exemple.fr/evenements/x".into(),
            location: None,
            starts_at: at,
            ends_at: at,
            cancelled: false,
            alarms: true,
        };
        let ics = render("Forum", &[e], at);
        assert!(ics.contains("SUMMARY:Données\\, IA\\; et « accessibilité »\r\n"));
        assert!(ics.contains("DTSTART:20270316T130000Z\r\n"));
        assert_eq!(ics.matches("BEGIN:VALARM").count(), 2);
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "folded: {l}");
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
