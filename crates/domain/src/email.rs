//! E-mail addresses, parsed once at the edge.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("adresse électronique invalide : saisissez une adresse au format nom@domaine.fr")]
pub struct InvalidEmail;

impl Email {
    /// Lower-cased and trimmed, then checked as a mail server will read it: a dot-atom local
    /// part of at most 64 characters (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, single dots
    /// between them: what HTML's `type=email` accepts, without the leading, trailing or double
    /// dots that mail servers refuse), `@`, and a dotted ASCII domain (labels of letters, digits
    /// and inner hyphens, 63 at most; browsers send international domains as punycode). At
    /// most 254 bytes. Anything else would be accepted here and refused by the mailer later.
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let s = raw.trim().to_lowercase();
        let (local, domain) = s.rsplit_once('@').ok_or(InvalidEmail)?;
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(atext));
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        let domain_ok = domain.contains('.') && domain.split('.').all(label_ok);
        if s.len() <= 254 && local_ok && domain_ok { Ok(Self(s)) } else { Err(InvalidEmail) }
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
        // What a mail server refuses is refused here, at the edge.
        for bad in [
            "\u{FFFD}@x.fr",
            "é@x.fr",
            "a@é.fr",
            ".a@x.fr",
            "a.@x.fr",
            "a..b@x.fr",
            "a@-x.fr",
            "a@x-.fr",
            "a@x..fr",
            "a\"b@x.fr",
            "a(b)@x.fr",
            "a@x_y.fr",
            "a@x.fr\u{0}",
        ] {
            assert_eq!(Email::parse(bad), Err(InvalidEmail), "{bad:?}");
        }
        let long_local = format!("{}@x.fr", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(InvalidEmail));
        for good in [
            "prenom.nom+offres@numerique.gouv.fr",
            "o'hara@exemple.fr",
            "a_b-c@sous-domaine.exemple.fr",
            "x@xn--exemple-9ua.fr",
        ] {
            assert!(Email::parse(good).is_ok(), "{good}");
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
