//! The slash-command request: the body as received (maybe base64 from API Gateway), then its form
//! fields once the signature has been checked.

use base64::Engine as _;

/// Bodies larger than this are refused before hashing (Slack's are well under 4 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// `isBase64Encoded` was set but the body is not valid base64.
    #[error("the body is not valid base64")]
    InvalidBase64,
}

/// The raw bytes Slack sent, from a body a host received as text: API Gateway sets
/// `isBase64Encoded` for form posts. The signature is computed over these bytes.
///
/// # Errors
/// [`BodyError::InvalidBase64`] when `is_base64_encoded` and `body` is not base64.
pub fn decode_body(body: &str, is_base64_encoded: bool) -> Result<Vec<u8>, BodyError> {
    if is_base64_encoded {
        base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|_| BodyError::InvalidBase64)
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// The fields of a slash command this crate uses.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SlashRequest {
    /// `/runner-status`, ...
    pub command: String,
    /// What follows the command, trimmed.
    pub text: String,
    /// Who typed it (for logs).
    pub user_id: String,
    /// Where (for logs).
    pub channel_id: String,
    /// Where a delayed answer goes (`https://hooks.slack.com/commands/...`); never logged.
    pub response_url: String,
}

impl std::fmt::Debug for SlashRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlashRequest")
            .field("command", &self.command)
            .field("text", &self.text)
            .field("user_id", &self.user_id)
            .field("channel_id", &self.channel_id)
            .field("response_url", &"[redacted]")
            .finish()
    }
}

impl SlashRequest {
    /// Parses an `application/x-www-form-urlencoded` body; `None` without a `command`.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let mut request = SlashRequest::default();
        for (key, value) in form_urlencoded::parse(body) {
            match key.as_ref() {
                "command" => request.command = value.trim().to_owned(),
                "text" => request.text = value.trim().to_owned(),
                "user_id" => request.user_id = value.into_owned(),
                "channel_id" => request.channel_id = value.into_owned(),
                "response_url" => request.response_url = value.trim().to_owned(),
                _ => {}
            }
        }
        (!request.command.is_empty()).then_some(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_slacks_form() {
        let request = SlashRequest::parse(
            b"token=x&command=%2Frunner-history&text=build-1+acme%2Fapi&user_id=U1&channel_id=C1",
        )
        .expect("parses");
        assert_eq!(request.command, "/runner-history");
        assert_eq!(request.text, "build-1 acme/api");
        assert_eq!(request.user_id, "U1");
        assert_eq!(SlashRequest::parse(b"text=hi"), None);
    }

    #[test]
    fn decodes_base64_bodies() {
        assert_eq!(decode_body("YT1i", true), Ok(b"a=b".to_vec()));
        assert_eq!(decode_body("a=b", false), Ok(b"a=b".to_vec()));
        assert_eq!(decode_body("a=b!", true), Err(BodyError::InvalidBase64));
    }
}
