//! Server-streaming Connect calls (BeginList, ContinueList): one request envelope, N response
//! envelopes, then an end-of-stream envelope with JSON.

use std::time::Duration;

use futures::StreamExt as _;
use prost::Message;
use reqwest::header::HeaderMap;

use super::envelope::{self, Decoder, FLAG_COMPRESSED};
use super::errors::{decode_end_stream, decode_unary_error};
use super::{STREAM_CONTENT_TYPE, with_content_type};
use crate::error::ClientError;

/// Sends `request` and collects every response message until the end of the stream.
///
/// # Errors
/// The stream's error (from the end-of-stream envelope or a non-200 answer),
/// [`ClientError::Transport`] when the stream breaks off, [`ClientError::Protocol`] for
/// malformed envelopes or messages.
pub(crate) async fn call<Req: Message, Resp: Message + Default>(
    http: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    timeout: Duration,
    request: &Req,
) -> Result<Vec<Resp>, ClientError> {
    let response = http
        .post(url)
        .headers(with_content_type(headers, STREAM_CONTENT_TYPE))
        .timeout(timeout)
        .body(envelope::encode(0, &request.encode_to_vec()))
        .send()
        .await
        .map_err(|e| ClientError::transport(&e))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        let body = response
            .bytes()
            .await
            .map_err(|e| ClientError::transport(&e))?;
        return Err(decode_unary_error(status.as_u16(), &body).into());
    }
    let mut body = response.bytes_stream();
    let mut decoder = Decoder::new();
    let mut messages = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| ClientError::transport(&e))?;
        decoder.push(&chunk);
        while let Some(envelope) = decoder.next_envelope().map_err(protocol)? {
            if envelope.is_end_stream() {
                decode_end_stream(&envelope.payload)?;
                return Ok(messages);
            }
            messages.push(decode_message(&envelope)?);
        }
    }
    decoder
        .finish()
        .map_err(|e| ClientError::Transport(e.to_string()))?;
    Err(ClientError::Transport(
        "the stream ended without an end-of-stream message".to_owned(),
    ))
}

pub(crate) fn decode_message<Resp: Message + Default>(
    envelope: &envelope::Envelope,
) -> Result<Resp, ClientError> {
    if envelope.flags & FLAG_COMPRESSED != 0 {
        return Err(ClientError::Protocol(
            "compressed message, but no compression was negotiated".to_owned(),
        ));
    }
    Resp::decode(envelope.payload.clone())
        .map_err(|e| ClientError::Protocol(format!("undecodable stream message: {e}")))
}

pub(crate) fn protocol(error: envelope::EnvelopeError) -> ClientError {
    ClientError::Protocol(error.to_string())
}
