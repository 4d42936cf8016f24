//! The status history as RSS 2.0 and Atom 1.0, written by the `rss` and
//! `atom_syndication` crates: one item per incident with its updates,
//! linking to the incident's permalink. Built with the rest of the status
//! snapshot.
use crate::i18n::{Tr, rfc3339};
use app::model::{Incident, IncidentUpdate};

/// Markup and characters XML does not allow, made safe for a feed's text.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Characters XML 1.0 does not allow at all, dropped from plain text.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| (*c as u32) >= 0x20 || matches!(c, '\t' | '\n' | '\r'))
        .collect()
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

fn fixed(ms: i64) -> atom_syndication::FixedDateTime {
    atom_syndication::FixedDateTime::parse_from_rfc3339(&rfc3339(ms)).unwrap_or_default()
}

/// The updates of an incident as a small HTML fragment, newest first.
fn updates_html(tr: Tr, updates: &[&IncidentUpdate]) -> String {
    let mut html = String::new();
    for u in updates {
        // The update's Markdown, rendered and sanitised as on the page
        // (raw HTML in it stays text).
        html.push_str(&format!(
            "<p><small>{}</small><br><strong>{}</strong></p>{}",
            escape(&rfc3339(u.created_at)),
            escape(&tr.t(&format!("incident-{}", u.status))),
            clean(&app::markdown::render(&u.body))
        ));
    }
    html
}

pub struct FeedInput<'a> {
    pub tr: Tr,
    /// The operator's name (or the product's).
    pub brand: &'a str,
    pub base_url: &'a str,
    pub updated_at: i64,
    pub incidents: &'a [Incident],
    pub updates: &'a dyn Fn(&str) -> Vec<&'a IncidentUpdate>,
}

pub fn rss(f: &FeedInput<'_>) -> String {
    let items: Vec<rss::Item> = f
        .incidents
        .iter()
        .map(|i| {
            let link = format!("{}/status/incidents/{}", f.base_url, i.id);
            let mut guid = rss::Guid::default();
            guid.set_value(link.clone());
            guid.set_permalink(true);
            let mut item = rss::Item::default();
            item.set_title(clean(&i.name));
            item.set_link(link);
            item.set_guid(guid);
            item.set_pub_date(rfc2822(i.created_at));
            item.set_description(updates_html(f.tr, &(f.updates)(&i.id)));
            item
        })
        .collect();
    let mut self_link = atom_syndication::Link::default();
    self_link.set_href(format!(
        "{}/history.rss?lang={}",
        f.base_url,
        f.tr.0.as_str()
    ));
    self_link.set_rel("self");
    self_link.set_mime_type(Some("application/rss+xml".to_string()));
    let mut atom_ext = rss::extension::atom::AtomExtension::default();
    atom_ext.set_links(vec![self_link]);
    let mut channel = rss::Channel::default();
    channel.set_title(f.tr.ta("feed-title", &[("brand", f.brand)]));
    channel.set_link(format!("{}/status", f.base_url));
    channel.set_description(f.tr.t("feed-description"));
    channel.set_language(f.tr.0.as_str().to_string());
    channel.set_last_build_date(rfc2822(f.updated_at));
    channel.set_atom_ext(atom_ext);
    channel.set_items(items);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&channel.to_string());
    out.push('\n');
    out
}

pub fn atom(f: &FeedInput<'_>) -> String {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let page = format!("{}/status", f.base_url);
    let link = |href: String, rel: &str, mime: &str| {
        let mut l = Link::default();
        l.set_href(href);
        l.set_rel(rel);
        l.set_mime_type(Some(mime.to_string()));
        l
    };
    let entries: Vec<Entry> = f
        .incidents
        .iter()
        .map(|i| {
            let href = format!("{}/status/incidents/{}", f.base_url, i.id);
            let mut content = Content::default();
            content.set_content_type(Some("html".to_string()));
            content.set_value(Some(updates_html(f.tr, &(f.updates)(&i.id))));
            let mut e = Entry::default();
            e.set_id(href.clone());
            e.set_title(Text::plain(clean(&i.name)));
            e.set_published(Some(fixed(i.created_at)));
            e.set_updated(fixed(i.updated_at));
            e.set_links(vec![link(href, "alternate", "text/html")]);
            e.set_content(Some(content));
            e
        })
        .collect();
    let mut author = Person::default();
    author.set_name(f.brand);
    let mut feed = Feed::default();
    feed.set_id(page.clone());
    feed.set_title(Text::plain(f.tr.ta("feed-title", &[("brand", f.brand)])));
    feed.set_updated(fixed(f.updated_at));
    feed.set_lang(Some(f.tr.0.as_str().to_string()));
    feed.set_links(vec![
        link(page, "alternate", "text/html"),
        link(
            format!("{}/history.atom?lang={}", f.base_url, f.tr.0.as_str()),
            "self",
            "application/atom+xml",
        ),
    ]);
    feed.set_authors(vec![author]);
    feed.set_entries(entries);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&feed.to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(escape("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
        assert_eq!(clean("a\u{1}b\nc"), "ab\nc");
    }

    #[test]
    fn dates_are_rfc_2822() {
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    }

    #[test]
    fn feeds_parse_back_with_their_incidents() {
        let incident = Incident {
            id: "i1".into(),
            kind: "incident".into(),
            name: "Login <slow> & \u{1}odd".into(),
            status: "investigating".into(),
            impact: "minor".into(),
            scheduled_for: None,
            scheduled_until: None,
            created_at: 86_400_000,
            updated_at: 90_000_000,
            started_at: 86_400_000,
            monitoring_at: None,
            resolved_at: None,
            translations: "{}".into(),
            postmortem: String::new(),
            postmortem_at: None,
            edited_at: None,
        };
        let update = IncidentUpdate {
            id: "u1".into(),
            incident_id: "i1".into(),
            status: "investigating".into(),
            body: "We <b>look</b> at **logins**".into(),
            affected: "[]".into(),
            created_at: 86_400_000,
            translations: "{}".into(),
            edited_at: None,
        };
        let incidents = vec![incident];
        let updates = |_: &str| vec![&update];
        let input = FeedInput {
            tr: Tr(domain::Language::En),
            brand: "Acme Cloud",
            base_url: "https://x.test",
            updated_at: 90_000_000,
            incidents: &incidents,
            updates: &updates,
        };
        let channel = rss::Channel::read_from(rss(&input).as_bytes()).expect("rss parses");
        assert_eq!(channel.items()[0].title(), Some("Login <slow> & odd"));
        assert!(
            channel.items()[0]
                .description()
                .is_some_and(|d| d.contains("We &lt;b&gt;look&lt;/b&gt;")
                    && d.contains("<strong>logins</strong>"))
        );
        let feed = atom(&input)
            .parse::<atom_syndication::Feed>()
            .expect("atom parses");
        assert_eq!(feed.entries()[0].title().as_str(), "Login <slow> & odd");
        assert_eq!(feed.entries()[0].id(), "https://x.test/status/incidents/i1");
        assert_eq!(feed.title().as_str(), "Acme Cloud status history");
        assert_eq!(channel.title(), "Acme Cloud status history");
    }
}
