//! French formatting of dates, numbers and counts for templates.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A moment in Paris time (summer and winter time).
pub fn paris(d: DateTime<Utc>) -> DateTime<chrono_tz::Tz> {
    d.with_timezone(&chrono_tz::Europe::Paris)
}

/// A wall-clock time of a day in Paris, as a moment (the earlier one when clocks go back).
pub fn paris_at(day: NaiveDate, h: u32, m: u32, s: u32) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    day.and_hms_opt(h, m, s)
        .and_then(|t| chrono_tz::Europe::Paris.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// "3 novembre 2026", the day in Paris.
pub fn date(d: DateTime<Utc>) -> String {
    naive_date(paris(d).date_naive())
}

/// "3 novembre 2026 à 14 h 05", in Paris time.
pub fn date_time(d: DateTime<Utc>) -> String {
    let p = paris(d);
    format!("{} à {} h {:02}", naive_date(p.date_naive()), p.hour(), p.minute())
}

const WEEKDAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

/// "mardi 16 mars 2027", the day in Paris.
pub fn weekday_date(d: DateTime<Utc>) -> String {
    let p = paris(d);
    format!("{} {}", WEEKDAYS[p.weekday().num_days_from_monday() as usize], naive_date(p.date_naive()))
}

/// "14 h 05", in Paris time.
pub fn clock(d: DateTime<Utc>) -> String {
    let p = paris(d);
    format!("{} h {:02}", p.hour(), p.minute())
}

/// "le mardi 16 mars 2027 de 14 h 00 à 15 h 00" (or "du … au …" over two days), Paris time.
pub fn span(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    if paris(start).date_naive() == paris(end).date_naive() {
        format!("le {} de {} à {}", weekday_date(start), clock(start), clock(end))
    } else {
        format!("du {} à {} au {} à {}", weekday_date(start), clock(start), weekday_date(end), clock(end))
    }
}

/// "30 minutes", "1 heure", "1 h 30".
pub fn minutes(m: i32) -> String {
    match (m / 60, m % 60) {
        (0, 1) => "1 minute".into(),
        (0, m) => format!("{m} minutes"),
        (1, 0) => "1 heure".into(),
        (h, 0) => format!("{h} heures"),
        (h, m) => format!("{h} h {m:02}"),
    }
}

/// "2026-11-03 14:05", in Paris time: what a spreadsheet reads as a date and time.
pub fn sheet_time(d: DateTime<Utc>) -> String {
    paris(d).format("%Y-%m-%d %H:%M").to_string()
}

pub fn naive_date(d: NaiveDate) -> String {
    let day = if d.day() == 1 { "1er".to_string() } else { d.day().to_string() };
    format!("{day} {} {}", MONTHS[d.month0() as usize], d.year())
}

/// "1 234 567" with narrow no-break spaces.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// "de Paul", "d’Amina", "d’Élise": French elides « de » before a vowel sound
/// (an initial h is left alone: it is silent in some names and not in others).
pub fn of_name(name: &str) -> String {
    let elides = name
        .chars()
        .next()
        .and_then(|c| c.to_lowercase().next())
        .is_some_and(|c| "aeiouyàâäéèêëîïôöùûüÿœæ".contains(c));
    if elides { format!("d’{name}") } else { format!("de {name}") }
}

/// "Aucune offre", "1 offre", "2 offres".
pub fn offers(n: u64) -> String {
    match n {
        0 => "Aucune offre".into(),
        1 => "1 offre".into(),
        n => format!("{} offres", number(n)),
    }
}

/// "Aucune offre ouverte", "1 offre ouverte", "12 offres ouvertes".
pub fn open_offers(n: u64) -> String {
    match n {
        0 => "Aucune offre ouverte".into(),
        1 => "1 offre ouverte".into(),
        n => format!("{} offres ouvertes", number(n)),
    }
}

/// "45 000 €" or a range.
pub fn salary(min: Option<i32>, max: Option<i32>) -> Option<String> {
    let eur = |v: i32| format!("{} €", number(u64::try_from(v).unwrap_or(0)));
    match (min, max) {
        (Some(a), Some(b)) if a != b => Some(format!("de {} à {} brut par an", eur(a), eur(b))),
        (Some(a), _) | (None, Some(a)) => Some(format!("{} brut par an", eur(a))),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn of_name_elides_before_a_vowel() {
        assert_eq!(of_name("Amina"), "d’Amina");
        assert_eq!(of_name("Élise"), "d’Élise");
        assert_eq!(of_name("Paul"), "de Paul");
        assert_eq!(of_name("Hugo"), "de Hugo");
    }

    #[test]
    fn french_forms() {
        assert_eq!(offers(0), "Aucune offre");
        assert_eq!(offers(1), "1 offre");
        assert_eq!(offers(2), "2 offres");
        assert_eq!(offers(12345), "12\u{202f}345 offres");
        assert_eq!(naive_date(NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")), "1er novembre 2026");
        assert_eq!(
            salary(Some(40000), Some(52000)).as_deref(),
            Some("de 40\u{202f}000 € à 52\u{202f}000 € brut par an")
        );
        assert_eq!(salary(None, None), None);
    }

    #[test]
    fn paris_time_follows_summer_and_winter() {
        use chrono::TimeZone;
        let winter = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).single().expect("date");
        assert_eq!(date(winter), "1er janvier 2027");
        assert_eq!(sheet_time(winter), "2027-01-01 00:30");
        let summer = Utc.with_ymd_and_hms(2026, 7, 14, 8, 5, 0).single().expect("date");
        assert_eq!(date_time(summer), "14 juillet 2026 à 10 h 05");
    }
}
