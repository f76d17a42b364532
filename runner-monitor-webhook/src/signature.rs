//! The webhook signature: `X-Runner-Monitor-Signature: sha256=<hex>` over
//! `"{X-Runner-Monitor-Timestamp}.{raw body}"`, and [`verify_signature`] for receivers.

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Header carrying `sha256=<64 lowercase hex digits>`.
pub const SIGNATURE_HEADER: &str = "x-runner-monitor-signature";

/// Header carrying the signing time in Unix seconds (decimal); it is part of the signed string.
pub const TIMESTAMP_HEADER: &str = "x-runner-monitor-timestamp";

/// How far a signed timestamp may be from the receiver's clock: 5 minutes.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

const PREFIX: &str = "sha256=";

type HmacSha256 = Hmac<Sha256>;

/// Why a signed request was rejected. Messages never contain the secret or the expected value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The timestamp header is not a decimal number of seconds.
    #[error("malformed timestamp header")]
    MalformedTimestamp,
    /// The timestamp is further from `now` than the tolerance (a replay, or a wrong clock).
    #[error("timestamp is {age_seconds} s away from now (tolerance {tolerance_seconds} s)")]
    Stale {
        /// `now - timestamp` in seconds (negative when in the future).
        age_seconds: i64,
        /// The tolerance used.
        tolerance_seconds: u64,
    },
    /// The signature header is not `sha256=` followed by 64 hex digits.
    #[error("malformed signature header: expected sha256=<64 hex digits>")]
    MalformedSignature,
    /// The signature does not match the body, timestamp and secret.
    #[error("signature does not match")]
    Mismatch,
}

/// The signature header value for `body` signed at `timestamp` (Unix seconds):
/// `sha256=` + lowercase hex of HMAC-SHA256(secret, `"{timestamp}." + body`).
///
/// # Examples
/// ```
/// use runner_monitor_webhook::{sign, verify_signature, DEFAULT_TOLERANCE};
/// use secrecy::SecretString;
/// let secret = SecretString::from("whsec_test");
/// let body = br#"{"version":1}"#;
/// let signature = sign(&secret, 1_767_225_600, body);
/// assert!(signature.starts_with("sha256="));
/// let now = chrono::DateTime::from_timestamp(1_767_225_660, 0).unwrap();
/// verify_signature(&secret, "1767225600", &signature, body, now, DEFAULT_TOLERANCE)?;
/// # Ok::<(), runner_monitor_webhook::SignatureError>(())
/// ```
pub fn sign(secret: &SecretString, timestamp: i64, body: &[u8]) -> String {
    let tag = signed_mac(secret, timestamp, body).finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(tag))
}

/// Checks a request the way a receiver must: the timestamp is within `tolerance` of `now`, and
/// the signature is the HMAC-SHA256 of `"{timestamp}." + body` under `secret`, compared in
/// constant time. Pass the header values exactly as received and the **raw** body bytes, before
/// any JSON parsing.
///
/// To rotate secrets, accept a request when it verifies under either the old or the new secret.
///
/// # Errors
/// [`SignatureError`] saying which check failed.
pub fn verify_signature(
    secret: &SecretString,
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let timestamp = parse_timestamp(timestamp)?;
    let age_seconds = now.timestamp().saturating_sub(timestamp);
    let tolerance_seconds = tolerance.as_secs();
    if age_seconds.unsigned_abs() > tolerance_seconds {
        return Err(SignatureError::Stale {
            age_seconds,
            tolerance_seconds,
        });
    }
    let hex_digits = signature
        .trim()
        .strip_prefix(PREFIX)
        .filter(|h| h.len() == 64)
        .ok_or(SignatureError::MalformedSignature)?;
    let claimed = hex::decode(hex_digits).map_err(|_| SignatureError::MalformedSignature)?;
    signed_mac(secret, timestamp, body)
        .verify_slice(&claimed)
        .map_err(|_| SignatureError::Mismatch)
}

fn parse_timestamp(text: &str) -> Result<i64, SignatureError> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::MalformedTimestamp);
    }
    text.parse().map_err(|_| SignatureError::MalformedTimestamp)
}

fn signed_mac(secret: &SecretString, timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = keyed_mac(secret.expose_secret().as_bytes());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// HMAC-SHA256 keyed with `secret`, built infallibly: RFC 2104 hashes keys longer than the
/// 64-byte block and zero-pads shorter ones, so doing that here yields the same MAC as
/// `new_from_slice` while using the fixed-size constructor.
fn keyed_mac(secret: &[u8]) -> HmacSha256 {
    let mut block = [0_u8; 64];
    if secret.len() > block.len() {
        let digest = Sha256::digest(secret);
        block[..digest.len()].copy_from_slice(&digest);
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    <HmacSha256 as KeyInit>::new(&block.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &[u8], data: &[u8]) -> String {
        let mut mac = keyed_mac(key);
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn rfc4231_vectors_short_and_long_keys() {
        assert_eq!(
            tag(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            tag(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signed_string_is_timestamp_dot_body() {
        // Computed independently: python3 hmac.new(b"whsec_test", b"1767225600." + body, sha256)
        assert_eq!(
            sign(
                &SecretString::from("whsec_test"),
                1_767_225_600,
                br#"{"version":1}"#
            ),
            "sha256=0baaa6a6761248436e6f690a427245d8279502ecfe1c01c6aef5ff79c4c24a8b"
        );
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap_or_default()
    }

    #[test]
    fn verifies_and_rejects_each_failure_mode() {
        let secret = SecretString::from("topsecret");
        let body = br#"{"a":1}"#;
        let sig = sign(&secret, 1000, body);
        let ok = |ts: &str, s: &str, b: &[u8], now: i64| {
            verify_signature(&secret, ts, s, b, at(now), DEFAULT_TOLERANCE)
        };
        assert_eq!(ok("1000", &sig, body, 1000), Ok(()));
        assert_eq!(ok("1000", &sig, body, 1300), Ok(()));
        assert_eq!(ok("1000", &sig, body, 700), Ok(()));
        assert!(matches!(
            ok("1000", &sig, body, 1301),
            Err(SignatureError::Stale {
                age_seconds: 301,
                ..
            })
        ));
        assert!(matches!(
            ok("1000", &sig, body, 699),
            Err(SignatureError::Stale {
                age_seconds: -301,
                ..
            })
        ));
        assert_eq!(ok("1001", &sig, body, 1000), Err(SignatureError::Mismatch));
        assert_eq!(
            ok("1000", &sig, br#"{"a":2}"#, 1000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            ok("x", &sig, body, 1000),
            Err(SignatureError::MalformedTimestamp)
        );
        assert_eq!(
            ok("-5", &sig, body, 1000),
            Err(SignatureError::MalformedTimestamp)
        );
        assert_eq!(
            ok("", &sig, body, 1000),
            Err(SignatureError::MalformedTimestamp)
        );
        let bare = sig.trim_start_matches("sha256=");
        assert_eq!(
            ok("1000", bare, body, 1000),
            Err(SignatureError::MalformedSignature)
        );
        let short = &sig[..sig.len() - 2];
        assert_eq!(
            ok("1000", short, body, 1000),
            Err(SignatureError::MalformedSignature)
        );
        let not_hex = format!("sha256={}", "z".repeat(64));
        assert_eq!(
            ok("1000", &not_hex, body, 1000),
            Err(SignatureError::MalformedSignature)
        );
        let other = sign(&SecretString::from("other"), 1000, body);
        assert_eq!(
            ok("1000", &other, body, 1000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let secret = SecretString::from("k");
        let sig = sign(&secret, 5, b"x");
        let upper = format!("sha256={}", sig["sha256=".len()..].to_uppercase());
        assert_eq!(
            verify_signature(&secret, "5", &upper, b"x", at(5), DEFAULT_TOLERANCE),
            Ok(())
        );
    }
}
