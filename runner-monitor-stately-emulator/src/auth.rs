//! `GetAuthToken` and bearer-token checks.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::error::ConnectError;

/// Auth settings and issued tokens. Access keys and tokens never appear in `Debug` output.
pub struct Auth {
    access_keys: HashSet<String>,
    token_ttl: Duration,
    require: bool,
    /// token -> expiry (ms since epoch, on the emulator's clock).
    tokens: Mutex<HashMap<String, i64>>,
    issued: AtomicU64,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("access_keys", &self.access_keys.len())
            .field("token_ttl", &self.token_ttl)
            .field("require", &self.require)
            .finish_non_exhaustive()
    }
}

impl Auth {
    pub(crate) fn new(access_keys: HashSet<String>, token_ttl: Duration, require: bool) -> Self {
        Auth {
            access_keys,
            token_ttl,
            require,
            tokens: Mutex::new(HashMap::new()),
            issued: AtomicU64::new(0),
        }
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Issues a token for `access_key`: (token, expires_in_s).
    pub(crate) fn issue(
        &self,
        access_key: &str,
        now_ms: i64,
    ) -> Result<(String, u64), ConnectError> {
        // Without configured keys (and without required auth) any key gets a token.
        let open = self.access_keys.is_empty() && !self.require;
        if !open && !self.access_keys.contains(access_key) {
            return Err(ConnectError::unauthenticated("unknown access key"));
        }
        let n = self.issued.fetch_add(1, Ordering::Relaxed) + 1;
        let token = format!("emulator-token-{n}-{:x}", now_ms.unsigned_abs() ^ (n << 20));
        let ttl_ms = i64::try_from(self.token_ttl.as_millis()).unwrap_or(i64::MAX);
        self.tokens()
            .insert(token.clone(), now_ms.saturating_add(ttl_ms));
        Ok((token, self.token_ttl.as_secs()))
    }

    /// Checks an `Authorization` header when auth is required.
    pub(crate) fn check(&self, header: Option<&str>, now_ms: i64) -> Result<(), ConnectError> {
        if !self.require {
            return Ok(());
        }
        let token = header
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| ConnectError::unauthenticated("missing bearer token"))?;
        match self.tokens().get(token) {
            Some(exp) if *exp > now_ms => Ok(()),
            Some(_) => Err(ConnectError::unauthenticated("auth token expired")),
            None => Err(ConnectError::unauthenticated("unknown auth token")),
        }
    }

    /// Makes every issued token invalid as if it had expired.
    pub(crate) fn expire_all(&self) {
        self.tokens().values_mut().for_each(|e| *e = i64::MIN);
    }

    /// Forgets every issued token (revocation).
    pub(crate) fn revoke_all(&self) {
        self.tokens().clear();
    }

    /// Tokens issued so far.
    pub(crate) fn issued(&self) -> u64 {
        self.issued.load(Ordering::Relaxed)
    }
}
