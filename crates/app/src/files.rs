//! Attachments on disk: one file per attachment under
//! `<data_dir>/attachments/<id>`, streamed there chunk by chunk as the
//! upload arrives (never held whole in memory), through tokio's file API
//! (which does its blocking work off the async runtime), checked by their
//! own bytes (images, PDF, text), and synced to disk before the database row
//! that refers to them is committed.
use crate::{App, Error, Result};
use std::path::{Path, PathBuf};
use store::NewAttachment;
use tokio::io::AsyncWriteExt;

pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// The request body limit for forms with attachments.
pub const MAX_BODY_BYTES: usize = MAX_FILES * 10 * 1024 * 1024 + 1024 * 1024;

/// What the first bytes of a file say it is.
fn sniff_magic(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn text_type(filename: &str) -> Option<&'static str> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => Some("text/csv"),
        "txt" | "log" | "json" | "md" => Some("text/plain"),
        _ => None,
    }
}

/// The content type of a whole file judged by its bytes; `None` when it is
/// not a kind we accept.
pub fn sniff(filename: &str, bytes: &[u8]) -> Option<&'static str> {
    sniff_magic(bytes).or_else(|| {
        text_type(filename).filter(|_| !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok())
    })
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

/// One file being received.
pub struct Upload {
    id: String,
    path: PathBuf,
    name: String,
    raw_name: String,
    file: tokio::fs::File,
    size: u64,
    head: Vec<u8>,
    /// Whether the bytes so far could be UTF-8 text without NUL, and the
    /// bytes of a character cut off at the end of the last chunk.
    texty: bool,
    carry: Vec<u8>,
}

impl App {
    /// Starts receiving a file named `filename`.
    pub async fn begin_upload(&self, filename: &str) -> Result<Upload> {
        let dir = self.config.data_dir.join("attachments");
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(Error::internal)?;
        let id = store::new_id();
        let path = dir.join(&id);
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(Error::internal)?;
        Ok(Upload {
            id,
            path,
            name: clean_name(filename),
            raw_name: filename.to_string(),
            file,
            size: 0,
            head: Vec::with_capacity(16),
            texty: true,
            carry: Vec::new(),
        })
    }

    /// Removes files whose database rows were not written.
    pub async fn discard_files(&self, files: &[NewAttachment]) {
        for f in files {
            let _ = tokio::fs::remove_file(path_of(&self.config.data_dir, &f.id)).await;
        }
    }

    /// Where an attachment's bytes are.
    pub fn file_path(&self, id: &str) -> PathBuf {
        path_of(&self.config.data_dir, id)
    }
}

impl Upload {
    /// Appends a chunk; refuses a file over the size limit as soon as it
    /// gets there.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.size += chunk.len() as u64;
        if self.size > MAX_FILE_BYTES {
            let name = self.name.clone();
            self.abort().await;
            return Err(Error::invalid_with(
                "attachments",
                "attachment_size",
                &[
                    ("name", &name),
                    ("max", &(MAX_FILE_BYTES / 1024 / 1024).to_string()),
                ],
            ));
        }
        if self.head.len() < 16 {
            let need = (16 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..need]);
        }
        if self.texty {
            self.check_text(chunk);
        }
        self.file.write_all(chunk).await.map_err(Error::internal)
    }

    fn check_text(&mut self, chunk: &[u8]) {
        if chunk.contains(&0) {
            self.texty = false;
            return;
        }
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(chunk);
        match std::str::from_utf8(&bytes) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => {
                self.carry = bytes[e.valid_up_to()..].to_vec();
            }
            Err(_) => self.texty = false,
        }
    }

    /// Ends the file: checks its kind by its bytes and syncs it to disk.
    /// `None` for an empty file input (no name, no bytes).
    pub async fn finish(mut self) -> Result<Option<NewAttachment>> {
        if self.size == 0 && self.raw_name.is_empty() {
            self.abort().await;
            return Ok(None);
        }
        let text_ok = self.texty && self.carry.is_empty();
        let kind = sniff_magic(&self.head).or_else(|| text_type(&self.name).filter(|_| text_ok));
        let Some(content_type) = kind else {
            let name = self.name.clone();
            self.abort().await;
            return Err(Error::invalid_with(
                "attachments",
                "attachment_type",
                &[("name", &name)],
            ));
        };
        if let Err(e) = async {
            self.file.flush().await?;
            self.file.sync_all().await
        }
        .await
        {
            self.abort().await;
            return Err(Error::internal(e));
        }
        Ok(Some(NewAttachment {
            id: self.id,
            filename: self.name,
            content_type: content_type.to_string(),
            size: i64::try_from(self.size).unwrap_or(i64::MAX),
        }))
    }

    /// Drops what was received.
    pub async fn abort(&mut self) {
        let _ = tokio::fs::remove_file(&self.path).await;
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

    #[tokio::test]
    async fn uploads_stream_to_disk_and_judge_text_across_chunks() {
        let dir = tempfile::tempdir().expect("dir");
        let store =
            store::Store::connect(&format!("sqlite:{}", dir.path().join("t.db").display()), 1)
                .await
                .expect("store");
        let app = App::new(
            store,
            crate::Config {
                data_dir: dir.path().to_path_buf(),
                ..crate::Config::default()
            },
            std::sync::Arc::new(domain::SystemClock),
        );
        // "hej då" with the two bytes of "å" split between chunks.
        let bytes = "hej då".as_bytes();
        let mut up = app.begin_upload("notes.txt").await.expect("begin");
        up.write(&bytes[..6]).await.expect("write");
        up.write(&bytes[6..]).await.expect("write");
        let f = up.finish().await.expect("finish").expect("a file");
        assert_eq!(f.content_type, "text/plain");
        assert_eq!(std::fs::read(app.file_path(&f.id)).expect("read"), bytes);
        // A cut-off character at the end is not text.
        let mut up = app.begin_upload("bad.txt").await.expect("begin");
        up.write(&bytes[..6]).await.expect("write");
        assert!(up.finish().await.is_err());
        // Too large: refused while streaming, and nothing is left behind.
        let mut up = app.begin_upload("big.txt").await.expect("begin");
        let chunk = vec![b'a'; 1024 * 1024];
        let mut refused = false;
        for _ in 0..11 {
            if up.write(&chunk).await.is_err() {
                refused = true;
                break;
            }
        }
        assert!(refused);
        let left = std::fs::read_dir(dir.path().join("attachments"))
            .expect("dir")
            .count();
        assert_eq!(left, 1, "only the first file remains");
    }
}
