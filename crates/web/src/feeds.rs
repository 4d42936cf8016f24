//! The status history as RSS 2.0 and Atom 1.0: one item per incident with
//! its updates, linking to the incident's permalink. Built with the rest of
//! the status snapshot.
use crate::i18n::{Tr, rfc3339};
use store::{Incident, IncidentUpdate};

/// Escapes text for XML character data and attribute values.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc2822(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc2822)
                .ok()
        })
        .unwrap_or_default()
}

/// The updates of an incident as a small HTML fragment, newest first.
fn updates_html(tr: Tr, updates: &[&IncidentUpdate]) -> String {
    let mut html = String::new();
    for u in updates {
        html.push_str(&format!(
            "<p><small>{}</small><br><strong>{}</strong> - {}</p>",
            xml(&rfc3339(u.created_at)),
            xml(&tr.t(&format!("incident-{}", u.status))),
            xml(&u.body)
        ));
    }
    html
}

pub struct FeedInput<'a> {
    pub tr: Tr,
    pub base_url: &'a str,
    pub updated_at: i64,
    pub incidents: &'a [Incident],
    pub updates: &'a dyn Fn(&str) -> Vec<&'a IncidentUpdate>,
}

pub fn rss(f: &FeedInput<'_>) -> String {
    let page = format!("{}/status", f.base_url);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    out.push_str(&format!("<title>{}</title>\n", xml(&f.tr.t("feed-title"))));
    out.push_str(&format!("<link>{}</link>\n", xml(&page)));
    out.push_str(&format!(
        "<description>{}</description>\n",
        xml(&f.tr.t("feed-description"))
    ));
    out.push_str(&format!("<language>{}</language>\n", f.tr.0.as_str()));
    out.push_str(&format!(
        "<lastBuildDate>{}</lastBuildDate>\n",
        rfc2822(f.updated_at)
    ));
    out.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml(&format!("{}/history.rss", f.base_url))
    ));
    for i in f.incidents {
        let link = format!("{}/status/incidents/{}", f.base_url, i.id);
        out.push_str("<item>\n");
        out.push_str(&format!("<title>{}</title>\n", xml(&i.name)));
        out.push_str(&format!("<link>{}</link>\n", xml(&link)));
        out.push_str(&format!(
            "<guid isPermaLink=\"true\">{}</guid>\n",
            xml(&link)
        ));
        out.push_str(&format!("<pubDate>{}</pubDate>\n", rfc2822(i.created_at)));
        out.push_str(&format!(
            "<description>{}</description>\n",
            xml(&updates_html(f.tr, &(f.updates)(&i.id)))
        ));
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

pub fn atom(f: &FeedInput<'_>) -> String {
    let page = format!("{}/status", f.base_url);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        f.tr.0.as_str()
    ));
    out.push_str(&format!("<id>{}</id>\n", xml(&page)));
    out.push_str(&format!("<title>{}</title>\n", xml(&f.tr.t("feed-title"))));
    out.push_str(&format!("<updated>{}</updated>\n", rfc3339(f.updated_at)));
    out.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&page)
    ));
    out.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&format!("{}/history.atom", f.base_url))
    ));
    out.push_str(&format!(
        "<author><name>{}</name></author>\n",
        xml(&f.tr.t("brand"))
    ));
    for i in f.incidents {
        let link = format!("{}/status/incidents/{}", f.base_url, i.id);
        out.push_str("<entry>\n");
        out.push_str(&format!("<id>{}</id>\n", xml(&link)));
        out.push_str(&format!("<title>{}</title>\n", xml(&i.name)));
        out.push_str(&format!(
            "<published>{}</published>\n",
            rfc3339(i.created_at)
        ));
        out.push_str(&format!("<updated>{}</updated>\n", rfc3339(i.updated_at)));
        out.push_str(&format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&link)
        ));
        out.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            xml(&updates_html(f.tr, &(f.updates)(&i.id)))
        ));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(xml("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn dates_are_rfc_2822() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    }
}
