//! The agreement as a PDF (lopdf, already used to check uploaded CVs): A4 pages of Helvetica,
//! a standard font every reader has, in WinAnsi encoding so that French accents print.

use super::duos::Agreement;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};

const WIDTH: i64 = 595;
const HEIGHT: i64 = 842;
const MARGIN: i64 = 56;
/// Characters per line at 10 pt (Helvetica averages about half an em).
const LINE_CHARS: usize = 92;

/// WinAnsi bytes of `text`: Latin-1 as is, the typographic signs French uses at their WinAnsi
/// places, anything else as « ? ».
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2019}' => 0x92,
            '\u{2018}' => 0x91,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2026}' => 0x85,
            '\u{20AC}' => 0x80,
            '\u{0153}' => 0x9C,
            '\u{0152}' => 0x8C,
            '\u{202F}' | '\u{00A0}' => 0xA0,
            c if (c as u32) < 0x80 && !c.is_control() => c as u8,
            c if (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// `text` cut into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// Lines of text laid out on as many pages as they need.
struct Writer {
    pages: Vec<Vec<Operation>>,
    y: i64,
}

impl Writer {
    fn new() -> Self {
        Self { pages: vec![Vec::new()], y: HEIGHT - MARGIN }
    }

    fn line(&mut self, text: &str, size: i64, bold: bool) {
        if self.y < MARGIN + size {
            self.pages.push(Vec::new());
            self.y = HEIGHT - MARGIN;
        }
        self.y -= size + 4;
        let ops = self.pages.last_mut().expect("a page");
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new("Tf", vec![if bold { "F2" } else { "F1" }.into(), size.into()]));
        ops.push(Operation::new("Td", vec![MARGIN.into(), self.y.into()]));
        ops.push(Operation::new("Tj", vec![Object::String(win_ansi(text), StringFormat::Literal)]));
        ops.push(Operation::new("ET", vec![]));
    }

    fn paragraph(&mut self, text: &str) {
        for l in wrap(text, LINE_CHARS) {
            self.line(&l, 10, false);
        }
    }

    fn heading(&mut self, text: &str) {
        self.y -= 8;
        self.line(text, 12, true);
    }
}

/// The agreement's PDF.
pub fn agreement(a: &Agreement) -> Result<Vec<u8>, lopdf::Error> {
    let mut w = Writer::new();
    w.line("Convention de journée d’immersion « Vis mon job »", 16, true);
    w.paragraph(&a.campaign);
    w.heading("Entre");
    w.paragraph(&format!("L’étudiant·e : {} ({})", a.student, a.school));
    w.paragraph(&format!("L’agent·e hôte : {} — {}", a.host, a.employer));
    if let Some(m) = &a.manager {
        w.paragraph(&format!("Responsable de l’agent·e hôte : {m}"));
    }
    w.heading("La journée");
    w.paragraph(&format!("Le {}, {} (heure de Paris).", a.day, a.hours));
    w.paragraph(&format!("Lieu : {}", a.place));
    w.heading("Programme");
    w.paragraph(&a.programme);
    w.heading("Engagements");
    for r in &a.rules {
        w.paragraph(&format!("– {r}"));
    }
    w.heading("Accords");
    for (who, at) in &a.agreements {
        let said = match at {
            Some(at) => format!("{who} : accord donné en ligne le {at}"),
            None => format!("{who} : accord pas encore donné"),
        };
        w.paragraph(&said);
    }

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |name: &str| {
        dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => name.to_string(), "Encoding" => "WinAnsiEncoding"}
    };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let resources = doc.add_object(dictionary! {"Font" => dictionary! {"F1" => regular, "F2" => bold}});
    let mut kids = Vec::new();
    for operations in w.pages {
        let content = doc.add_object(Stream::new(dictionary! {}, Content { operations }.encode()?));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), WIDTH.into(), HEIGHT.into()],
        });
        kids.push(Object::from(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(pages_id, Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => kids, "Count" => count}));
    let info = doc.add_object(dictionary! {
        "Title" => Object::String(win_ansi("Convention Vis mon job"), StringFormat::Literal),
    });
    let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut buf = Vec::new();
    doc.save_to(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_text_is_encoded_for_helvetica() {
        assert_eq!(win_ansi("Journée d’été « œuvre »"), b"Journ\xe9e d\x92\xe9t\xe9 \xab \x9cuvre \xbb".to_vec());
        assert_eq!(win_ansi("→"), b"?".to_vec());
    }

    #[test]
    fn long_text_wraps_at_spaces() {
        let lines = wrap(&"mot ".repeat(60), 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.join(" ").split(' ').count(), 60);
    }
}
