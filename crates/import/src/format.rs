//! The supported export formats and their detection from a file's first bytes.

use crate::{csp, talentsoft};
use domain::offer::Source;
use std::io::Read;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Choisir le service public open-data CSV.
    CspCsv,
    /// PEP Talentsoft export, JSON array.
    PepJson,
    /// PEP Talentsoft export, `;`-separated CSV.
    PepCsv,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::CspCsv, Format::PepJson, Format::PepCsv];

    pub fn code(self) -> &'static str {
        match self {
            Format::CspCsv => "csp-csv",
            Format::PepJson => "pep-json",
            Format::PepCsv => "pep-csv",
        }
    }

    pub fn source(self) -> Source {
        match self {
            Format::CspCsv => Source::Csp,
            Format::PepJson | Format::PepCsv => Source::Pep,
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.code() == code)
            .ok_or_else(|| format!("format inconnu « {code} » : formats possibles csp-csv, pep-json, pep-csv"))
    }

    /// Guesses the format from the first bytes of the file.
    pub fn detect(path: &Path) -> Result<Self, String> {
        let mut head = vec![0; 64 * 1024];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| format!("lecture de {} impossible : {e}", path.display()))?;
        head.truncate(n);
        Self::detect_bytes(&head)
    }

    pub fn detect_bytes(head: &[u8]) -> Result<Self, String> {
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.is_empty() {
            return Err("le fichier est vide".into());
        }
        if text.starts_with('[') {
            return Ok(Format::PepJson);
        }
        let header = text.lines().next().unwrap_or("");
        let has_all = |cols: &[&str]| cols.iter().all(|c| header.contains(c));
        if has_all(&talentsoft::SIGNATURE) {
            Ok(Format::PepCsv)
        } else if has_all(&csp::SIGNATURE) {
            Ok(Format::CspCsv)
        } else if header.contains("Par_URL_offre") {
            Err("flux PEP → Pôle emploi : ce format ne porte ni l’employeur ni l’intitulé de l’offre, il n’est pas importable".into())
        } else {
            Err("format non reconnu : ni export Choisir le service public (CSV), ni export PEP (JSON ou CSV)".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(Format::detect_bytes(b"  [{\"OfferID\": 1}]"), Ok(Format::PepJson));
        assert_eq!(
            Format::detect_bytes(b"OfferID;Offer_Reference_;JobDescriptionTranslation_JobTitle_;Origin_Entity_\n"),
            Ok(Format::PepCsv)
        );
        assert_eq!(
            Format::detect_bytes("\u{feff}Organisme de rattachement;Référence;Intitulé du poste\n".as_bytes()),
            Ok(Format::CspCsv)
        );
        assert!(Format::detect_bytes(b"Par_URL_offre|Code_OGR\n").is_err());
        assert!(Format::detect_bytes(b"a,b,c\n").is_err());
        assert!(Format::detect_bytes(b"").is_err());
    }

    #[test]
    fn codes() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.code()), Ok(f));
        }
        assert!(Format::parse("xml").is_err());
    }
}
