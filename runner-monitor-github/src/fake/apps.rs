//! GitHub Apps in the fake: their public keys, installations, and the tokens minted for them.

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

/// How far `exp` may lie ahead of now (GitHub: ten minutes) plus leeway for drift.
const MAX_EXP_AHEAD: u64 = 10 * 60 + 60;
/// How far `iat` may lie ahead of now.
const IAT_LEEWAY: u64 = 60;

#[derive(serde::Deserialize)]
struct Claims {
    iat: u64,
    exp: u64,
    iss: Value,
}

/// Apps, installations and issued installation tokens.
pub(crate) struct Apps {
    keys: HashMap<u64, DecodingKey>,
    installations: HashMap<u64, u64>,
    issued: HashMap<String, SystemTime>,
    pub(crate) ttl: Duration,
    pub(crate) minted: u64,
}

impl fmt::Debug for Apps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Apps")
            .field("apps", &self.keys.keys().collect::<Vec<_>>())
            .field("installations", &self.installations)
            .field("live_tokens", &self.issued.len())
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// Why a token request was refused: (HTTP status, GitHub-style message).
pub(crate) type Refusal = (u16, String);

fn epoch(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl Apps {
    pub(crate) fn new(ttl: Duration) -> Self {
        Apps {
            keys: HashMap::new(),
            installations: HashMap::new(),
            issued: HashMap::new(),
            ttl,
            minted: 0,
        }
    }

    /// Registers an app by its public key (PEM).
    ///
    /// # Errors
    /// The PEM is not an RSA public key.
    pub(crate) fn add_app(&mut self, app_id: u64, public_key_pem: &str) -> Result<(), String> {
        let key = DecodingKey::from_rsa_pem(public_key_pem.as_bytes())
            .map_err(|error| format!("app {app_id}: not an RSA public key in PEM ({error})"))?;
        self.keys.insert(app_id, key);
        Ok(())
    }

    pub(crate) fn add_installation(&mut self, installation_id: u64, app_id: u64) {
        self.installations.insert(installation_id, app_id);
    }

    /// Checks the JWT for `installation_id` the way GitHub does (signature with the app's key,
    /// `iss`, `iat`, `exp`) and mints a token: `(token, expires_at)`.
    ///
    /// # Errors
    /// The status and message GitHub would answer.
    pub(crate) fn mint(
        &mut self,
        installation_id: u64,
        jwt: &str,
        now: SystemTime,
    ) -> Result<(String, SystemTime), Refusal> {
        let not_found = || (404, "Not Found".to_owned());
        let app_id = *self
            .installations
            .get(&installation_id)
            .ok_or_else(not_found)?;
        let key = self.keys.get(&app_id).ok_or_else(not_found)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Claims>(jwt, key, &validation)
            .map_err(|error| {
                (
                    401,
                    format!("A JSON web token could not be decoded ({error})"),
                )
            })?
            .claims;
        let iss_ok = match &claims.iss {
            Value::Number(number) => number.as_u64() == Some(app_id),
            Value::String(text) => text.parse::<u64>().ok() == Some(app_id),
            _ => false,
        };
        if !iss_ok {
            return Err((401, "'Issuer' claim ('iss') must be the app's id".into()));
        }
        let now_s = epoch(now);
        if claims.exp <= now_s {
            return Err((401, "'Expiration time' claim ('exp') is in the past".into()));
        }
        if claims.exp > now_s + MAX_EXP_AHEAD {
            return Err((
                401,
                "'Expiration time' claim ('exp') is too far in the future".into(),
            ));
        }
        if claims.iat > now_s + IAT_LEEWAY || claims.iat >= claims.exp {
            return Err((401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued".into()));
        }
        self.minted += 1;
        let token = format!(
            "ghs_fake{:08}{:016x}",
            self.minted,
            epoch(now).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        );
        let expires_at = now + self.ttl;
        self.issued.insert(token.clone(), expires_at);
        Ok((token, expires_at))
    }

    /// Whether `token` is an installation token that has not expired.
    pub(crate) fn valid(&self, token: &str, now: SystemTime) -> bool {
        self.issued.get(token).is_some_and(|expires| *expires > now)
    }

    /// Expires every token issued so far.
    pub(crate) fn expire_all(&mut self) {
        self.issued.clear();
    }
}
