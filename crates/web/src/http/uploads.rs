//! Forms with attachments (multipart): text fields are collected, files
//! are streamed chunk by chunk into [`app::files`], never held whole.
use crate::http::error::{AppResult, Error, WebError};
use crate::http::state::AppState;
use app::model::NewAttachment;
use axum::extract::Multipart;
use std::collections::HashMap;

pub use app::files::{MAX_BODY_BYTES, MAX_FILES};

/// A form with text fields and the files it carried (already on disk).
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<NewAttachment>,
    /// A file that was refused (its kind, its size, one too many): the
    /// rest of the form is still read, so the page can keep the draft.
    pub refused: Option<Error>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

fn unreadable() -> WebError {
    WebError(Error::invalid("attachments", "form"))
}

/// Reads a multipart form; on any error, the files received so far are
/// removed again.
pub async fn read(state: &AppState, mut multipart: Multipart) -> AppResult<UploadForm> {
    let mut form = UploadForm {
        fields: HashMap::new(),
        files: Vec::new(),
        refused: None,
    };
    match read_into(state, &mut multipart, &mut form).await {
        Ok(()) => Ok(form),
        Err(e) => {
            state.app.discard_files(&form.files).await;
            Err(e)
        }
    }
}

async fn read_into(
    state: &AppState,
    multipart: &mut Multipart,
    form: &mut UploadForm,
) -> AppResult<()> {
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or("").to_string();
        let Some(filename) = field.file_name().map(str::to_string) else {
            let text = field.text().await.map_err(|_| unreadable())?;
            form.fields.insert(name, text);
            continue;
        };
        if form.refused.is_some() {
            continue; // the rest of this file is skipped with the field
        }
        let mut upload = state.app.begin_upload(&filename).await?;
        let mut refused = None;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(e @ Error::Invalid(_)) = upload.write(&chunk).await {
                        refused = Some(e);
                        break;
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    upload.abort().await;
                    return Err(unreadable());
                }
            }
        }
        if let Some(e) = refused {
            form.refused = Some(e);
            continue;
        }
        match upload.finish().await {
            Ok(Some(file)) if form.files.len() >= MAX_FILES => {
                state.app.discard_files(std::slice::from_ref(&file)).await;
                form.refused = Some(Error::invalid_with(
                    "attachments",
                    "attachment_count",
                    &[("max", &MAX_FILES.to_string())],
                ));
            }
            Ok(Some(file)) => form.files.push(file),
            Ok(None) => {}
            Err(e @ Error::Invalid(_)) => form.refused = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
