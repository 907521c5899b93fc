//! Submitted forms: what was typed (given back on error, so nothing is lost) and the errors
//! per field, in French, in the order of the form.

use std::collections::HashMap;

/// The first value of `name` in a raw query string (`None` when absent).
pub fn query_param(raw: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[derive(Debug, Clone, Default)]
pub struct Form {
    values: HashMap<String, Vec<String>>,
    /// (field id, message), shown next to the field and in the summary at the top.
    pub errors: Vec<(String, String)>,
}

impl Form {
    /// Reads `application/x-www-form-urlencoded` bytes; never fails (bad UTF-8 is replaced).
    pub fn parse(body: &[u8]) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            values.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        Self { values, errors: Vec::new() }
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), vec![value.into()]);
    }

    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.values.entry(name.to_string()).or_default().push(value.into());
    }

    /// The first value, trimmed; "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).and_then(|v| v.first()).map(|s| s.trim()).unwrap_or("")
    }

    /// Whether the field was sent at all (even empty).
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The value or `None` when empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|s| !s.is_empty()).map(str::to_string)
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values.get(name).is_some_and(|v| v.iter().any(|x| x == value))
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "1" | "on" | "true" | "oui")
    }

    pub fn error(&self, name: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.as_str()).unwrap_or("")
    }

    pub fn add_error(&mut self, name: &str, message: impl Into<String>) {
        if self.error(name).is_empty() {
            self.errors.push((name.to_string(), message.into()));
        }
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// A required text of at most `max` characters.
    pub fn required(&mut self, name: &str, label: &str, max: usize) -> String {
        let v = self.get(name).to_string();
        if v.is_empty() {
            self.add_error(name, format!("Renseignez {label}."));
        } else if v.chars().count() > max {
            self.add_error(name, format!("{} : {max} caractères au plus.", capitalise(label)));
        }
        v
    }

    /// An optional text of at most `max` characters.
    pub fn optional(&mut self, name: &str, label: &str, max: usize) -> Option<String> {
        let v = self.opt(name);
        if v.as_ref().is_some_and(|v| v.chars().count() > max) {
            self.add_error(name, format!("{} : {max} caractères au plus.", capitalise(label)));
        }
        v
    }

    /// An optional `https://` (or `http://`) address.
    pub fn url(&mut self, name: &str, label: &str) -> Option<String> {
        let v = self.optional(name, label, 300)?;
        if !(v.starts_with("https://") || v.starts_with("http://"))
            || v.contains(char::is_whitespace)
            || v.contains(char::is_control)
        {
            self.add_error(name, format!("{} : saisissez une adresse qui commence par https://.", capitalise(label)));
        }
        Some(v)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A file sent with a multipart form, read up to a limit.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// More bytes came than the limit allows; `bytes` holds only the beginning.
    pub too_big: bool,
}

/// Reads a multipart form: text fields into a [`Form`], the file field `file_field` up to
/// `limit` bytes (the rest is read and dropped, so the fields after it are still read and
/// nothing typed is lost). A malformed body gives what could be read, with an error on the file.
pub async fn read_multipart(
    multipart: axum::extract::Multipart,
    file_field: &str,
    limit: usize,
) -> (Form, Option<Upload>) {
    let (form, mut uploads) = read_multipart_files(multipart, &[(file_field, limit)]).await;
    (form, uploads.pop().map(|(_, u)| u))
}

/// [`read_multipart`] for a form with several file fields, each with its own limit: the
/// uploads sent, by field name.
pub async fn read_multipart_files(
    mut multipart: axum::extract::Multipart,
    file_fields: &[(&str, usize)],
) -> (Form, Vec<(String, Upload)>) {
    let mut form = Form::default();
    let mut uploads: Vec<(String, Upload)> = Vec::new();
    let first_file = file_fields.first().map(|f| f.0).unwrap_or_default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                form.add_error(first_file, "L’envoi a été interrompu : réessayez.");
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if let Some((file_field, limit)) = file_fields.iter().find(|(f, _)| *f == name) {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut up = Upload { file_name, ..Upload::default() };
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if up.bytes.len() + chunk.len() > *limit {
                            up.too_big = true;
                        } else {
                            up.bytes.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {
                        form.add_error(file_field, "L’envoi a été interrompu : réessayez.");
                        break;
                    }
                }
            }
            // An empty file input sends a part with no name and no bytes: no file.
            if !(up.file_name.is_empty() && up.bytes.is_empty()) {
                uploads.retain(|(n, _)| n != &name);
                uploads.push((name, up));
            }
        } else {
            match field.text().await {
                Ok(text) => form.push(&name, text),
                Err(_) => form.add_error(&name, "Ce champ n’a pas pu être lu."),
            }
        }
    }
    (form, uploads)
}

/// A row id from the path (`{id}`): anything but a positive number is the 404 page, as for a
/// row that does not exist, so handlers never parse ids themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Id {
    type Rejection = crate::error::AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| crate::error::AppError::NotFound)?;
        raw.parse::<i64>().ok().filter(|n| *n > 0).map(Id).ok_or(crate::error::AppError::NotFound)
    }
}
