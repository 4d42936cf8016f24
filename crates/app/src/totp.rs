//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1,
//! 30-second steps, six digits, as every authenticator app expects. Also the
//! base32 of the shared secret (RFC 4648, no padding) that people type or
//! scan, and the `otpauth://` address the apps read.
use hmac::{Hmac, Mac};

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;

/// The HOTP value of `secret` at `counter` (RFC 4226, section 5.3).
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        // HMAC takes a key of any length; this cannot happen.
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    word % 10u32.pow(DIGITS)
}

/// The step a moment (milliseconds since the epoch) falls in.
pub fn step_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000 * STEP_SECS)
}

/// The step whose code `code` is, looking one step either side of `now_ms`
/// (a phone's clock a little off, a code typed as it turned), or `None`.
/// Anything but six digits (spaces allowed, as apps show "123 456") is no
/// code.
pub fn matching_step(secret: &[u8], now_ms: i64, code: &str) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = digits.parse().ok()?;
    let now = step_of(now_ms);
    [now, now - 1, now + 1].into_iter().find(|&step| {
        u64::try_from(step).is_ok_and(|counter| {
            use subtle::ConstantTimeEq;
            bool::from(hotp(secret, counter).ct_eq(&wanted))
        })
    })
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Reads base32 (any case, spaces and padding ignored); `None` on any other
/// character.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = ALPHABET
            .iter()
            .position(|&a| char::from(a) == c.to_ascii_uppercase())?;
        buffer = ((buffer << 5) | value as u32) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The address authenticator apps read (the "Key URI" format): issuer and
/// account in the label and as parameters, percent-encoded.
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // RFC 6238, appendix B: the SHA-1 key is the ASCII of "12345678901234567890";
    // its eight-digit values, of which a six-digit code is the last six.
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn matches_the_rfc_6238_test_values() {
        for (secs, eight) in [
            (59i64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let step = u64::try_from(step_of(secs * 1000)).unwrap_or(0);
            assert_eq!(hotp(RFC_KEY, step), eight % 1_000_000, "at {secs} s");
        }
    }

    #[test]
    fn matches_the_rfc_4226_test_values() {
        let expected = [
            755224u32, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64), *want, "counter {counter}");
        }
    }

    #[test]
    fn accepts_a_step_either_side_and_nothing_further() {
        let at = 1_234_567_890_000i64;
        let code = |ms: i64| format!("{:06}", hotp(RFC_KEY, step_of(ms) as u64));
        assert_eq!(matching_step(RFC_KEY, at, &code(at)), Some(step_of(at)));
        assert_eq!(
            matching_step(RFC_KEY, at, &code(at - 30_000)),
            Some(step_of(at) - 1)
        );
        assert_eq!(
            matching_step(RFC_KEY, at, &code(at + 30_000)),
            Some(step_of(at) + 1)
        );
        assert_eq!(matching_step(RFC_KEY, at, &code(at - 90_000)), None);
        let spaced = format!("{} {}", &code(at)[..3], &code(at)[3..]);
        assert_eq!(matching_step(RFC_KEY, at, &spaced), Some(step_of(at)));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(matching_step(RFC_KEY, at, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        for (raw, b32) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(raw.as_bytes()), b32);
            assert_eq!(from_base32(b32).as_deref(), Some(raw.as_bytes()));
        }
        assert_eq!(from_base32("mzxw 6ytb oi=="), Some(b"foobar".to_vec()));
        assert_eq!(from_base32("MZXW1"), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = otpauth_uri("Status Desk", "ana@example.com", "MZXW6");
        assert_eq!(
            uri,
            "otpauth://totp/Status%20Desk:ana@example.com?secret=MZXW6&issuer=Status%20Desk&algorithm=SHA1&digits=6&period=30"
        );
    }

    proptest! {
        #[test]
        fn base32_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(from_base32(&base32(&bytes)), Some(bytes));
        }

        #[test]
        fn a_code_is_always_six_digits_and_accepted_in_its_step(
            secret in proptest::collection::vec(any::<u8>(), 10..40),
            ms in 0i64..4_000_000_000_000,
        ) {
            let code = hotp(&secret, step_of(ms) as u64);
            prop_assert!(code < 1_000_000);
            prop_assert_eq!(matching_step(&secret, ms, &format!("{code:06}")), Some(step_of(ms)));
        }

        #[test]
        fn only_six_digits_can_match(text in "\\PC{0,20}", ms in 0i64..4_000_000_000_000) {
            let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let six = digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit());
            if !six {
                prop_assert_eq!(matching_step(RFC_KEY, ms, &text), None);
            }
            // Base32 either reads back to what it was or is refused.
            if let Some(bytes) = from_base32(&text) {
                prop_assert!(bytes.len() <= text.len() * 5 / 8 + 1);
            }
        }
    }
}
