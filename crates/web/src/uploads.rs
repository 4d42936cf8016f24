//! Attachments: multipart forms, size and count limits, content types
//! checked against the file's own bytes, and storage outside the database
//! (one file per attachment under `<data_dir>/attachments/`).
use crate::error::{AppError, AppResult};
use axum::extract::Multipart;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use store::NewAttachment;

pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The request body limit for forms with attachments.
pub const MAX_BODY_BYTES: usize = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024;

/// A form with text fields and files.
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

pub async fn read(mut multipart: Multipart) -> AppResult<UploadForm> {
    let mut fields = HashMap::new();
    let mut files = Vec::new();
    loop {
        let field = multipart.next_field().await.map_err(|e| {
            AppError::bad("attachments", format!("the form could not be read: {e}"))
        })?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or("").to_string();
        if let Some(filename) = field.file_name().map(str::to_string) {
            let bytes = field.bytes().await.map_err(|e| {
                AppError::bad(
                    "attachments",
                    format!("attachments: the upload failed: {e}"),
                )
            })?;
            if filename.is_empty() && bytes.is_empty() {
                continue; // an empty file input
            }
            if files.len() >= MAX_FILES {
                return Err(AppError::bad(
                    "attachments",
                    format!("attachments: at most {MAX_FILES} files"),
                ));
            }
            if bytes.len() > MAX_FILE_BYTES {
                return Err(AppError::bad(
                    "attachments",
                    format!(
                        "attachments: {filename} is larger than {} MiB",
                        MAX_FILE_BYTES / 1024 / 1024
                    ),
                ));
            }
            files.push((filename, bytes.to_vec()));
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| AppError::bad(&name, format!("{name}: {e}")))?;
            fields.insert(name, text);
        }
    }
    Ok(UploadForm { fields, files })
}

/// The content type of a file judged by its bytes; `None` when it is not a
/// kind we accept (images, PDF, plain text).
pub fn sniff(filename: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if matches!(ext.as_str(), "txt" | "log" | "csv" | "json" | "md")
        && !bytes.contains(&0)
        && std::str::from_utf8(bytes).is_ok()
    {
        Some(if ext == "csv" {
            "text/csv"
        } else {
            "text/plain"
        })
    } else {
        None
    }
}

/// A safe display name for a file: no paths, no control characters.
pub fn clean_name(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or("file");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

pub fn path_of(data_dir: &Path, id: &str) -> PathBuf {
    data_dir.join("attachments").join(id)
}

/// Checks and writes the files (synced to disk) before the database row
/// that refers to them is committed.
pub fn store_files(data_dir: &Path, files: &[(String, Vec<u8>)]) -> AppResult<Vec<NewAttachment>> {
    let mut out = Vec::new();
    for (filename, bytes) in files {
        let Some(content_type) = sniff(filename, bytes) else {
            return Err(AppError::bad(
                "attachments",
                format!(
                    "attachments: {} is not an image, PDF or text file",
                    clean_name(filename)
                ),
            ));
        };
        out.push((clean_name(filename), content_type, bytes));
    }
    let dir = data_dir.join("attachments");
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.into()))?;
    let mut stored = Vec::new();
    for (filename, content_type, bytes) in out {
        let id = store::new_id();
        let path = dir.join(&id);
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&path)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            remove(data_dir, &stored);
            return Err(AppError::Internal(e.into()));
        }
        stored.push(NewAttachment {
            id,
            filename,
            content_type: content_type.to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        });
    }
    Ok(stored)
}

/// Removes files whose database rows were not written.
pub fn remove(data_dir: &Path, files: &[NewAttachment]) {
    for f in files {
        let _ = std::fs::remove_file(path_of(data_dir, &f.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff("x.png", b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(
            sniff("renamed.txt", b"\x89PNG\r\n\x1a\nrest"),
            Some("image/png")
        );
        assert_eq!(sniff("evil.png", b"<html><script>"), None);
        assert_eq!(sniff("notes.txt", "hej då".as_bytes()), Some("text/plain"));
        assert_eq!(sniff("page.html", b"<html>"), None);
        assert_eq!(sniff("bin.txt", b"a\0b"), None);
        assert_eq!(sniff("doc.pdf", b"%PDF-1.7"), Some("application/pdf"));
    }

    #[test]
    fn names_lose_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\x\\shot \"1\".png"), "shot 1.png");
        assert_eq!(clean_name(""), "file");
    }
}
