//! Fuzzing on stable Rust, against the running server: random JSON bodies
//! for every write operation of the API, and random chat frames. Whatever
//! comes in, the answer is never a 5xx, an error is always the JSON error
//! (`error`, `code`), and the server keeps serving.
//!
//! The number of cases per operation is `FUZZ_CASES` (default 12, which
//! `scripts/test` runs); the seed is `FUZZ_SEED` (default: a new one per
//! run, printed, so a failure can be replayed).
use crate::chat::Ws;
use crate::harness::{Db, TestApp, report_count};
use crate::matrix::{fill, fixtures};
use crate::on_both;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

on_both!(random_write_bodies, random_chat_frames);

fn cases() -> usize {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::rng().random())
}

/// Strings that find the edges: empty, blank, long, control characters,
/// markup, other scripts, look-alike values of the API's own words.
const STRINGS: &[&str] = &[
    "",
    " ",
    "\t\n",
    "a\u{0}b",
    "line\r\nbreak",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "Ångström ✓ 🔥 العربية",
    "\u{202e}rtl",
    "high",
    "open",
    "solved",
    "closed",
    "enterprise",
    "admin",
    "support_admin",
    "webhook",
    "sv",
    "en",
    "me",
    "none",
    "-priority",
    "2026-12-06T10:00:00Z",
    "not a date",
    "admin@acme.test",
    "not-an-email",
    "#1",
    "{{requester.name}}",
    "../../etc/passwd",
    "%00",
    "https://example.com/hook",
    "http://127.0.0.1:22/",
    "00000000-0000-0000-0000-000000000000",
];

/// A value of the kind the schema asks for, or of any other kind.
fn value(rng: &mut StdRng, schema: &Value, doc: &Value, ids: &[String], depth: u32) -> Value {
    let schema = resolve(schema, doc);
    if depth > 3 || rng.random_bool(0.25) {
        return any(rng, ids, depth);
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.is_empty()
    {
        return options[rng.random_range(0..options.len())].clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[key].as_array()
            && !options.is_empty()
        {
            let pick = &options[rng.random_range(0..options.len())];
            return value(rng, pick, doc, ids, depth);
        }
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) if !ts.is_empty() => ts[rng.random_range(0..ts.len())]
            .as_str()
            .unwrap_or("string")
            .to_string(),
        _ if schema["properties"].is_object() => "object".to_string(),
        _ => "string".to_string(),
    };
    match kind.as_str() {
        "object" => object(rng, schema, doc, ids, depth),
        "array" => {
            let n = rng.random_range(0..4);
            Value::Array(
                (0..n)
                    .map(|_| value(rng, &schema["items"], doc, ids, depth + 1))
                    .collect(),
            )
        }
        "integer" => json!([0i64, 1, -1, 7, 1042, i64::MAX, i64::MIN][rng.random_range(0..7)]),
        "number" => json!([0.0, -1.5, 1e300, 0.1][rng.random_range(0..4)]),
        "boolean" => json!(rng.random_bool(0.5)),
        "null" => Value::Null,
        _ => string(rng, ids),
    }
}

fn object(rng: &mut StdRng, schema: &Value, doc: &Value, ids: &[String], depth: u32) -> Value {
    let mut out = Map::new();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = schema["properties"].as_object() {
        for (name, prop) in props {
            if required.contains(&name.as_str()) || rng.random_bool(0.6) {
                out.insert(name.clone(), value(rng, prop, doc, ids, depth + 1));
            }
        }
    }
    if rng.random_bool(0.1) {
        out.insert("unexpected".into(), any(rng, ids, depth + 1));
    }
    Value::Object(out)
}

fn string(rng: &mut StdRng, ids: &[String]) -> Value {
    match rng.random_range(0..10) {
        0 => json!("x".repeat(rng.random_range(100..20_000))),
        1 | 2 if !ids.is_empty() => json!(ids[rng.random_range(0..ids.len())]),
        _ => json!(STRINGS[rng.random_range(0..STRINGS.len())]),
    }
}

fn any(rng: &mut StdRng, ids: &[String], depth: u32) -> Value {
    match rng.random_range(0..7) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(rng.random::<i32>()),
        3 if depth < 3 => json!([any(rng, ids, depth + 1), any(rng, ids, depth + 1)]),
        4 if depth < 3 => json!({"k": any(rng, ids, depth + 1)}),
        _ => string(rng, ids),
    }
}

fn resolve<'a>(schema: &'a Value, doc: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            let target = &doc["components"]["schemas"][name];
            resolve(target, doc)
        }
        None => schema,
    }
}

/// Bodies no schema produces: broken, oddly typed or deeply nested JSON.
fn garbage(rng: &mut StdRng) -> Vec<u8> {
    match rng.random_range(0..6) {
        0 => b"{\"subject\": ".to_vec(),
        1 => "[".repeat(5_000).into_bytes(),
        2 => b"1e400".to_vec(),
        3 => vec![0xff, 0xfe, 0x00, 0x7b],
        4 => b"\"just a string\"".to_vec(),
        _ => b"{\"a\":1,\"a\":2}".to_vec(),
    }
}

async fn random_write_bodies(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let acme = app.token("admin@acme.test").await;
    let ids = fixtures(&app, &support, &agent, &acme).await;
    let id_values: Vec<String> = ids.values().cloned().collect();
    let doc: Value = app.public_json("/api/v1/openapi.json").await;
    let seed = seed();
    eprintln!("fuzz seed {seed} (FUZZ_SEED={seed} replays it)");
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut sent, mut operations) = (0usize, 0usize);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for (pattern, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !["post", "patch", "put"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            let path = fill(pattern, &ids);
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for case in 0..cases() {
                // As staff and as a customer admin, so both sides' checks run.
                let token = if case % 2 == 0 { &support } else { &acme };
                let body = if rng.random_bool(0.15) {
                    garbage(&mut rng)
                } else {
                    value(&mut rng, schema, &doc, &id_values, 0)
                        .to_string()
                        .into_bytes()
                };
                let r = app
                    .client
                    .request(m.clone(), app.url(&path))
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("send");
                let status = r.status().as_u16();
                sent += 1;
                *statuses.entry(status).or_default() += 1;
                let text = r.text().await.expect("text");
                let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).to_string();
                assert!(
                    status < 500,
                    "{method} {pattern} answered {status} to {shown}: {text} (seed {seed})"
                );
                if status >= 400 {
                    let err: Value = serde_json::from_str(&text).unwrap_or_else(|_| {
                        panic!("{method} {pattern} {status}: not JSON: {text} (body {shown})")
                    });
                    assert!(
                        err["error"].is_string() && err["code"].is_string(),
                        "{method} {pattern} {status}: {err} (body {shown})"
                    );
                }
            }
        }
    }
    // Odd ids and queries in the address itself, on every operation.
    let mut odd = 0usize;
    for (pattern, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            let mut paths = vec![format!(
                "{}?q=a%00b&limit=abc&cursor=%FF",
                fill(pattern, &ids)
            )];
            if pattern.contains('{') {
                for id in ["a%00b", "%FF%FE", "..%2F..", "1e400", &"9".repeat(300)] {
                    let mut p = pattern.clone();
                    while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
                        p.replace_range(a..=b, id);
                    }
                    paths.push(p);
                }
            }
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for path in paths {
                let r = app
                    .client
                    .request(m.clone(), app.url(&path))
                    .bearer_auth(&support)
                    .json(&json!({}))
                    .send()
                    .await
                    .expect("send");
                odd += 1;
                let status = r.status().as_u16();
                let text = r.text().await.expect("text");
                assert!(status < 500, "{method} {path}: {status} {text}");
            }
        }
    }
    // Still serving, and what was acknowledged is still there.
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 200);
    report_count(&format!(
        "fuzz, JSON bodies ({db:?}): {sent} random bodies to {operations} write operations and {odd} odd addresses, no 5xx, every error JSON; answers {statuses:?}"
    ));
}

async fn random_chat_frames(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let acme = app.token("admin@acme.test").await;
    let ids = fixtures(&app, &support, &agent, &acme).await;
    let chat = ids["chat"].clone();
    let seed = seed();
    eprintln!("fuzz seed {seed} (FUZZ_SEED={seed} replays it)");
    let mut rng = StdRng::seed_from_u64(seed);
    let types = [
        "message", "resume", "typing", "read", "ping", "nonsense", "",
    ];
    let (mut frames, mut refused) = (0usize, 0usize);
    let mut acked = std::collections::BTreeSet::new();
    let mut ws = Ws::open(&app.base, &chat, &acme, None).await.expect("open");
    for i in 0..cases() * 20 {
        let text = if rng.random_bool(0.15) {
            String::from_utf8_lossy(&garbage(&mut rng)).to_string()
        } else if rng.random_bool(0.3) {
            // A well-formed message with an odd body.
            let body = match string(&mut rng, &[]) {
                Value::String(b) => b,
                other => other.to_string(),
            };
            json!({"type": "message", "client_id": format!("fuzz-{i}"), "body": body}).to_string()
        } else {
            let mut v = Map::new();
            if rng.random_bool(0.9) {
                v.insert(
                    "type".into(),
                    json!(types[rng.random_range(0..types.len())]),
                );
            }
            for (key, p) in [
                ("client_id", 0.7),
                ("body", 0.7),
                ("after", 0.3),
                ("on", 0.3),
                ("seq", 0.3),
            ] {
                if rng.random_bool(p) {
                    let value = if key == "client_id" && rng.random_bool(0.5) {
                        json!(format!("fuzz-{i}"))
                    } else {
                        any(&mut rng, &[], 0)
                    };
                    v.insert(key.into(), value);
                }
            }
            Value::Object(v).to_string()
        };
        frames += 1;
        ws.send_raw(text.clone()).await;
        // Every frame is followed by a ping: the answer to the frame (if
        // any) comes first, then the pong, unless the frame closed it.
        ws.send_raw(json!({"type": "ping"}).to_string()).await;
        let mut closed = false;
        loop {
            match ws.next().await {
                None => {
                    closed = true;
                    break;
                }
                Some(f) if f["type"] == "pong" => break,
                Some(f) if f["type"] == "ack" => {
                    acked.insert(f["seq"].as_i64().expect("an ack has a seq"));
                }
                Some(f) if f["type"] == "error" => {
                    refused += 1;
                    assert!(
                        f["code"].is_string() && f["message"].is_string(),
                        "{f} after {text}"
                    );
                }
                Some(_) => {}
            }
        }
        if closed {
            // A refused frame may end the connection; a new one works.
            ws = Ws::open(&app.base, &chat, &acme, None)
                .await
                .unwrap_or_else(|e| panic!("reopen after {text}: {e:?} (seed {seed})"));
        }
    }
    // What was acknowledged is in the transcript.
    let got: Value = app
        .api_get(&acme, &format!("/api/v1/chats/{chat}"))
        .await
        .json()
        .await
        .expect("json");
    let stored: std::collections::BTreeSet<i64> = got["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["seq"].as_i64())
        .collect();
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "acknowledged but not in the transcript: {lost:?}"
    );
    let acked = acked.len();
    report_count(&format!(
        "fuzz, chat frames ({db:?}): {frames} random frames, {acked} acknowledged and in the transcript, {refused} refused with an error frame, the socket reopened after every close"
    ));
}
