//! The HTML part of e-mails: the same words as the plain-text part, in a
//! simple layout that mail clients render, with links made clickable.
use crate::branding::Branding;
use askama::Template;
use domain::Language;

pub enum Piece {
    Text(String),
    Link(String),
    Break,
}

/// A paragraph of the mail: words and links, or Markdown already rendered
/// and sanitised (an incident update's body).
pub enum Para {
    Pieces(Vec<Piece>),
    Html(String),
}

/// Where, in a mail's text, the rendered Markdown of [`render_with`] goes:
/// a paragraph of this one character (from Unicode's private use area, so
/// no typed text has it).
pub const MARKDOWN_SLOT: &str = "\u{E000}";

#[derive(Template)]
#[template(path = "email.html")]
struct EmailHtml<'a> {
    lang: &'a str,
    brand: String,
    accent: &'a str,
    subject: &'a str,
    paragraphs: Vec<Para>,
    /// The unsubscribe link's words and address, at the foot.
    unsubscribe: Option<(String, String)>,
}

/// Splits a line into text and the http(s) links in it.
fn pieces(line: &str, out: &mut Vec<Piece>) {
    let mut rest = line;
    while let Some(start) = rest.find("https://").or_else(|| rest.find("http://")) {
        if start > 0 {
            out.push(Piece::Text(rest[..start].to_string()));
        }
        let link = &rest[start..];
        let end = link.find(char::is_whitespace).unwrap_or(link.len());
        out.push(Piece::Link(link[..end].to_string()));
        rest = &link[end..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
}

/// The HTML alternative of a plain-text mail. A last paragraph that is the
/// unsubscribe line (`unsubscribe_label` followed by its link) moves to
/// the foot.
pub fn render(
    brand: &Branding,
    lang: Language,
    subject: &str,
    text: &str,
    unsubscribe: Option<(String, String)>,
) -> Option<String> {
    render_with(brand, lang, subject, text, unsubscribe, None)
}

/// [`render`], with the paragraph [`MARKDOWN_SLOT`] of `text` replaced by
/// `markdown` rendered (safely, as on the pages).
pub fn render_with(
    brand: &Branding,
    lang: Language,
    subject: &str,
    text: &str,
    unsubscribe: Option<(String, String)>,
    markdown: Option<&str>,
) -> Option<String> {
    let mut paragraphs = Vec::new();
    for para in text.split("\n\n") {
        if para.trim() == MARKDOWN_SLOT {
            if let Some(md) = markdown {
                paragraphs.push(Para::Html(crate::markdown::render(md)));
            }
            continue;
        }
        let lines: Vec<&str> = para.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        let mut p = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                p.push(Piece::Break);
            }
            pieces(line.trim_end(), &mut p);
        }
        paragraphs.push(Para::Pieces(p));
    }
    EmailHtml {
        lang: lang.as_str(),
        brand: brand.name_in(lang),
        accent: &brand.accent,
        subject,
        paragraphs,
        unsubscribe,
    }
    .render()
    .ok()
}

/// An e-mail for the outbox: the text, its HTML alternative, and the
/// idempotency key that makes a repeated write (or delivery) recognisable.
pub fn message(
    brand: &Branding,
    lang: Language,
    to: &str,
    subject: String,
    text: String,
    idempotency_key: String,
) -> store::NewOutboxMessage {
    store::NewOutboxMessage::new(
        "email",
        to,
        notify::Email {
            to: to.to_string(),
            html: render(brand, lang, &subject, &text, None),
            subject,
            text,
            headers: Vec::new(),
        }
        .to_json(),
        idempotency_key,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_anchors_and_text_is_escaped() {
        let html = render(
            &Branding::default(),
            Language::En,
            "Chat <delays>",
            "Status: investigating\nAffects: Chat & Login\n\nFollow it here: https://x.test/status/incidents/1",
            Some(("Unsubscribe".into(), "https://x.test/u?s=1&t=2".into())),
        )
        .expect("html");
        assert!(html.contains("<h1 style=\"margin:0 0 16px;font-size:20px;line-height:1.3;\">Chat &#60;delays&#62;</h1>") || html.contains("Chat &lt;delays&gt;"));
        assert!(html.contains("Chat &#38; Login") || html.contains("Chat &amp; Login"));
        assert!(html.contains("<a href=\"https://x.test/status/incidents/1\""));
        assert!(html.contains("Status: investigating<br>Affects"));
        assert!(
            html.contains("https://x.test/u?s=1&#38;t=2")
                || html.contains("https://x.test/u?s=1&amp;t=2")
        );
    }
}
