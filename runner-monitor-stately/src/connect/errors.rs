//! Connect errors: the JSON error body of a unary call or of an end-of-stream envelope, with
//! StatelyDB's `StatelyErrorDetails`, and which of them a retry can help.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use prost::Message as _;
use serde::Deserialize;

use crate::proto::errors::StatelyErrorDetails;

/// StatelyDB error codes a retry can help (reference: "Retryable codes").
pub const RETRYABLE_STATELY_CODES: [&str; 5] = [
    "ConcurrentModification",
    "StoreRequestLimitExceeded",
    "StoreThroughputExceeded",
    "StoreInUse",
    "CachedSchemaTooOld",
];

/// A Connect status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `canceled`
    Canceled,
    /// `unknown`
    Unknown,
    /// `invalid_argument`
    InvalidArgument,
    /// `deadline_exceeded`
    DeadlineExceeded,
    /// `not_found`
    NotFound,
    /// `already_exists`
    AlreadyExists,
    /// `permission_denied`
    PermissionDenied,
    /// `resource_exhausted`
    ResourceExhausted,
    /// `failed_precondition`
    FailedPrecondition,
    /// `aborted`
    Aborted,
    /// `out_of_range`
    OutOfRange,
    /// `unimplemented`
    Unimplemented,
    /// `internal`
    Internal,
    /// `unavailable`
    Unavailable,
    /// `data_loss`
    DataLoss,
    /// `unauthenticated`
    Unauthenticated,
}

const CODES: [(Code, &str); 16] = [
    (Code::Canceled, "canceled"),
    (Code::Unknown, "unknown"),
    (Code::InvalidArgument, "invalid_argument"),
    (Code::DeadlineExceeded, "deadline_exceeded"),
    (Code::NotFound, "not_found"),
    (Code::AlreadyExists, "already_exists"),
    (Code::PermissionDenied, "permission_denied"),
    (Code::ResourceExhausted, "resource_exhausted"),
    (Code::FailedPrecondition, "failed_precondition"),
    (Code::Aborted, "aborted"),
    (Code::OutOfRange, "out_of_range"),
    (Code::Unimplemented, "unimplemented"),
    (Code::Internal, "internal"),
    (Code::Unavailable, "unavailable"),
    (Code::DataLoss, "data_loss"),
    (Code::Unauthenticated, "unauthenticated"),
];

impl Code {
    /// The wire name (`aborted`, `unavailable`, ...).
    pub fn as_str(self) -> &'static str {
        CODES
            .iter()
            .find(|(code, _)| *code == self)
            .map_or("unknown", |(_, name)| name)
    }

    /// Parses a wire name; unknown names are [`Code::Unknown`].
    pub fn parse(name: &str) -> Code {
        CODES
            .iter()
            .find(|(_, wire)| *wire == name)
            .map_or(Code::Unknown, |(code, _)| *code)
    }

    /// The code Connect infers from an HTTP status when the body is not a Connect error (a proxy
    /// or load balancer answered).
    pub fn from_http_status(status: u16) -> Code {
        match status {
            400 => Code::Internal,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::Unimplemented,
            408 => Code::DeadlineExceeded,
            429 | 502 | 503 | 504 => Code::Unavailable,
            _ => Code::Unknown,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error the server (or something in front of it) answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectError {
    /// The Connect code.
    pub code: Code,
    /// The message (from the server; never contains our credentials).
    pub message: String,
    /// StatelyDB's details, when present.
    pub details: Option<StatelyErrorDetails>,
}

impl ConnectError {
    /// StatelyDB's code (`ConcurrentModification`, ...) when the details carry one.
    pub fn stately_code(&self) -> Option<&str> {
        self.details
            .as_ref()
            .map(|d| d.stately_code.as_str())
            .filter(|c| !c.is_empty())
    }

    /// Whether a retry can help: a retryable StatelyDB code, or Connect `unavailable`.
    pub fn is_retryable(&self) -> bool {
        if self
            .stately_code()
            .is_some_and(|code| RETRYABLE_STATELY_CODES.contains(&code))
        {
            return true;
        }
        self.code == Code::Unavailable
    }

    /// Whether this is StatelyDB's `ConcurrentModification` (a transaction lost a race).
    pub fn is_concurrent_modification(&self) -> bool {
        self.stately_code() == Some("ConcurrentModification")
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(code) = self.stately_code() {
            write!(f, " ({code})")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(cause) = self
            .details
            .as_ref()
            .map(|d| d.upstream_cause.as_str())
            .filter(|c| !c.is_empty())
        {
            write!(f, " (cause: {cause})")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct WireError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Vec<WireDetail>,
}

#[derive(Deserialize)]
struct WireDetail {
    #[serde(rename = "type", default)]
    type_name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct WireEndStream {
    #[serde(default)]
    error: Option<WireError>,
}

/// Connect writes details unpadded; accept padded too.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const BASE64_URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl WireError {
    fn into_error(self, fallback: Code) -> ConnectError {
        let code = if self.code.is_empty() {
            fallback
        } else {
            Code::parse(&self.code)
        };
        let details = self
            .details
            .iter()
            .filter(|d| d.type_name.ends_with("stately.errors.StatelyErrorDetails"))
            .find_map(|d| {
                let bytes = BASE64
                    .decode(&d.value)
                    .or_else(|_| BASE64_URL.decode(&d.value))
                    .ok()?;
                StatelyErrorDetails::decode(bytes.as_slice()).ok()
            });
        let message = if self.message.is_empty() {
            details
                .as_ref()
                .map(|d| d.message.clone())
                .unwrap_or_default()
        } else {
            self.message
        };
        ConnectError {
            code,
            message,
            details,
        }
    }
}

/// Decodes the body of a failed unary call (HTTP status `status`). A body that is not a Connect
/// error gives the code Connect infers from the status.
pub fn decode_unary_error(status: u16, body: &[u8]) -> ConnectError {
    let fallback = Code::from_http_status(status);
    match serde_json::from_slice::<WireError>(body) {
        Ok(wire) => wire.into_error(fallback),
        Err(_) => ConnectError {
            code: fallback,
            message: format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)]).trim()
            ),
            details: None,
        },
    }
}

/// Decodes an end-of-stream payload: `Ok(())` for `{}`, the error otherwise.
///
/// # Errors
/// The stream's error, or an `internal` error when the payload is not valid end-of-stream JSON.
pub fn decode_end_stream(payload: &[u8]) -> Result<(), ConnectError> {
    match serde_json::from_slice::<WireEndStream>(payload) {
        Ok(WireEndStream { error: None }) => Ok(()),
        Ok(WireEndStream { error: Some(wire) }) => Err(wire.into_error(Code::Unknown)),
        Err(error) => Err(ConnectError {
            code: Code::Internal,
            message: format!("invalid end-of-stream message: {error}"),
            details: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details_b64(code: &str) -> String {
        let details = StatelyErrorDetails {
            stately_code: code.into(),
            message: "from details".into(),
            upstream_cause: String::new(),
            code: 10,
        };
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(details.encode_to_vec())
    }

    #[test]
    fn unary_error_with_stately_details() {
        let body = format!(
            r#"{{"code":"aborted","message":"conflict","details":[{{"type":"stately.errors.StatelyErrorDetails","value":"{}"}}]}}"#,
            details_b64("ConcurrentModification")
        );
        let error = decode_unary_error(409, body.as_bytes());
        assert_eq!(error.code, Code::Aborted);
        assert_eq!(error.stately_code(), Some("ConcurrentModification"));
        assert!(error.is_retryable() && error.is_concurrent_modification());
        assert_eq!(
            error.to_string(),
            "aborted (ConcurrentModification): conflict"
        );
    }

    #[test]
    fn retryability_follows_the_reference_table() {
        for code in RETRYABLE_STATELY_CODES {
            let body = format!(
                r#"{{"code":"failed_precondition","details":[{{"type":"stately.errors.StatelyErrorDetails","value":"{}"}}]}}"#,
                details_b64(code)
            );
            assert!(
                decode_unary_error(400, body.as_bytes()).is_retryable(),
                "{code}"
            );
        }
        for code in [
            "ConditionalCheckFailed",
            "ItemReusedWithDifferentKeyPath",
            "NonRecoverableTransaction",
            "SchemaVersionMismatch",
        ] {
            let body = format!(
                r#"{{"code":"failed_precondition","details":[{{"type":"stately.errors.StatelyErrorDetails","value":"{}"}}]}}"#,
                details_b64(code)
            );
            let error = decode_unary_error(400, body.as_bytes());
            assert!(!error.is_retryable(), "{code}");
            assert_eq!(
                error.message, "from details",
                "message falls back to the details'"
            );
        }
        for (name, retryable) in [
            ("unavailable", true),
            ("unauthenticated", false),
            ("permission_denied", false),
            ("invalid_argument", false),
        ] {
            let body = format!(r#"{{"code":"{name}","message":"m"}}"#);
            assert_eq!(
                decode_unary_error(500, body.as_bytes()).is_retryable(),
                retryable,
                "{name}"
            );
        }
    }

    #[test]
    fn non_connect_bodies_use_the_http_status() {
        let error = decode_unary_error(503, b"<html>bad gateway</html>");
        assert_eq!(error.code, Code::Unavailable);
        assert!(error.is_retryable());
        assert_eq!(decode_unary_error(401, b"").code, Code::Unauthenticated);
    }

    #[test]
    fn end_of_stream_success_and_error() {
        assert_eq!(decode_end_stream(b"{}"), Ok(()));
        assert_eq!(decode_end_stream(b"{\"metadata\":{}}"), Ok(()));
        let padded = base64::engine::general_purpose::STANDARD.encode(
            StatelyErrorDetails {
                stately_code: "StoreInUse".into(),
                ..StatelyErrorDetails::default()
            }
            .encode_to_vec(),
        );
        let payload = format!(
            r#"{{"error":{{"code":"unavailable","message":"busy","details":[{{"type":"stately.errors.StatelyErrorDetails","value":"{padded}"}}]}}}}"#
        );
        let error = decode_end_stream(payload.as_bytes()).expect_err("error");
        assert_eq!(error.code, Code::Unavailable);
        assert_eq!(error.stately_code(), Some("StoreInUse"));
        assert_eq!(
            decode_end_stream(b"not json").map_err(|e| e.code),
            Err(Code::Internal)
        );
    }

    #[test]
    fn codes_round_trip() {
        for (code, name) in CODES {
            assert_eq!(Code::parse(name), code);
            assert_eq!(code.as_str(), name);
        }
        assert_eq!(Code::parse("something_new"), Code::Unknown);
    }
}
