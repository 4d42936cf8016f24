//! Live chat over real WebSocket connections, on both databases: acks only
//! after storage, order, resume without loss or repeats, one message per
//! client id, who may chat, the queue, capacity and transfer, chats that
//! become requests, transcripts and answers by e-mail, bad frames, and two
//! instances on one PostgreSQL database.
use crate::harness::{Db, Fetch, Options, TestApp, client, post_json};
use crate::on_both;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A chat WebSocket client.
pub struct Ws {
    inner: Stream,
}

impl Ws {
    /// Connects with a bearer token; a refused upgrade gives its status and
    /// JSON body.
    pub async fn open(
        base: &str,
        chat: &str,
        token: &str,
        after: Option<i64>,
    ) -> Result<Ws, (u16, Value)> {
        let url = format!(
            "{}/api/v1/chats/{chat}/ws{}",
            base.replacen("http://", "ws://", 1),
            after.map(|a| format!("?after={a}")).unwrap_or_default()
        );
        let mut req = url.into_client_request().expect("request");
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
        match tokio_tungstenite::connect_async(req).await {
            Ok((inner, _)) => Ok(Ws { inner }),
            Err(tungstenite::Error::Http(r)) => {
                let status = r.status().as_u16();
                let body = r
                    .body()
                    .as_ref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null);
                Err((status, body))
            }
            Err(e) => panic!("websocket: {e}"),
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.inner
            .send(Message::Text(v.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, text: String) {
        let _ = self.inner.send(Message::Text(text.into())).await;
    }

    /// The next JSON frame (pings skipped), or `None` when closed.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let got = tokio::time::timeout(Duration::from_secs(15), self.inner.next())
                .await
                .expect("a frame within 15 s");
            match got {
                Some(Ok(Message::Text(t))) => {
                    return Some(serde_json::from_str(t.as_str()).expect("json"));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next frame of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let f = self
                .next()
                .await
                .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
            if f["type"] == kind {
                return f;
            }
        }
    }

    /// Frames of `kind` until `n` have come.
    pub async fn take(&mut self, kind: &str, n: usize) -> Vec<Value> {
        let mut out = Vec::new();
        while out.len() < n {
            out.push(self.next_of(kind).await);
        }
        out
    }

    /// The close code the server sends (after an error frame).
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            let got = tokio::time::timeout(Duration::from_secs(15), self.inner.next())
                .await
                .expect("closed within 15 s");
            match got {
                Some(Ok(Message::Close(Some(f)))) => return Some(u16::from(f.code)),
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Whether the server stays quiet about messages for a moment.
    pub async fn no_message_for(&mut self, ms: u64) -> bool {
        loop {
            match tokio::time::timeout(Duration::from_millis(ms), self.inner.next()).await {
                Err(_) => return true,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("json");
                    if v["type"] == "message" {
                        return false;
                    }
                }
                Ok(_) => return true,
            }
        }
    }
}

/// Opens a chat as `token`; its id.
pub async fn open_chat(app: &TestApp, token: &str, body: &str) -> String {
    let r = post_json(app, token, "/api/v1/chats", json!({"body": body})).await;
    assert_eq!(r.status(), 201, "open a chat");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["state"], "waiting");
    assert_eq!(v["messages"][0]["seq"], 1);
    v["id"].as_str().expect("id").to_string()
}

fn seqs(frames: &[Value]) -> Vec<i64> {
    frames
        .iter()
        .map(|f| f["seq"].as_i64().expect("seq"))
        .collect()
}

async fn messages_are_stored_once_acked_and_in_order(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let chat = open_chat(&app, &ada, "Login fails for some users").await;

    let mut customer = Ws::open(&app.base, &chat, &ada, None)
        .await
        .expect("customer socket");
    let first = customer.next_of("message").await;
    assert_eq!(
        (first["seq"].as_i64(), first["body"].as_str()),
        (Some(1), Some("Login fails for some users"))
    );
    let state = customer.next_of("state").await;
    assert_eq!(state["state"], "waiting");
    let queue = customer.next_of("queue").await;
    assert_eq!(queue["position"], 1);
    assert!(queue["estimate_secs"].as_i64().is_some_and(|s| s > 0));

    // The agent may not write before taking the chat.
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{chat}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(customer.next_of("state").await["state"], "active");
    let mut support = Ws::open(&app.base, &chat, &agent, Some(1))
        .await
        .expect("agent socket");
    assert_eq!(
        support.next_of("state").await["agent"]["name"],
        "Alex Agent"
    );

    customer
        .send(json!({"type": "message", "client_id": "c-1", "body": "It started at **9:00**"}))
        .await;
    let ack = customer.next_of("ack").await;
    assert_eq!(ack, json!({"type": "ack", "client_id": "c-1", "seq": 2}));
    let own = customer.next_of("message").await;
    assert_eq!(own["seq"], 2);
    assert_eq!(own["html"], "<p>It started at <strong>9:00</strong></p>\n");
    assert_eq!(own["author"]["staff"], false);
    let seen = support.next_of("message").await;
    assert_eq!(
        (seen["seq"].as_i64(), seen["client_id"].as_str()),
        (Some(2), Some("c-1"))
    );

    // The same client id again: the same ack, nothing stored.
    customer
        .send(json!({"type": "message", "client_id": "c-1", "body": "It started at **9:00**"}))
        .await;
    assert_eq!(customer.next_of("ack").await["seq"], 2);
    assert!(support.no_message_for(400).await, "a resend reaches nobody");

    support
        .send(json!({"type": "message", "client_id": "a-1", "body": "Looking at it now."}))
        .await;
    assert_eq!(support.next_of("ack").await["seq"], 3);
    let answer = customer.next_of("message").await;
    assert_eq!(
        (answer["seq"].as_i64(), answer["author"]["staff"].as_bool()),
        (Some(3), Some(true))
    );

    // Typing and read receipts travel to the other side.
    support.send(json!({"type": "typing", "on": true})).await;
    let typing = customer.next_of("typing").await;
    assert_eq!(
        (typing["on"].as_bool(), typing["user"]["name"].as_str()),
        (Some(true), Some("Alex Agent"))
    );
    customer.send(json!({"type": "read", "seq": 3})).await;
    assert_eq!(support.next_of("read").await["seq"], 3);
    customer.send(json!({"type": "ping"})).await;
    customer.next_of("pong").await;

    // The transcript over HTTP: every message once, in order.
    let detail = app.api_get(&ada, &format!("/api/v1/chats/{chat}")).await;
    let detail: Value = detail.json().await.expect("json");
    let stored: Vec<i64> = detail["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(stored, vec![1, 2, 3]);
    assert_eq!(detail["last_seq"], 3);
}

async fn a_dropped_connection_resumes_without_loss_or_repeats(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let chat = open_chat(&app, &ada, "Hello").await;
    post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{chat}/accept"),
        json!({}),
    )
    .await;
    let mut support = Ws::open(&app.base, &chat, &agent, None)
        .await
        .expect("agent");
    assert_eq!(seqs(&support.take("message", 1).await), vec![1]);
    let mut customer = Ws::open(&app.base, &chat, &ada, None)
        .await
        .expect("customer");
    assert_eq!(seqs(&customer.take("message", 1).await), vec![1]);
    // The customer's laptop sleeps mid-conversation.
    drop(customer);
    for i in 0..5 {
        support
            .send(json!({"type": "message", "client_id": format!("a-{i}"), "body": format!("answer {i}")}))
            .await;
        support.next_of("ack").await;
    }
    // It wakes: resume after what it had (seq 1), by query.
    let mut customer = Ws::open(&app.base, &chat, &ada, Some(1))
        .await
        .expect("again");
    let got = customer.take("message", 5).await;
    assert_eq!(seqs(&got), vec![2, 3, 4, 5, 6]);
    assert_eq!(got[4]["body"], "answer 4");
    support
        .send(json!({"type": "message", "client_id": "a-live", "body": "still there?"}))
        .await;
    assert_eq!(
        seqs(&customer.take("message", 1).await),
        vec![7],
        "then live ones"
    );
    assert!(customer.no_message_for(300).await, "nothing twice");
    // And by frame: resume after 4 gives 5..7, once each.
    let mut third = Ws::open(&app.base, &chat, &ada, None).await.expect("third");
    third.send(json!({"type": "resume", "after": 4})).await;
    assert_eq!(seqs(&third.take("message", 3).await), vec![5, 6, 7]);
    assert!(third.no_message_for(300).await);
    // A client that resends everything unacknowledged after a drop stores
    // nothing twice.
    let mut c = Ws::open(&app.base, &chat, &ada, Some(7)).await.expect("c");
    for _ in 0..3 {
        c.send(json!({"type": "message", "client_id": "once", "body": "only once"}))
            .await;
        assert_eq!(c.next_of("ack").await["seq"], 8);
    }
    let all: Value = app
        .api_get(&ada, &format!("/api/v1/chats/{chat}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["messages"].as_array().map(Vec::len), Some(8));
}

async fn only_admins_with_chat_may_chat(db: Db) {
    let app = TestApp::spawn(db).await;
    let refused = |token: String, reason: &'static str| {
        let app = &app;
        async move {
            let r = post_json(app, &token, "/api/v1/chats", json!({"body": "hi"})).await;
            assert_eq!(r.status(), 403, "{reason}");
            let v: Value = r.json().await.expect("json");
            assert_eq!(v["reason"], reason);
        }
    };
    // Globex has chat switched off; Initech is on Core; Maja is a member.
    refused(app.token("admin@globex.test").await, "chat_not_enabled").await;
    refused(
        app.token("admin@initech.test").await,
        "plan_excludes_direct_support",
    )
    .await;
    refused(app.token("member@acme.test").await, "admins_only").await;
    refused(app.token("agent@statusdesk.test").await, "customers_only").await;
    // Switched on for Globex: allowed.
    let support = app.token("support@statusdesk.test").await;
    let globex: Value = app
        .api_get(&app.token("admin@globex.test").await, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    let org = globex["organisation"]["id"]
        .as_str()
        .expect("org")
        .to_string();
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/organisations/{org}")))
        .bearer_auth(&support)
        .json(&json!({"chat_rollout": "on"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let greta = app.token("admin@globex.test").await;
    let globex_chat = open_chat(&app, &greta, "Hej").await;
    // Another organisation's chat: not found over HTTP and WebSocket.
    let ada = app.token("admin@acme.test").await;
    let r = app
        .api_get(&ada, &format!("/api/v1/chats/{globex_chat}"))
        .await;
    assert_eq!(r.status(), 404);
    let refused_ws = Ws::open(&app.base, &globex_chat, &ada, None).await.err();
    assert_eq!(refused_ws.as_ref().map(|e| e.0), Some(404));
    assert_eq!(
        refused_ws.map(|e| e.1["code"].clone()),
        Some(json!("not_found"))
    );
    // Without a token or cookie: 401. A member of Acme: 403 with a reason.
    let acme_chat = open_chat(&app, &ada, "Hi").await;
    let member = app.token("member@acme.test").await;
    let (status, body) = Ws::open(&app.base, &acme_chat, &member, None)
        .await
        .err()
        .expect("refused");
    assert_eq!(
        (status, body["reason"].as_str()),
        (403, Some("admins_only"))
    );
    let (status, _) = Ws::open(&app.base, &acme_chat, "sd_nonsense", None)
        .await
        .err()
        .expect("refused");
    assert_eq!(status, 401);
    // Another Acme admin reads the chat (every admin of the organisation).
    let olle = app.token("ops@acme.test").await;
    let list: Value = app
        .api_get(&olle, "/api/v1/chats")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        list["chats"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["id"] == acme_chat.as_str()))
    );
    // The page: members and Core admins are told why.
    let maja = app.signed_in("member@acme.test").await;
    let r = maja
        .get(app.url("/support/chat"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("text").contains("administrators"));
}

async fn the_queue_keeps_order_capacity_and_transfers(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let boss = app.token("support@statusdesk.test").await;
    // Alex takes one chat at a time.
    let s = app.signed_in("support@statusdesk.test").await;
    let csrf = app.csrf(&s, "/staff").await;
    let me: Value = app
        .api_get(&agent, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    let alex = me["user"]["id"].as_str().expect("id").to_string();
    let r = s
        .post(app.url("/staff/chat-settings"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("routing", "manual"),
            (format!("capacity:{alex}").as_str(), "1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let first = open_chat(&app, &ada, "first").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = open_chat(&app, &ada, "second").await;
    // Oldest first, with places.
    let queue: Value = app
        .api_get(&agent, "/api/v1/chats")
        .await
        .json()
        .await
        .expect("json");
    let waiting: Vec<&str> = queue["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .filter(|c| c["state"] == "waiting")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(waiting, vec![first.as_str(), second.as_str()]);
    // Filters: one state, and a bad one named.
    let only: Value = app
        .api_get(&agent, "/api/v1/chats?state=waiting")
        .await
        .json()
        .await
        .expect("json");
    let states: Vec<&str> = only["chats"]
        .as_array()
        .expect("chats")
        .iter()
        .filter_map(|c| c["state"].as_str())
        .collect();
    assert!(
        states.len() >= 2 && states.iter().all(|s| *s == "waiting"),
        "{states:?}"
    );
    let ended: Value = app
        .api_get(&ada, "/api/v1/chats?state=ended")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        ended["chats"]
            .as_array()
            .expect("chats")
            .iter()
            .all(|c| c["state"] == "ended")
    );
    let bad = app.api_get(&agent, "/api/v1/chats?state=sleeping").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.expect("json")["field"], "state");
    let second_view: Value = app
        .api_get(&ada, &format!("/api/v1/chats/{second}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(second_view["queue"]["position"], 2);
    let mut watcher = Ws::open(&app.base, &second, &ada, None)
        .await
        .expect("socket");
    assert_eq!(watcher.next_of("queue").await["position"], 2);
    // Alex takes the first; the second moves up, live.
    assert_eq!(
        post_json(
            &app,
            &agent,
            &format!("/api/v1/chats/{first}/accept"),
            json!({})
        )
        .await
        .status(),
        200
    );
    assert_eq!(watcher.next_of("queue").await["position"], 1);
    // At capacity: the second is refused.
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{second}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "at_capacity");
    // Taken already: another agent cannot take it too.
    let r = post_json(
        &app,
        &boss,
        &format!("/api/v1/chats/{first}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "chat_taken");
    // Alex hands the first over to Sam; now he has room for the second.
    let sam: Value = app
        .api_get(&boss, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    let sam_id = sam["user"]["id"].as_str().expect("id");
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{first}/transfer"),
        json!({"agent": sam_id}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.expect("json")["agent"]["id"],
        sam_id
    );
    assert_eq!(
        post_json(
            &app,
            &agent,
            &format!("/api/v1/chats/{second}/accept"),
            json!({})
        )
        .await
        .status(),
        200
    );
    // Alex may no longer write in the first.
    let mut old = Ws::open(&app.base, &first, &agent, None)
        .await
        .expect("socket");
    old.send(json!({"type": "message", "client_id": "x", "body": "mine?"}))
        .await;
    assert_eq!(old.next_of("error").await["code"], "chat_not_yours");
    // Routing: automatic gives new chats to the least busy agent online.
    let csrf = app.csrf(&s, "/staff").await;
    s.post(app.url("/staff/chat-settings"))
        .form(&[("csrf", csrf.as_str()), ("routing", "auto")])
        .send()
        .await
        .expect("post");
    let c = app
        .app
        .caller(app.store.principal(sam_id).await.expect("p").expect("sam"))
        .await;
    app.app.set_presence(&c, "online").await.expect("online");
    let third = open_chat_any(&app, &ada, "third").await;
    assert_eq!(third["state"], "active", "routed at once");
    assert_eq!(third["agent"]["id"], sam_id, "to the one with room");
}

async fn open_chat_any(app: &TestApp, token: &str, body: &str) -> Value {
    let r = post_json(app, token, "/api/v1/chats", json!({"body": body})).await;
    assert_eq!(r.status(), 201);
    r.json().await.expect("json")
}

async fn chats_end_rate_mail_and_become_requests(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let chat = open_chat(&app, &ada, "Exports are slow").await;
    post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{chat}/accept"),
        json!({}),
    )
    .await;
    let mut s = Ws::open(&app.base, &chat, &agent, Some(1))
        .await
        .expect("socket");
    s.send(json!({"type": "message", "client_id": "a", "body": "Which export?"}))
        .await;
    s.next_of("ack").await;
    // Turned into a request: once, with the transcript.
    let r = post_json(
        &app,
        &ada,
        &format!("/api/v1/chats/{chat}/request"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let request = r.json::<Value>().await.expect("json")["request_id"]
        .as_str()
        .expect("id")
        .to_string();
    let again = post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{chat}/request"),
        json!({}),
    )
    .await;
    assert_eq!(
        again.json::<Value>().await.expect("json")["request_id"],
        request.as_str()
    );
    let req: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{request}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(req["subject"], "Exports are slow");
    let description = req["description"].as_str().expect("description");
    assert!(
        description.contains("Exports are slow") && description.contains("Which export?"),
        "{description}"
    );
    // Rating needs the end; the customer ends it.
    let r = post_json(
        &app,
        &ada,
        &format!("/api/v1/chats/{chat}/rating"),
        json!({"good": true}),
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "chat_not_ended"
    );
    let r = post_json(&app, &ada, &format!("/api/v1/chats/{chat}/end"), json!({})).await;
    assert_eq!(r.json::<Value>().await.expect("json")["state"], "ended");
    // State frames come on connect and on every change (the request link too): the last is the end.
    loop {
        let state = s.next_of("state").await;
        if state["state"] == "ended" {
            break;
        }
        assert_eq!(state["state"], "active", "{state}");
    }
    s.send(json!({"type": "message", "client_id": "late", "body": "hello?"}))
        .await;
    assert_eq!(s.next_of("error").await["code"], "chat_ended");
    // Rating is a form post on the page.
    let c = app.signed_in("admin@acme.test").await;
    let csrf = app.csrf(&c, &format!("/support/chats/{chat}")).await;
    let r = c
        .post(app.url(&format!("/support/chats/{chat}/rating")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("good", "0"),
            ("comment", "Too slow"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let v: Value = app
        .api_get(&ada, &format!("/api/v1/chats/{chat}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["rating"], "bad");
    // The transcript by e-mail, through the outbox.
    let r = c
        .post(app.url(&format!("/support/chats/{chat}/transcript")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let outbox = app.store.recent_outbox(20).await.expect("outbox");
    let mail = outbox
        .iter()
        .find(|m| {
            m.idempotency_key
                .starts_with(&format!("chat:{chat}:transcript"))
        })
        .expect("transcript mail");
    assert_eq!(mail.target, "admin@acme.test");
    assert!(mail.payload.contains("Which export?"));
    // The chat appears in the organisation's inbox, readable by its admins.
    let olle = app.signed_in("ops@acme.test").await;
    let list = olle.get(app.url("/support/chats")).text_body().await;
    assert!(list.contains("Exports are slow"));
    let page = olle
        .get(app.url(&format!("/support/chats/{chat}")))
        .text_body()
        .await;
    assert!(page.contains("Which export?"));
}

async fn a_customer_who_left_gets_the_answer_by_mail(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let chat = open_chat(&app, &ada, "Anyone there?").await;
    post_json(
        &app,
        &agent,
        &format!("/api/v1/chats/{chat}/accept"),
        json!({}),
    )
    .await;
    let mut s = Ws::open(&app.base, &chat, &agent, Some(1))
        .await
        .expect("socket");
    s.send(json!({"type": "message", "client_id": "a", "body": "Yes! Clear your cache."}))
        .await;
    s.next_of("ack").await;
    // Not yet: the customer may still read it.
    assert_eq!(app.app.mail_unread_answers().await.expect("job"), 0);
    app.clock.advance(3 * 60_000);
    assert_eq!(app.app.mail_unread_answers().await.expect("job"), 1);
    assert_eq!(app.app.mail_unread_answers().await.expect("job"), 0, "once");
    let outbox = app.store.recent_outbox(20).await.expect("outbox");
    let mail = outbox
        .iter()
        .find(|m| m.idempotency_key == format!("chat:{chat}:answer:2"))
        .expect("answer mail");
    assert!(mail.payload.contains("Clear your cache"));
    // A customer who read the answer gets no mail about it.
    s.send(json!({"type": "message", "client_id": "b", "body": "Did that help?"}))
        .await;
    s.next_of("ack").await;
    let mut c = Ws::open(&app.base, &chat, &ada, Some(2))
        .await
        .expect("customer");
    c.next_of("message").await;
    c.send(json!({"type": "read", "seq": 3})).await;
    s.next_of("read").await;
    app.clock.advance(3 * 60_000);
    assert_eq!(app.app.mail_unread_answers().await.expect("job"), 0);
}

async fn bad_frames_get_errors_and_close_codes(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let chat = open_chat(&app, &ada, "frames").await;
    // Not JSON: error, then 1008.
    let mut w = Ws::open(&app.base, &chat, &ada, Some(1))
        .await
        .expect("socket");
    w.send_raw("hello".into()).await;
    assert_eq!(w.next_of("error").await["code"], "bad_frame");
    assert_eq!(w.close_code().await, Some(1008));
    // A message over 8 KiB: error too_large, then 1009; nothing stored.
    let mut w = Ws::open(&app.base, &chat, &ada, Some(1))
        .await
        .expect("socket");
    w.send(json!({"type": "message", "client_id": "big", "body": "x".repeat(9 * 1024)}))
        .await;
    assert_eq!(w.next_of("error").await["code"], "too_large");
    assert_eq!(w.close_code().await, Some(1009));
    // A frame over the frame limit: closed with 1009.
    let mut w = Ws::open(&app.base, &chat, &ada, Some(1))
        .await
        .expect("socket");
    w.send_raw("x".repeat(40 * 1024)).await;
    assert_eq!(w.close_code().await, Some(1009));
    // Too many at once: rate_limited, and those are not stored.
    let mut w = Ws::open(&app.base, &chat, &ada, Some(1))
        .await
        .expect("socket");
    for i in 0..30 {
        w.send(json!({"type": "message", "client_id": format!("r{i}"), "body": "spam"}))
            .await;
    }
    let mut acks = 0;
    let mut limited = 0;
    while acks + limited < 30 {
        let f = w.next().await.expect("frame");
        match f["type"].as_str() {
            Some("ack") => acks += 1,
            Some("error") if f["code"] == "rate_limited" => limited += 1,
            _ => {}
        }
    }
    assert!(limited > 0 && acks >= 20, "{acks} acked, {limited} limited");
    let all: Value = app
        .api_get(&ada, &format!("/api/v1/chats/{chat}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["messages"].as_array().map(Vec::len), Some(1 + acks));
}

/// The seqs of every message stored in `chat`, in order.
async fn seqs_of(store: &store::Store, chat: &str) -> Vec<i64> {
    store
        .chat_messages_after(chat, 0, 10_000)
        .await
        .expect("messages")
        .iter()
        .map(|m| m.seq)
        .collect()
}

/// A second instance on the first one's PostgreSQL database.
async fn second_instance(a: &TestApp) -> TestApp {
    TestApp::spawn_with(
        Db::Postgres,
        Options {
            database_url: Some(a.database_url.clone()),
            demo: false,
            ..Options::default()
        },
    )
    .await
}

/// Awaits writers that each stored a client id sent twice at once: each id
/// was stored new exactly once, and both twins got the same seq back.
async fn twins_stored_once(tasks: Vec<tokio::task::JoinHandle<(String, store::Stored)>>) {
    let mut by_id = std::collections::HashMap::<String, Vec<(bool, i64)>>::new();
    for t in tasks {
        let (id, got) = t.await.expect("task");
        let entry = match got {
            store::Stored::New(m) => (true, m.seq),
            store::Stored::Again(m) => (false, m.seq),
            store::Stored::Ended => panic!("the chat is not ended"),
        };
        by_id.entry(id).or_default().push(entry);
    }
    for (id, got) in &by_id {
        assert_eq!(
            got.iter().filter(|(new, _)| *new).count(),
            1,
            "{id} stored once: {got:?}"
        );
        assert_eq!(got[0].1, got[1].1, "{id}: the same seq for both: {got:?}");
    }
}

/// Two instances store the same client ids in one chat at the same moment:
/// each is stored once, the seqs have no gaps, and a batch that met the
/// other instance's insert went again message by message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_racing_store_each_message_once() {
    if !crate::harness::postgres_available("chat::two_instances_racing_store_each_message_once") {
        return;
    }
    let a = TestApp::spawn(Db::Postgres).await;
    let b = second_instance(&a).await;
    let ada = a.token("admin@acme.test").await;
    let chat = open_chat(&a, &ada, "Racing instances").await;
    let mut expected = 1;
    // The race is made, not arranged: on a busy machine it can take many
    // rounds before two batches meet, so go on (up to 200) until one has.
    for round in 0..200 {
        let mut tasks = Vec::new();
        for i in 0..20 {
            for store in [a.store.clone(), b.store.clone()] {
                let chat = chat.clone();
                let id = format!("r{round}-{i}");
                tasks.push(tokio::spawn(async move {
                    let got = store
                        .add_chat_message(&chat, &id, None, "race", 0)
                        .await
                        .expect("stored");
                    (id, got)
                }));
            }
        }
        twins_stored_once(tasks).await;
        expected += 20;
        if a.store.chat_batches_retried() + b.store.chat_batches_retried() > 0 && round > 2 {
            break;
        }
    }
    let all = seqs_of(&a.store, &chat).await;
    assert_eq!(
        all,
        (1..=expected).collect::<Vec<_>>(),
        "no gaps, no repeats"
    );
    assert!(
        a.store.chat_batches_retried() + b.store.chat_batches_retried() > 0,
        "the race never made a batch go again: the one-by-one path is untested"
    );
}

/// Two instances on one PostgreSQL database: the customer on one, the agent
/// on the other; then the customer's instance goes away and the customer
/// resumes on the other without losing anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_a_chat() {
    if !crate::harness::postgres_available("chat::two_instances_share_a_chat") {
        return;
    }
    let a = TestApp::spawn(Db::Postgres).await;
    let b = second_instance(&a).await;
    let ada = a.token("admin@acme.test").await;
    let agent = b.token("agent@statusdesk.test").await;
    let chat = open_chat(&a, &ada, "Across instances").await;
    let mut customer = Ws::open(&a.base, &chat, &ada, Some(1)).await.expect("on A");
    let r = post_json(
        &b,
        &agent,
        &format!("/api/v1/chats/{chat}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    // The state change made on B reaches the customer on A.
    loop {
        let f = customer.next_of("state").await;
        if f["state"] == "active" {
            break;
        }
    }
    let mut support = Ws::open(&b.base, &chat, &agent, Some(1))
        .await
        .expect("on B");
    customer
        .send(json!({"type": "message", "client_id": "c1", "body": "from A"}))
        .await;
    assert_eq!(customer.next_of("ack").await["seq"], 2);
    assert_eq!(support.next_of("message").await["body"], "from A");
    support.send(json!({"type": "typing", "on": true})).await;
    assert_eq!(customer.next_of("typing").await["on"], true);
    support
        .send(json!({"type": "message", "client_id": "s1", "body": "from B"}))
        .await;
    assert_eq!(customer.next_of("message").await["body"], "from B");
    // Queue positions agree: a new chat on B is counted on A.
    let base_b = b.base.clone();
    drop(customer);
    drop(a);
    for i in 0..3 {
        support
            .send(json!({"type": "message", "client_id": format!("s{}", i + 2), "body": format!("while away {i}")}))
            .await;
        support.next_of("ack").await;
    }
    // A is gone; the customer's client reconnects to B and resumes.
    let ada_b = b.token("admin@acme.test").await;
    let mut again = Ws::open(&base_b, &chat, &ada_b, Some(3))
        .await
        .expect("on B");
    let got = again.take("message", 3).await;
    assert_eq!(seqs(&got), vec![4, 5, 6]);
    assert!(again.no_message_for(300).await, "once each");
}

/// Many writers at once: the store commits them in batches, yet each
/// client id is stored once (its twin sent at the same moment gets the same
/// seq back), seqs have no gaps, and an ended chat takes nothing.
async fn concurrent_messages_commit_together_once_each(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let chat = open_chat(&app, &ada, "Many at once").await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        for _twin in 0..2 {
            let store = app.store.clone();
            let chat = chat.clone();
            tasks.push(tokio::spawn(async move {
                let got = store
                    .add_chat_message(&chat, &format!("c{i}"), None, &format!("m{i}"), 0)
                    .await
                    .expect("stored");
                (format!("c{i}"), got)
            }));
        }
    }
    twins_stored_once(tasks).await;
    let stored = app
        .store
        .chat_messages_after(&chat, 0, 1000)
        .await
        .expect("messages");
    let all: Vec<i64> = stored.iter().map(|m| m.seq).collect();
    assert_eq!(all, (1..=31).collect::<Vec<_>>(), "no gaps, no repeats");
    let r = post_json(&app, &ada, &format!("/api/v1/chats/{chat}/end"), json!({})).await;
    assert_eq!(r.status(), 200);
    let late = app
        .store
        .add_chat_message(&chat, "late", None, "after the end", 0)
        .await
        .expect("answer");
    assert!(matches!(late, store::Stored::Ended));
    assert_eq!(
        app.store
            .chat_messages_after(&chat, 0, 1000)
            .await
            .expect("messages")
            .len(),
        31
    );
}

on_both!(
    concurrent_messages_commit_together_once_each,
    messages_are_stored_once_acked_and_in_order,
    a_dropped_connection_resumes_without_loss_or_repeats,
    only_admins_with_chat_may_chat,
    the_queue_keeps_order_capacity_and_transfers,
    chats_end_rate_mail_and_become_requests,
    a_customer_who_left_gets_the_answer_by_mail,
    bad_frames_get_errors_and_close_codes,
    long_chats_keep_their_whole_transcript,
    batches_store_twins_once_and_nothing_after_the_end,
);

/// Messages sent at once go in batches: each client id is stored once with
/// one seq for both twins, the seqs have no gaps, a batch of one instance
/// never needs the message-by-message path, and once the chat has ended
/// new messages are refused while a resend still finds its message.
async fn batches_store_twins_once_and_nothing_after_the_end(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("admin@acme.test").await;
    let chat = open_chat(&app, &token, "Batches").await;
    let send = |id: String| {
        let (store, chat) = (app.store.clone(), chat.clone());
        tokio::spawn(async move {
            let got = store
                .add_chat_message(&chat, &id, None, "batch", 0)
                .await
                .expect("stored");
            (id, got)
        })
    };
    for round in 0..5 {
        let tasks = (0..24)
            .flat_map(|i| [format!("b{round}-{i}"), format!("b{round}-{i}")])
            .map(&send)
            .collect();
        twins_stored_once(tasks).await;
    }
    let seqs = seqs_of(&app.store, &chat).await;
    assert_eq!(seqs, (1..=121).collect::<Vec<_>>(), "no gaps, no repeats");
    assert_eq!(
        app.store.chat_batches_retried(),
        0,
        "one instance's batches go in at once"
    );
    let r = post_json(
        &app,
        &token,
        &format!("/api/v1/chats/{chat}/end"),
        json!({}),
    )
    .await;
    assert!(r.status().is_success(), "end: {}", r.status());
    let after: Vec<_> = (0..6).map(|i| send(format!("late-{i}"))).collect();
    for t in after {
        let (id, got) = t.await.expect("task");
        assert!(matches!(got, store::Stored::Ended), "{id} after the end");
    }
    let (_, again) = send("b0-3".to_string()).await.expect("task");
    match again {
        store::Stored::Again(m) => assert_eq!(m.client_id, "b0-3"),
        _ => panic!("a resend after the end finds its message"),
    }
}

/// A chat longer than one batch of the store (500 messages) is whole in
/// the API, on the page and in the transcript that becomes a request.
async fn long_chats_keep_their_whole_transcript(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("admin@acme.test").await;
    let chat = open_chat(&app, &token, "First of many").await;
    let caller = app
        .app
        .token_caller(&token)
        .await
        .expect("caller")
        .expect("a caller");
    for i in 0..620 {
        app.app
            .post_chat_message(&caller, &chat, &format!("long-{i}"), &format!("Line {i}"))
            .await
            .expect("post");
    }
    let got: Value = app
        .api_get(&token, &format!("/api/v1/chats/{chat}"))
        .await
        .json()
        .await
        .expect("json");
    let messages = got["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 621, "the opening message and 620 more");
    assert_eq!(messages[620]["body"], "Line 619");
    let page = app
        .signed_in("admin@acme.test")
        .await
        .get(app.url(&format!("/support/chats/{chat}")))
        .text_body()
        .await;
    assert!(page.contains("Line 619"), "the page shows the last line");
    let r = post_json(
        &app,
        &token,
        &format!("/api/v1/chats/{chat}/request"),
        json!({}),
    )
    .await;
    assert!(r.status().is_success(), "{}", r.status());
    let request: Value = r.json().await.expect("json");
    let id = request["request_id"].as_str().expect("request id");
    let got: Value = app
        .api_get(&token, &format!("/api/v1/requests/{id}"))
        .await
        .json()
        .await
        .expect("json");
    let description = got["description"].as_str().expect("description");
    assert!(
        description.contains("Line 0") && description.contains("chat-transcript.txt"),
        "the description starts the transcript and points to the file: {}",
        &description[description.len().saturating_sub(200)..]
    );
    let files = got["attachments"].as_array().expect("attachments");
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["filename"], "chat-transcript.txt");
    let url = files[0]["url"].as_str().expect("url");
    let text = client()
        .get(app.url(url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    assert!(text.contains("Line 0"), "the file starts at the beginning");
    assert!(text.contains("Line 619"), "the file holds the last line");
}
