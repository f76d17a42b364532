//! The app's JWT: RS256, `iat` a minute in the past (clock drift), `exp` nine minutes ahead
//! (GitHub allows at most ten), `iss` the app id.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::SecretString;
use serde_json::Value;

/// Backdating of `iat`, against clock drift.
const BACKDATE: Duration = Duration::from_secs(60);
/// Lifetime after `now`; GitHub rejects more than ten minutes.
const LIFETIME: Duration = Duration::from_secs(9 * 60);

#[derive(serde::Serialize)]
struct Claims<'a> {
    iat: u64,
    exp: u64,
    iss: &'a Value,
}

fn epoch_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Signs a JWT for the app.
///
/// # Errors
/// The key cannot sign (described without quoting it).
pub(crate) fn sign(
    key: &EncodingKey,
    issuer: &Value,
    now: SystemTime,
) -> Result<SecretString, String> {
    let claims = Claims {
        iat: epoch_seconds(now.checked_sub(BACKDATE).unwrap_or(UNIX_EPOCH)),
        exp: epoch_seconds(now + LIFETIME),
        iss: issuer,
    };
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key)
        .map(SecretString::from)
        .map_err(|error| describe(&error))
}

/// A description of a jsonwebtoken error that cannot contain key material.
pub(crate) fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidKeyFormat => "not an RSA private key in PEM".into(),
        ErrorKind::InvalidRsaKey(_) => "the RSA key was rejected".into(),
        ErrorKind::InvalidAlgorithmName | ErrorKind::InvalidAlgorithm => {
            "the key is not an RSA key".into()
        }
        ErrorKind::RsaFailedSigning => "signing with the RSA key failed".into(),
        _ => "the key could not be used for RS256".into(),
    }
}
