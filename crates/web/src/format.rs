//! French formatting of dates, numbers and counts for templates.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

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

/// "3 novembre 2026" (in Paris time, close enough at the day level: UTC+1).
pub fn date(d: DateTime<Utc>) -> String {
    naive_date((d + chrono::Duration::hours(1)).date_naive())
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
}
