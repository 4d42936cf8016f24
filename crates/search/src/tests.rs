//! Acceptance tests on a small fixed help-center corpus.

use crate::{Doc, Hit, Index, Lang, Query};

fn doc(id: &str, lang: Lang, title: &str, body: &str) -> Doc {
    Doc {
        id: id.to_owned(),
        lang,
        title: title.to_owned(),
        body: body.to_owned(),
        tag: 0,
    }
}

/// A dozen-odd Swedish and English help articles.
fn corpus() -> Vec<Doc> {
    use Lang::{En, Sv};
    vec![
        doc(
            "sv-kontakt",
            Sv,
            "Kontakta supporten",
            "Du kan kontakta vår support via e-post, chatt eller telefon. Vi svarar på nya \
             ärenden inom en arbetsdag. Ange ditt ärendenummer när du hör av dig, så går \
             arbetet snabbare. Ett bra arbete börjar med en tydlig beskrivning.",
        ),
        doc(
            "sv-prioritet",
            Sv,
            "Prioriteter för ärenden",
            "Varje ärende har en prioritet: låg, normal, hög eller akut. Ärenden med hög \
             prioritet går direkt till rätt arbetsgrupp. Du kan ändra prioriteten på \
             ärenden i efterhand.",
        ),
        doc(
            "sv-losenord",
            Sv,
            "Återställ ditt lösenord",
            "Har du glömt ditt lösenord? Klicka på Glömt lösenord på inloggningssidan, så \
             skickar vi en länk för att återställa det. Länken går ut efter en timme. Välj \
             ett starkt lösenord som du inte använder någon annanstans.",
        ),
        doc(
            "sv-sakerhet",
            Sv,
            "Säkerhetsinställningar",
            "Administratörer kan kräva tvåstegsverifiering och styra vem som får göra en \
             lösenordsåterställning för organisationens konton. Ändringar loggas.",
        ),
        doc(
            "sv-grupper",
            Sv,
            "Grupper och behörigheter",
            "Agenter kan delas in i grupper. Varje grupp får sina egna ärenden och en egen \
             kö. En agent kan vara med i flera grupper samtidigt.",
        ),
        doc(
            "sv-statussida",
            Sv,
            "Statussidan",
            "Statussidan visar driftstatus för alla tjänster. Kunder kan prenumerera på \
             uppdateringar via e-post när en störning påverkar deras ärenden.",
        ),
        doc(
            "sv-integration",
            Sv,
            "Integration med Slack och Teams",
            "Koppla statusdesk till Slack eller Microsoft Teams så att nya ärenden postas i en \
             kanal. Integrationen kräver administratörsbehörighet.",
        ),
        doc(
            "sv-api",
            Sv,
            "REST-API",
            "Med vårt REST-API kan du skapa ärenden och hämta status från egna system. \
             Autentisera med en API-nyckel i sidhuvudet Authorization.",
        ),
        doc(
            "sv-chatt",
            Sv,
            "Chatt på webbplatsen",
            "Lägg till chattwidgeten på din webbplats så kan besökare chatta med supporten. \
             Chattar som inte besvaras blir ärenden automatiskt.",
        ),
        doc(
            "en-contact",
            En,
            "Contact support",
            "You can contact our support team by email, chat or phone. We answer new tickets \
             within one business day. Include your ticket number when you get in touch.",
        ),
        doc(
            "en-priorities",
            En,
            "Ticket priorities",
            "Every ticket has a priority: low, normal, high or urgent. High priority tickets \
             go straight to the right group. You can change the priority later.",
        ),
        doc(
            "en-password",
            En,
            "Reset your password",
            "Forgot your password? Click Forgot password on the sign-in page and we will email \
             you a link to reset it. The link expires after one hour.",
        ),
        doc(
            "en-groups",
            En,
            "Groups and permissions",
            "Agents can be organised into groups. Each group gets its own queue of tickets. An \
             agent can belong to several groups at once.",
        ),
        doc(
            "en-status",
            En,
            "Status page",
            "The status page shows the health of every service. Customers can subscribe to \
             updates by email when an incident affects them.",
        ),
        doc(
            "en-integration",
            En,
            "Slack and Teams integration",
            "Connect statusdesk to Slack or Microsoft Teams so new tickets are posted to a \
             channel. Setting up the integration requires admin rights.",
        ),
        doc(
            "en-api",
            En,
            "REST API",
            "Use the REST API to create tickets and read status from your own systems. \
             Authenticate with an API key in the Authorization header.",
        ),
        doc(
            "en-chat",
            En,
            "Live chat",
            "Add the chat widget to your website so visitors can chat with support. Chats \
             that nobody answers become tickets automatically.",
        ),
    ]
}

fn index() -> Index {
    let mut idx = Index::new();
    for d in corpus() {
        idx.upsert(d);
    }
    idx
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

fn search(idx: &Index, q: Query<'_>) -> Vec<Hit> {
    idx.search(&q)
}

fn top(idx: &Index, text: &str, lang: Option<Lang>) -> String {
    let q = Query {
        lang,
        ..Query::new(text)
    };
    let hits = idx.search(&q);
    hits.first()
        .map(|h| h.id.clone())
        .unwrap_or_else(|| format!("<nothing for {text:?}>"))
}

#[test]
fn index_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Index>();
}

#[test]
fn exact_words() {
    let idx = index();
    assert_eq!(idx.len(), corpus().len());
    assert_eq!(top(&idx, "kontakta supporten", None), "sv-kontakt");
    assert_eq!(top(&idx, "status page", None), "en-status");
    assert_eq!(top(&idx, "statussidan", Some(Lang::Sv)), "sv-statussida");
    assert_eq!(top(&idx, "REST API ", Some(Lang::En)), "en-api");
    assert_eq!(top(&idx, "live chat", None), "en-chat");
    assert_eq!(top(&idx, "prioritet", None), "sv-prioritet");
}

#[test]
fn inflections() {
    let idx = index();
    // Snowball leaves "-et" alone; the stem "lösenord" is its prefix.
    assert_eq!(top(&idx, "lösenordet", None), "sv-losenord");
    assert_eq!(top(&idx, "grupperna", None), "sv-grupper");
    assert_eq!(top(&idx, "passwords", None), "en-password");
    assert_eq!(top(&idx, "chatten", Some(Lang::Sv)), "sv-chatt");
    assert_eq!(top(&idx, "priorities ", Some(Lang::En)), "en-priorities");
    // Both "grupp" and "grupper" are matched (and marked) by "grupperna".
    let hits = search(&idx, Query::new("grupperna"));
    let s = &hits[0].snippet_html;
    assert!(
        s.contains("<mark>grupper</mark>") && s.contains("<mark>grupp</mark>"),
        "{s}"
    );
    let hits = search(&idx, Query::new("lösenordet"));
    assert_eq!(hits[0].title_html, "Återställ ditt <mark>lösenord</mark>");
    let hits = search(&idx, Query::new("passwords"));
    assert!(
        hits[0]
            .snippet_html
            .contains("Forgot your <mark>password</mark>?")
    );
}

#[test]
fn one_typo() {
    let idx = index();
    assert_eq!(top(&idx, "lösenrod", None), "sv-losenord");
    assert_eq!(top(&idx, "pasword", None), "en-password");
    assert_eq!(top(&idx, "intgration ", Some(Lang::En)), "en-integration");
    // Short words get no typo tolerance.
    assert!(search(&idx, Query::new("chta ").lang(Lang::En)).is_empty());
}

#[test]
fn typos_and_prefixes_score_below_exact() {
    let idx = index();
    let score = |text: &str, id: &str| {
        let hits = search(&idx, Query::new(text).limit(50));
        let h = hits.iter().find(|h| h.id == id);
        h.map_or(0.0, |h| h.score)
    };
    for (exact, other, id) in [
        ("password ", "pasword ", "en-password"),
        ("lösenord ", "lösenrod ", "sv-losenord"),
        ("integration ", "intgration ", "en-integration"),
        ("integration ", "integr", "en-integration"),
        ("lösenord ", "lösen", "sv-losenord"),
    ] {
        let (e, o) = (score(exact, id), score(other, id));
        assert!(o > 0.0 && o < e, "{other:?} {o} vs {exact:?} {e}");
    }

    let mut idx = Index::new();
    idx.upsert(doc("exact", Lang::En, "", "password"));
    idx.upsert(doc("typo", Lang::En, "", "passwork"));
    idx.upsert(doc("longer", Lang::En, "", "passwordless"));
    let hits = search(&idx, Query::new("password"));
    assert_eq!(ids(&hits), ["exact", "longer", "typo"]);
    assert!(hits[0].score > hits[1].score && hits[1].score > hits[2].score);
}

#[test]
fn prefixes_while_typing() {
    let idx = index();
    assert_eq!(top(&idx, "lösen", None), "sv-losenord");
    assert_eq!(top(&idx, "integr", Some(Lang::En)), "en-integration");
    assert_eq!(top(&idx, "integr", Some(Lang::Sv)), "sv-integration");
    let both = ids(&search(&idx, Query::new("integr").limit(2))).join(" ");
    assert!(
        both.contains("en-integration") && both.contains("sv-integration"),
        "{both}"
    );
    assert_eq!(top(&idx, "reset your pass", None), "en-password");
    // Only the last word is a prefix, and only while it is being typed.
    assert!(search(&idx, Query::new("lösen ").lang(Lang::Sv)).is_empty());
}

#[test]
fn swedish_compounds() {
    let idx = index();
    // Query compound split into "lösenord" + s + "återställ(ning)".
    let hits = search(&idx, Query::new("lösenordsåterställning"));
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("sv-losenord"));
    assert!(ids(&hits).contains(&"sv-sakerhet"), "{:?}", ids(&hits));
    assert_eq!(
        hits[0].title_html,
        "<mark>Återställ</mark> ditt <mark>lösenord</mark>"
    );
    // Document compounds are found by their parts.
    let hits = search(&idx, Query::new("lösenord "));
    assert_eq!(ids(&hits)[0], "sv-losenord");
    assert!(ids(&hits).contains(&"sv-sakerhet"), "{:?}", ids(&hits));
    let s = &hits
        .iter()
        .find(|h| h.id == "sv-sakerhet")
        .map(|h| h.snippet_html.clone())
        .unwrap_or_default();
    assert!(s.contains("<mark>lösenordsåterställning</mark>"), "{s}");
    // ... as the last part too ("arbetsgrupp" = "arbet" + s + "grupp").
    let hits = search(&idx, Query::new("grupp ").lang(Lang::Sv));
    assert_eq!(ids(&hits)[0], "sv-grupper");
    assert!(ids(&hits).contains(&"sv-prioritet"), "{:?}", ids(&hits));
    // A compound query not in the dictionary at all.
    assert_eq!(top(&idx, "gruppärenden", Some(Lang::Sv)), "sv-grupper");
}

#[test]
fn swedish_letters_stay_distinct() {
    // The help corpus has "för" in Swedish articles and "Forgot" in an
    // English one: "för" must not reach "for…" when the query is also
    // analysed as English.
    let idx = index();
    for lang in [None, Some(Lang::Sv), Some(Lang::En)] {
        let hits = search(
            &idx,
            Query {
                lang,
                limit: 50,
                ..Query::new("för")
            },
        );
        assert_eq!(hits.is_empty(), lang == Some(Lang::En), "{lang:?}");
        assert!(hits.iter().all(|h| h.lang == Lang::Sv), "{:?}", ids(&hits));
        for h in &hits {
            let html = format!("{} {}", h.title_html, h.snippet_html);
            assert!(html.contains("<mark>för</mark>"), "{html}");
        }
    }
    let hits = search(&idx, Query::new("for").limit(50));
    assert_eq!(ids(&hits), ["en-password"]);
    assert!(hits[0].snippet_html.contains("<mark>Forgot</mark>"));

    // Minimal pairs in both languages.
    let mut idx = Index::new();
    idx.upsert(doc("year", Lang::Sv, "Licens", "Licensen gäller i ett år."));
    idx.upsert(doc("are", Lang::Sv, "Tomt", "Tomten är 30 ar stor."));
    idx.upsert(doc("for-sv", Lang::Sv, "Tack", "Tack för hjälpen."));
    idx.upsert(doc("for-en", Lang::Sv, "Microsoft", "Teams for Business."));
    idx.upsert(doc(
        "en-ar",
        Lang::En,
        "AR headsets",
        "Support for AR headsets.",
    ));
    idx.upsert(doc(
        "en-malmo",
        Lang::En,
        "Office",
        "Our Malmö office opened this year.",
    ));
    let sorted = |text: &str, lang: Option<Lang>| {
        let mut v: Vec<String> = search(
            &idx,
            Query {
                lang,
                ..Query::new(text)
            },
        )
        .into_iter()
        .map(|h| h.id)
        .collect();
        v.sort();
        v
    };
    for (text, sv, en) in [
        ("år", &["year"][..], &[][..]),
        ("ar", &["are"], &["en-ar"]),
        ("för", &["for-sv"], &[]),
        ("for", &["for-en"], &["en-ar"]),
    ] {
        assert_eq!(sorted(text, Some(Lang::Sv)), sv, "{text} sv");
        assert_eq!(sorted(text, Some(Lang::En)), en, "{text} en");
        let mut both: Vec<&str> = sv.iter().chain(en).copied().collect();
        both.sort_unstable();
        assert_eq!(sorted(text, None), both, "{text} both");
    }
    // English keeps "ö" too; without it the word is one typo away.
    let exact = search(&idx, Query::new("malmö").lang(Lang::En));
    let typo = search(&idx, Query::new("malmo").lang(Lang::En));
    assert_eq!(ids(&exact), ["en-malmo"]);
    assert_eq!(ids(&typo), ["en-malmo"]);
    assert!(typo[0].score < exact[0].score);
    assert_eq!(
        exact[0].snippet_html,
        "Our <mark>Malmö</mark> office opened this year."
    );
    // Other accents fold.
    let mut idx = Index::new();
    idx.upsert(doc("cafe", Lang::En, "Café", "Our café."));
    assert_eq!(top(&idx, "cafe", Some(Lang::En)), "cafe");
    assert_eq!(top(&idx, "CAFÉ", None), "cafe");
}

#[test]
fn language_filter() {
    let idx = index();
    let hits = search(&idx, Query::new("slack").lang(Lang::Sv).limit(50));
    assert_eq!(ids(&hits), ["sv-integration"]);
    let hits = search(&idx, Query::new("slack").limit(50));
    assert_eq!(hits.len(), 2);
}

#[test]
fn filter_is_applied_before_top_k() {
    let idx = index();
    let all = search(&idx, Query::new("ärenden ").lang(Lang::Sv).limit(50));
    assert!(all.len() >= 5, "{:?}", ids(&all));
    let hidden = all[0].id.clone();
    let f = |id: &str, _tag: u64| id != hidden;
    let hits = search(
        &idx,
        Query::new("ärenden ").lang(Lang::Sv).limit(3).filter(&f),
    );
    assert_eq!(hits.len(), 3);
    assert!(!ids(&hits).contains(&hidden.as_str()));
    assert_eq!(ids(&hits), ids(&all[1..4]));

    // The tag is the caller's: e.g. a visibility bit.
    let mut idx = Index::new();
    for (i, tag) in [1u64, 2, 1, 2, 1].into_iter().enumerate() {
        let mut d = doc(&format!("d{i}"), Lang::En, "Status", "status page");
        d.tag = tag;
        idx.upsert(d);
    }
    let public = |_: &str, tag: u64| tag & 1 != 0;
    let hits = search(&idx, Query::new("status").limit(10).filter(&public));
    assert_eq!(ids(&hits), ["d0", "d2", "d4"]);
}

#[test]
fn more_matched_words_rank_higher() {
    // On the corpus: "sv-chatt" is the best match for "chatt" alone, but
    // "sv-kontakt" matches both words.
    let idx = index();
    let chatt = search(&idx, Query::new("chatt ").lang(Lang::Sv));
    assert_eq!(ids(&chatt)[0], "sv-chatt");
    let hits = search(&idx, Query::new("kontakta chatt ").lang(Lang::Sv));
    assert_eq!(&ids(&hits)[..2], ["sv-kontakt", "sv-chatt"]);
    assert_eq!((hits[0].matched, hits[1].matched), (1.0, 0.5));
    let kontakt_chatt = chatt.iter().find(|h| h.id == "sv-kontakt").map(|h| h.score);
    assert!(kontakt_chatt < Some(chatt[0].score));

    let mut idx = Index::new();
    idx.upsert(doc(
        "slack-only",
        Lang::En,
        "Slack Slack Slack",
        "slack slack slack slack slack slack",
    ));
    idx.upsert(doc(
        "both",
        Lang::En,
        "Chat tools",
        "We support slack and also teams.",
    ));
    let hits = search(&idx, Query::new("slack teams"));
    assert_eq!(ids(&hits), ["both", "slack-only"]);
    assert_eq!(hits[0].matched, 1.0);
    assert_eq!(hits[1].matched, 0.5);
}

#[test]
fn title_boost() {
    let mut idx = Index::new();
    idx.upsert(doc("a-body", Lang::En, "Other", "webhooks are here"));
    idx.upsert(doc("b-title", Lang::En, "Webhooks", "other things here"));
    assert_eq!(top(&idx, "webhooks", None), "b-title");
}

#[test]
fn ties_break_by_id() {
    let mut idx = Index::new();
    for id in ["c", "a", "b"] {
        idx.upsert(doc(id, Lang::En, "Same", "identical text"));
    }
    let hits = search(&idx, Query::new("identical"));
    assert_eq!(ids(&hits), ["a", "b", "c"]);
    assert_eq!(hits[0].score, hits[2].score);
    assert_eq!(
        ids(&search(&idx, Query::new("identical").limit(2))),
        ["a", "b"]
    );
}

#[test]
fn upsert_replaces() {
    let mut idx = index();
    let n = idx.len();
    idx.upsert(doc(
        "sv-losenord",
        Lang::Sv,
        "Byt e-postadress",
        "Så byter du e-postadress på ditt konto.",
    ));
    assert_eq!(idx.len(), n);
    assert!(!ids(&search(&idx, Query::new("lösenord").limit(50))).contains(&"sv-losenord"));
    assert_eq!(top(&idx, "e-postadress", None), "sv-losenord");
    // Changing the language moves it to the other side.
    idx.upsert(doc(
        "sv-losenord",
        Lang::En,
        "Change email",
        "How to change email.",
    ));
    assert_eq!(idx.len(), n);
    assert_eq!(top(&idx, "change email", None), "sv-losenord");
    let hits = search(&idx, Query::new("e-postadress").limit(50));
    assert!(!ids(&hits).contains(&"sv-losenord"), "{:?}", ids(&hits));
    assert_eq!(idx.get("sv-losenord").map(|d| d.lang), Some(Lang::En));
}

#[test]
fn remove_removes() {
    let mut idx = index();
    let n = idx.len();
    assert!(idx.remove("en-password"));
    assert!(!idx.remove("en-password"));
    assert!(!idx.remove("no-such-doc"));
    assert_eq!(idx.len(), n - 1);
    assert!(idx.get("en-password").is_none());
    let hits = search(&idx, Query::new("password").limit(50));
    assert!(!ids(&hits).contains(&"en-password"), "{:?}", ids(&hits));
    for d in corpus() {
        idx.remove(&d.id);
    }
    assert!(idx.is_empty());
    assert_eq!(idx.stats().terms, 0);
    assert_eq!(idx.stats().postings, 0);
    assert!(search(&idx, Query::new("support")).is_empty());
}

#[test]
fn snippets_are_escaped_and_highlighted() {
    let mut idx = index();
    idx.upsert(doc(
        "xss",
        Lang::En,
        "Tips & <b>tricks</b> for \"webhooks\"",
        "Never paste <script>alert('hi')</script> into a webhook & expect it to work.",
    ));
    let hits = search(&idx, Query::new("webhook"));
    let h = &hits[0];
    assert_eq!(h.id, "xss");
    assert_eq!(
        h.title_html,
        "Tips &amp; &lt;b&gt;tricks&lt;/b&gt; for &quot;<mark>webhooks</mark>&quot;"
    );
    assert_eq!(
        h.snippet_html,
        "Never paste &lt;script&gt;alert(&#39;hi&#39;)&lt;/script&gt; into a \
         <mark>webhook</mark> &amp; expect it to work."
    );
    assert!(!h.snippet_html.contains("<script"));
}

#[test]
fn snippet_window_in_long_body() {
    let mut idx = Index::new();
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(12);
    let body = format!("{filler}To reset your password open Settings. {filler}");
    idx.upsert(doc("long", Lang::En, "Account", &body));
    let hits = search(&idx, Query::new("reset password"));
    let s = &hits[0].snippet_html;
    assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
    assert!(
        s.contains("<mark>reset</mark> your <mark>password</mark>"),
        "{s}"
    );
    let plain = s.replace("<mark>", "").replace("</mark>", "");
    assert!(plain.chars().count() <= 170, "{plain}");
}

#[test]
fn deterministic_across_insertion_orders() {
    let docs = corpus();
    let mut a = Index::new();
    for d in docs.iter().cloned() {
        a.upsert(d);
    }
    let mut b = Index::new();
    for d in docs.iter().rev().cloned() {
        b.upsert(d);
    }
    // Interleaved order with churn: temporary documents and replacements
    // leave different term ids and slots behind.
    let mut c = Index::new();
    c.upsert(doc(
        "tmp",
        Lang::Sv,
        "Tillfällig",
        "lösenordsbyte grupp arbetsgrupper",
    ));
    for (i, d) in docs.iter().enumerate() {
        if i % 2 == 1 {
            c.upsert(d.clone());
        }
    }
    c.upsert(doc("en-api", Lang::En, "Old", "old text"));
    for (i, d) in docs.iter().enumerate().rev() {
        if i % 2 == 0 {
            c.upsert(d.clone());
        }
    }
    c.remove("tmp");
    for d in docs.iter().filter(|d| d.id == "en-api") {
        c.upsert(d.clone());
    }
    let queries = [
        "lösenordsåterställning",
        "lösenord ",
        "lösen",
        "grupperna",
        "pasword",
        "integr",
        "ärenden",
        "support",
        "slack teams",
        "hur kontaktar jag supporten",
        "tickets",
        "a",
    ];
    for text in queries {
        for lang in [None, Some(Lang::Sv), Some(Lang::En)] {
            let q = Query {
                lang,
                limit: 50,
                ..Query::new(text)
            };
            let ra = a.search(&q);
            assert_eq!(ra, b.search(&q), "{text} {lang:?}");
            assert_eq!(ra, c.search(&q), "{text} {lang:?}");
        }
    }
}

#[test]
fn empty_and_degenerate_queries() {
    let idx = index();
    assert!(search(&idx, Query::new("")).is_empty());
    assert!(search(&idx, Query::new("  ,.!  ")).is_empty());
    assert!(search(&idx, Query::new("support").limit(0)).is_empty());
    assert!(search(&idx, Query::new("zzzzqqq")).is_empty());
    // Stop words alone still search.
    assert!(!search(&idx, Query::new("och ")).is_empty());
    // But do not make a document a hit on their own.
    let hits = search(&idx, Query::new("hur återställer jag ").lang(Lang::Sv));
    assert_eq!(ids(&hits), ["sv-losenord"]);
}
