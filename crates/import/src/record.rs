//! A row of an export, whatever its container (JSON object or CSV record), read by column name.

use std::collections::HashMap;
use std::sync::Arc;

pub trait Fields {
    /// The trimmed value of a column; "" when the column is absent or empty.
    fn get(&self, name: &str) -> &str;

    /// The first non-empty of several columns.
    fn first(&self, names: &[&str]) -> &str {
        names.iter().map(|n| self.get(n)).find(|v| !v.is_empty()).unwrap_or("")
    }
}

/// A JSON object whose values are strings or numbers.
#[derive(Debug)]
pub struct JsonRow(pub HashMap<String, String>);

impl Fields for JsonRow {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map(|s| s.trim()).unwrap_or("")
    }
}

/// A CSV record with the file's header, shared between rows.
#[derive(Debug)]
pub struct CsvRow {
    pub header: Arc<HashMap<String, usize>>,
    pub record: csv::StringRecord,
}

impl Fields for CsvRow {
    fn get(&self, name: &str) -> &str {
        self.header.get(name).and_then(|&i| self.record.get(i)).map(str::trim).unwrap_or("")
    }
}
