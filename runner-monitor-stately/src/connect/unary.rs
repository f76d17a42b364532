//! Unary Connect calls: `application/proto`, the bare message in and out.

use std::time::Duration;

use prost::Message;
use reqwest::header::HeaderMap;

use super::errors::decode_unary_error;
use super::{UNARY_CONTENT_TYPE, with_content_type};
use crate::error::ClientError;

/// POSTs `request` to `url` and decodes the answer.
///
/// # Errors
/// [`ClientError::Connect`] for an error answer, [`ClientError::Transport`] when no answer came,
/// [`ClientError::Protocol`] for an undecodable success body.
pub(crate) async fn call<Req: Message, Resp: Message + Default>(
    http: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    timeout: Duration,
    request: &Req,
) -> Result<Resp, ClientError> {
    let response = http
        .post(url)
        .headers(with_content_type(headers, UNARY_CONTENT_TYPE))
        .timeout(timeout)
        .body(request.encode_to_vec())
        .send()
        .await
        .map_err(|e| ClientError::transport(&e))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| ClientError::transport(&e))?;
    if status != reqwest::StatusCode::OK {
        return Err(decode_unary_error(status.as_u16(), &body).into());
    }
    Resp::decode(body).map_err(|e| ClientError::Protocol(format!("undecodable response: {e}")))
}
