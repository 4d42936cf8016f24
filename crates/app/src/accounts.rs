//! Accounts: signing in (with throttling), sessions, API tokens, password
//! change and reset by e-mail, the user's language, and creating users.
//! Passwords are Argon2id, hashed off the async runtime in two lanes.
use crate::{App, Caller, Error, Result};
use domain::text::{self, limits};
use domain::{Action, EmailAddress, Language, Role};
use store::{ApiToken, NewUser, Principal, Scope, User};

impl App {
    /// Checks an e-mail address and password. Failures are counted per
    /// account and address pair, per account, and per address, in the
    /// database (shared by every instance); past a few, each further
    /// attempt waits longer (1 s, doubling, at most `login_max_wait_ms`)
    /// instead of the account being locked, so a stranger cannot lock
    /// anyone out: the account-wide count does not hold back a browser
    /// that has signed in to this account before (`device`, the cookie
    /// [`App::device_cookie`] gave it), and the reset link always works.
    /// The same for the sign-in page and `POST /api/v1/tokens`.
    pub async fn sign_in(
        &self,
        client: &str,
        device: Option<&str>,
        email: &str,
        password: &str,
    ) -> Result<Principal> {
        let now = self.now();
        let cfg = &self.config;
        // Hashed: a 1 MB "e-mail" makes a 64-character key, not a 1 MB row.
        let who = store::hash_secret(&email.trim().to_lowercase());
        let pair_key = format!("pair:{who}:{client}");
        let account_key = format!("account:{who}");
        let address_key = format!("address:{client}");
        let store = self.store();
        let found = if email.len() <= MAX_EMAIL {
            store.principal_by_email(email.trim()).await?
        } else {
            None
        };
        let known_device = match (&found, device) {
            (Some((p, _)), Some(d)) => self.device_known(d, &p.user.id).await?,
            _ => false,
        };
        let mut checks = vec![
            (pair_key.as_str(), cfg.login_free_failures_pair),
            (address_key.as_str(), cfg.login_max_failures_address),
        ];
        if !known_device {
            checks.push((account_key.as_str(), cfg.login_max_failures_account));
        }
        let mut wait_ms = 0;
        for (key, free) in checks {
            let (failures, last_at) = store
                .sign_in_failures(key, now, cfg.login_window_ms)
                .await?;
            let until = last_at + backoff_ms(failures, free, cfg.login_max_wait_ms);
            wait_ms = wait_ms.max(until - now);
        }
        if wait_ms > 0 {
            return Err(Error::TooMany {
                retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1),
            });
        }
        let (principal, hash) = match found {
            Some((p, h)) => (Some(p), Some(h)),
            None => (None, None),
        };
        if verify_password(password.to_string(), hash).await
            && let Some(principal) = principal
        {
            store.clear_failures(&pair_key).await?;
            return Ok(principal);
        }
        for key in [&pair_key, &account_key, &address_key] {
            store
                .record_sign_in_failure(key, now, cfg.login_window_ms)
                .await?;
        }
        Err(Error::BadCredentials)
    }

    /// The cookie that marks this browser as one the user has signed in
    /// on, added to the ones it had (at most five accounts per browser).
    pub async fn device_cookie(&self, user_id: &str, previous: Option<&str>) -> Result<String> {
        let mac = self.device_mac(user_id).await?;
        let mine = format!("{user_id}.{mac}");
        let mut entries: Vec<&str> = previous
            .unwrap_or_default()
            .split('~')
            .filter(|e| !e.is_empty() && *e != mine && e.len() <= 200)
            .take(4)
            .collect();
        entries.insert(0, &mine);
        Ok(entries.join("~"))
    }

    async fn device_mac(&self, user_id: &str) -> Result<String> {
        let secret = self.stored_secret("device_secret").await?;
        Ok(store::hash_secret(&format!("{secret}:device:{user_id}")))
    }

    /// Whether a device cookie names this user with a good signature.
    async fn device_known(&self, cookie: &str, user_id: &str) -> Result<bool> {
        use subtle::ConstantTimeEq;
        let good = self.device_mac(user_id).await?;
        Ok(cookie.split('~').any(|e| {
            e.split_once('.').is_some_and(|(id, mac)| {
                id == user_id && bool::from(mac.as_bytes().ct_eq(good.as_bytes()))
            })
        }))
    }

    /// Starts a session for someone who just signed in and ends the one the
    /// browser had (a new session id at every sign-in); returns the raw id.
    pub async fn start_session(
        &self,
        principal: &Principal,
        previous: Option<&str>,
    ) -> Result<String> {
        if let Some(old) = previous {
            self.store().delete_session(old).await?;
        }
        let (raw, _csrf) = self
            .store()
            .create_session(&principal.user.id, self.now(), self.config.session_ttl_ms)
            .await?;
        tracing::info!(user = %principal.user.id, "signed in");
        Ok(raw)
    }

    /// The caller of a session cookie and the session's form token.
    pub async fn session(&self, raw: &str) -> Result<Option<(Caller, String)>> {
        match self.store().session(raw, self.now()).await? {
            Some((principal, csrf)) => Ok(Some((self.caller(principal).await, csrf))),
            None => Ok(None),
        }
    }

    pub async fn end_session(&self, raw: &str) -> Result<()> {
        Ok(self.store().delete_session(raw).await?)
    }

    /// The caller of a bearer token.
    pub async fn token_caller(&self, raw: &str) -> Result<Option<Caller>> {
        match self.store().token_principal(raw, self.now()).await? {
            Some(p) => Ok(Some(self.caller(p).await)),
            None => Ok(None),
        }
    }

    /// Exchanges an e-mail address and password (and, for an account with
    /// two-factor sign-in, `otp`: a code from the app or a recovery code)
    /// for a bearer token.
    pub async fn issue_token(
        &self,
        client: &str,
        credentials: (&str, &str, Option<&str>),
        label: Option<&str>,
    ) -> Result<(String, ApiToken)> {
        let (email, password, otp) = credentials;
        let label = token_label(label)?;
        let principal = self.sign_in(client, None, email, password).await?;
        self.token_second_factor(client, &principal, otp).await?;
        Ok(self
            .store()
            .create_token(&principal.user.id, &label, self.now())
            .await?)
    }

    /// A new token for the signed-in caller (the settings page).
    pub async fn create_token(
        &self,
        caller: &Caller,
        label: Option<&str>,
    ) -> Result<(String, ApiToken)> {
        self.permit(caller, Action::ManageOwnAccount)?;
        let label = token_label(label)?;
        Ok(self
            .store()
            .create_token(caller.user_id(), &label, self.now())
            .await?)
    }

    pub async fn tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>> {
        self.permit(caller, Action::ManageOwnAccount)?;
        Ok(self.store().tokens(caller.user_id()).await?)
    }

    /// Revokes one of the caller's own tokens; another's is not found.
    pub async fn revoke_token(&self, caller: &Caller, id: &str) -> Result<()> {
        self.permit(caller, Action::ManageOwnAccount)?;
        if self
            .store()
            .revoke_token(caller.user_id(), id, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Sets (or with `None` clears) the caller's language.
    pub async fn set_language(&self, caller: &Caller, language: Option<Language>) -> Result<()> {
        self.permit(caller, Action::ManageOwnAccount)?;
        self.store()
            .set_language(caller.user_id(), language)
            .await?;
        Ok(())
    }

    /// Sets the caller's time zone (an IANA name); empty follows the
    /// browser.
    pub async fn set_time_zone(&self, caller: &Caller, zone: &str) -> Result<()> {
        self.permit(caller, Action::ManageOwnAccount)?;
        let zone = zone.trim();
        let zone = if zone.is_empty() {
            None
        } else {
            if crate::i18n::time_zone(zone).is_none() {
                return Err(Error::invalid_with(
                    "time_zone",
                    "unknown_time_zone",
                    &[("value", zone)],
                ));
            }
            Some(zone)
        };
        self.store().set_time_zone(caller.user_id(), zone).await?;
        Ok(())
    }

    /// Changes the caller's password; every other session of theirs ends
    /// and every API token is revoked. Returns the revoked tokens' labels.
    pub async fn change_password(
        &self,
        caller: &Caller,
        session: Option<&str>,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> Result<Vec<String>> {
        self.permit(caller, Action::ManageOwnAccount)?;
        let current_hash = self.store().password_hash(caller.user_id()).await?;
        if !verify_password(current.to_string(), current_hash).await {
            return Err(Error::invalid("current", "password_current_wrong"));
        }
        check_new_password(new, confirm)?;
        let hash = hash_password(new.to_string()).await?;
        Ok(self
            .store()
            .set_password(caller.user_id(), &hash, session, self.now())
            .await?)
    }

    /// Support admins end every session of a user and revoke every token
    /// (a lost laptop, a leaked token). Returns (sessions ended, labels of
    /// the revoked tokens).
    pub async fn revoke_access(
        &self,
        caller: &Caller,
        user_id: &str,
    ) -> Result<(u64, Vec<String>)> {
        self.permit(caller, Action::ManageUsers)?;
        self.store()
            .principal(user_id)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(self.store().revoke_access(user_id, self.now()).await?)
    }

    /// Sends a password-reset link, at most three per address an hour. The
    /// answer is the same whether or not the account exists.
    pub async fn request_password_reset(&self, email: &str, lang: Language) -> Result<()> {
        let email = EmailAddress::parse(email)?;
        let now = self.now();
        let key = format!("reset:{}", email.as_str().to_lowercase());
        let sent = self.store().record_failure(&key, now, 3_600_000).await?;
        if sent > 3 {
            return Ok(());
        }
        let Some((principal, _)) = self.store().principal_by_email(email.as_str()).await? else {
            return Ok(());
        };
        let lang = principal.user.language.unwrap_or(lang);
        let to = principal.user.email.clone();
        let name = principal.user.name.clone();
        let base = self.config.base_url.clone();
        let brand = self.branding().await?;
        let brand_name = brand.name_in(lang);
        let tr = crate::i18n::Tr(lang);
        let raw = self
            .store()
            .create_password_reset(&principal.user.id, now, 3_600_000, |raw| {
                let link = format!("{base}/password/reset?token={raw}");
                crate::mail::message(
                    &brand,
                    lang,
                    &to,
                    tr.ta("mail-reset-subject", &[("brand", &brand_name)]),
                    tr.ta(
                        "mail-reset-body",
                        &[("brand", &brand_name), ("name", &name), ("link", &link)],
                    ),
                    format!("password-reset:{}", store::hash_secret(raw)),
                )
            })
            .await?;
        if self.config.demo {
            tracing::info!(
                "demo: password reset link for {}: {}/password/reset?token={raw}",
                principal.user.email,
                self.config.base_url
            );
        }
        Ok(())
    }

    pub async fn password_reset_valid(&self, token: &str) -> Result<bool> {
        Ok(self.store().password_reset_valid(token, self.now()).await?)
    }

    /// Sets a new password with a reset link; every session of the user
    /// ends. `false` when the link no longer works.
    pub async fn reset_password(&self, token: &str, new: &str, confirm: &str) -> Result<bool> {
        check_new_password(new, confirm)?;
        let hash = hash_password(new.to_string()).await?;
        Ok(self
            .store()
            .reset_password(token, &hash, self.now())
            .await?
            .is_some())
    }

    /// Creates a user (support admins): a customer of `org_id`, or staff
    /// when `org_id` is `None`.
    pub async fn create_user(&self, caller: &Caller, input: NewUserInput<'_>) -> Result<User> {
        self.permit(caller, Action::ManageUsers)?;
        let role = Role::parse(input.role)?;
        if let Some(org) = input.org_id
            && self.store().org(Scope::Staff, org).await?.is_none()
        {
            return Err(Error::invalid("organisation_id", "unknown_organisation"));
        }
        let name = domain::parse_display_name(input.name)?;
        let email = EmailAddress::parse(input.email)?;
        domain::check_password(input.password)?;
        if role.is_staff() != input.org_id.is_none() {
            return Err(Error::invalid(
                "role",
                if role.is_staff() {
                    "role_customer"
                } else {
                    "role_staff"
                },
            ));
        }
        let hash = hash_password(input.password.to_string()).await?;
        self.store()
            .create_user(
                &NewUser {
                    email: email.as_str(),
                    name: &name,
                    role,
                    org_id: input.org_id,
                    password_hash: &hash,
                    language: None,
                },
                self.now(),
            )
            .await
            .map_err(|e| match e {
                store::StoreError::Duplicate(_) => Error::conflict("email", "duplicate"),
                other => other.into(),
            })
    }
}

/// What a new user needs.
pub struct NewUserInput<'a> {
    pub name: &'a str,
    pub email: &'a str,
    /// `member`, `admin`, `agent` or `support_admin`.
    pub role: &'a str,
    pub org_id: Option<&'a str>,
    pub password: &'a str,
}

fn token_label(label: Option<&str>) -> Result<String> {
    Ok(
        text::optional_line("label", label.unwrap_or(""), limits::TOKEN_LABEL)?
            .unwrap_or_else(|| "API".to_string()),
    )
}

fn check_new_password(password: &str, confirm: &str) -> Result<()> {
    if domain::check_password(password).is_err() {
        return Err(Error::invalid("new_password", "password_rules"));
    }
    if password != confirm {
        return Err(Error::invalid("confirm", "password_mismatch"));
    }
    Ok(())
}

/// Password hashes at once. Each Argon2id hash needs 19 MiB; letting every
/// sign-in allocate its own left glibc holding the peak of a burst of
/// sign-ins (8 at once: 214 MiB resident). Two lanes with reused memory keep
/// it at 38 MiB, and two cores cannot hash faster than two at a time anyway.
const HASH_LANES: usize = 2;
static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASH_LANES);
static HASH_MEMORY: std::sync::Mutex<Vec<Vec<argon2::Block>>> = std::sync::Mutex::new(Vec::new());

/// Runs `f` on the blocking pool with a lane's Argon2 memory of `blocks`.
async fn in_hash_lane<R: Send + 'static>(
    blocks: usize,
    f: impl FnOnce(&mut [argon2::Block]) -> R + Send + 'static,
) -> Option<R> {
    let _permit = HASH_PERMITS.acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let mut memory = HASH_MEMORY
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        let result = f(&mut memory[..blocks]);
        if let Ok(mut pool) = HASH_MEMORY.lock() {
            pool.push(memory);
        }
        result
    })
    .await
    .ok()
}

/// Hashes a password with Argon2id (the library's defaults: m = 19 MiB,
/// t = 2, p = 1) off the async runtime, as a PHC string.
pub async fn hash_password(password: String) -> Result<String> {
    use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
    use rand::RngCore;
    let params = argon2::Params::default();
    let hashed = in_hash_lane(params.block_count(), move |memory| {
        let argon = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params.clone(),
        );
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let mut out = [0u8; 32];
        argon
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
            .map_err(|e| e.to_string())?;
        let phc = PasswordHash {
            algorithm: argon2::Algorithm::Argon2id.ident(),
            version: Some(argon2::Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
            salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
            hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
        };
        Ok::<String, String>(phc.to_string())
    })
    .await
    .ok_or_else(|| Error::internal(anyhow::anyhow!("hashing was interrupted")))?;
    hashed.map_err(|e| Error::internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Checks a password against a stored hash off the async runtime. A
/// missing user is checked against a fixed hash so timing does not tell.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    use argon2::password_hash::phc::PasswordHash;
    use subtle::ConstantTimeEq;
    const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3RhdHVzZGVza2RlY295$5cBxvH3M2m0bDkA5wmG3cT9l9g1YQ0ZpKZ9uQm3q8lQ";
    let found = hash.is_some();
    let hash = hash.unwrap_or_else(|| DECOY.to_string());
    let Ok(parsed) = PasswordHash::new(&hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        argon2::Params::try_from(&parsed),
        argon2::Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| argon2::Version::try_from(v).ok())
        .unwrap_or(argon2::Version::V0x13);
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let same = in_hash_lane(params.block_count(), move |memory| {
        let argon = argon2::Argon2::new(algorithm, version, params);
        let mut out = vec![0u8; expected.as_bytes().len()];
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, memory)
            .is_ok()
            && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
    })
    .await
    .unwrap_or(false);
    same && found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_hash_and_verify_in_the_lanes() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
        let ours = hash_password("correct horse".into()).await.expect("hash");
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(verify_password("correct horse".into(), Some(ours.clone())).await);
        assert!(!verify_password("wrong horse".into(), Some(ours.clone())).await);
        assert!(!verify_password("correct horse".into(), None).await);
        assert!(!verify_password("x".into(), Some("not a hash".into())).await);
        // Hashes made by the library's own hasher (every stored one so far)
        // verify, and ours verify with the library.
        let theirs = argon2::Argon2::default()
            .hash_password(b"correct horse")
            .expect("library hash")
            .to_string();
        assert!(verify_password("correct horse".into(), Some(theirs)).await);
        let parsed = PasswordHash::new(&ours).expect("parse");
        assert!(
            argon2::Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        // Many at once: all correct, and no more lane memory than lanes.
        let many: Vec<_> = (0..6)
            .map(|i| tokio::spawn(verify_password(format!("p{i}"), Some(ours.clone()))))
            .collect();
        for h in many {
            assert!(!h.await.expect("join"));
        }
        assert!(HASH_MEMORY.lock().map(|p| p.len()).unwrap_or(0) <= HASH_LANES);
    }

    #[test]
    fn token_labels_are_lines() {
        assert_eq!(token_label(None).ok().as_deref(), Some("API"));
        assert_eq!(token_label(Some(" ci ")).ok().as_deref(), Some("ci"));
        assert!(token_label(Some("a\nb")).is_err());
        assert!(token_label(Some(&"x".repeat(101))).is_err());
    }
}

/// Longer than any e-mail address (RFC 5321 allows 254): not looked up.
const MAX_EMAIL: usize = 320;

/// How long after the latest failure the next attempt waits: nothing for
/// the first `free` failures, then 1 s, doubling, at most `max_ms`.
pub fn backoff_ms(failures: i64, free: i64, max_ms: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(30);
    1000_i64.saturating_mul(1 << doublings).min(max_ms)
}

#[cfg(test)]
mod backoff_tests {
    use super::backoff_ms;

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        let waits: Vec<i64> = (0..8).map(|f| backoff_ms(f, 3, 10_000)).collect();
        assert_eq!(waits, vec![0, 0, 0, 1000, 2000, 4000, 8000, 10_000]);
        assert_eq!(backoff_ms(1_000_000, 3, 600_000), 600_000);
    }
}
