//! Outgoing HTTP for integrations and Web Push: a client that refuses
//! loopback, private and other non-public addresses (unless the operator
//! allows them), checked when a target is added and again on every
//! connection, so a name that later resolves inward is refused too; and the
//! signature of generic webhooks.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

pub use reqwest::Client;

/// The header with the Unix time (seconds) a webhook was signed at.
pub const TIMESTAMP_HEADER: &str = "X-Statusdesk-Timestamp";
/// The header with `v1=` and the hex HMAC-SHA256 of `"{timestamp}.{body}"`.
pub const SIGNATURE_HEADER: &str = "X-Statusdesk-Signature";
/// The header with the delivery's idempotency key: the same on every retry.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// How old a signed webhook may be before receivers should reject it.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Whether an address is on the public internet: not loopback, private,
/// link-local, shared (CGNAT), multicast, documentation, reserved or
/// unspecified, and not an IPv6 address that maps or translates to one of
/// those (IPv4-mapped and -compatible, SIIT, NAT64, 6to4, Teredo).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// The IPv4 address in the last 32 bits of an IPv6 address.
fn low_v4(s: &[u16; 8]) -> Ipv4Addr {
    Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8)
}

fn is_public_v6(v6: Ipv6Addr) -> bool {
    let s = v6.segments();
    // ::ffff:a.b.c.d, IPv4-mapped: as the IPv4 address it is.
    if let Some(v4) = v6.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // 64:ff9b::/96, the well-known NAT64 prefix: as the IPv4 address it
    // translates to (an IPv6-only network reaches public IPv4 this way).
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(low_v4(&s));
    }
    // 2002::/16, 6to4: as its embedded IPv4 address.
    if s[0] == 0x2002 {
        let embedded = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return is_public_v4(embedded);
    }
    // Everything else must be global unicast (2000::/3). That leaves out
    // ::/96 (IPv4-compatible, loopback, unspecified), ::ffff:0:0:0/96
    // (SIIT), 64:ff9b:1::/48 (local NAT64), 100::/64 (discard-only),
    // fc00::/7 (unique local), fe80::/10 (link-local) and ff00::/8
    // (multicast).
    if (s[0] & 0xe000) != 0x2000 {
        return false;
    }
    // 2001::/23: IETF protocol assignments, Teredo (2001::/32) and
    // benchmarking (2001:2::/48) among them; 2001:db8::/32: documentation.
    let special = s[0] == 0x2001 && (s[1] < 0x0200 || s[1] == 0x0db8);
    // 3fff::/20: documentation.
    let documentation = (s[0] & 0xfff0) == 0x3ff0;
    !special && !documentation
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

/// Why a target URL is refused: a stable `code` (the message people read
/// is made from it, in their language), the host it is about, and the
/// detail for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `not_url`, `scheme`, `no_host`, `credentials`, `unresolved`,
    /// `slow_dns` or `private`.
    pub code: &'static str,
    pub host: String,
    pub detail: String,
}

impl Refusal {
    fn new(code: &'static str, host: &str, detail: String) -> Self {
        Self {
            code,
            host: host.to_string(),
            detail,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Refusal {}

impl From<Refusal> for String {
    fn from(r: Refusal) -> String {
        r.detail
    }
}

/// Checks a target URL's shape.
pub fn check_url_shape(url: &str) -> Result<reqwest::Url, Refusal> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| Refusal::new("not_url", "", format!("'{url}' is not a URL")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Refusal::new(
            "scheme",
            "",
            "the URL must start with https:// (or http://)".into(),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Refusal::new("no_host", "", "the URL has no host".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Refusal::new(
            "credentials",
            "",
            "put credentials in the secret, not in the URL".into(),
        ));
    }
    Ok(parsed)
}

/// Resolves `host` and returns its addresses if every one is public; the
/// one check behind both the check when a target is added and every
/// connection of the delivery client.
async fn resolve_public(host: &str, port: u16) -> Result<Vec<std::net::SocketAddr>, Refusal> {
    let lookup = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::lookup_host((host, port)),
    );
    let addrs: Vec<std::net::SocketAddr> = match lookup.await {
        Ok(Ok(addrs)) => addrs.collect(),
        Ok(Err(_)) => {
            return Err(Refusal::new(
                "unresolved",
                host,
                format!("the host '{host}' cannot be resolved"),
            ));
        }
        Err(_) => {
            return Err(Refusal::new(
                "slow_dns",
                host,
                format!("the host '{host}' did not resolve within 5 seconds"),
            ));
        }
    };
    if addrs.is_empty() {
        return Err(Refusal::new(
            "unresolved",
            host,
            format!("the host '{host}' cannot be resolved"),
        ));
    }
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(Refusal::new(
            "private",
            host,
            format!(
                "'{host}' is a loopback or private address (non-public); the operator has not allowed those"
            ),
        ));
    }
    Ok(addrs)
}

/// Checks a target before it is stored: its shape, and that every address
/// its host resolves to is public (unless `allow_private`).
pub async fn check_target(url: &str, allow_private: bool) -> Result<(), Refusal> {
    let parsed = check_url_shape(url)?;
    if allow_private {
        return Ok(());
    }
    let host = parsed.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    resolve_public(host, parsed.port_or_known_default().unwrap_or(443)).await?;
    Ok(())
}

/// Resolves names for the delivery client and refuses non-public answers.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = resolve_public(&host, 0).await?;
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

/// The client deliveries go out with: no redirects (a redirect could lead
/// inward), short timeouts, and the address check on every connection.
pub fn client(allow_private: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("statusdesk/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        b = b.dns_resolver(Arc::new(PublicOnly));
    }
    b.build().unwrap_or_else(|_| reqwest::Client::new())
}

/// The delivery-time check for URLs whose host is an address literal,
/// which never reach the resolver.
pub fn check_literal(url: &reqwest::Url, allow_private: bool) -> Result<(), Refusal> {
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    if is_public(ip) {
        Ok(())
    } else {
        Err(Refusal::new(
            "private",
            &ip.to_string(),
            format!("{ip} is not a public address; refused"),
        ))
    }
}

/// The `X-Statusdesk-Signature` value for a body sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// What a receiver does: recompute the signature, compare in constant time,
/// and reject timestamps outside the replay window.
pub fn verify(
    secret: &str,
    timestamp: &str,
    signature_header: &str,
    body: &[u8],
    now_secs: i64,
) -> Result<(), &'static str> {
    let ts: i64 = timestamp.parse().map_err(|_| "bad timestamp")?;
    if (now_secs - ts).abs() > REPLAY_WINDOW_SECS {
        return Err("timestamp outside the replay window");
    }
    let want = signature(secret, ts, body);
    let same = want.len() == signature_header.len()
        && want
            .bytes()
            .zip(signature_header.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same { Ok(()) } else { Err("bad signature") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            // Transition ranges that map or translate inward.
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::7f00:1",
            "64:ff9b:1::7f00:1",
            "2002:7f00:1::1",
            "2002:a00:1::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "::127.0.0.1",
            "::8.8.8.8",
            "::ffff:0:7f00:1",
            "100::1",
            "2001:db8::1",
            "3fff::1",
            "2001:2::1",
            "ff02::1",
        ] {
            let ip: IpAddr = private.parse().expect("ip");
            assert!(!is_public(ip), "{private} passed");
        }
        for public in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "2a00:1450:4001:82a::200e",
            // NAT64 and 6to4 of a public IPv4 address.
            "64:ff9b::101:101",
            "2002:101:101::1",
        ] {
            let ip: IpAddr = public.parse().expect("ip");
            assert!(is_public(ip), "{public} refused");
        }
    }

    #[test]
    fn signatures_verify_and_expire() {
        let body = br#"{"event":"incident.created"}"#;
        let sig = signature("s3cret", 1_000_000, body);
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert_eq!(verify("s3cret", "1000000", &sig, body, 1_000_100), Ok(()));
        assert!(verify("other", "1000000", &sig, body, 1_000_100).is_err());
        assert!(verify("s3cret", "1000000", &sig, b"{}", 1_000_100).is_err());
        assert!(verify("s3cret", "1000001", &sig, body, 1_000_100).is_err());
        assert_eq!(
            verify("s3cret", "1000000", &sig, body, 1_000_301),
            Err("timestamp outside the replay window")
        );
    }

    #[test]
    fn url_shapes() {
        assert!(check_url_shape("https://hooks.slack.com/services/T/B/x").is_ok());
        assert!(check_url_shape("ftp://example.com/").is_err());
        assert!(check_url_shape("https://user:pw@example.com/").is_err());
        assert!(check_url_shape("not a url").is_err());
        let literal = reqwest::Url::parse("http://127.0.0.1:9/x").expect("url");
        assert!(check_literal(&literal, false).is_err());
        assert!(check_literal(&literal, true).is_ok());
    }
}
