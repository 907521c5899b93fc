//! Streaming readers: a file is read on a blocking thread and its rows are sent, already
//! mapped, through a bounded channel, so memory stays constant whatever the file's size.

use crate::format::Format;
use crate::map;
use crate::record::{CsvRow, JsonRow};
use crate::{csp, talentsoft};
use domain::offer::OfferData;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;
use std::io::{BufReader, Read};
use std::sync::Arc;
use tokio::sync::mpsc::Sender;

/// Where a row is in its file, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Line(u64),
    Element(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "ligne {n}"),
            Position::Element(n) => write!(f, "élément {n}"),
        }
    }
}

#[derive(Debug)]
pub enum Item {
    Row {
        position: Position,
        result: Result<OfferData, String>,
    },
    /// The rest of the file cannot be read (broken JSON, I/O error).
    Fatal {
        position: Option<Position>,
        reason: String,
    },
}

/// Reads `input` in `format` and sends every row to `tx`; stops early if the receiver is gone.
pub fn read(format: Format, input: impl Read, tx: &Sender<Item>) {
    match format {
        Format::PepJson => read_json(input, tx),
        Format::PepCsv => read_csv(input, tx, talentsoft::to_offer),
        Format::CspCsv => read_csv(input, tx, csp::to_offer),
    }
}

fn read_csv(input: impl Read, tx: &Sender<Item>, to_offer: fn(&CsvRow) -> Result<OfferData, String>) {
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').flexible(true).has_headers(true).from_reader(input);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            let _ = tx.blocking_send(Item::Fatal { position: Some(Position::Line(1)), reason: csv_error(&e) });
            return;
        }
    };
    let width = header.len();
    let index: HashMap<String, usize> =
        header.iter().enumerate().map(|(i, h)| (h.trim().trim_start_matches('\u{feff}').to_string(), i)).collect();
    let index = Arc::new(index);
    let mut raw = csv::ByteRecord::new();
    // A record of the wrong width is reported when the next one is read: if it was the last
    // of the file, the file was most likely cut, and that must stop a full import from
    // archiving everything after the cut.
    let mut short: Option<(Position, usize)> = None;
    // The csv crate's line numbers drift by one per record on CRLF files, so lines are also
    // counted here from the newlines inside records; the larger count wins (the crate's is
    // the one that sees skipped blank lines).
    let mut next_line: u64 = 2;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut raw) {
            Ok(false) => break,
            Ok(true) => {
                if let Some((position, len)) = short.take() {
                    let result = Err(format!("{len} colonnes au lieu de {width}"));
                    if tx.blocking_send(Item::Row { position, result }).is_err() {
                        return;
                    }
                }
                let counted = next_line;
                next_line += 1 + raw.iter().map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64).sum::<u64>();
                let position = Position::Line(raw.position().map(|p| p.line()).unwrap_or(line).max(counted));
                if raw.len() != width {
                    short = Some((position, raw.len()));
                    continue;
                }
                let result = match csv::StringRecord::from_byte_record(raw.clone()) {
                    Ok(record) => to_offer(&CsvRow { header: Arc::clone(&index), record }),
                    Err(_) => Err("caractères invalides : le fichier doit être encodé en UTF-8".into()),
                };
                if tx.blocking_send(Item::Row { position, result }).is_err() {
                    return;
                }
            }
            Err(e) => {
                // A malformed record (an I/O error) ends the file: the reader cannot know
                // where the next record starts.
                let _ = tx.blocking_send(Item::Fatal { position: Some(Position::Line(line)), reason: csv_error(&e) });
                return;
            }
        }
    }
    if let Some((position, len)) = short {
        let _ = tx.blocking_send(Item::Fatal {
            position: Some(position),
            reason: format!(
                "dernière ligne incomplète ({len} colonnes au lieu de {width}) : le fichier semble tronqué"
            ),
        });
    }
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("lecture impossible : {io}"),
        csv::ErrorKind::Utf8 { .. } => "caractères invalides : le fichier doit être encodé en UTF-8".into(),
        _ => format!("CSV illisible : {e}"),
    }
}

fn read_json(input: impl Read, tx: &Sender<Item>) {
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(256 * 1024, input));
    let seed = ArraySeed { tx };
    if let Err(e) = seed.deserialize(&mut de) {
        let _ = tx.blocking_send(Item::Fatal {
            position: Some(Position::Line(e.line() as u64)),
            reason: format!("JSON illisible (colonne {}) : {}", e.column(), json_reason(&e)),
        });
    }
}

fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "fin de fichier inattendue".into(),
        Category::Io => "erreur de lecture".into(),
        Category::Syntax => "syntaxe invalide".into(),
        Category::Data => "un tableau d’offres était attendu".into(),
    }
}

/// Visits the top-level array one element at a time.
struct ArraySeed<'a> {
    tx: &'a Sender<Item>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("un tableau d’offres")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            n += 1;
            let result = json_row(value).and_then(|row| talentsoft::to_offer(&row));
            if self.tx.blocking_send(Item::Row { position: Position::Element(n), result }).is_err() {
                return Ok(());
            }
        }
        Ok(())
    }
}

fn json_row(value: serde_json::Value) -> Result<JsonRow, String> {
    let serde_json::Value::Object(map) = value else {
        return Err("un objet était attendu".into());
    };
    let mut out = HashMap::with_capacity(map.len());
    for (k, v) in map {
        let s = match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(format!("valeur inattendue (tableau ou objet) pour « {} »", map::truncate(&k, 60))),
        };
        out.insert(k, s);
    }
    Ok(JsonRow(out))
}
