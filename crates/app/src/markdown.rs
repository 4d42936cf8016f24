//! Markdown from people (request messages, chat, incident texts and, soon,
//! help articles and community posts by untrusted public authors), rendered
//! safely in two steps: pulldown-cmark turns raw HTML into text and images
//! into links (no third-party loads), and ammonia then keeps only an
//! allow-list of tags and attributes, links only to http, https, mailto or
//! this site, with `rel="noopener noreferrer nofollow"`. The second step
//! holds even if the first is ever loosened.
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(builder);

/// Articles by support admins may also show images they uploaded (only
/// from this site's `/help/images/`) and carry anchors on their headings.
static ARTICLE_CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = builder();
    b.add_tags(["img"])
        .add_tag_attributes("img", ["src", "alt", "title"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"]);
    b
});

fn builder() -> ammonia::Builder<'static> {
    let tags: HashSet<&str> = [
        "a",
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "input",
    ]
    .into_iter()
    .collect();
    let mut b = ammonia::Builder::default();
    b.tags(tags)
        .tag_attributes(
            [
                ("a", ["href", "title"].into_iter().collect()),
                (
                    "input",
                    ["type", "checked", "disabled"].into_iter().collect(),
                ),
                ("th", ["style"].into_iter().collect()),
                ("td", ["style"].into_iter().collect()),
                ("ol", ["start"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        )
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer nofollow"))
        .filter_style_properties(["text-align"].into_iter().collect());
    b
}

/// Markdown to safe HTML.
pub fn render(src: &str) -> String {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(src, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(src.len() * 2);
    html::push_html(&mut out, events);
    CLEANER.clean(&out).to_string()
}

/// A section heading of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 2 or 3.
    pub level: u8,
    /// The `id` of the heading, unique in the article.
    pub anchor: String,
    pub text: String,
}

/// Where uploaded article images are served; only these are shown inline.
pub const ARTICLE_IMAGES: &str = "/help/images/";

/// An article's Markdown to safe HTML, with an anchor on each second- and
/// third-level heading (returned too, for the table of contents and the
/// per-section "Was this information helpful?").
pub fn render_article(src: &str) -> (String, Vec<Heading>) {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    let mut events: Vec<Event> = Parser::new_ext(src, options)
        .map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        })
        .collect();
    let mut headings = Vec::new();
    let mut in_image = Vec::new();
    for i in 0..events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { level, .. })
                if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) =>
            {
                let level = if *level == HeadingLevel::H2 { 2 } else { 3 };
                let mut text = String::new();
                for e in &events[i + 1..] {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                }
                let base = match domain::text::slugify(&text) {
                    s if s.is_empty() => "section".to_string(),
                    s => s,
                };
                let mut anchor = base.clone();
                let mut n = 2;
                while headings.iter().any(|h: &Heading| h.anchor == anchor) {
                    anchor = format!("{base}-{n}");
                    n += 1;
                }
                if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                    *id = Some(anchor.clone().into());
                }
                headings.push(Heading {
                    level,
                    anchor,
                    text: text.trim().to_string(),
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let own = dest_url.starts_with(ARTICLE_IMAGES) && !dest_url.contains("..");
                in_image.push(own);
                if !own
                    && let Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }) = events[i].clone()
                {
                    events[i] = Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    });
                }
            }
            Event::End(TagEnd::Image) if !in_image.pop().unwrap_or(false) => {
                events[i] = Event::End(TagEnd::Link);
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(src.len() * 2);
    html::push_html(&mut out, events.into_iter());
    (ARTICLE_CLEANER.clean(&out).to_string(), headings)
}

/// The text of Markdown without its markup, for previews and plain-text
/// e-mails.
pub fn plain(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for event in Parser::new(src) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            // A heading or list item ends as a sentence does, so that a
            // snippet or excerpt does not run it into the next line.
            Event::End(TagEnd::Item | TagEnd::Heading(_)) => {
                let last = out.trim_end().chars().last();
                if last.is_some_and(|c| !matches!(c, '.' | '!' | '?' | ':' | ';' | '…')) {
                    out.truncate(out.trim_end().len());
                    out.push('.');
                }
                out.push(' ');
            }
            Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Markdown in Slack's own markup ("mrkdwn"): `*bold*`, `_italic_`,
/// `~struck~`, `` `code` ``, `<url|text>` links, headings as bold lines,
/// list items as bullets. Slack's control characters in the text (`&`,
/// `<`, `>`) are escaped, so nothing typed becomes a mention or a link.
pub fn slack(src: &str) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
    let mut out = String::with_capacity(src.len());
    let mut links: Vec<String> = Vec::new();
    let mut ordered: Vec<Option<u64>> = Vec::new();
    for event in Parser::new_ext(src, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) => out.push_str(&esc(&t)),
            Event::Code(t) => {
                out.push('`');
                out.push_str(&esc(&t));
                out.push('`');
            }
            Event::Html(t) | Event::InlineHtml(t) => out.push_str(&esc(&t)),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => out.push('*'),
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => out.push('_'),
            Event::Start(Tag::Strikethrough) | Event::End(TagEnd::Strikethrough) => out.push('~'),
            Event::Start(Tag::Heading { .. }) => out.push('*'),
            Event::End(TagEnd::Heading(_)) => out.push_str("*\n"),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                let safe = dest_url.starts_with("https://")
                    || dest_url.starts_with("http://")
                    || dest_url.starts_with("mailto:");
                links.push(if safe {
                    esc(&dest_url).replace('|', "%7C")
                } else {
                    String::new()
                });
                if safe {
                    out.push('<');
                    out.push_str(links.last().map_or("", String::as_str));
                    out.push('|');
                }
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image)
                if links.pop().is_some_and(|l| !l.is_empty()) =>
            {
                out.push('>');
            }
            Event::Start(Tag::List(start)) => ordered.push(start),
            Event::End(TagEnd::List(_)) => {
                ordered.pop();
            }
            Event::Start(Tag::Item) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                match ordered.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("• "),
                }
            }
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::Start(Tag::CodeBlock(_)) => out.push_str("```\n"),
            Event::End(TagEnd::CodeBlock) => out.push_str("```\n"),
            Event::Start(Tag::BlockQuote(_)) => out.push_str("> "),
            Event::End(TagEnd::Paragraph) => out.push_str("\n\n"),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::{plain, render, slack};
    use proptest::prelude::*;

    #[test]
    fn slack_gets_its_own_markup_and_no_mentions() {
        assert_eq!(
            slack("## Cause\n\nA **full** disk, see [the log](https://x.test/l).\n\n- one\n- two"),
            "*Cause*\nA *full* disk, see <https://x.test/l|the log>.\n\n• one\n• two"
        );
        assert_eq!(
            slack("Hi <!channel> & [x](javascript:alert(1))"),
            "Hi &lt;!channel&gt; &amp; x"
        );
    }

    #[test]
    fn plain_text_ends_headings_and_items_like_sentences() {
        assert_eq!(
            plain("## Reset your password\n\nGo to **Sign in**.\n\n- one\n- two?\n"),
            "Reset your password. Go to Sign in. one. two?"
        );
    }

    #[test]
    fn formats_markdown() {
        assert_eq!(
            render("**Hej** *där*"),
            "<p><strong>Hej</strong> <em>där</em></p>\n"
        );
        assert!(render("- a\n- b").contains("<li>a</li>"));
        assert!(render("| a | b |\n|---|---|\n| 1 | 2 |").contains("<td>1</td>"));
    }

    #[test]
    fn raw_html_and_scripts_are_text() {
        let out = render("<script>alert(1)</script> <b onclick=x>hi</b>");
        assert!(!out.contains("<script") && !out.contains("<b "), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn dangerous_links_are_neutralised() {
        let out = render(
            "[x](javascript:alert(1)) [y](https://example.com) ![i](http://tracker.test/p.gif) [z](JaVaScRiPt:alert(2)) [d](data:text/html,hi)",
        );
        assert!(!out.to_lowercase().contains("javascript:"), "{out}");
        assert!(!out.contains("data:"), "{out}");
        assert!(out.contains("href=\"https://example.com\""));
        assert!(out.contains("rel=\"noopener noreferrer nofollow\""));
        assert!(!out.contains("<img"), "{out}");
        assert!(out.contains("href=\"http://tracker.test/p.gif\""));
        assert!(render("[s](/status)").contains("href=\"/status\""));
    }

    #[test]
    fn articles_get_anchors_and_only_own_images() {
        let (html, headings) = super::render_article(
            "Intro\n\n## Återställ lösenord\n\ntext ![skärm](/help/images/a.png) ![spår](https://tracker.test/p.gif)\n\n## Återställ lösenord\n\n### Steg <b>1</b>\n\n<img src=x onerror=alert(1)>",
        );
        let anchors: Vec<&str> = headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(
            anchors,
            ["aterstall-losenord", "aterstall-losenord-2", "steg-b-1-b"]
        );
        assert!(html.contains("<h2 id=\"aterstall-losenord\">"), "{html}");
        assert!(
            html.contains("<img src=\"/help/images/a.png\" alt=\"skärm\">"),
            "{html}"
        );
        assert!(
            html.contains("href=\"https://tracker.test/p.gif\""),
            "{html}"
        );
        assert!(!html.contains("<img src=\"https"), "{html}");
        assert!(
            !html.contains("onerror=") || html.contains("&lt;img"),
            "{html}"
        );
        assert!(!html.contains("<img src=\"x\""), "{html}");
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(plain("**Hej** [där](https://x.test)\n\n- a"), "Hej där a.");
    }

    proptest! {
        #[test]
        fn no_input_yields_an_event_handler_or_script(s in "(\\PC|<|>|\"|=|:){0,80}") {
            let out = render(&s).to_lowercase();
            prop_assert!(!out.contains("<script"));
            // Inside every tag: no event handler attribute.
            for tag in out.split('<').skip(1).filter_map(|t| t.split('>').next()) {
                prop_assert!(!tag.contains(" on"), "{}", out);
            }
            prop_assert!(!out.contains("javascript:"));
        }
    }
}
