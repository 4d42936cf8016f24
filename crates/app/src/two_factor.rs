//! Two-factor sign-in: setting up a TOTP authenticator (a secret the app
//! shares, confirmed by a first code), recovery codes for a lost phone, the
//! second step of signing in (the page and `POST /api/v1/tokens`), and the
//! support admins' rule that staff must use it.
use crate::{App, Caller, Error, Result, totp};
use domain::{Action, DenyReason};
use std::sync::atomic::Ordering;
use store::Principal;

/// How many recovery codes a user gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// How long the second step of a sign-in may take.
const CHALLENGE_TTL_MS: i64 = 5 * 60_000;
/// The settings key of the support admins' rule.
const REQUIRE_KEY: &str = "require_staff_two_factor";
/// Wrong codes allowed per account before each further one waits.
const FREE_CODE_FAILURES: i64 = 5;

/// A secret being set up: as the person types it, and as apps scan it.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Base32 in groups of four.
    pub key: String,
    pub uri: String,
}

/// Where the caller stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorState {
    pub enabled: bool,
    pub recovery_left: i64,
    /// The support admins require it of this caller (staff).
    pub required: bool,
}

/// The name authenticator apps list the account under: the product and the
/// installation's host, so that two installations do not look alike.
fn issuer(base_url: &str) -> String {
    let host = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    if host.is_empty() {
        "statusdesk".to_string()
    } else {
        format!("statusdesk ({host})")
    }
}

fn grouped(b32: &str) -> String {
    b32.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A recovery code as typed: lower case, without dashes or spaces.
fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn recovery_hash(user_id: &str, code: &str) -> String {
    store::hash_secret(&format!("recovery:{user_id}:{}", normalise_recovery(code)))
}

/// Ten fresh codes of sixteen base32 characters (80 bits), shown as
/// `abcd-efgh-ijkl-mnop`.
fn new_recovery_codes() -> Vec<String> {
    use rand::RngCore;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            let b32 = totp::base32(&bytes).to_ascii_lowercase();
            b32.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

impl App {
    /// Whether the support admins require two-factor sign-in of staff,
    /// re-read from the database at most every five seconds.
    pub async fn staff_two_factor_required(&self) -> bool {
        let now = self.now();
        let read_at = self.require_2fa_read_at.load(Ordering::Relaxed);
        let stale = read_at == i64::MIN || now - read_at > 5_000 || now < read_at;
        if stale && let Ok(value) = self.store().setting(REQUIRE_KEY).await {
            self.require_2fa
                .store(value.as_deref() == Some("1"), Ordering::Relaxed);
            self.require_2fa_read_at.store(now, Ordering::Relaxed);
        }
        self.require_2fa.load(Ordering::Relaxed)
    }

    /// Support admins switch the rule on or off. Staff without a second
    /// factor may then only set one up (the policy refuses the rest).
    pub async fn set_staff_two_factor_required(&self, caller: &Caller, on: bool) -> Result<()> {
        self.permit(caller, Action::ManageUsers)?;
        self.store()
            .set_setting(REQUIRE_KEY, if on { "1" } else { "0" })
            .await?;
        self.require_2fa.store(on, Ordering::Relaxed);
        self.require_2fa_read_at
            .store(self.now(), Ordering::Relaxed);
        tracing::info!(by = %caller.user_id(), on, "staff two-factor rule changed");
        Ok(())
    }

    pub async fn two_factor_state(&self, caller: &Caller) -> Result<TwoFactorState> {
        self.permit(caller, Action::ManageOwnAccount)?;
        let enabled = caller.principal.two_factor;
        let recovery_left = if enabled {
            self.store().recovery_codes_left(caller.user_id()).await?
        } else {
            0
        };
        Ok(TwoFactorState {
            enabled,
            recovery_left,
            required: caller.principal.user.role.is_staff()
                && self.staff_two_factor_required().await,
        })
    }

    fn setup_of(&self, caller: &Caller, b32: &str) -> Setup {
        Setup {
            key: grouped(b32),
            uri: totp::otpauth_uri(
                &issuer(&self.config.base_url),
                &caller.principal.user.email,
                b32,
            ),
        }
    }

    /// The secret being set up, if a setup was started and not finished.
    pub async fn two_factor_pending(&self, caller: &Caller) -> Result<Option<Setup>> {
        self.permit(caller, Action::ManageOwnAccount)?;
        Ok(self
            .store()
            .totp_pending(caller.user_id())
            .await?
            .map(|b32| self.setup_of(caller, &b32)))
    }

    /// Starts setting up (or over again): a new random secret, kept aside
    /// until a code from the app confirms it.
    pub async fn start_two_factor(&self, caller: &Caller) -> Result<Setup> {
        self.permit(caller, Action::ManageOwnAccount)?;
        if caller.principal.two_factor {
            return Err(Error::conflict("two_factor", "two_factor_already_on"));
        }
        use rand::RngCore;
        let mut secret = [0u8; 20];
        rand::rng().fill_bytes(&mut secret);
        let b32 = totp::base32(&secret);
        self.store()
            .set_totp_pending(caller.user_id(), &b32)
            .await?;
        Ok(self.setup_of(caller, &b32))
    }

    /// Confirms the secret being set up with a code from the app, turns
    /// two-factor sign-in on and returns the recovery codes (shown once).
    pub async fn confirm_two_factor(&self, caller: &Caller, code: &str) -> Result<Vec<String>> {
        self.permit(caller, Action::ManageOwnAccount)?;
        let Some(b32) = self.store().totp_pending(caller.user_id()).await? else {
            return Err(Error::conflict("code", "two_factor_not_started"));
        };
        let secret = totp::from_base32(&b32).ok_or_else(|| {
            Error::internal(anyhow::anyhow!("a stored TOTP secret is not base32"))
        })?;
        let Some(step) = totp::matching_step(&secret, self.now(), code) else {
            return Err(Error::invalid("code", "two_factor_code_wrong"));
        };
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| recovery_hash(caller.user_id(), c))
            .collect();
        if !self
            .store()
            .enable_totp(caller.user_id(), &b32, step, &hashes)
            .await?
        {
            return Err(Error::conflict("code", "two_factor_not_started"));
        }
        tracing::info!(user = %caller.user_id(), "two-factor sign-in turned on");
        Ok(codes)
    }

    /// Turns two-factor sign-in off, with the account's password.
    pub async fn disable_two_factor(&self, caller: &Caller, password: &str) -> Result<()> {
        self.permit(caller, Action::ManageOwnAccount)?;
        let hash = self.store().password_hash(caller.user_id()).await?;
        if !crate::accounts::verify_password(password.to_string(), hash).await {
            return Err(Error::invalid("password", "password_current_wrong"));
        }
        self.store().disable_totp(caller.user_id()).await?;
        tracing::info!(user = %caller.user_id(), "two-factor sign-in turned off");
        Ok(())
    }

    /// New recovery codes in place of the old ones, with a code from the
    /// app.
    pub async fn renew_recovery_codes(
        &self,
        caller: &Caller,
        client: &str,
        code: &str,
    ) -> Result<Vec<String>> {
        self.permit(caller, Action::ManageOwnAccount)?;
        if !caller.principal.two_factor {
            return Err(Error::conflict("code", "two_factor_not_started"));
        }
        self.check_second_factor(client, caller.user_id(), code, false)
            .await?;
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| recovery_hash(caller.user_id(), c))
            .collect();
        self.store()
            .replace_recovery_codes(caller.user_id(), &hashes)
            .await?;
        Ok(codes)
    }

    /// Support admins turn a user's two-factor sign-in off (a lost phone
    /// and lost recovery codes); the user sets it up again.
    pub async fn reset_two_factor(&self, caller: &Caller, user_id: &str) -> Result<()> {
        self.permit(caller, Action::ManageUsers)?;
        self.store()
            .principal(user_id)
            .await?
            .ok_or(Error::NotFound)?;
        self.store().disable_totp(user_id).await?;
        tracing::info!(by = %caller.user_id(), user = %user_id, "two-factor sign-in reset");
        Ok(())
    }

    // ---- the second step of signing in ---------------------------------------

    async fn challenge_mac(&self, user_id: &str, expires: i64) -> Result<String> {
        let secret = self.stored_secret("two_factor_secret").await?;
        Ok(store::hash_secret(&format!(
            "{secret}:challenge:{user_id}:{expires}"
        )))
    }

    /// What the browser keeps between the password and the code: the user
    /// and a deadline, signed.
    pub async fn two_factor_challenge(&self, principal: &Principal) -> Result<String> {
        let expires = self.now() + CHALLENGE_TTL_MS;
        let mac = self.challenge_mac(&principal.user.id, expires).await?;
        Ok(format!("{}.{expires}.{mac}", principal.user.id))
    }

    /// The user a challenge names, if it is genuine and not expired.
    async fn challenge_user(&self, challenge: &str) -> Result<Option<Principal>> {
        use subtle::ConstantTimeEq;
        let mut parts = challenge.splitn(3, '.');
        let (Some(user_id), Some(expires), Some(mac)) = (parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        let Ok(expires) = expires.parse::<i64>() else {
            return Ok(None);
        };
        if expires < self.now() || user_id.len() > 64 {
            return Ok(None);
        }
        let good = self.challenge_mac(user_id, expires).await?;
        if !bool::from(mac.as_bytes().ct_eq(good.as_bytes())) {
            return Ok(None);
        }
        Ok(self.store().principal(user_id).await?)
    }

    /// Whether a challenge cookie is still good (the code page shows
    /// itself only then).
    pub async fn two_factor_challenge_valid(&self, challenge: &str) -> Result<bool> {
        Ok(self.challenge_user(challenge).await?.is_some())
    }

    /// The second step: a code from the app (or a recovery code) for the
    /// user the challenge names.
    pub async fn finish_two_factor(
        &self,
        client: &str,
        challenge: &str,
        code: &str,
    ) -> Result<Principal> {
        let Some(principal) = self.challenge_user(challenge).await? else {
            return Err(Error::conflict("code", "two_factor_expired"));
        };
        self.check_second_factor(client, &principal.user.id, code, true)
            .await?;
        Ok(principal)
    }

    /// The second factor of a token request: `otp` must be a code when the
    /// account has two-factor sign-in.
    pub(crate) async fn token_second_factor(
        &self,
        client: &str,
        principal: &Principal,
        otp: Option<&str>,
    ) -> Result<()> {
        if !principal.two_factor {
            return Ok(());
        }
        match otp.map(str::trim).filter(|c| !c.is_empty()) {
            None => Err(Error::SecondFactor("two_factor_required")),
            Some(code) => {
                self.check_second_factor(client, &principal.user.id, code, true)
                    .await
            }
        }
    }

    /// Checks a code: a TOTP code not used before, or (when `recovery`) an
    /// unused recovery code, which is then spent. Wrong codes are counted
    /// per account; past a few each further one waits (1 s, doubling).
    async fn check_second_factor(
        &self,
        client: &str,
        user_id: &str,
        code: &str,
        recovery: bool,
    ) -> Result<()> {
        let now = self.now();
        let cfg = &self.config;
        let key = format!("second:{user_id}");
        let (failures, last_at) = self
            .store()
            .sign_in_failures(&key, now, cfg.login_window_ms)
            .await?;
        let until = last_at
            + crate::accounts::backoff_ms(failures, FREE_CODE_FAILURES, cfg.login_max_wait_ms);
        if until > now {
            return Err(Error::TooMany {
                retry_after_secs: u64::try_from((until - now + 999) / 1000).unwrap_or(1),
            });
        }
        let store = self.store();
        let good = match store.totp_secret(user_id).await? {
            Some(b32) => {
                let secret = totp::from_base32(&b32).ok_or_else(|| {
                    Error::internal(anyhow::anyhow!("a stored TOTP secret is not base32"))
                })?;
                match totp::matching_step(&secret, now, code) {
                    // A code signs in once: a step at or before the last
                    // one accepted is refused.
                    Some(step) => store.accept_totp_step(user_id, step).await?,
                    None if recovery && normalise_recovery(code).len() == 16 => {
                        store
                            .use_recovery_code(user_id, &recovery_hash(user_id, code), now)
                            .await?
                    }
                    None => false,
                }
            }
            None => false,
        };
        if good {
            store.clear_failures(&key).await?;
            return Ok(());
        }
        store
            .record_sign_in_failure(&key, now, cfg.login_window_ms)
            .await?;
        tracing::info!(user = %user_id, client, "wrong second-factor code");
        Err(Error::SecondFactor("two_factor_code_wrong"))
    }
}

/// The policy's refusal for staff who must set up a second factor first.
pub fn required_error() -> Error {
    Error::Denied(DenyReason::TwoFactorRequired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for c in &codes {
            assert_eq!(c.len(), 19, "{c}");
            assert_eq!(normalise_recovery(c).len(), 16);
            assert_eq!(
                recovery_hash("u1", c),
                recovery_hash("u1", &c.to_uppercase().replace('-', " "))
            );
            assert_ne!(recovery_hash("u1", c), recovery_hash("u2", c));
        }
    }

    #[test]
    fn the_issuer_names_the_host() {
        assert_eq!(
            issuer("https://support.example.com/desk"),
            "statusdesk (support.example.com)"
        );
        assert_eq!(issuer(""), "statusdesk");
    }

    #[test]
    fn keys_are_grouped_for_typing() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
