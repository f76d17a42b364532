//! A response read to the end, with a size bound.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// The largest body read (a page of 100 runners is a few tens of KiB).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// An HTTP answer: status, headers and the whole body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
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
