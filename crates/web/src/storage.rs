//! Uploaded files (CVs): checked before anything is stored, kept through `object_store`
//! (a folder by default, an S3-compatible bucket in production) under a random key that says
//! nothing about the person, and read back only after the caller checked who may.

use crate::error::AppError;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

/// A CV may not be larger than this.
pub const MAX_CV_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl FileStore {
    /// Files under `dir` (created if missing).
    pub fn local(dir: &std::path::Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(std::io::Error::other)?;
        Ok(Self { inner: Arc::new(store) })
    }

    pub fn in_memory() -> Self {
        Self { inner: Arc::new(InMemory::new()) }
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| AppError::Internal(format!("écriture du fichier {key} : {e}").into()))
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, AppError> {
        let got = self.inner.get(&ObjectPath::from(key)).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => AppError::NotFound,
            e => AppError::Internal(format!("lecture du fichier {key} : {e}").into()),
        })?;
        Ok(got.bytes().await.map_err(|e| AppError::Internal(e.into()))?.to_vec())
    }

    /// Puts the files the demo data points to (its videos), unless they are there already.
    pub async fn put_demo_files(&self) -> Result<(), AppError> {
        for (key, bytes) in db::seed::demo_files() {
            if self.size(&key).await.is_err() {
                self.put(&key, bytes.to_vec()).await?;
            }
        }
        Ok(())
    }

    /// A file's size in bytes (`NotFound` when it is not stored).
    pub async fn size(&self, key: &str) -> Result<u64, AppError> {
        match self.inner.head(&ObjectPath::from(key)).await {
            Ok(meta) => Ok(meta.size),
            Err(object_store::Error::NotFound { .. }) => Err(AppError::NotFound),
            Err(e) => Err(AppError::Internal(format!("taille du fichier {key} : {e}").into())),
        }
    }

    /// Streams a file, or the bytes `range` of it (inclusive): a video is never held whole in
    /// memory.
    pub async fn stream(
        &self,
        key: &str,
        range: Option<std::ops::RangeInclusive<u64>>,
    ) -> Result<axum::body::Body, AppError> {
        let options = object_store::GetOptions {
            range: range.map(|r| object_store::GetRange::Bounded(*r.start()..r.end() + 1)),
            ..Default::default()
        };
        let got = self.inner.get_opts(&ObjectPath::from(key), options).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => AppError::NotFound,
            e => AppError::Internal(format!("lecture du fichier {key} : {e}").into()),
        })?;
        Ok(axum::body::Body::from_stream(got.into_stream()))
    }

    /// The keys stored under a folder (`cv`, `logos`): for checks that nothing is left behind.
    pub async fn keys(&self, folder: &str) -> Result<Vec<String>, AppError> {
        let listed = self
            .inner
            .list_with_delimiter(Some(&ObjectPath::from(folder)))
            .await
            .map_err(|e| AppError::Internal(format!("liste des fichiers {folder} : {e}").into()))?;
        Ok(listed.objects.into_iter().map(|o| o.location.to_string()).collect())
    }

    /// Deleting a missing file is not an error (a retried deletion).
    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match self.inner.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(AppError::Internal(format!("suppression du fichier {key} : {e}").into())),
        }
    }
}

/// A stored media file answered as browsers' players ask for it: whole (200), or the one byte
/// range of a `Range` header (206, `Content-Range`), or 416 for a range outside the file.
/// Several ranges at once are answered whole, as HTTP allows.
pub async fn ranged_response(
    files: &FileStore,
    key: &str,
    content_type: &'static str,
    cache_control: &'static str,
    headers: &axum::http::HeaderMap,
) -> Result<axum::response::Response, AppError> {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let size = files.size(key).await?;
    let asked = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let range = match asked.map(|h| http_range_header::parse_range_header(h).and_then(|r| r.validate(size))) {
        None => None,
        Some(Ok(ranges)) if ranges.len() == 1 && size > 0 => ranges.into_iter().next(),
        Some(Ok(_)) => None,
        Some(Err(_)) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}")), (header::ACCEPT_RANGES, "bytes".into())],
            )
                .into_response());
        }
    };
    let common = [
        (header::CONTENT_TYPE, content_type.to_string()),
        (header::ACCEPT_RANGES, "bytes".to_string()),
        (header::CACHE_CONTROL, cache_control.to_string()),
    ];
    Ok(match range {
        Some(r) => {
            let (start, end) = (*r.start(), *r.end());
            let body = files.stream(key, Some(r)).await?;
            (
                StatusCode::PARTIAL_CONTENT,
                common,
                [
                    (header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")),
                    (header::CONTENT_LENGTH, (end - start + 1).to_string()),
                ],
                body,
            )
                .into_response()
        }
        None => {
            let body = files.stream(key, None).await?;
            (StatusCode::OK, common, [(header::CONTENT_LENGTH, size.to_string())], body).into_response()
        }
    })
}

/// The most a single stream of an uploaded PDF may inflate to while it is checked.
pub const MAX_PDF_STREAM_BYTES: usize = 8 * 1024 * 1024;

/// Why an uploaded CV is refused, in French. Heavy: call it through [`crate::bounded::run`]. A CV must be a PDF by its content (the magic bytes,
/// whatever its name says) and parse as one (a truncated or corrupt file is refused).
pub fn check_cv(bytes: &[u8]) -> Result<(), &'static str> {
    if bytes.is_empty() {
        return Err("Le fichier est vide.");
    }
    if bytes.len() > MAX_CV_BYTES {
        return Err("Le fichier dépasse 5 Mo : réduisez-le (en exportant le PDF en qualité « écran », par exemple).");
    }
    if infer::get(bytes).map(|t| t.mime_type()) != Some("application/pdf") {
        return Err("Le fichier n’est pas un PDF. Enregistrez votre CV au format PDF puis déposez-le à nouveau.");
    }
    // Object and cross-reference streams are inflated while the PDF loads: a few hundred
    // kilobytes can inflate to gigabytes. A CV's streams stay far below this bound.
    let options = lopdf::LoadOptions { max_decompressed_size: Some(MAX_PDF_STREAM_BYTES), ..Default::default() };
    match lopdf::Document::load_mem_with_options(bytes, options) {
        Ok(doc) if doc.get_pages().is_empty() => Err("Ce PDF ne contient aucune page."),
        Ok(_) => Ok(()),
        Err(_) => Err("Ce PDF est illisible ou incomplet. Enregistrez-le à nouveau puis déposez-le."),
    }
}

/// A file name safe to show and to send back in `Content-Disposition`: no folders, no control
/// characters, at most 100 characters, ending in `.pdf`.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    let stem = if cleaned.is_empty() { "cv".to_string() } else { cleaned };
    if stem.to_lowercase().ends_with(".pdf") { stem } else { format!("{stem}.pdf") }
}

/// A logo is at most this size when uploaded, and this many pixels wide and high once resized.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
pub const LOGO_SIZE: u32 = 400;

/// The largest logo decoded, in pixels a side, and the memory its decoding may take.
pub const MAX_LOGO_SIDE: u32 = 4000;
pub const MAX_LOGO_DECODED_BYTES: u64 = 80 * 1024 * 1024;

/// Checks an uploaded logo (a PNG or JPEG by its content), decodes it, fits it in
/// [`LOGO_SIZE`] pixels and re-encodes it as PNG (which also drops any metadata). Heavy: call
/// it through [`crate::bounded::run`].
pub fn prepare_logo(bytes: &[u8]) -> Result<Vec<u8>, &'static str> {
    if bytes.len() > MAX_LOGO_BYTES {
        return Err("Le logo dépasse 2 Mo.");
    }
    let Some(format) = image_format(bytes) else { return Err("Le logo doit être une image PNG ou JPEG.") };
    fit_png(bytes, format, LOGO_SIZE)
}

/// A story's portrait: checked and re-encoded as a logo is (the same limits), at most
/// [`PHOTO_SIZE`] pixels a side. The re-encoding drops the camera's metadata (place, device).
pub fn prepare_photo(bytes: &[u8]) -> Result<Vec<u8>, &'static str> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err("La photo dépasse 5 Mo.");
    }
    let Some(format) = image_format(bytes) else { return Err("La photo doit être une image PNG ou JPEG.") };
    fit_png(bytes, format, PHOTO_SIZE)
}

pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
pub const PHOTO_SIZE: u32 = 600;

fn image_format(bytes: &[u8]) -> Option<image::ImageFormat> {
    match infer::get(bytes).map(|t| t.mime_type()) {
        Some("image/png") => Some(image::ImageFormat::Png),
        Some("image/jpeg") => Some(image::ImageFormat::Jpeg),
        _ => None,
    }
}

fn fit_png(bytes: &[u8], format: image::ImageFormat, side: u32) -> Result<Vec<u8>, &'static str> {
    // The header is read first: a small file may declare 13,000 × 13,000 pixels, which would
    // take 676 MB to decode.
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_LOGO_SIDE);
    limits.max_image_height = Some(MAX_LOGO_SIDE);
    limits.max_alloc = Some(MAX_LOGO_DECODED_BYTES);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => "Cette image est trop grande : 4 000 pixels de côté au plus.",
        _ => "Cette image est illisible ou incomplète.",
    })?;
    let img = if img.width() > side || img.height() > side {
        img.resize(side, side, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).map_err(|_| "Cette image n’a pas pu être convertie.")?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header declares `side` × `side` pixels, with no pixel data at all.
    fn declared_png(side: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = 0xFFFF_FFFFu32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
                }
            }
            !crc
        }
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&side.to_be_bytes());
        ihdr.extend_from_slice(&side.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit RGBA
        png.extend_from_slice(&13u32.to_be_bytes());
        png.extend_from_slice(&ihdr);
        png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        png.extend_from_slice(&0u32.to_be_bytes());
        png.extend_from_slice(b"IEND");
        png.extend_from_slice(&crc32(b"IEND").to_be_bytes());
        png
    }

    #[test]
    fn a_logo_too_large_to_decode_is_refused_from_its_header() {
        // 13,000 × 13,000 would take 676 MB decoded: refused before anything is allocated.
        assert_eq!(
            prepare_logo(&declared_png(13_000)),
            Err("Cette image est trop grande : 4 000 pixels de côté au plus.")
        );
        // Within the bound, the same empty file is merely unreadable.
        assert_eq!(prepare_logo(&declared_png(100)), Err("Cette image est illisible ou incomplète."));
    }

    /// A one-page PDF whose objects are packed in a compressed object stream; `filler` bytes
    /// of spaces in one of them make that stream inflate to more than it weighs.
    fn pdf_with_object_stream(filler: usize) -> Vec<u8> {
        use lopdf::{Document, Object, StringFormat, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1}),
        );
        let info = doc.add_object(dictionary! {"Subject" => Object::String(vec![b' '; filler], StringFormat::Literal)});
        let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info);
        let mut buf = Vec::new();
        doc.save_modern(&mut buf).expect("pdf");
        buf
    }

    #[test]
    fn a_pdf_that_inflates_past_the_bound_is_refused() {
        assert_eq!(check_cv(&pdf_with_object_stream(1_000)), Ok(()), "a small object stream is fine");
        let bomb = pdf_with_object_stream(MAX_PDF_STREAM_BYTES + 1024 * 1024);
        assert!(bomb.len() < 200_000, "{} bytes: it must weigh little", bomb.len());
        assert!(check_cv(&bomb).is_err(), "9 MiB inflated from a small file");
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd.pdf");
        assert_eq!(clean_file_name("..\\..\\cv.pdf"), "cv.pdf");
        assert_eq!(clean_file_name("Mon CV \"2026\".PDF"), "Mon CV 2026.PDF");
        assert_eq!(clean_file_name(".."), "cv.pdf");
    }
}
