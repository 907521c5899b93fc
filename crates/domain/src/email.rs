//! E-mail addresses, parsed once at the edge.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("adresse électronique invalide : saisissez une adresse au format nom@domaine.fr")]
pub struct InvalidEmail;

impl Email {
    /// Lower-cased, trimmed, with one `@`, a dotted domain and no spaces; at most 254 bytes.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let s = raw.trim().to_lowercase();
        let (local, domain) = s.split_once('@').ok_or(InvalidEmail)?;
        let ok = !local.is_empty()
            && s.len() <= 254
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'));
        if ok { Ok(Self(s)) } else { Err(InvalidEmail) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain, then each parent domain of at least two labels, most precise first:
    /// `dinum.numerique.gouv.fr`, `numerique.gouv.fr`, `gouv.fr`. An institution registered
    /// with a parent domain takes in the agents of its sub-domains.
    pub fn domains(&self) -> Vec<&str> {
        let domain = self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        let mut out = vec![domain];
        let mut rest = domain;
        while let Some((_, parent)) = rest.split_once('.') {
            if !parent.contains('.') {
                break;
            }
            out.push(parent);
            rest = parent;
        }
        out
    }
}

/// A domain typed by an administrator: lower-cased, without `@` or spaces, dotted.
pub fn parse_domain(raw: &str) -> Option<String> {
    let d = raw.trim().trim_start_matches('@').to_lowercase();
    let ok = d.contains('.')
        && !d.starts_with('.')
        && !d.ends_with('.')
        && d.len() <= 253
        && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !d.contains("..");
    ok.then_some(d)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(Email::parse("  Alice@Example.FR ").map(|e| e.to_string()), Ok("alice@example.fr".into()));
        for bad in ["", "alice", "alice@", "@example.fr", "a@b", "a b@c.fr", "a@b@c.fr", "a@.fr", "a@fr."] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn domains_go_from_precise_to_broad() {
        let e = Email::parse("a.b@dinum.numerique.gouv.fr").expect("valid");
        assert_eq!(e.domains(), ["dinum.numerique.gouv.fr", "numerique.gouv.fr", "gouv.fr"]);
        assert_eq!(Email::parse("a@exemple.fr").expect("valid").domains(), ["exemple.fr"]);
    }

    #[test]
    fn typed_domains_are_checked() {
        assert_eq!(parse_domain(" @Numerique.Gouv.FR "), Some("numerique.gouv.fr".into()));
        for bad in ["", "gouv", ".gouv.fr", "gouv.fr.", "a b.fr", "a..fr", "é.fr", "a@b.fr"] {
            assert_eq!(parse_domain(bad), None, "{bad}");
        }
    }
}
