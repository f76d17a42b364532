//! A response read to the end, with a size bound.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The largest body read (a page of 100 runners is a few tens of KiB).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// An HTTP answer: status, headers and the whole body. `Debug` shows the status, the header
/// names and the body's length only: an access-token answer's body is the installation token.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|name| name.as_str()).collect();
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("headers", &names)
            .field(
                "body",
                &format_args!("[{} bytes, redacted]", self.body.len()),
            )
            .finish()
    }
}

impl Answer {
    /// Reads `response` to the end; a body over the bound is cut there (and then fails to parse).
    ///
    /// # Errors
    /// The connection failed while reading.
    pub(crate) async fn read(mut response: reqwest::Response) -> Result<Self, reqwest::Error> {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            let room = MAX_BODY.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if room <= chunk.len() {
                break;
            }
        }
        Ok(Answer {
            status,
            headers,
            body: Bytes::from(body),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_body_or_header_values() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-secret-echo",
            reqwest::header::HeaderValue::from_static("ghs_hdr"),
        );
        let answer = Answer {
            status: StatusCode::CREATED,
            headers,
            body: Bytes::from_static(br#"{"token":"ghs_InstallationToken123","expires_at":"x"}"#),
        };
        let debug = format!("{answer:?}");
        assert!(!debug.contains("ghs_"), "{debug}");
        assert!(
            debug.contains("201") && debug.contains("x-secret-echo"),
            "{debug}"
        );
        assert!(debug.contains("bytes"), "{debug}");
    }
}
