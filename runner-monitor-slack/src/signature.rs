//! Slack request signing: `v0=` + hex(HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`)),
//! compared in constant time, with a 300-second replay window in both directions.

use hmac::{Hmac, Mac};
use runner_monitor_core::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

/// How far a request's timestamp may be from `now`, either way.
pub const MAX_SKEW_SECS: u64 = 300;

/// The header carrying the request's Unix timestamp.
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-slack-signature";

/// Why a request's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `X-Slack-Request-Timestamp` header.
    #[error("missing X-Slack-Request-Timestamp header")]
    MissingTimestamp,
    /// No `X-Slack-Signature` header.
    #[error("missing X-Slack-Signature header")]
    MissingSignature,
    /// The timestamp is not a whole number of seconds.
    #[error("X-Slack-Request-Timestamp is not a Unix timestamp")]
    MalformedTimestamp,
    /// The timestamp is more than 300 s away from now (a replay, or a badly wrong clock).
    #[error("request timestamp is {skew_secs}s away from now (more than {MAX_SKEW_SECS}s)")]
    Stale {
        /// How far off it is.
        skew_secs: u64,
    },
    /// The signature is not `v0=` followed by hex.
    #[error("X-Slack-Signature is not of the form v0=<hex>")]
    MalformedSignature,
    /// The signature does not match the body (forged, or a different signing secret).
    #[error("signature does not match")]
    Mismatch,
}

impl SignatureError {
    /// The HTTP status to answer: 400 for a malformed timestamp, 401 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            SignatureError::MalformedTimestamp => 400,
            _ => 401,
        }
    }

    /// A short stable code for the response body and logs.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::MissingTimestamp => "missing_timestamp",
            SignatureError::MissingSignature => "missing_signature",
            SignatureError::MalformedTimestamp => "malformed_timestamp",
            SignatureError::Stale { .. } => "stale_request",
            SignatureError::MalformedSignature => "malformed_signature",
            SignatureError::Mismatch => "invalid_signature",
        }
    }
}

/// Verifies Slack's request signatures with the app's signing secret.
pub struct SignatureVerifier {
    secret: SecretString,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureVerifier")
            .field("secret", &"[redacted]")
            .finish()
    }
}

fn mac(secret: &SecretString, timestamp: &str, body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    Some(mac)
}

/// The `X-Slack-Signature` value Slack would send for `body` at `timestamp`: for tests and tools
/// that play Slack.
pub fn sign(secret: &SecretString, timestamp: &str, body: &[u8]) -> String {
    let digest = mac(secret, timestamp, body)
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default();
    format!("v0={digest}")
}

impl SignatureVerifier {
    /// A verifier for `secret` (the app's "Signing Secret").
    pub fn new(secret: SecretString) -> Self {
        SignatureVerifier { secret }
    }

    /// Checks a request: the raw body exactly as received (before any parsing), the two header
    /// values, and the current time.
    ///
    /// # Errors
    /// A [`SignatureError`] saying what is wrong; answer it with [`SignatureError::status`].
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), SignatureError> {
        let timestamp = timestamp.ok_or(SignatureError::MissingTimestamp)?;
        let signature = signature.ok_or(SignatureError::MissingSignature)?;
        if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SignatureError::MalformedTimestamp);
        }
        let sent: i64 = timestamp
            .parse()
            .map_err(|_| SignatureError::MalformedTimestamp)?;
        let skew_secs = now.timestamp().abs_diff(sent);
        if skew_secs > MAX_SKEW_SECS {
            return Err(SignatureError::Stale { skew_secs });
        }
        let hex_digest = signature
            .strip_prefix("v0=")
            .ok_or(SignatureError::MalformedSignature)?;
        let claimed = hex::decode(hex_digest).map_err(|_| SignatureError::MalformedSignature)?;
        let mac = mac(&self.secret, timestamp, body).ok_or(SignatureError::Mismatch)?;
        // `verify_slice` compares in constant time.
        mac.verify_slice(&claimed)
            .map_err(|_| SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_monitor_core::testing::at;

    fn secret() -> SecretString {
        SecretString::from("8f742231b10e8888abcd99yyyzzz85a5")
    }

    #[test]
    fn matches_slacks_documented_example() {
        // The example from Slack's "Verifying requests from Slack" guide.
        let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assert_eq!(
            sign(&secret(), "1531420618", body),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }

    #[test]
    fn accepts_within_the_window_both_ways_and_rejects_outside() {
        let verifier = SignatureVerifier::new(secret());
        let now = at(1000);
        for offset in [-300, 0, 300, -301, 301] {
            let ts = (now.timestamp() + offset).to_string();
            let sig = sign(&secret(), &ts, b"a=b");
            let result = verifier.verify(Some(&ts), Some(&sig), b"a=b", now);
            if offset.abs() <= 300 {
                assert_eq!(result, Ok(()), "{offset}");
            } else {
                assert_eq!(result, Err(SignatureError::Stale { skew_secs: 301 }));
            }
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", SignatureVerifier::new(secret()));
        assert!(!text.contains("8f742231"), "{text}");
    }
}
