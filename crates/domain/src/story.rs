//! Agents' stories (`/temoignages`): their states, what a public story needs, and the checks
//! on what is uploaded with them (the video's container, its WebVTT captions).

use crate::codes::code_enum;
use std::str::FromStr;

code_enum!(
    /// Where a story is in its life: only `Published` stories are public.
    StoryState, "l’état du témoignage", {
        Draft => ("draft", "Brouillon"),
        Published => ("published", "Publié"),
        Archived => ("archived", "Archivé"),
    }
);

code_enum!(
    /// The containers a story's video may be in: what every browser plays in `<video>`.
    VideoKind, "le format de la vidéo", {
        Mp4 => ("video/mp4", "MP4"),
        Webm => ("video/webm", "WebM"),
    }
);

/// A video may not be larger than this: a portrait of a minute or two at web quality (the
/// whole request is bounded at 12 MB).
pub const MAX_VIDEO_BYTES: usize = 10 * 1024 * 1024;
/// Captions larger than this are not a short video's.
pub const MAX_CAPTIONS_BYTES: usize = 200 * 1024;
/// A transcript is at most this many characters.
pub const MAX_TRANSCRIPT_CHARS: usize = 30_000;

/// What a story holds that decides whether it may be published.
#[derive(Debug, Clone, Default)]
pub struct StoryFacts {
    pub has_quote: bool,
    pub has_body: bool,
    pub has_photo: bool,
    pub has_video: bool,
    pub has_captions: bool,
    pub has_transcript: bool,
    pub consented: bool,
}

/// What a story lacks to be published, in French (empty: it may be). A person is shown (their
/// name, their face, their voice) only with their recorded consent, and a video only with its
/// captions and transcript (RGAA 4.1).
pub fn missing_for_publication(f: &StoryFacts) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !f.has_quote {
        missing.push("une citation");
    }
    if !f.has_body {
        missing.push("le récit");
    }
    if !f.consented {
        missing.push("le consentement enregistré de la personne");
    }
    if f.has_video && !f.has_captions {
        missing.push("les sous-titres de la vidéo (fichier WebVTT)");
    }
    if f.has_video && !f.has_transcript {
        missing.push("la transcription de la vidéo");
    }
    missing
}

/// The container of an uploaded video, read from its bytes whatever its name says.
pub fn check_video(bytes: &[u8]) -> Result<VideoKind, &'static str> {
    if bytes.is_empty() {
        return Err("Le fichier vidéo est vide.");
    }
    if bytes.len() > MAX_VIDEO_BYTES {
        return Err("La vidéo dépasse 10 Mo : raccourcissez-la ou réduisez sa définition.");
    }
    if is_webm(bytes) {
        return Ok(VideoKind::Webm);
    }
    if is_mp4(bytes) {
        return Ok(VideoKind::Mp4);
    }
    Err(
        "Ce fichier n’est pas une vidéo MP4 ou WebM. Exportez la vidéo dans l’un de ces formats puis déposez-la à nouveau.",
    )
}

/// An ISO base media file starts with an `ftyp` box whose major brand is a video one.
fn is_mp4(b: &[u8]) -> bool {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    if !(16..=256).contains(&size) || size > b.len() {
        return false;
    }
    // The major brand, then the compatible brands after the minor version.
    let brands = std::iter::once(&b[8..12]).chain(b[16..size].chunks_exact(4));
    brands.into_iter().any(|brand| {
        matches!(
            brand,
            b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"dash"
        )
    })
}

/// A WebM file is an EBML document whose `DocType` is `webm`, near its start.
fn is_webm(b: &[u8]) -> bool {
    // The DocType element (0x4282) of size 4 (0x84), then its value.
    b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) && b[..b.len().min(64)].windows(7).any(|w| w == b"\x42\x82\x84webm")
}

/// Checks WebVTT captions and gives them back with plain line ends. Only cue text and the cue
/// tags of the format (`<c>`, `<i>`, `<b>`, `<u>`, `<v>`, `<lang>`, `<ruby>`, `<rt>`, timestamps)
/// are accepted: anything else (HTML, a script, a style sheet) is refused, whatever the browser
/// would make of it.
pub fn check_captions(bytes: &[u8]) -> Result<String, String> {
    if bytes.is_empty() {
        return Err("Le fichier de sous-titres est vide.".into());
    }
    if bytes.len() > MAX_CAPTIONS_BYTES {
        return Err("Le fichier de sous-titres dépasse 200 Ko.".into());
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| "Le fichier de sous-titres doit être encodé en UTF-8.".to_string())?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n").replace('\r', "\n");
    let first = text.lines().next().unwrap_or_default();
    if !(first == "WEBVTT" || first.starts_with("WEBVTT ") || first.starts_with("WEBVTT\t")) {
        return Err("Ce fichier n’est pas au format WebVTT : sa première ligne doit être « WEBVTT ».".into());
    }
    // Comments (NOTE blocks) are allowed by the format and dropped before the cues are read.
    let mut kept = Vec::new();
    for block in text.split("\n\n") {
        let head = block.trim_start_matches('\n');
        if head.starts_with("NOTE") {
            continue;
        }
        if head.starts_with("STYLE") || head.starts_with("REGION") {
            return Err(
                "Les blocs STYLE et REGION ne sont pas acceptés : gardez seulement le texte des sous-titres.".into()
            );
        }
        kept.push(block);
    }
    let parsed = vtt::WebVtt::from_str(&kept.join("\n\n")).map_err(|e| {
        let what = match e {
            vtt::VttParseError::InvalidMetadataLine(_) => "une ligne d’en-tête n’est pas de la forme « clé: valeur »",
            vtt::VttParseError::InvalidSetting(_) => "un réglage de sous-titre est inconnu",
            _ => "une ligne de minutage est incorrecte",
        };
        format!("Ce fichier WebVTT est mal formé : {what}. Chaque sous-titre commence par une ligne « 00:00.000 --> 00:02.000 ».")
    })?;
    if parsed.cues.is_empty() {
        return Err("Ce fichier WebVTT ne contient aucun sous-titre.".into());
    }
    let mut previous = std::time::Duration::ZERO;
    for (i, cue) in parsed.cues.iter().enumerate() {
        let n = i + 1;
        let (start, end) = (cue.start.as_duration(), cue.end.as_duration());
        if end <= start {
            return Err(format!("Sous-titre n° {n} : sa fin doit venir après son début."));
        }
        if start < previous {
            return Err(format!("Sous-titre n° {n} : les sous-titres doivent être dans l’ordre du temps."));
        }
        previous = start;
        if cue.payload.trim().is_empty() {
            return Err(format!("Sous-titre n° {n} : il n’a pas de texte."));
        }
        if let Some(tag) = forbidden_tag(&cue.payload) {
            return Err(format!("Sous-titre n° {n} : la balise « {tag} » n’est pas acceptée dans des sous-titres."));
        }
    }
    Ok(text)
}

/// The first tag of a cue's text that is not one of WebVTT's own.
fn forbidden_tag(payload: &str) -> Option<String> {
    let mut rest = payload;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            return Some(after.chars().take(20).collect());
        };
        let inner = &after[..close];
        let name = inner.trim_start_matches('/');
        let name = name.split(['.', ' ', '\t']).next().unwrap_or_default();
        let is_timestamp = !name.is_empty() && name.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '.');
        if !(is_timestamp || matches!(name, "c" | "i" | "b" | "u" | "v" | "lang" | "ruby" | "rt")) {
            return Some(format!("<{}>", inner.chars().take(20).collect::<String>()));
        }
        rest = &after[close + 1..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_with_cue_tags_pass_and_markup_is_refused() {
        let ok = "WEBVTT\n\nNOTE made by hand\n\n00:00.000 --> 00:02.500\n<v Amina>Bonjour, je suis <i>développeuse</i>.\n\n00:02.500 --> 00:04.000\nMerci.\n";
        assert!(check_captions(ok.as_bytes()).is_ok(), "{:?}", check_captions(ok.as_bytes()));
        let script = "WEBVTT\n\n00:00.000 --> 00:02.000\n<script>alert(1)</script>\n";
        assert!(check_captions(script.as_bytes()).expect_err("refused").contains("<script>"));
        let img = "WEBVTT\n\n00:00.000 --> 00:02.000\nSalut <img src=x onerror=alert(1)>\n";
        assert!(check_captions(img.as_bytes()).is_err());
        assert!(check_captions(b"WEBVTTX\n\n00:00.000 --> 00:02.000\nx\n").is_err());
        assert!(check_captions(b"WEBVTT\n\n00:03.000 --> 00:02.000\nx\n").expect_err("refused").contains("fin"));
        assert!(check_captions(b"WEBVTT\n\n").expect_err("refused").contains("aucun"));
        assert!(check_captions(b"WEBVTT\n\nSTYLE\n::cue { color: red }\n\n00:00.000 --> 00:01.000\nx\n").is_err());
        assert!(check_captions(b"WEBVTT\n\n00:00.000 -> 00:01.000\nx\n").is_err());
    }

    #[test]
    fn a_video_is_known_by_its_bytes() {
        let mut mp4 = vec![0, 0, 0, 20];
        mp4.extend_from_slice(b"ftypisom\0\0\x02\0mp41");
        mp4.extend_from_slice(&[0; 64]);
        assert_eq!(check_video(&mp4), Ok(VideoKind::Mp4));
        let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84];
        webm.extend_from_slice(b"webm");
        webm.extend_from_slice(&[0; 32]);
        assert_eq!(check_video(&webm), Ok(VideoKind::Webm));
        assert!(check_video(b"ceci n'est pas une video mp4 ftypisom").is_err());
        assert!(check_video(b"").is_err());
    }

    #[test]
    fn a_story_with_a_video_needs_its_captions_and_consent() {
        let facts = StoryFacts { has_quote: true, has_body: true, has_video: true, ..Default::default() };
        let missing = missing_for_publication(&facts);
        assert_eq!(missing.len(), 3, "{missing:?}");
        let ready = StoryFacts { has_captions: true, has_transcript: true, consented: true, ..facts };
        assert!(missing_for_publication(&ready).is_empty());
    }
}
