//! Text normalisation shared by slugs, deduplication and label matching.

/// Lower-case ASCII folding: "Île-de-France" → "ile-de-france", "œuvre" → "oeuvre".
pub fn fold(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}

/// A comparison key that ignores case, accents, punctuation and spacing:
/// "Hauts de France" and "Hauts-de-France" give the same key.
pub fn match_key(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Letters and digits only: "Rédactrice/ Rédacteur" and "Rédactrice / Rédacteur" agree, and
/// so do "Centre-Val de Loire" and "Centre-Val deLoire".
pub fn compact_key(s: &str) -> String {
    match_key(s).replace(' ', "")
}

/// URL slug: folded, runs of other characters become one hyphen, at most `max` bytes cut at a
/// word boundary.
pub fn slugify(s: &str) -> String {
    slugify_max(s, 80)
}

pub fn slugify_max(s: &str, max: usize) -> String {
    let key = match_key(s).replace(' ', "-");
    if key.len() <= max {
        return key;
    }
    let cut = &key[..max];
    match cut.rfind('-') {
        Some(i) if i > 0 => cut[..i].to_string(),
        _ => cut.to_string(),
    }
}

/// Trims and turns empty strings into `None`.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() { None } else { Some(t.to_string()) }
}

/// A cell for a spreadsheet export, with OWASP's rule against formula injection: a value
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel and
/// LibreOffice as a formula, so it gets a leading apostrophe and stays text.
pub fn spreadsheet_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_punctuation() {
        assert_eq!(
            slugify("Cheffe / Chef de projet maitrise d’œuvre SI"),
            "cheffe-chef-de-projet-maitrise-d-oeuvre-si"
        );
        assert_eq!(slugify("  Développeur·euse  Rust !"), "developpeur-euse-rust");
        assert_eq!(slugify(""), "");
    }

    #[test]
    fn long_slugs_are_cut_on_a_word() {
        let s = slugify_max("aaaa bbbb cccc", 11);
        assert_eq!(s, "aaaa-bbbb");
    }

    #[test]
    fn match_keys_ignore_hyphens_and_case() {
        assert_eq!(match_key("Hauts de France"), match_key("HAUTS-DE-FRANCE"));
        assert_eq!(match_key("Provence-Alpes-Côte d’Azur"), match_key("Provence Alpes Cote d'Azur"));
    }

    #[test]
    fn spreadsheet_cells_never_start_a_formula() {
        for live in ["=HYPERLINK(\"http://x\")", "+33 1", "-2+3", "@SUM(A1)", "\tx", "\r=1"] {
            assert!(spreadsheet_cell(live).starts_with('\''), "{live}");
        }
        assert_eq!(spreadsheet_cell("Camille Roux"), "Camille Roux");
        assert_eq!(spreadsheet_cell(""), "");
    }
}
