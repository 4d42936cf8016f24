//! The demo's help center: sections and articles of our own, in Swedish
//! and English, and a few votes so the report has something to show.
use anyhow::Result;
use store::{ArticleDraft, Store, Vote};

/// (slug, collection, Swedish title, English title, position)
const SECTIONS: &[(&str, &str, &str, &str, i64)] = &[
    (
        "getting-started",
        "help",
        "Komma igång",
        "Getting started",
        10,
    ),
    (
        "direct-support",
        "help",
        "Direktsupport",
        "Direct support",
        20,
    ),
    (
        "status-and-outages",
        "help",
        "Status och avbrott",
        "Status and outages",
        30,
    ),
    ("rollout", "resources", "Införande", "Rollout", 10),
    (
        "api-and-integrations",
        "developers",
        "API och integrationer",
        "API and integrations",
        10,
    ),
];

struct Demo {
    section: &'static str,
    collection: &'static str,
    plans: &'static [&'static str],
    others_may_read: bool,
    position: i64,
    sv: (&'static str, &'static str, &'static str),
    en: (&'static str, &'static str, &'static str),
}

const ARTICLES: &[Demo] = &[
    Demo {
        section: "getting-started",
        collection: "help",
        plans: &[],
        others_may_read: false,
        position: 10,
        sv: (
            "aterstall-ditt-losenord",
            "Återställ ditt lösenord",
            "Har du glömt lösenordet kan du återställa det själv, utan att vänta på någon.\n\n\
## Så återställer du lösenordet\n\n\
1. Öppna inloggningssidan och klicka på **Glömt lösenordet?**\n\
2. Skriv e-postadressen du loggar in med.\n\
3. Öppna mejlet och klicka på länken. Den gäller i en timme och kan bara användas en gång.\n\
4. Välj ett nytt lösenord på minst 10 tecken. Några ord i rad blir ett bra lösenord.\n\n\
När lösenordet är bytt loggas alla dina andra sessioner ut.\n\n\
## Om mejlet inte kommer\n\n\
Titta i skräpposten. Kommer inget efter några minuter kan en administratör i din organisation kontrollera att adressen stämmer. Av säkerhetsskäl säger inloggningssidan aldrig om en adress finns hos oss.",
        ),
        en: (
            "reset-your-password",
            "Reset your password",
            "If you have forgotten your password you can reset it yourself, without waiting for anyone.\n\n\
## How to reset the password\n\n\
1. Open the sign-in page and click **Forgot your password?**\n\
2. Enter the e-mail address you sign in with.\n\
3. Open the e-mail and click the link. It is valid for an hour and works once.\n\
4. Choose a new password of at least 10 characters. A few words in a row make a good one.\n\n\
Once the password is changed, all your other sessions are signed out.\n\n\
## If the e-mail does not arrive\n\n\
Look in your spam folder. If nothing arrives within a few minutes, an administrator of your organisation can check that the address is right. For your safety the sign-in page never says whether an address is known to us.",
        ),
    },
    Demo {
        section: "getting-started",
        collection: "help",
        plans: &[],
        others_may_read: false,
        position: 20,
        sv: (
            "hantera-anvandare-och-grupper",
            "Hantera användare och grupper",
            "Administratörer ser alla i organisationen i **Administratörspanelen**.\n\n\
## Roller\n\n\
- **Administratör**: hanterar organisationen, integrationerna och, i Advanced och Enterprise, direktsupporten.\n\
- **Medlem**: använder produkten, läser hjälpcentret och statussidan.\n\n\
## Grupper och integrationer\n\n\
Statusintegrationen kan posta i en grupp när ett problem uppstår eller löses. En administratör lägger till den under **Integrationer**, och grupperna får då uppdateringarna av de funktioner ni väljer. Samma grupp kan ha flera integrationer, till exempel en för Slack och en för Teams.",
        ),
        en: (
            "manage-users-and-groups",
            "Manage users and groups",
            "Administrators see everyone in the organisation in the **Admin panel**.\n\n\
## Roles\n\n\
- **Administrator**: manages the organisation, its integrations and, on Advanced and Enterprise, direct support.\n\
- **Member**: uses the product, reads the help center and the status page.\n\n\
## Groups and integrations\n\n\
The status integration can post in a group when a problem starts or is resolved. An administrator adds it under **Integrations**, and the groups then get the updates of the features you choose. One group can have several integrations, for example one for Slack and one for Teams.",
        ),
    },
    Demo {
        section: "direct-support",
        collection: "help",
        plans: &["advanced", "enterprise"],
        others_may_read: true,
        position: 10,
        sv: (
            "kontakta-supporten",
            "Kontakta supporten",
            "Administratörer i organisationer med Advanced eller Enterprise kan kontakta supportteamet direkt, med meddelanden eller i chatt. Direktsupport finns bara från datorn.\n\n\
## Ställ en fråga\n\n\
1. Öppna **Administratörspanelen** i navigationsfältet.\n\
2. Klicka på **Kontakta support**.\n\
3. Klicka på **Ställ en fråga**, beskriv problemet och välj en prioritet.\n\n\
I supportinkorgen ser du alla begäranden som administratörer i företaget har skickat, deras status, och avbrott som kan påverka er just nu.\n\n\
## Fördelar med direktsupport\n\n\
- Alla administratörer ser varandras begäranden.\n\
- Allt sker i produkten: ingen behöver lämna den för att få hjälp.\n\
- Statusen visar hela tiden hur det går.\n\n\
Har din organisation Core? Då har ni hjälpcentret, kundresurscentret och utvecklarsupporten.",
        ),
        en: (
            "contact-support",
            "How to contact support",
            "Administrators of organisations on Advanced or Enterprise can reach the support team directly, by message or in chat. Direct support is available from a computer only.\n\n\
## Ask a question\n\n\
1. Open the **Admin panel** from the navigation bar.\n\
2. Click **Contact support**.\n\
3. Click **Ask a question**, describe the problem and choose a priority.\n\n\
In the support inbox you see every request your company's administrators have filed, their status, and outages that may affect you right now.\n\n\
## Why direct support\n\n\
- Every administrator sees the others' requests.\n\
- It all happens in the product: nobody has to leave it to get help.\n\
- The status always shows how it is going.\n\n\
Is your organisation on Core? Then you have the help center, the customer resource center and developer support.",
        ),
    },
    Demo {
        section: "direct-support",
        collection: "help",
        plans: &[],
        others_may_read: false,
        position: 20,
        sv: (
            "vad-prioriteringarna-betyder",
            "Vad prioriteringarna betyder",
            "Prioriteringen berättar för supporten hur mycket problemet påverkar företaget. Den lovar ingen snabbare eller långsammare lösning, men hjälper oss att lägga kraften på det som brådskar mest.\n\n\
## Hög: allvarlig påverkan\n\n\
Användare kan inte göra sitt jobb, det finns ingen väg runt problemet och det kräver åtgärd direkt. Till exempel:\n\n\
- Ingen kan logga in.\n\
- En central funktion fungerar inte för någon, som att skapa grupper.\n\
- En nyckelperson, som vd:n, kan inte använda en grundfunktion som att sända live.\n\n\
## Normal: måttlig påverkan\n\n\
Vissa användare hindras, men det finns en tillfällig lösning. Till exempel:\n\n\
- Vissa användare kan inte sända live.\n\
- En funktion som inte är grundläggande beter sig fel, som att Mac-användare inte kan ladda ned en video.\n\n\
## Låg: liten påverkan\n\n\
Problemet är kortvarigt eller rör färre än 5 % av användarna, och det finns en väg runt det. Till exempel:\n\n\
- En användare ser ibland inte en chattråd som hör till en grupp.\n\
- Nedladdning fungerar inte på Android men på dator och iOS.\n\
- Mindre frågor om API:t.",
        ),
        en: (
            "what-the-priorities-mean",
            "What the priorities mean",
            "The priority tells support how much a problem affects your company. It does not promise a faster or slower fix, but it lets us put our effort where it is most urgent.\n\n\
## High: severe impact\n\n\
People cannot do their jobs, there is no way around it, and it needs action now. For example:\n\n\
- Nobody can sign in.\n\
- A key feature works for nobody, such as creating groups.\n\
- A key person, such as the CEO, cannot use a basic feature like going live.\n\n\
## Normal: moderate impact\n\n\
Some people are held up, but there is a workaround. For example:\n\n\
- Some users cannot go live.\n\
- A feature that is not essential misbehaves, such as Mac users being unable to download a video.\n\n\
## Low: small impact\n\n\
The problem is brief or affects fewer than 5 % of users, and there is a way around it. For example:\n\n\
- One user now and then cannot see a chat thread linked to a group.\n\
- Downloads fail on Android but work on a laptop and on iOS.\n\
- Minor questions about the API.",
        ),
    },
    Demo {
        section: "direct-support",
        collection: "help",
        plans: &["advanced", "enterprise"],
        others_may_read: true,
        position: 30,
        sv: (
            "chatta-med-supporten",
            "Chatta med supporten",
            "Med **Chatta med oss** får du svar medan du väntar. Chatten införs gradvis och finns ännu inte för alla kunder.\n\n\
## Starta en chatt\n\n\
Öppna **Kontakta support** och klicka på **Chatta med oss**. Sidan visar om någon från supporten är ledig nu. Är ingen ledig kan du ställa frågan som ett meddelande i stället; det du skrev följer med.\n\n\
## Medan du väntar\n\n\
Du ser din plats i kön och ungefär hur länge det dröjer. Tappar du nätet skickas det du skrev när anslutningen är tillbaka, och inget meddelande visas två gånger.\n\n\
## Efteråt\n\n\
Du kan få utskriften mejlad, betygsätta samtalet eller göra det till en supportbegäran. Lämnar du chatten innan svaret kommer får du svaret med e-post.",
        ),
        en: (
            "chat-with-support",
            "Chat with support",
            "With **Chat with us** you get answers while you wait. Chat is being introduced gradually and is not yet available to every customer.\n\n\
## Start a chat\n\n\
Open **Contact support** and click **Chat with us**. The page shows whether someone from support is free now. If nobody is, you can send your question as a message instead; what you typed comes along.\n\n\
## While you wait\n\n\
You see your place in the queue and roughly how long it will take. If your network drops, what you wrote is sent when the connection returns, and no message is shown twice.\n\n\
## Afterwards\n\n\
You can have the transcript e-mailed, rate the conversation or turn it into a support request. If you leave before the answer comes, the answer reaches you by e-mail.",
        ),
    },
    Demo {
        section: "direct-support",
        collection: "help",
        plans: &["advanced", "enterprise"],
        others_may_read: false,
        position: 40,
        sv: (
            "folj-dina-supportarenden",
            "Följ dina supportärenden",
            "Varje begäran har en status som visar var den är:\n\n\
- **Ny**: ingen i supporten har tittat på den än.\n\
- **Öppen**: supporten arbetar med den.\n\
- **Väntar på dig**: supporten behöver svar från er.\n\
- **Löst**: supporten tror att den är klar. Svara för att öppna den igen.\n\
- **Stängd**: klar för gott. En ny fråga blir en uppföljning.\n\n\
Filtrera inkorgen efter status, prioritet eller funktion, och följ en begäran för att få e-post när något händer.",
        ),
        en: (
            "follow-your-support-requests",
            "Follow your support requests",
            "Every request has a status that shows where it is:\n\n\
- **New**: nobody in support has looked at it yet.\n\
- **Open**: support is working on it.\n\
- **Waiting on you**: support needs an answer from you.\n\
- **Solved**: support believes it is done. Reply to reopen it.\n\
- **Closed**: done for good. A new question becomes a follow-up.\n\n\
Filter the inbox by status, priority or feature, and follow a request to be e-mailed when something happens.",
        ),
    },
    Demo {
        section: "status-and-outages",
        collection: "help",
        plans: &[],
        others_may_read: false,
        position: 10,
        sv: (
            "folj-statussidan",
            "Följ statussidan",
            "Statussidan får en post när ett problem upptäcks, när dess status ändras och när det är löst. Den är öppen för alla på `/status` och länkas i sidfoten.\n\n\
## Prenumerera på uppdateringar\n\n\
- **E-post**: klicka på **Prenumerera**, välj funktionerna du bryr dig om och bekräfta i mejlet.\n\
- **RSS eller Atom**: lägg till flödet i din läsare.\n\
- **Slack, Teams eller Discord**: en administratör lägger till statusintegrationen under **Integrationer**, så postas varje uppdatering i kanalen.\n\n\
Varje mejl har en länk för att sluta prenumerera med ett klick.",
        ),
        en: (
            "follow-the-status-page",
            "Follow the status page",
            "The status page gets an entry when a problem is found, when its status changes and when it is resolved. It is open to everyone at `/status` and linked in the footer.\n\n\
## Subscribe to updates\n\n\
- **E-mail**: click **Subscribe**, choose the features you care about and confirm in the e-mail.\n\
- **RSS or Atom**: add the feed to your reader.\n\
- **Slack, Teams or Discord**: an administrator adds the status integration under **Integrations**, and every update is posted in the channel.\n\n\
Every e-mail has a link to unsubscribe with one click.",
        ),
    },
    Demo {
        section: "status-and-outages",
        collection: "help",
        plans: &[],
        others_may_read: false,
        position: 20,
        sv: (
            "anmal-ett-problem",
            "Anmäl ett problem",
            "Tror du att något inte fungerar? Titta först på statussidan: där listas problem som påverkar användarnas möjlighet att använda funktionerna högst upp på sidan.\n\n\
Är du administratör med Advanced eller Enterprise och ser inte problemet på statussidan, ställ en fråga till supporten. Berätta vad som händer, för vem och sedan när, och välj den funktion det gäller. Pågår en incident för funktionen visas den direkt i formuläret.",
        ),
        en: (
            "report-a-problem",
            "Report a problem",
            "Think something is broken? Look at the status page first: problems that affect people's use of the features are listed at the top.\n\n\
If you are an administrator on Advanced or Enterprise and do not see the problem there, ask support. Say what happens, to whom and since when, and choose the feature it concerns. If an incident is ongoing for that feature, the form shows it right away.",
        ),
    },
    Demo {
        section: "rollout",
        collection: "resources",
        plans: &[],
        others_may_read: false,
        position: 10,
        sv: (
            "lansera-i-din-organisation",
            "Lansera i din organisation",
            "En lyckad lansering börjar litet och växer med det som fungerar.\n\n\
## Före start\n\n\
- Utse två administratörer, så att någon alltid kan hjälpa till.\n\
- Bestäm vilka funktioner som är viktigast och prenumerera på deras status.\n\n\
## De första veckorna\n\n\
- Bjud in en pilotgrupp och samla frågor i en gemensam tråd.\n\
- Visa hjälpcentret tidigt: de flesta frågor har redan ett svar.\n\n\
## Sedan\n\n\
Bjud in resten av organisationen i omgångar och följ upp vad pilotgruppen lärde sig.",
        ),
        en: (
            "roll-out-in-your-organisation",
            "Roll out in your organisation",
            "A successful rollout starts small and grows with what works.\n\n\
## Before you start\n\n\
- Name two administrators, so someone can always help.\n\
- Decide which features matter most and subscribe to their status.\n\n\
## The first weeks\n\n\
- Invite a pilot group and gather questions in one shared thread.\n\
- Show the help center early: most questions already have an answer.\n\n\
## Then\n\n\
Invite the rest of the organisation in waves and follow up on what the pilot group learned.",
        ),
    },
    Demo {
        section: "rollout",
        collection: "resources",
        plans: &[],
        others_may_read: false,
        position: 20,
        sv: (
            "metodtips-for-administratorer",
            "Metodtips för administratörer",
            "- **Sök innan du frågar.** Hjälpcentret förstår svenska som den skrivs: ”lösenordsåterställning” hittar artikeln om att återställa lösenord.\n\
- **Välj prioritet efter påverkan**, inte efter hur bråttom det känns. Se *Vad prioriteringarna betyder*.\n\
- **Beskriv ett problem i taget**, med vem som drabbas och sedan när.\n\
- **Följ statussidan** för funktionerna ni är beroende av, så vet ni om ett fel redan är känt.",
        ),
        en: (
            "best-practices-for-administrators",
            "Best practices for administrators",
            "- **Search before you ask.** The help center understands what people type, inflections and typos included.\n\
- **Choose the priority by impact**, not by how urgent it feels. See *What the priorities mean*.\n\
- **Describe one problem at a time**, with who is affected and since when.\n\
- **Follow the status page** for the features you depend on, so you know when a fault is already known.",
        ),
    },
    Demo {
        section: "rollout",
        collection: "resources",
        plans: &["enterprise"],
        others_may_read: false,
        position: 30,
        sv: (
            "inforandeplan-for-enterprise",
            "Införandeplan för Enterprise",
            "Enterprise-kunder får en införandeplan tillsammans med supportteamet: en genomgång av era funktioner, en kontaktperson under de första veckorna och en uppföljning efter en månad. Ställ en fråga med ämnet **Införandeplan** för att boka den.",
        ),
        en: (
            "enterprise-rollout-plan",
            "Enterprise rollout plan",
            "Enterprise customers get a rollout plan made together with the support team: a review of your features, one contact during the first weeks and a follow-up after a month. Ask a question with the subject **Rollout plan** to book it.",
        ),
    },
    Demo {
        section: "api-and-integrations",
        collection: "developers",
        plans: &[],
        others_may_read: false,
        position: 10,
        sv: (
            "kom-igang-med-rest-api",
            "Kom igång med REST-API:t",
            "Allt du gör i supportinkorgen och på statussidan kan du också göra med REST-API:t under `/api/v1/`. Beskrivningen finns som OpenAPI på `/api/v1/openapi.json`.\n\n\
## Nycklar\n\n\
Skapa en API-nyckel under **Inställningar** och skicka den som `Authorization: Bearer <nyckel>`. Nyckeln har samma rättigheter som du.\n\n\
## Fel\n\n\
Varje fel är JSON: `{\"error\", \"field\", \"code\"}`. `error` är på språket i `Accept-Language`, `code` är stabil för program.\n\n\
## Statussidan\n\n\
Status-API:t finns också i ett format som är kompatibelt med Statuspage: `/api/v2/summary.json`.",
        ),
        en: (
            "get-started-with-the-rest-api",
            "Get started with the REST API",
            "Everything you do in the support inbox and on the status page you can also do with the REST API under `/api/v1/`. It is described as OpenAPI at `/api/v1/openapi.json`.\n\n\
## Tokens\n\n\
Create an API token under **Settings** and send it as `Authorization: Bearer <token>`. The token has the same rights as you.\n\n\
## Errors\n\n\
Every error is JSON: `{\"error\", \"field\", \"code\"}`. `error` is in the language of `Accept-Language`, `code` is stable for programs.\n\n\
## The status page\n\n\
The status API also comes in a Statuspage-compatible shape: `/api/v2/summary.json`.",
        ),
    },
    Demo {
        section: "api-and-integrations",
        collection: "developers",
        plans: &[],
        others_may_read: false,
        position: 20,
        sv: (
            "slack-och-teams-integration",
            "Slack- och Teams-integration",
            "Statusintegrationen postar varje incidentuppdatering i en kanal.\n\n\
## Slack\n\n\
Skapa en inkommande webhook i Slack och klistra in adressen under **Integrationer**. Klicka på **Testa** för att se ett meddelande i kanalen.\n\n\
## Microsoft Teams\n\n\
Skapa en arbetsflödes-webhook för kanalen och lägg till den på samma sätt.\n\n\
## Egna webhooks\n\n\
En allmän webhook får JSON, signerad med HMAC-SHA256 i huvudet `X-Statusdesk-Signature`. Kontrollera signaturen med hemligheten du fick när du lade till den.",
        ),
        en: (
            "slack-and-teams-integration",
            "Slack and Teams integration",
            "The status integration posts every incident update in a channel.\n\n\
## Slack\n\n\
Create an incoming webhook in Slack and paste its address under **Integrations**. Click **Test** to see a message in the channel.\n\n\
## Microsoft Teams\n\n\
Create a workflow webhook for the channel and add it the same way.\n\n\
## Your own webhooks\n\n\
A generic webhook receives JSON, signed with HMAC-SHA256 in the `X-Statusdesk-Signature` header. Check the signature with the secret you got when you added it.",
        ),
    },
];

/// (English slug, helpful, reason, comment): votes from the demo's readers.
const VOTES: &[(&str, bool, Option<&str>, Option<&str>)] = &[
    ("reset-your-password", true, None, None),
    ("reset-your-password", true, None, None),
    (
        "what-the-priorities-mean",
        true,
        None,
        Some("The examples made it clear."),
    ),
    (
        "what-the-priorities-mean",
        false,
        Some("incomplete"),
        Some("What about questions that are not problems?"),
    ),
    (
        "follow-the-status-page",
        false,
        Some("unclear"),
        Some("Where is the RSS link?"),
    ),
];

/// (asker, title, question, language, [(author, answer)], accepted answer)
type DemoThread = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Option<usize>,
);

const THREADS: &[DemoThread] = &[
    (
        "admin@globex.test",
        "Can we get status updates in a Teams channel?",
        "We would like the whole IT team to see incidents without subscribing one by one. Is there a way?",
        "en",
        &[
            (
                "admin@initech.test",
                "We use the status integration for this. Under **Integrations** in the admin panel you add a Teams workflow webhook and pick the features you care about.",
            ),
            (
                "agent@statusdesk.test",
                "That is the way. The article *Slack and Teams integration* in developer support shows each step, and **Test** sends a sample message first.",
            ),
        ],
        Some(1),
    ),
    (
        "admin@initech.test",
        "Hur många administratörer bör vi ha?",
        "Vi är ett litet företag med 40 användare. Räcker det med en administratör?",
        "sv",
        &[(
            "ops@acme.test",
            "Vi har två, så att någon alltid kan hjälpa till vid semester och sjukdom. Det har räddat oss mer än en gång.",
        )],
        None,
    ),
    (
        "member@acme.test",
        "The live video stutters for some of our users",
        "Since this morning a few people in our Oslo office see the live video freeze every minute. Is it just us?",
        "en",
        &[(
            "agent@statusdesk.test",
            "It is not just you: there is an ongoing incident for live video in one region. Follow it on the status page; we post every update there.",
        )],
        Some(0),
    ),
];

/// Adds the community's demo threads; returns how many.
async fn seed_community(store: &Store, now: i64) -> Result<usize> {
    let user = |email: &'static str| async move {
        store
            .principal_by_email(email)
            .await
            .map(|p| p.map(|(p, _)| p.user.id).unwrap_or_default())
    };
    for (i, (asker, title, body, lang, answers, accepted)) in THREADS.iter().enumerate() {
        let at = now - (THREADS.len() - i) as i64 * 26 * 3600 * 1000;
        let thread = store
            .create_thread(&user(asker).await?, title, body, lang, false, at)
            .await?;
        let mut ids = Vec::new();
        for (j, (author, text)) in answers.iter().enumerate() {
            let id = store
                .add_answer(
                    &thread,
                    &user(author).await?,
                    text,
                    false,
                    at + (j as i64 + 1) * 3_600_000,
                )
                .await?;
            ids.push(id);
        }
        if let Some(k) = accepted
            && let Some(id) = ids.get(*k)
        {
            store
                .accept_answer(&thread, Some(id), at + 5 * 3_600_000)
                .await?;
            store
                .vote_post(id, &user(asker).await?, 1, at + 5 * 3_600_000)
                .await?;
        }
    }
    Ok(THREADS.len())
}

/// Adds the help center's demo content; returns how many articles.
pub async fn seed(store: &Store, now: i64) -> Result<usize> {
    let mut section_ids = Vec::new();
    for (slug, collection, sv, en, position) in SECTIONS {
        let s = store
            .create_help_section(collection, slug, sv, en, *position)
            .await?;
        section_ids.push((*slug, s.id));
    }
    let mut count = 0;
    for a in ARTICLES {
        let section_id = section_ids
            .iter()
            .find(|(s, _)| *s == a.section)
            .map(|(_, id)| id.clone());
        let mut family = None;
        for (lang, (slug, title, body)) in [("sv", a.sv), ("en", a.en)] {
            let draft = ArticleDraft {
                slug: slug.into(),
                family: family.clone(),
                lang: lang.into(),
                collection: a.collection.into(),
                section_id: section_id.clone(),
                position: a.position,
                plans: a.plans.iter().map(|p| p.to_string()).collect(),
                others_may_read: a.others_may_read,
                title: title.into(),
                body: body.into(),
                publish: true,
            };
            let made = store.create_article(&draft, None, now).await?;
            family = Some(made.family);
            count += 1;
        }
    }
    for (i, (slug, helpful, reason, comment)) in VOTES.iter().enumerate() {
        if let Some(a) = store.article_by_slug(slug).await? {
            let voter = format!("a:demo-reader-{i}");
            store
                .vote_article(
                    &Vote {
                        article_id: &a.id,
                        voter: &voter,
                        section: "",
                        helpful: *helpful,
                        reason: *reason,
                        comment: *comment,
                    },
                    now - (i as i64) * 3 * 24 * 3600 * 1000,
                )
                .await?;
        }
    }
    seed_community(store, now).await?;
    Ok(count)
}
