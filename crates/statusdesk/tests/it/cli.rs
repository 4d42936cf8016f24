//! The binary itself: configuration errors, serve with the demo and a
//! graceful stop on SIGTERM, and the administrative commands.
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_statusdesk"));
    // The tests choose their own configuration.
    for (k, _) in std::env::vars() {
        if k.starts_with("STATUSDESK_") {
            c.env_remove(k);
        }
    }
    c
}

fn run(args: &[&str], dir: &std::path::Path) -> (bool, String, String) {
    let out = bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run statusdesk");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn configuration_errors_stop_start_up_and_name_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("statusdesk.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nlisten_adress = \"x\"\n").expect("write");
    let (ok, _, err) = run(
        &["--config", file.to_str().expect("path"), "serve"],
        dir.path(),
    );
    assert!(!ok);
    assert!(err.contains("unknown key `listen_adress`"), "{err}");

    std::fs::write(&file, "session_days = \"forever\"\n").expect("write");
    let (ok, _, err) = run(
        &["--config", file.to_str().expect("path"), "serve"],
        dir.path(),
    );
    assert!(!ok);
    assert!(
        err.contains("invalid value for `session_days`") && err.contains("forever"),
        "{err}"
    );

    let out = bin()
        .args(["migrate"])
        .env("STATUSDESK_LOG_FORMAT", "yaml")
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`log_format`") && err.contains("STATUSDESK_LOG_FORMAT"),
        "{err}"
    );

    let (ok, _, err) = run(&["--listen", "localhost", "serve"], dir.path());
    assert!(!ok);
    assert!(
        err.contains("`listen`") && err.contains("flag --listen"),
        "{err}"
    );
    assert!(
        !dir.path().join("statusdesk-data").exists(),
        "nothing was created on a bad start"
    );
}

#[test]
fn config_example_is_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, out, _) = run(&["config", "example"], dir.path());
    assert!(ok);
    for key in [
        "listen",
        "data_dir",
        "database_url",
        "base_url",
        "log_format",
        "session_days",
    ] {
        assert!(out.contains(&format!("# {key} = ")), "{key}");
    }
}

#[test]
fn serve_with_demo_prints_where_to_go_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = bin()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("read");
    assert!(
        first.starts_with("statusdesk is ready at http://127.0.0.1:"),
        "{first}"
    );
    let addr = first
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("address")
        .to_string();
    let mut printed = Vec::new();
    for _ in 0..9 {
        printed.push(lines.next().expect("line").expect("read"));
    }
    let printed = printed.join("\n");
    assert!(
        printed.contains("admin@acme.test") && printed.contains("statusdesk-demo"),
        "{printed}"
    );
    assert!(
        dir.path().join("statusdesk-data/statusdesk.db").exists(),
        "data in ./statusdesk-data"
    );

    // The server answers, then SIGTERM stops it cleanly.
    let body = http_get(&addr, "/readyz");
    assert!(body.contains("200 OK") && body.ends_with("ready"), "{body}");
    stop_gracefully(child, lines);

    // A second start keeps the data and does not seed again.
    let (ok, out, err) = run(&["org", "list"], dir.path());
    assert!(ok, "{err}");
    assert!(out.contains("3 organisations"), "{out}");

    // A SIGTERM the moment it says it is ready still stops it gracefully
    // (the signal handler is in place before "ready" is printed).
    let mut child = bin()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("read");
    assert!(first.starts_with("statusdesk is ready at"), "{first}");
    stop_gracefully(child, lines);
}

/// Sends SIGTERM and checks a clean exit. The server reports how long its
/// own shutdown took; that is what must be short. The wait for the process
/// is generous, since a busy machine may be slow to schedule it at all.
fn stop_gracefully(
    mut child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = wait_timeout(&mut child, Duration::from_secs(60))
        .expect("the server did not exit within 60 s of SIGTERM");
    assert_eq!(
        status.code(),
        Some(0),
        "exit after SIGTERM: {status} (killed by a signal means it was not handled); output {rest:?}"
    );
    let took: u64 = rest
        .iter()
        .find_map(|l| l.strip_prefix("statusdesk stopped (shutdown took "))
        .and_then(|r| r.strip_suffix(" ms)"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no shutdown report in {rest:?}"));
    assert!(took < 5_000, "shutdown took {took} ms");
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

fn wait_timeout(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
fn commands_manage_organisations_users_and_backups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (ok, out, err) = run(&["org", "create", "Foo Corp", "--plan", "advanced"], d);
    assert!(ok, "{err}");
    assert!(
        out.contains("created organisation Foo Corp (advanced)"),
        "{out}"
    );
    let (ok, _, err) = run(&["org", "create", "Bar", "--plan", "gold"], d);
    assert!(!ok);
    assert!(err.contains("gold"), "{err}");
    let (ok, out, _) = run(&["org", "set-plan", "foo corp", "enterprise"], d);
    assert!(ok);
    assert!(out.contains("Foo Corp is now on enterprise"), "{out}");
    let (ok, out, err) = run(
        &[
            "user",
            "create",
            "ann@foo.test",
            "--name",
            "Ann",
            "--role",
            "admin",
            "--org",
            "Foo Corp",
            "--password",
            "ann-password-1",
        ],
        d,
    );
    assert!(ok, "{err}");
    assert!(out.contains("created admin ann@foo.test"), "{out}");
    let (ok, _, err) = run(
        &[
            "user",
            "create",
            "bob@foo.test",
            "--name",
            "Bob",
            "--role",
            "admin",
            "--password",
            "bob-password-1",
        ],
        d,
    );
    assert!(!ok);
    assert!(err.contains("--org"), "{err}");
    let (ok, out, _) = run(&["user", "set-role", "ann@foo.test", "member"], d);
    assert!(ok, "{out}");
    // A password from standard input.
    let mut child = bin()
        .args(["user", "set-password", "ann@foo.test"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"ann-new-password\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, out, _) = run(&["org", "list"], d);
    assert!(ok);
    assert!(
        out.contains("Foo Corp") && out.contains("enterprise") && out.contains("1 organisations"),
        "{out}"
    );

    let (ok, out, err) = run(&["backup", "copy.db"], d);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("backup written: copy.db") && out.contains("1 users"),
        "{out}"
    );
    let (ok, _, err) = run(&["backup", "copy.db"], d);
    assert!(!ok);
    assert!(err.contains("already exists"), "{err}");

    // The copy is a working database with the data in it.
    let copy = d.join("copy.db");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = store::Store::connect(&format!("sqlite:{}", copy.display()), 1)
            .await
            .expect("open copy");
        let (p, _) = store
            .principal_by_email("ann@foo.test")
            .await
            .expect("db")
            .expect("ann");
        assert_eq!(p.user.role, domain::Role::Member);
        assert_eq!(p.org.expect("org").plan, domain::Plan::Enterprise);
        store.close().await;
    });
}

#[test]
fn fanout_benchmark_delivers_every_e_mail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, out, err) = run(
        &[
            "bench",
            "fanout",
            "--subscribers",
            "300",
            "--data-dir",
            &dir.path().join("data").to_string_lossy(),
            "--log-level",
            "warn",
        ],
        dir.path(),
    );
    assert!(ok, "{err}");
    assert!(err.contains("300 / 300"), "progress is shown: {err}");
    assert!(
        out.contains("300 subscribers") && out.contains("300 messages reached the SMTP server"),
        "{out}"
    );
    // It refuses a database that holds data.
    let (ok, _, err) = run(
        &[
            "bench",
            "fanout",
            "--subscribers",
            "10",
            "--data-dir",
            &dir.path().join("data").to_string_lossy(),
        ],
        dir.path(),
    );
    assert!(!ok);
    assert!(err.contains("empty database"), "{err}");
}
