//! Connect error codes and the emulator's error type, rendered in Connect's JSON form with a
//! `stately.errors.StatelyErrorDetails` detail.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use prost::Message as _;

use super::proto::StatelyErrorDetails;

/// A Connect error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// `canceled` (1).
    Canceled,
    /// `unknown` (2).
    Unknown,
    /// `invalid_argument` (3).
    InvalidArgument,
    /// `deadline_exceeded` (4).
    DeadlineExceeded,
    /// `not_found` (5).
    NotFound,
    /// `already_exists` (6).
    AlreadyExists,
    /// `permission_denied` (7).
    PermissionDenied,
    /// `resource_exhausted` (8).
    ResourceExhausted,
    /// `failed_precondition` (9).
    FailedPrecondition,
    /// `aborted` (10).
    Aborted,
    /// `out_of_range` (11).
    OutOfRange,
    /// `unimplemented` (12).
    Unimplemented,
    /// `internal` (13).
    Internal,
    /// `unavailable` (14).
    Unavailable,
    /// `data_loss` (15).
    DataLoss,
    /// `unauthenticated` (16).
    Unauthenticated,
}

impl Code {
    /// The snake_case name used in Connect's JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Canceled => "canceled",
            Code::Unknown => "unknown",
            Code::InvalidArgument => "invalid_argument",
            Code::DeadlineExceeded => "deadline_exceeded",
            Code::NotFound => "not_found",
            Code::AlreadyExists => "already_exists",
            Code::PermissionDenied => "permission_denied",
            Code::ResourceExhausted => "resource_exhausted",
            Code::FailedPrecondition => "failed_precondition",
            Code::Aborted => "aborted",
            Code::OutOfRange => "out_of_range",
            Code::Unimplemented => "unimplemented",
            Code::Internal => "internal",
            Code::Unavailable => "unavailable",
            Code::DataLoss => "data_loss",
            Code::Unauthenticated => "unauthenticated",
        }
    }

    /// The numeric code (as in gRPC).
    #[must_use]
    pub fn number(self) -> u32 {
        match self {
            Code::Canceled => 1,
            Code::Unknown => 2,
            Code::InvalidArgument => 3,
            Code::DeadlineExceeded => 4,
            Code::NotFound => 5,
            Code::AlreadyExists => 6,
            Code::PermissionDenied => 7,
            Code::ResourceExhausted => 8,
            Code::FailedPrecondition => 9,
            Code::Aborted => 10,
            Code::OutOfRange => 11,
            Code::Unimplemented => 12,
            Code::Internal => 13,
            Code::Unavailable => 14,
            Code::DataLoss => 15,
            Code::Unauthenticated => 16,
        }
    }

    /// The HTTP status of a unary error with this code.
    #[must_use]
    pub fn http_status(self) -> u16 {
        match self {
            Code::Canceled => 499,
            Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => 400,
            Code::DeadlineExceeded => 504,
            Code::NotFound => 404,
            Code::AlreadyExists | Code::Aborted => 409,
            Code::PermissionDenied => 403,
            Code::ResourceExhausted => 429,
            Code::Unimplemented => 501,
            Code::Unknown | Code::Internal | Code::DataLoss => 500,
            Code::Unavailable => 503,
            Code::Unauthenticated => 401,
        }
    }

    /// The default `stately_code` for errors without a more specific one.
    #[must_use]
    pub fn default_stately_code(self) -> &'static str {
        match self {
            Code::Canceled => "Canceled",
            Code::Unknown => "Unknown",
            Code::InvalidArgument => "InvalidArgument",
            Code::DeadlineExceeded => "DeadlineExceeded",
            Code::NotFound => "NotFound",
            Code::AlreadyExists => "AlreadyExists",
            Code::PermissionDenied => "PermissionDenied",
            Code::ResourceExhausted => "ResourceExhausted",
            Code::FailedPrecondition => "FailedPrecondition",
            Code::Aborted => "Aborted",
            Code::OutOfRange => "OutOfRange",
            Code::Unimplemented => "Unimplemented",
            Code::Internal => "Internal",
            Code::Unavailable => "Unavailable",
            Code::DataLoss => "DataLoss",
            Code::Unauthenticated => "Unauthenticated",
        }
    }
}

/// An error the emulator returns to its client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    /// Connect code.
    pub code: Code,
    /// StatelyDB code carried in `StatelyErrorDetails.stately_code`.
    pub stately_code: String,
    /// Message.
    pub message: String,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.as_str(),
            self.stately_code,
            self.message
        )
    }
}

impl std::error::Error for ConnectError {}

impl ConnectError {
    /// An error with the code's default StatelyDB code.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ConnectError {
            code,
            stately_code: code.default_stately_code().to_owned(),
            message: message.into(),
        }
    }

    /// An error with a specific StatelyDB code.
    pub fn stately(code: Code, stately_code: &str, message: impl Into<String>) -> Self {
        ConnectError {
            code,
            stately_code: stately_code.to_owned(),
            message: message.into(),
        }
    }

    /// `invalid_argument`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }

    /// `aborted` / ConcurrentModification (retryable).
    pub fn concurrent_modification(message: impl Into<String>) -> Self {
        Self::stately(Code::Aborted, "ConcurrentModification", message)
    }

    /// `failed_precondition` / ConditionalCheckFailed.
    pub fn conditional_check_failed(message: impl Into<String>) -> Self {
        Self::stately(Code::FailedPrecondition, "ConditionalCheckFailed", message)
    }

    /// `unavailable`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(Code::Unavailable, message)
    }

    /// `unauthenticated`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(Code::Unauthenticated, message)
    }

    /// The error as Connect JSON: `{"code","message","details":[{"type","value"}]}`.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let details = StatelyErrorDetails {
            stately_code: self.stately_code.clone(),
            message: self.message.clone(),
            upstream_cause: String::new(),
            code: self.code.number(),
        };
        serde_json::json!({
            "code": self.code.as_str(),
            "message": self.message,
            "details": [{
                "type": "stately.errors.StatelyErrorDetails",
                "value": STANDARD_NO_PAD.encode(details.encode_to_vec()),
            }],
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_form_carries_details() {
        let e = ConnectError::concurrent_modification("raced");
        let json = e.to_json();
        assert_eq!(json["code"], "aborted");
        assert_eq!(json["message"], "raced");
        assert_eq!(
            json["details"][0]["type"],
            "stately.errors.StatelyErrorDetails"
        );
        let value = json["details"][0]["value"].as_str().unwrap();
        assert!(!value.ends_with('='));
        let raw = STANDARD_NO_PAD.decode(value).unwrap();
        let d = StatelyErrorDetails::decode(raw.as_slice()).unwrap();
        assert_eq!(d.stately_code, "ConcurrentModification");
        assert_eq!(d.code, 10);
        assert_eq!(Code::Aborted.http_status(), 409);
    }
}
