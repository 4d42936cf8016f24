//! Our own small SMTP client for plain relays (`smtp://host:port`, the
//! local MTA or a relay on a private network), written because the general
//! one (lettre's transport) carries about 20 messages a second per
//! connection: it writes each command as its own small packet without
//! `TCP_NODELAY`, so every message waits for the relay's delayed ACK, and
//! it does not pipeline. This one:
//!
//! - sets `TCP_NODELAY`, and writes each message's envelope in one go;
//! - pipelines `MAIL FROM`, `RCPT TO` and `DATA` (RFC 2920) when the relay
//!   offers `PIPELINING`, so a message costs two round trips, not four;
//! - keeps connections open between messages, one per delivery in flight;
//! - dot-stuffs the message (RFC 5321 §4.5.2) and ends it with `CRLF.CRLF`.
//!
//! TLS relays (`smtps://`, `?tls=required`) and relays that want a password
//! still go through lettre.
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// How long one step (connect, a reply, a write) may take.
const STEP: Duration = Duration::from_secs(20);
/// A pooled connection idle longer than this is closed, not reused: relays
/// hang up on idle clients (Postfix after 300 s).
const IDLE: Duration = Duration::from_secs(60);

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The relay refused this message for good (a 5xx reply).
    Permanent(String),
    /// The relay said "later" (4xx), or the connection failed.
    Transient(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Permanent(s) | SendError::Transient(s) => f.write_str(s),
        }
    }
}

/// A relay's reply: its code and the text of its last line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn ok(&self) -> bool {
        (200..400).contains(&self.code)
    }

    fn error(&self, what: &str) -> SendError {
        let text = format!(
            "{what}: {} {}",
            self.code,
            self.lines.last().map(String::as_str).unwrap_or("")
        );
        if self.code >= 500 {
            SendError::Permanent(text)
        } else {
            SendError::Transient(text)
        }
    }
}

fn io(what: &str, e: impl std::fmt::Display) -> SendError {
    SendError::Transient(format!("{what}: {e}"))
}

/// The message's bytes as they go after `DATA`: a line that starts with a
/// dot gets another, line ends are CRLF, and the end is `CRLF . CRLF`.
pub fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in message {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
        prev = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

struct Conn {
    io: BufReader<TcpStream>,
    pipelining: bool,
    last_used: Instant,
    /// Whether the current message's text went out: after that the relay
    /// may have it, and it must not be sent again on another connection.
    body_sent: bool,
}

async fn step<T>(
    what: &str,
    f: impl std::future::Future<Output = std::io::Result<T>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(STEP, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(io(what, e)),
        Err(_) => Err(io(what, "timed out")),
    }
}

impl Conn {
    async fn open(host: &str, port: u16) -> Result<Conn, SendError> {
        let stream = step("connect", TcpStream::connect((host, port))).await?;
        stream.set_nodelay(true).map_err(|e| io("connect", e))?;
        let local = stream.local_addr().map_err(|e| io("connect", e))?;
        let mut conn = Conn {
            io: BufReader::new(stream),
            pipelining: false,
            last_used: Instant::now(),
            body_sent: false,
        };
        let greeting = conn.reply().await?;
        if greeting.code != 220 {
            return Err(greeting.error("greeting"));
        }
        // An address literal names us (RFC 5321 §4.1.3): no host name to
        // look up or get wrong.
        let me = match local.ip() {
            std::net::IpAddr::V4(ip) => format!("[{ip}]"),
            std::net::IpAddr::V6(ip) => format!("[IPv6:{ip}]"),
        };
        conn.write(format!("EHLO {me}\r\n").as_bytes()).await?;
        let ehlo = conn.reply().await?;
        if !ehlo.ok() {
            return Err(ehlo.error("EHLO"));
        }
        conn.pipelining = ehlo
            .lines
            .iter()
            .skip(1)
            .any(|l| l.split_whitespace().next() == Some("PIPELINING"));
        Ok(conn)
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), SendError> {
        step("write", async {
            self.io.get_mut().write_all(bytes).await?;
            self.io.get_mut().flush().await
        })
        .await
    }

    /// One reply, all of its lines (`250-…` continues, `250 …` ends).
    async fn reply(&mut self) -> Result<Reply, SendError> {
        let mut lines = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            let n = step("read", self.io.read_line(&mut line)).await?;
            if n == 0 {
                return Err(io("read", "the relay closed the connection"));
            }
            if line.len() > 2_000 || lines.len() > 100 {
                return Err(io("read", "the relay's reply is too long"));
            }
            let text = line.trim_end_matches(['\r', '\n']);
            let code = text
                .get(..3)
                .and_then(|c| c.parse::<u16>().ok())
                .ok_or_else(|| io("read", format!("not an SMTP reply: {text:.80}")))?;
            let more = text.as_bytes().get(3) == Some(&b'-');
            lines.push(text.get(4..).unwrap_or("").to_string());
            if !more {
                return Ok(Reply { code, lines });
            }
        }
    }

    /// Sends one message. `Err` leaves the connection unusable.
    async fn send(&mut self, from: &str, to: &[String], data: &[u8]) -> Result<(), SendError> {
        self.body_sent = false;
        let mut commands = vec![format!("MAIL FROM:<{from}>\r\n")];
        commands.extend(to.iter().map(|r| format!("RCPT TO:<{r}>\r\n")));
        commands.push("DATA\r\n".to_string());
        let mut replies = Vec::with_capacity(commands.len());
        if self.pipelining {
            self.write(commands.concat().as_bytes()).await?;
            for _ in &commands {
                replies.push(self.reply().await?);
            }
        } else {
            for c in &commands {
                self.write(c.as_bytes()).await?;
                let r = self.reply().await?;
                let ok = r.ok();
                replies.push(r);
                if !ok {
                    break;
                }
            }
        }
        for (i, r) in replies.iter().enumerate() {
            let what = if i == 0 {
                "MAIL FROM"
            } else if i + 1 == commands.len() {
                "DATA"
            } else {
                "RCPT TO"
            };
            let want_ok = if i + 1 == commands.len() {
                r.code == 354
            } else {
                r.ok()
            };
            if !want_ok {
                return Err(r.error(what));
            }
        }
        if replies.len() != commands.len() {
            return Err(io("DATA", "the relay did not answer every command"));
        }
        self.body_sent = true;
        self.write(&dot_stuffed(data)).await?;
        let done = self.reply().await?;
        if !done.ok() {
            return Err(done.error("message"));
        }
        self.last_used = Instant::now();
        Ok(())
    }
}

/// A plain SMTP relay and the connections open to it.
pub struct Relay {
    host: String,
    port: u16,
    max_idle: usize,
    idle: Mutex<Vec<Conn>>,
}

impl Relay {
    /// The relay of a plain `smtp://host[:port]` URL without TLS or
    /// credentials; `None` for any other (lettre takes those).
    pub fn plain(url: &str, connections: usize) -> Option<Relay> {
        let u = url::Url::parse(url).ok()?;
        if u.scheme() != "smtp"
            || !u.username().is_empty()
            || u.password().is_some()
            || u.query_pairs().any(|(k, v)| k == "tls" && v != "none")
        {
            return None;
        }
        let host = match u.host()? {
            url::Host::Domain(d) => d.to_string(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        Some(Relay {
            host,
            port: u.port().unwrap_or(25),
            max_idle: connections.max(1),
            idle: Mutex::new(Vec::new()),
        })
    }

    fn take(&self) -> Option<Conn> {
        let mut idle = self.idle.lock().ok()?;
        while let Some(c) = idle.pop() {
            if c.last_used.elapsed() < IDLE {
                return Some(c);
            }
        }
        None
    }

    fn give_back(&self, conn: Conn) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.max_idle
        {
            idle.push(conn);
        }
    }

    /// Sends one message to `to` from `from`. A connection kept from
    /// before that fails before the message's text went out (the relay
    /// closed it while idle) is replaced once: the relay cannot have the
    /// message yet, so it is not sent twice.
    pub async fn send(&self, from: &str, to: &[String], data: &[u8]) -> Result<(), SendError> {
        if let Some(mut conn) = self.take() {
            match conn.send(from, to, data).await {
                Ok(()) => {
                    self.give_back(conn);
                    return Ok(());
                }
                Err(SendError::Transient(_)) if !conn.body_sent => {}
                Err(e) => return Err(e),
            }
        }
        let mut conn = Conn::open(&self.host, self.port).await?;
        conn.send(from, to, data).await?;
        self.give_back(conn);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_stuffed_and_lines_end_in_crlf() {
        assert_eq!(dot_stuffed(b"a\r\n.b\r\n"), b"a\r\n..b\r\n.\r\n".to_vec());
        assert_eq!(dot_stuffed(b".\nx"), b"..\r\nx\r\n.\r\n".to_vec());
        assert_eq!(dot_stuffed(b"a.b\r\n"), b"a.b\r\n.\r\n".to_vec());
        assert_eq!(dot_stuffed(b""), b"\r\n.\r\n".to_vec());
    }

    #[test]
    fn only_plain_relays_are_ours() {
        assert!(Relay::plain("smtp://127.0.0.1:2525", 4).is_some_and(|r| r.port == 2525));
        assert!(Relay::plain("smtp://mail.test", 4).is_some_and(|r| r.port == 25));
        assert!(Relay::plain("smtp://[::1]:25", 4).is_some_and(|r| r.host == "::1"));
        assert!(Relay::plain("smtps://mail.test", 4).is_none());
        assert!(Relay::plain("smtp://mail.test:587?tls=required", 4).is_none());
        assert!(Relay::plain("smtp://u:p@mail.test", 4).is_none());
    }

    /// A relay on loopback that answers as scripted and records what it got.
    async fn relay(
        pipelining: bool,
        rcpt: &'static str,
    ) -> (u16, tokio::task::JoinHandle<Vec<String>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let task = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.expect("accept");
            let mut io = BufReader::new(socket);
            let mut got = Vec::new();
            io.get_mut()
                .write_all(b"220 test ESMTP\r\n")
                .await
                .expect("write");
            let mut in_data = false;
            let mut line = String::new();
            loop {
                line.clear();
                if io.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return got;
                }
                got.push(line.clone());
                let reply: String = if in_data {
                    if line != ".\r\n" {
                        continue;
                    }
                    in_data = false;
                    "250 queued\r\n".into()
                } else if line.starts_with("EHLO") {
                    if pipelining {
                        "250-test\r\n250-PIPELINING\r\n250 8BITMIME\r\n".into()
                    } else {
                        "250-test\r\n250 8BITMIME\r\n".into()
                    }
                } else if line.starts_with("RCPT") {
                    format!("{rcpt}\r\n")
                } else if line.starts_with("DATA") {
                    if rcpt.starts_with('2') {
                        in_data = true;
                        "354 go on\r\n".into()
                    } else {
                        "554 no valid recipients\r\n".into()
                    }
                } else {
                    "250 ok\r\n".into()
                };
                io.get_mut()
                    .write_all(reply.as_bytes())
                    .await
                    .expect("write");
            }
        });
        (port, task)
    }

    #[tokio::test]
    async fn messages_go_over_one_connection_pipelined_or_not() {
        for pipelining in [true, false] {
            let (port, task) = relay(pipelining, "250 ok").await;
            let relay = Relay::plain(&format!("smtp://127.0.0.1:{port}"), 2).expect("relay");
            for i in 0..3 {
                relay
                    .send(
                        "from@x.test",
                        &["to@y.test".to_string()],
                        format!("Subject: {i}\r\n\r\n.hidden dot\r\n").as_bytes(),
                    )
                    .await
                    .expect("sent");
            }
            drop(relay);
            let got = task.await.expect("relay");
            assert_eq!(got.iter().filter(|l| l.starts_with("EHLO")).count(), 1);
            assert_eq!(got.iter().filter(|l| *l == ".\r\n").count(), 3);
            assert_eq!(got.iter().filter(|l| *l == "..hidden dot\r\n").count(), 3);
            assert!(got.contains(&"RCPT TO:<to@y.test>\r\n".to_string()));
        }
    }

    #[tokio::test]
    async fn a_refused_recipient_is_permanent_and_a_busy_relay_is_not() {
        for (rcpt, permanent) in [("550 no such user", true), ("451 try later", false)] {
            for pipelining in [true, false] {
                let (port, task) = relay(pipelining, rcpt).await;
                let relay = Relay::plain(&format!("smtp://127.0.0.1:{port}"), 1).expect("relay");
                let e = relay
                    .send(
                        "from@x.test",
                        &["to@y.test".to_string()],
                        b"Subject: x\r\n\r\nhi\r\n",
                    )
                    .await
                    .expect_err("refused");
                assert_eq!(matches!(e, SendError::Permanent(_)), permanent, "{e}");
                assert!(e.to_string().contains(&rcpt[..3]), "{e}");
                drop(relay);
                let got = task.await.expect("relay");
                assert!(!got.contains(&".\r\n".to_string()), "no message was sent");
            }
        }
    }
}
