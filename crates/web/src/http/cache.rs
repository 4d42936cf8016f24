//! The public documents' cache: each document once in identity, gzip and
//! brotli bytes with an ETag, swapped in whole; requests only pick the
//! variant they accept, or get a 304.
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// One document in its three encodings.
pub struct Variant {
    pub identity: Bytes,
    pub gzip: Bytes,
    pub br: Bytes,
    pub etag: HeaderValue,
    pub content_type: &'static str,
}

impl Variant {
    pub fn new(body: Vec<u8>, content_type: &'static str) -> Variant {
        let gzip = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let _ = e.write_all(&body);
            e.finish().unwrap_or_default()
        };
        let br = {
            let mut out = Vec::new();
            {
                // A window as large as the document and no larger: a 4 MiB
                // window (the default 22) costs tens of MiB of peak memory
                // per rebuild and compresses a 50 KiB page no better.
                let window = (body.len().max(1 << 10) as f64).log2().ceil() as u32;
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, window.clamp(10, 22));
                let _ = w.write_all(&body);
            }
            out
        };
        Variant {
            etag: etag_of(&body),
            identity: Bytes::from(body),
            gzip: Bytes::from(gzip),
            br: Bytes::from(br),
            content_type,
        }
    }
}

pub struct Snapshot {
    pub version: u64,
    pub(crate) docs: HashMap<String, Arc<Variant>>,
    /// The overall state's key (`all_operational`, `degraded`, …), for
    /// the status dot in every page's footer.
    pub overall: &'static str,
}

/// The current snapshot and the channel that announces new ones.
pub struct StatusHub {
    pub(crate) current: RwLock<Arc<Snapshot>>,
    pub events: tokio::sync::broadcast::Sender<u64>,
    pub(crate) version: AtomicU64,
    pub(crate) building: tokio::sync::Mutex<()>,
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for StatusHub {
    fn default() -> Self {
        let (events, _) = tokio::sync::broadcast::channel(16);
        StatusHub {
            current: RwLock::new(Arc::new(Snapshot {
                version: 0,
                docs: HashMap::new(),
                overall: "all_operational",
            })),
            events,
            version: AtomicU64::new(0),
            building: tokio::sync::Mutex::new(()),
            closing: tokio::sync::watch::channel(false).0,
        }
    }
}

impl StatusHub {
    pub fn doc(&self, key: &str) -> Option<Arc<Variant>> {
        let current = self.current.read().ok()?.clone();
        current.docs.get(key).cloned()
    }

    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    /// The overall state's key as the latest snapshot has it.
    pub fn overall(&self) -> &'static str {
        self.current
            .read()
            .map(|c| c.overall)
            .unwrap_or("all_operational")
    }

    /// Ends every open event stream, so a graceful shutdown is not held up
    /// by pages that stay open.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }
}

/// A strong validator for a document: the start of its SHA-256.
pub fn etag_of(body: &[u8]) -> HeaderValue {
    use sha2::Digest;
    let hash = hex::encode(&sha2::Sha256::digest(body)[..8]);
    HeaderValue::from_str(&format!("\"{hash}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// Serves a snapshot document with the encoding the client accepts, and
/// 304 when it already has it.
pub fn serve(variant: &Variant, headers: &HeaderMap, html: bool) -> Response {
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (body, encoding) = if accepts(accept, "br") {
        (variant.br.clone(), Some("br"))
    } else if accepts(accept, "gzip") {
        (variant.gzip.clone(), Some("gzip"))
    } else {
        (variant.identity.clone(), None)
    };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == variant.etag.to_str().unwrap_or("") || t.trim() == "*")
        });
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, variant.etag.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=10"),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static(if html {
            "Accept-Encoding, Accept-Language, Cookie"
        } else {
            "Accept-Encoding, Accept-Language"
        }),
    );
    if !not_modified {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(variant.content_type),
        );
        if let Some(e) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
        }
    }
    if !html {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// Whether an `Accept-Encoding` header allows `coding` (q > 0).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let q = it
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        name.eq_ignore_ascii_case(coding) && q > 0.0
    })
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_with_q_values() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("gzip;q=0.5", "gzip"));
        assert!(!accepts("gzip;q=0", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
    }
}
