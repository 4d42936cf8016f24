//! Browser tests in headless Chromium through chromedriver (WebDriver).
//! Without chromedriver they fail with instructions, unless
//! STATUSDESK_SKIP_BROWSER=1 says to skip them, which is printed loudly.
use crate::harness::{Db, TestApp};
use crate::loud;
use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A chromedriver process and a WebDriver session; both end on drop, so a
/// failing test leaves nothing running.
pub struct Browser {
    pub client: Client,
    driver: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver runs in a process group of its own, which its
        // Chromium and Chromium's helpers inherit: end the whole group, so
        // no browser outlives its test (killing only the driver left the
        // Chromium trees running as orphans).
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Anything that left the group still names this test's profile.
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &self._profile.path().display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn find(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(program))
        .find(|p| p.exists())
}

impl Browser {
    /// Starts chromedriver and Chromium, or returns `None` when the test is
    /// to be skipped.
    pub async fn start(test: &str) -> Option<Browser> {
        let skip = std::env::var("STATUSDESK_SKIP_BROWSER").is_ok_and(|v| v == "1");
        let (Some(driver_bin), Some(chromium)) = (find("chromedriver"), find("chromium")) else {
            if skip {
                loud!(
                    "SKIPPED {test}: chromium/chromedriver are not installed and STATUSDESK_SKIP_BROWSER=1"
                );
                return None;
            }
            panic!(
                "chromium and chromedriver are needed for the browser tests: install them with \
                 `apt-get install -y chromium chromium-driver` (or run scripts/test, which does), \
                 or set STATUSDESK_SKIP_BROWSER=1 to skip the browser tests"
            );
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    "--disable-crash-reporter", "--disable-breakpad",
                    "--force-device-scale-factor=1",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,900", "--lang=en-US"
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            let builder = ClientBuilder::rustls();
            let mut builder = match builder {
                Ok(b) => b,
                Err(e) => panic!("webdriver client: {e}"),
            };
            match builder.capabilities(caps.clone()).connect(&url).await {
                Ok(client) => {
                    return Some(Browser {
                        client,
                        driver,
                        port,
                        _profile: profile,
                    });
                }
                Err(e) => {
                    last_error = e.to_string();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("could not start a Chromium session through chromedriver: {last_error}");
    }

    /// The text of the first element matching `css`, waiting for it to
    /// appear. A live page may swap the element out between finding and
    /// reading it; then it is looked up again.
    pub async fn text_of(&self, css: &str) -> String {
        let mut last = String::new();
        for _ in 0..20 {
            let found = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css))
                .await;
            match found {
                Ok(el) => match el.text().await {
                    Ok(t) => return t,
                    Err(e) => last = e.to_string(),
                },
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: {last}");
    }

    /// Cuts or restores the page's network, like DevTools' offline mode
    /// (chromedriver's network conditions): the page sees `offline`, its
    /// connections drop and new ones fail until it is restored.
    pub async fn set_offline(&self, offline: bool) {
        let session = self
            .client
            .session_id()
            .await
            .expect("session id")
            .expect("a session");
        let r = reqwest::Client::new()
            .post(format!(
                "http://127.0.0.1:{}/session/{session}/chromium/network_conditions",
                self.port
            ))
            .json(&serde_json::json!({"network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": 1_000_000, "upload_throughput": 1_000_000
            }}))
            .send()
            .await
            .expect("network conditions");
        assert!(
            r.status().is_success(),
            "network conditions: {}",
            r.status()
        );
    }

    /// Waits until `script` (a function body returning a value) returns
    /// true, or fails with `what`.
    pub async fn until(&self, what: &str, script: &str) {
        for _ in 0..150 {
            if let Ok(v) = self.client.execute(script, vec![]).await
                && v == serde_json::Value::Bool(true)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let text = self
            .client
            .execute("return document.querySelector('main') ? document.querySelector('main').innerText : '';", vec![])
            .await
            .unwrap_or_default();
        panic!("timed out waiting until {what} on {url}; the page shows: {text}");
    }

    pub async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn sign_in(&self, app: &TestApp, email: &str) {
        let c = &self.client;
        c.goto(&app.url("/login")).await.expect("goto login");
        c.find(Locator::Css("#email"))
            .await
            .expect("email")
            .send_keys(email)
            .await
            .expect("type");
        c.find(Locator::Css("#password"))
            .await
            .expect("password")
            .send_keys(statusdesk::demo::PASSWORD)
            .await
            .expect("type");
        c.find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await
            .expect("button")
            .click()
            .await
            .expect("click");
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_url(&url::Url::parse(&app.url("/")).expect("url"))
            .await
            .expect("signed in");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_signs_in_and_sees_the_admin_panel_and_status_link() {
    let Some(b) =
        Browser::start("browser::admin_signs_in_and_sees_the_admin_panel_and_status_link").await
    else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    b.sign_in(&app, "admin@acme.test").await;
    assert_eq!(b.text_of("main h1").await, "Hello Ada Andersson");
    // Through the navigation to the admin panel.
    b.client
        .find(Locator::Css("nav a[href='/admin']"))
        .await
        .expect("admin link")
        .click()
        .await
        .expect("click");
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&url::Url::parse(&app.url("/admin")).expect("url"))
        .await
        .expect("admin panel");
    assert_eq!(b.text_of("main h1").await, "Acme");
    let people = b.text_of("main table").await;
    assert!(
        people.contains("Olle Ops") && people.contains("Maja Medlem"),
        "{people}"
    );
    // The footer links to the status page, and the link works.
    let link = b
        .client
        .find(Locator::Css("footer a[href='/status']"))
        .await
        .expect("footer status link");
    // It says the overall state (the demo has an outage), not "all fine".
    assert_eq!(link.text().await.expect("text"), "Partial system outage");
    link.click().await.expect("click");
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&url::Url::parse(&app.url("/status")).expect("url"))
        .await
        .expect("status page");
    // The demo has an ongoing partial outage of live video.
    assert_eq!(b.text_of("main h1").await, "Partial system outage");
    assert!(
        b.client
            .title()
            .await
            .expect("title")
            .starts_with("System status")
    );
    // The status page is one cached body for everybody; its script puts the
    // signed-in person's own navigation in.
    assert_eq!(b.text_of("nav a.who").await, "Ada Andersson");
    // A confirmation is said once: the address loses ?done= at once, so a
    // reload does not say it again.
    b.client
        .goto(&app.url("/settings?done=saved"))
        .await
        .expect("goto");
    assert_eq!(b.text_of("p.notice").await, "Saved.");
    let mut url = String::new();
    for _ in 0..50 {
        url = b.client.current_url().await.expect("url").to_string();
        if !url.contains("done=") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(url.ends_with("/settings"), "{url}");
    b.client.refresh().await.expect("reload");
    // Wait for the reloaded page before looking for the notice.
    let _ = b.text_of("main h1").await;
    assert!(
        b.client.find(Locator::Css("p.notice")).await.is_err(),
        "no confirmation after a reload"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_files_a_request_agent_replies_admin_marks_it_solved() {
    let Some(b) =
        Browser::start("browser::admin_files_a_request_agent_replies_admin_marks_it_solved").await
    else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    b.sign_in(&app, "admin@acme.test").await;
    let c = &b.client;
    c.goto(&app.url("/support")).await.expect("inbox");
    c.find(Locator::Css("a[href='/support/new']"))
        .await
        .expect("ask")
        .click()
        .await
        .expect("click");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#subject"))
        .await
        .expect("form")
        .send_keys("Nobody can create groups")
        .await
        .expect("type");
    c.find(Locator::Css("#description"))
        .await
        .expect("description")
        .send_keys("Creating a group fails with an error for every user since 10:00.")
        .await
        .expect("type");
    c.find(Locator::Css("input[name=priority][value=high]"))
        .await
        .expect("high")
        .click()
        .await
        .expect("click");
    c.find(Locator::Css("form.request-form button[type=submit]"))
        .await
        .expect("send")
        .click()
        .await
        .expect("click");
    let notice = b.text_of("p.notice").await;
    assert_eq!(
        notice,
        "Your request is sent. You will see replies here and by e-mail."
    );
    assert_eq!(b.text_of("#status").await, "New");
    assert_eq!(b.text_of("#priority").await, "High");
    let url = c.current_url().await.expect("url");
    let rid = url
        .path()
        .trim_start_matches("/support/requests/")
        .to_string();

    // An agent replies (through the API, as an integration would).
    let token = app.token("agent@statusdesk.test").await;
    let r = app
        .client
        .post(app.url(&format!("/api/v1/requests/{rid}/messages")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"body": "We found the cause and rolled back the release."}))
        .send()
        .await
        .expect("reply");
    assert_eq!(r.status(), 201);

    c.refresh().await.expect("reload");
    let conversation = b.text_of("ol.conversation").await;
    assert!(
        conversation.contains("We found the cause and rolled back the release."),
        "{conversation}"
    );
    assert_eq!(b.text_of("#status").await, "Open");
    let timeline = b.text_of("ol.timeline").await;
    assert!(
        timeline.contains("Alex Agent changed the status from New to Open"),
        "{timeline}"
    );

    c.find(Locator::XPath(
        "//button[normalize-space()='Mark as solved']",
    ))
    .await
    .expect("solve button")
    .click()
    .await
    .expect("click");
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#status.st-solved"))
        .await
        .expect("solved");
    assert_eq!(b.text_of("#status").await, "Solved");
    assert_eq!(
        b.text_of("p.notice").await,
        "The request is marked as solved."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_incident_appears_on_an_open_status_page() {
    let Some(b) = Browser::start("browser::a_posted_incident_appears_on_an_open_status_page").await
    else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    b.client
        .goto(&app.url("/status"))
        .await
        .expect("status page");
    assert_eq!(b.text_of("main h1").await, "Partial system outage");
    let marker = b
        .client
        .execute("window.__loadedOnce = true; return document.getElementById('status-live').dataset.version;", vec![])
        .await
        .expect("script");
    assert!(marker.as_str().is_some());
    // A browser with Web Push gets the "notify me" button, and the service
    // worker that shows the notifications installs for the whole site.
    let shown = b
        .client
        .execute(
            "var p = document.getElementById('push'); return !!p && !p.hidden;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(shown, serde_json::Value::Bool(true));
    let scope = b
        .client
        .execute_async(
            "var done = arguments[0]; navigator.serviceWorker.ready.then(function (r) { done(r.scope); });",
            vec![],
        )
        .await
        .expect("service worker");
    assert_eq!(scope.as_str(), Some(app.url("/").as_str()));
    // Give the page a moment to open its event stream.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // An agent posts an incident through the API.
    let token = app.token("agent@statusdesk.test").await;
    let login = app
        .store
        .components()
        .await
        .expect("components")
        .into_iter()
        .find(|c| c.name == "Login")
        .expect("Login")
        .id;
    let r = app
        .client
        .post(app.url("/api/v1/incidents"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "name": "Nobody can sign in",
            "status": "investigating",
            "impact": "critical",
            "body": "Sign-in fails for every user. We are on it.",
            "components": {login: "major_outage"}
        }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);

    // The open page shows it without a reload.
    b.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//h2/a[normalize-space()='Nobody can sign in']",
        ))
        .await
        .expect("the new incident appears");
    assert_eq!(b.text_of("main h1").await, "Major service outage");
    let still_same_document = b
        .client
        .execute("return window.__loadedOnce === true;", vec![])
        .await
        .expect("script");
    assert_eq!(
        still_same_document,
        serde_json::Value::Bool(true),
        "the page was not reloaded"
    );
}

/// The texts of a chat page's stored messages, in order, and whether any
/// seq is shown twice.
const CHAT_TEXTS: &str = "return Array.from(document.querySelectorAll('.messages li[data-seq] .md')).map(function (e) { return e.textContent.trim(); });";

async fn chat_texts(b: &Browser) -> Vec<String> {
    let v = b.client.execute(CHAT_TEXTS, vec![]).await.expect("script");
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn shows(text: &str) -> String {
    format!(
        "return Array.from(document.querySelectorAll('.messages li[data-seq] .md')).some(function (e) {{ return e.textContent.trim() === {}; }});",
        serde_json::Value::String(text.to_string())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_agent_chat_and_a_cut_network_loses_and_repeats_nothing() {
    let test = "browser::admin_and_agent_chat_and_a_cut_network_loses_and_repeats_nothing";
    let Some(admin) = Browser::start(test).await else {
        return;
    };
    let Some(agent) = Browser::start(test).await else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    // The admin starts a chat from the page.
    admin.sign_in(&app, "admin@acme.test").await;
    admin
        .client
        .goto(&app.url("/support/chat"))
        .await
        .expect("chat page");
    admin
        .type_into("#body", "Our exports are stuck at 99 %")
        .await;
    admin.click("button[name=action][value=chat]").await;
    admin
        .until(
            "the chat window opens",
            "return /^\\/support\\/chats\\/[^/]+$/.test(location.pathname);",
        )
        .await;
    let path = admin
        .client
        .current_url()
        .await
        .expect("url")
        .path()
        .to_string();
    let chat = path.trim_start_matches("/support/chats/").to_string();
    // The agent takes it from the console.
    agent.sign_in(&app, "agent@statusdesk.test").await;
    agent
        .client
        .goto(&app.url(&format!("/agent/chats/{chat}")))
        .await
        .expect("agent chat");
    agent.click("form[action$='/accept'] button").await;
    agent.until("the agent's socket is up", "return !!document.querySelector('#chat form.send textarea') && document.querySelector('.conn').textContent === 'Connected';").await;
    admin
        .until(
            "the admin's page shows the chat active and connected",
            "return document.getElementById('chat').dataset.state === 'active' && document.querySelector('.conn').textContent === 'Connected';",
        )
        .await;
    // Typing shows on the other side, with the name.
    agent.type_into("#chat-body", "Looking at it").await;
    admin
        .until(
            "the agent is seen typing",
            "return document.querySelector('.typing').textContent.indexOf('Alex Agent') >= 0;",
        )
        .await;
    agent.click("form.send button[type=submit]").await;
    admin
        .until("the agent's message arrives", &shows("Looking at it"))
        .await;
    admin.type_into("#chat-body", "Thanks!").await;
    agent
        .until(
            "the admin is seen typing",
            "return document.querySelector('.typing').textContent.indexOf('Ada Andersson') >= 0;",
        )
        .await;
    admin.click("form.send button[type=submit]").await;
    agent
        .until("the admin's message arrives", &shows("Thanks!"))
        .await;

    // The admin's network goes; the agent goes on writing.
    admin.set_offline(true).await;
    admin
        .until(
            "the admin's page says it is offline",
            "return document.querySelector('.conn').classList.contains('bad');",
        )
        .await;
    for text in [
        "Found it: a stuck job",
        "Restarting it now",
        "Done, try again",
    ] {
        agent.type_into("#chat-body", text).await;
        agent.click("form.send button[type=submit]").await;
        agent
            .until("the agent's own message is stored", &shows(text))
            .await;
    }
    // The admin writes while offline: it waits, marked as not yet sent.
    admin.type_into("#chat-body", "Are you still there?").await;
    admin.click("form.send button[type=submit]").await;
    admin
        .until(
            "the unsent message is kept",
            "return document.querySelectorAll('.messages li.pending').length === 1;",
        )
        .await;
    assert!(
        !chat_texts(&admin)
            .await
            .iter()
            .any(|t| t == "Done, try again"),
        "offline pages get nothing"
    );
    // Back online: everything once, in order, on both pages.
    admin.set_offline(false).await;
    admin
        .until("the missed messages arrive", &shows("Done, try again"))
        .await;
    admin
        .until(
            "the kept message is sent",
            "return document.querySelectorAll('.messages li.pending').length === 0;",
        )
        .await;
    agent
        .until(
            "the kept message reaches the agent",
            &shows("Are you still there?"),
        )
        .await;
    let want = vec![
        "Our exports are stuck at 99 %",
        "Looking at it",
        "Thanks!",
        "Found it: a stuck job",
        "Restarting it now",
        "Done, try again",
        "Are you still there?",
    ];
    assert_eq!(chat_texts(&admin).await, want, "the admin's page");
    assert_eq!(chat_texts(&agent).await, want, "the agent's page");
    let stored: serde_json::Value = app
        .api_get(
            &app.token("admin@acme.test").await,
            &format!("/api/v1/chats/{chat}"),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        stored["messages"].as_array().map(Vec::len),
        Some(want.len()),
        "stored once each"
    );
}

/// Pages to photograph: (file name, path).
type Pages = Vec<(&'static str, String)>;

/// Not a test: screenshots of every page at laptop and phone widths, in
/// Swedish and English, into target/screenshots, for people to look at.
/// Run with `cargo test -p statusdesk --test it screenshots -- --ignored`.
/// A reader searches the help center, opens the article, answers "No"
/// with a comment; a support admin sees it in the report. An admin asking
/// a question is shown matching articles as they type the subject.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_says_no_with_a_comment_and_support_sees_it_in_the_report() {
    let Some(b) = Browser::start(
        "browser::a_reader_says_no_with_a_comment_and_support_sees_it_in_the_report",
    )
    .await
    else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    b.client.goto(&app.url("/help")).await.expect("help");
    b.type_into("#help-q", "lösenordsåterställning").await;
    b.click("form.help-search button[type=submit]").await;
    b.until(
        "results are shown",
        "return document.querySelectorAll('.result h2 a').length > 0;",
    )
    .await;
    let first = b.text_of(".result h2 a").await;
    assert_eq!(first, "Återställ ditt lösenord");
    b.click(".result h2 a").await;
    b.until(
        "the article opens",
        "return location.pathname === '/help/articles/aterstall-ditt-losenord';",
    )
    .await;
    // The reason form opens on "No" (the script hides it until then).
    b.until(
        "the form is folded",
        "return document.getElementById('feedback-no').hidden === true;",
    )
    .await;
    b.click("button[data-toggle='feedback-no']").await;
    b.click("input[name=reason][value=incomplete]").await;
    b.type_into("#feedback-comment", "Vad gör jag om länken har gått ut?")
        .await;
    b.click("button[name=helpful][value=no]").await;
    b.until(
        "the vote is thanked",
        "return location.search.indexOf('voted=no') >= 0 && document.querySelector('#feedback .notice') !== null;",
    )
    .await;
    // Support sees it in the report.
    b.client.delete_all_cookies().await.expect("cookies");
    b.sign_in(&app, "support@statusdesk.test").await;
    b.client
        .goto(&app.url("/staff/help/report"))
        .await
        .expect("report");
    let report = b.text_of("main").await;
    assert!(
        report.contains("Vad gör jag om länken har gått ut?"),
        "{report}"
    );
    assert!(report.contains("Återställ ditt lösenord"), "{report}");
    // Deflection: an admin typing a subject sees matching articles.
    b.client.delete_all_cookies().await.expect("cookies");
    b.sign_in(&app, "admin@acme.test").await;
    b.client
        .goto(&app.url("/support/new"))
        .await
        .expect("new request");
    b.type_into("#subject", "live video").await;
    b.until(
        "suggestions appear",
        "var s = document.getElementById('suggestions'); return !s.hidden && s.querySelectorAll('a').length > 0;",
    )
    .await;
    let subject = b
        .client
        .execute("return document.getElementById('subject').value;", vec![])
        .await
        .expect("subject");
    assert_eq!(subject, "live video", "no reload: the typed text stays");
    b.click("#suggestions a").await;
    let sam = app.token("support@statusdesk.test").await;
    let mut opened = serde_json::Value::Null;
    for _ in 0..50 {
        opened = app
            .api_get(&sam, "/api/v1/help/feedback-report")
            .await
            .json::<serde_json::Value>()
            .await
            .expect("json")["suggestions_opened"]
            .clone();
        if opened.as_array().is_some_and(|o| !o.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(opened[0]["last_query"], "live video", "{opened}");
}

/// Every page as each demo account sees it, at laptop and phone widths in
/// both languages (written to `target/screenshots/` to be looked at), and
/// none wider than a 360 px phone.
/// An agent works the queue: filters to the unassigned high requests,
/// picks them all and assigns them to themselves in one go, then answers
/// one with a canned reply inserted where the cursor is, and sends it
/// setting the request to waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_works_the_queue_with_bulk_actions_and_a_canned_reply() {
    let Some(b) =
        Browser::start("browser::an_agent_works_the_queue_with_bulk_actions_and_a_canned_reply")
            .await
    else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    let ada = app.token("admin@acme.test").await;
    let mut ids = Vec::new();
    for subject in ["Bulk browser one", "Bulk browser two"] {
        let v = crate::harness::file_request(&app, &ada, subject, "high").await;
        ids.push(v["id"].as_str().expect("id").to_string());
    }
    b.sign_in(&app, "agent@statusdesk.test").await;
    b.client
        .goto(&app.url("/agent?view=unassigned&q=Bulk+browser"))
        .await
        .expect("queue");
    // The select-all box appears with JavaScript and picks both.
    b.click("#pick-all").await;
    b.until(
        "both picked",
        "return document.querySelectorAll('input[name=ids]:checked').length === 2;",
    )
    .await;
    b.client
        .execute(
            "document.getElementById('b-assignee').value = 'me'; document.getElementById('b-priority').value = 'normal';",
            vec![],
        )
        .await
        .expect("choose");
    b.click(".bulk-bar button[type=submit]").await;
    b.until(
        "the bulk action is reported",
        "return document.body.innerText.indexOf('2 requests changed.') >= 0;",
    )
    .await;
    for id in &ids {
        let r = app
            .app
            .request(&app_caller(&app, "agent@statusdesk.test").await, id)
            .await
            .expect("request");
        assert_eq!(r.assignee_name.as_deref(), Some("Alex Agent"));
        assert_eq!(r.priority, domain::Priority::Normal);
    }
    // Answer the first with a canned reply, inserted without a reload.
    b.client
        .goto(&app.url(&format!("/agent/requests/{}", ids[0])))
        .await
        .expect("request");
    b.type_into("#body", "Thanks! ").await;
    b.client
        .execute(
            "var s = document.getElementById('macro'); for (var i = 0; i < s.options.length; i++) { if (s.options[i].text === 'Need more details') { s.selectedIndex = i; } }",
            vec![],
        )
        .await
        .expect("pick macro");
    b.click("#macro-form button[type=submit]").await;
    b.until(
        "the canned reply is in the box, after what was typed",
        "var v = document.getElementById('body').value; return v.indexOf('Thanks! Hi Ada,') === 0 && v.indexOf('Bulk browser one') > 0;",
    )
    .await;
    let url = b.client.current_url().await.expect("url");
    assert!(
        !url.as_str().contains("macro="),
        "inserted without leaving the page: {url}"
    );
    b.click("button[name=then][value=waiting_on_customer]")
        .await;
    b.until(
        "sent and waiting",
        "var s = document.getElementById('status'); return !!s && s.className.indexOf('st-waiting_on_customer') >= 0;",
    )
    .await;
    let caller = app_caller(&app, "agent@statusdesk.test").await;
    let view = app.app.request_view(&caller, &ids[0]).await.expect("view");
    assert_eq!(view.request.status, domain::TicketStatus::WaitingOnCustomer);
    let last = view.messages.last().expect("a reply");
    assert!(
        last.body.starts_with("Thanks! Hi Ada,") && last.body.contains("Alex Agent"),
        "{}",
        last.body
    );
}

/// The use-case caller for a demo user (for checking what a browser did).
async fn app_caller(app: &TestApp, email: &str) -> app::Caller {
    let token = app.token(email).await;
    app.app
        .token_caller(&token)
        .await
        .expect("caller")
        .expect("a caller")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots() {
    let Some(b) = Browser::start("browser::screenshots").await else {
        return;
    };
    let app = TestApp::spawn(Db::Sqlite).await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    let org_id = app
        .store
        .org_by_name("Acme")
        .await
        .expect("db")
        .expect("acme")
        .id;
    let filter = store::RequestFilter {
        limit: 10,
        ..Default::default()
    };
    let (requests, _) = app
        .store
        .list_requests(store::Scope::Org(&org_id), &filter)
        .await
        .expect("requests");
    let first_request = requests
        .iter()
        .find(|r| r.subject.starts_with("Live broadcast"))
        .expect("demo request")
        .id
        .clone();
    let solved_request = requests
        .iter()
        .find(|r| r.subject.starts_with("Rate limits"))
        .expect("solved demo request")
        .id
        .clone();
    // A linked incident on the first request, a saved view and a rating, so
    // their parts of the pages show.
    let incident = app.store.open_incidents().await.expect("incidents");
    if let Some(i) = incident.iter().find(|i| i.name.starts_with("Live")) {
        app.store
            .link_request(&i.id, &first_request)
            .await
            .expect("link");
    }
    let (sam, _) = app
        .store
        .principal_by_email("support@statusdesk.test")
        .await
        .expect("db")
        .expect("sam");
    app.store
        .save_view(
            &sam.user.id,
            "High, newest first",
            "/agent?view=open&priority=high&sort=-updated",
            0,
        )
        .await
        .expect("view");
    // Two integrations, so their page shows a list.
    for (kind, url, secret) in [
        (
            "slack",
            "https://hooks.slack.com/services/T0ACME/B0OPS/x1y2z3",
            None,
        ),
        (
            "webhook",
            "https://ops.acme.example/statusdesk",
            Some("whsec_demo_secret_0123"),
        ),
    ] {
        app.store
            .create_integration(
                &store::IntegrationInput {
                    org_id: &org_id,
                    kind,
                    url,
                    secret,
                    components: &[],
                    created_by: "",
                    language: None,
                },
                0,
            )
            .await
            .expect("integration");
    }
    // A live chat with a few messages, taken by the support admin, and the
    // demo's ended one.
    let ada = app.token("admin@acme.test").await;
    let sam = app.token("support@statusdesk.test").await;
    let r = crate::harness::post_json(
        &app,
        &ada,
        "/api/v1/chats",
        serde_json::json!({"subject": "Exports stop at 99 %", "body": "Our **monthly export** stops at 99 % since this morning. Is something going on?"}),
    )
    .await;
    let live: serde_json::Value = r.json().await.expect("json");
    let live = live["id"].as_str().expect("id").to_string();
    crate::harness::post_json(
        &app,
        &sam,
        &format!("/api/v1/chats/{live}/accept"),
        serde_json::json!({}),
    )
    .await;
    {
        let mut s = crate::chat::Ws::open(&app.base, &live, &sam, Some(1))
            .await
            .expect("socket");
        s.send(serde_json::json!({"type": "message", "client_id": "s1", "body": "Hi Ada! I can see the export job waiting on a lock. Give me a minute."})).await;
        s.next_of("ack").await;
    }
    let waiting = crate::harness::post_json(
        &app,
        &ada,
        "/api/v1/chats",
        serde_json::json!({"body": "Can we get SSO for our second domain?"}),
    )
    .await;
    assert_eq!(waiting.status(), 201);
    let ended = app
        .store
        .org_chats(&org_id, 20)
        .await
        .expect("chats")
        .into_iter()
        .find(|c| c.state == domain::chat::ChatState::Ended)
        .expect("the demo's ended chat")
        .id;
    let teams_thread = app
        .store
        .threads(false, 50)
        .await
        .expect("threads")
        .into_iter()
        .find(|t| t.title.contains("Teams"))
        .expect("the demo's Teams thread")
        .id;
    // Something for the community's review queue: a held first post and
    // a report.
    let sam = app.token("support@statusdesk.test").await;
    let r = reqwest::Client::new()
        .patch(app.url("/api/v1/community/settings"))
        .bearer_auth(&sam)
        .json(&serde_json::json!({"hold_first_posts": true}))
        .send()
        .await
        .expect("settings");
    assert_eq!(r.status(), 200);
    let r = crate::harness::post_json(
        &app,
        &ada,
        "/api/v1/community/threads",
        serde_json::json!({"title": "Can we brand the status page?", "body": "We would like our own logo on it.", "lang": "en"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let teams_answer = app
        .store
        .thread_posts(&teams_thread)
        .await
        .expect("posts")
        .into_iter()
        .find(|p| p.is_question == 0)
        .expect("an answer")
        .id;
    let r = crate::harness::post_json(
        &app,
        &ada,
        &format!("/api/v1/community/posts/{teams_answer}/report"),
        serde_json::json!({"reason": "off_topic", "comment": "This is about Slack, not Teams."}),
    )
    .await;
    assert_eq!(r.status(), 204);
    // The demo's resolved incident, corrected and with a postmortem.
    let past = app
        .store
        .incidents("incident", 10)
        .await
        .expect("incidents")
        .into_iter()
        .find(|i| i.resolved_at.is_some())
        .expect("a resolved incident")
        .id;
    let support = app.token("support@statusdesk.test").await;
    let r = crate::harness::patch_json(
        &app,
        &support,
        &format!("/api/v1/incidents/{past}"),
        serde_json::json!({
            "postmortem": "## What happened\n\nThe certificate our identity provider signs sign-ins with **expired** at 09:12.\n\n## What we changed\n\n- Certificates are renewed a month ahead.\n- An alert fires 14 days before any expiry.",
            "translations": {"sv": {"postmortem": "## Vad som hände\n\nCertifikatet som vår identitetsleverantör signerar inloggningar med **gick ut** kl. 09.12.\n\n## Vad vi har ändrat\n\n- Certifikat förnyas en månad i förväg.\n- Ett larm går 14 dagar före varje utgång."}}
        }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let sets: Vec<(Option<&str>, Pages)> = vec![
        (
            None,
            vec![
                ("landing", "/".into()),
                ("help", "/help".into()),
                (
                    "help-article",
                    "/help/articles/vad-prioriteringarna-betyder".into(),
                ),
                ("help-article-plan", "/help/articles/contact-support".into()),
                (
                    "help-search",
                    "/help/search?q=l%C3%B6senords%C3%A5terst%C3%A4llning".into(),
                ),
                ("help-nothing", "/help/search?q=xylofon".into()),
                ("community", "/community".into()),
                (
                    "community-thread",
                    format!("/community/threads/{teams_thread}"),
                ),
                ("login", "/login".into()),
                ("forgot", "/password/forgot".into()),
                ("status", "/status".into()),
                ("incident", format!("/status/incidents/{past}")),
                ("notfound", "/nope".into()),
            ],
        ),
        (
            Some("admin@acme.test"),
            vec![
                ("home-admin", "/".into()),
                ("admin", "/admin".into()),
                ("integrations", "/admin/integrations".into()),
                ("settings", "/settings".into()),
                ("inbox", "/support".into()),
                ("new-request", "/support/new".into()),
                ("request", format!("/support/requests/{first_request}")),
                (
                    "request-solved",
                    format!("/support/requests/{solved_request}"),
                ),
                ("chat-start", "/support/chat".into()),
                ("chats", "/support/chats".into()),
                ("chat-live", format!("/support/chats/{live}")),
                ("chat-ended", format!("/support/chats/{ended}")),
            ],
        ),
        (
            Some("member@acme.test"),
            vec![
                ("home-member", "/".into()),
                ("support-member", "/support".into()),
            ],
        ),
        (
            Some("admin@initech.test"),
            vec![
                ("admin-core", "/admin".into()),
                ("community-signed-in", "/community".into()),
                (
                    "community-asker",
                    format!("/community/threads/{teams_thread}"),
                ),
                ("support-core", "/support".into()),
            ],
        ),
        (
            Some("support@statusdesk.test"),
            vec![
                ("staff", "/staff".into()),
                ("staff-org", format!("/staff/organisations/{org_id}")),
                ("queue", "/agent?view=open".into()),
                ("queue-all", "/agent?view=all&sort=-updated".into()),
                ("macros", "/agent/macros".into()),
                ("targets", "/staff/targets".into()),
                ("teams", "/staff/teams".into()),
                ("reports", "/staff/reports".into()),
                ("queue-overdue", "/agent?view=overdue".into()),
                ("branding", "/staff/branding".into()),
                ("status-desk", "/staff/status".into()),
                ("incident-edit", format!("/staff/status/incidents/{past}")),
                ("agent-request", format!("/agent/requests/{first_request}")),
                (
                    "agent-request-solved",
                    format!("/agent/requests/{solved_request}"),
                ),
                ("chat-console", "/agent/chats".into()),
                ("staff-help", "/staff/help".into()),
                (
                    "help-editor",
                    "/staff/help/what-the-priorities-mean/edit".into(),
                ),
                ("help-new", "/staff/help/new".into()),
                ("help-report", "/staff/help/report".into()),
                ("community-queue", "/staff/community".into()),
                ("outbox", "/staff/outbox".into()),
                (
                    "community-moderate",
                    format!("/community/threads/{teams_thread}"),
                ),
                ("agent-chat", format!("/agent/chats/{live}")),
            ],
        ),
    ];
    let mut overflowing: Vec<String> = Vec::new();
    for (who, pages) in sets {
        b.client.delete_all_cookies().await.expect("cookies");
        if let Some(email) = who {
            b.sign_in(&app, email).await;
        }
        for lang in ["en", "sv"] {
            b.client
                .goto(&app.url(&format!("/language/{lang}?next=/")))
                .await
                .expect("lang");
            for (name, path) in &pages {
                for (width, height, label) in [(1366u32, 900u32, "laptop"), (390, 844, "phone")] {
                    // Forms below the fold are photographed whole.
                    let height = match *name {
                        "integrations" => height * 2,
                        "status-desk" | "incident-edit" => height * 4,
                        _ => height,
                    };
                    b.client.set_window_size(width, height).await.expect("size");
                    b.client.goto(&app.url(path)).await.expect("goto");
                    if *name == "status-desk" {
                        // The date is written out in the page's language,
                        // whatever the browser's own field shows.
                        let said = b
                            .client
                            .execute(
                                "var i = document.getElementById('m-from'); i.value = '2026-12-24'; \
                                 i.dispatchEvent(new Event('input')); \
                                 return i.nextElementSibling.textContent;",
                                vec![],
                            )
                            .await
                            .expect("date");
                        let day = if lang == "sv" {
                            "torsdag 24 december 2026"
                        } else {
                            "Thursday"
                        };
                        assert!(
                            said.as_str().is_some_and(|s| s.contains(day)),
                            "{lang}: {said}"
                        );
                    }
                    let png = b.client.screenshot().await.expect("screenshot");
                    std::fs::write(out.join(format!("{name}-{lang}-{label}.png")), png)
                        .expect("write");
                }
                // Nothing may be wider than a small phone.
                b.client.set_window_size(360, 800).await.expect("size");
                b.client.goto(&app.url(path)).await.expect("goto");
                let wide = b
                    .client
                    .execute(
                        "var w = document.documentElement.clientWidth; var out = []; \
                         document.querySelectorAll('body *').forEach(function (e) { \
                           var r = e.getBoundingClientRect(); \
                           if (r.right > w + 1 && getComputedStyle(e).position !== 'fixed' && !(e.parentElement && e.parentElement.closest('.table-wrap'))) \
                             out.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(r.right)); }); \
                         return [document.documentElement.scrollWidth, w, out.slice(0, 5).join(', ')];",
                        vec![],
                    )
                    .await
                    .expect("widths");
                if wide[0].as_i64() > wide[1].as_i64() {
                    overflowing.push(format!("{name} ({lang}): {wide}"));
                }
            }
        }
    }
    two_factor_screenshots(&b, &app, &out).await;
    eprintln!("screenshots written to {}", out.display());
    assert!(
        overflowing.is_empty(),
        "wider than a 360 px phone:\n{}",
        overflowing.join("\n")
    );
}

/// The page the browser shows, at laptop and phone width (without loading
/// it again: some are answers to a form).
async fn shoot(b: &Browser, out: &std::path::Path, name: &str, lang: &str) {
    for (width, height, label) in [(1366u32, 900u32, "laptop"), (390, 844, "phone")] {
        b.client.set_window_size(width, height).await.expect("size");
        let png = b.client.screenshot().await.expect("screenshot");
        std::fs::write(out.join(format!("{name}-{lang}-{label}.png")), png).expect("write");
    }
    b.client.set_window_size(1366, 900).await.expect("size");
}

/// The code an authenticator app would show now (on the server's clock,
/// which the tests start at a fixed date) for a base32 key.
fn current_code(app: &TestApp, key: &str) -> String {
    let secret = app::totp::from_base32(key).expect("base32");
    let now = app.app.now();
    format!(
        "{:06}",
        app::totp::hotp(&secret, app::totp::step_of(now) as u64)
    )
}

/// Two-factor sign-in as a person goes through it: the intro, the key, the
/// recovery codes, the settings once on, and the code step of signing in.
async fn two_factor_screenshots(b: &Browser, app: &TestApp, out: &std::path::Path) {
    let email = "admin@globex.test";
    let (who, _) = app
        .store
        .principal_by_email(email)
        .await
        .expect("db")
        .expect("globex admin");
    for lang in ["en", "sv"] {
        app.store.disable_totp(&who.user.id).await.expect("reset");
        b.client.delete_all_cookies().await.expect("cookies");
        b.sign_in(app, email).await;
        b.client
            .goto(&app.url(&format!("/language/{lang}?next=/settings/two-factor")))
            .await
            .expect("lang");
        b.client
            .goto(&app.url("/settings/two-factor"))
            .await
            .expect("goto");
        shoot(b, out, "two-factor-intro", lang).await;
        b.client
            .find(Locator::Css(
                "form[action='/settings/two-factor/start'] button",
            ))
            .await
            .expect("set up")
            .click()
            .await
            .expect("click");
        let key = b
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#two-factor-key"))
            .await
            .expect("key")
            .text()
            .await
            .expect("text");
        shoot(b, out, "two-factor-setup", lang).await;
        b.client
            .find(Locator::Css("#confirm-code"))
            .await
            .expect("code field")
            .send_keys(&current_code(app, &key))
            .await
            .expect("type");
        b.client
            .find(Locator::Css(
                "form[action='/settings/two-factor/confirm'] button",
            ))
            .await
            .expect("confirm")
            .click()
            .await
            .expect("click");
        b.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#recovery-codes"))
            .await
            .expect("recovery codes shown");
        shoot(b, out, "two-factor-codes", lang).await;
        b.client.goto(&app.url("/settings")).await.expect("goto");
        shoot(b, out, "settings-two-factor", lang).await;
        // Signing in again stops at the code.
        b.client.delete_all_cookies().await.expect("cookies");
        b.client
            .goto(&app.url(&format!("/language/{lang}?next=/login")))
            .await
            .expect("lang");
        let c = &b.client;
        c.goto(&app.url("/login")).await.expect("login");
        c.find(Locator::Css("#email"))
            .await
            .expect("email")
            .send_keys(email)
            .await
            .expect("type");
        c.find(Locator::Css("#password"))
            .await
            .expect("password")
            .send_keys(statusdesk::demo::PASSWORD)
            .await
            .expect("type");
        c.find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await
            .expect("button")
            .click()
            .await
            .expect("click");
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("form[action='/login/two-factor']"))
            .await
            .expect("the code step");
        shoot(b, out, "two-factor-login", lang).await;
    }
    // The staff rule, on the support admins' page.
    b.client.delete_all_cookies().await.expect("cookies");
    app.store.disable_totp(&who.user.id).await.expect("reset");
}
