//! Bidirectional Connect streams (Transaction): the request body is a channel fed while the
//! response is read. The request is spawned at once, so messages written before the first read
//! reach the server even if it sends its headers only with its first message.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt as _;
use futures::channel::mpsc;
use futures::stream::BoxStream;
use prost::Message;
use reqwest::header::HeaderMap;
use tokio::task::JoinHandle;

use super::envelope::{self, Decoder};
use super::errors::{decode_end_stream, decode_unary_error};
use super::stream::{decode_message, protocol};
use super::{STREAM_CONTENT_TYPE, with_content_type};
use crate::error::ClientError;

type BodySender = mpsc::UnboundedSender<Result<Bytes, std::io::Error>>;

enum Response {
    Pending(JoinHandle<reqwest::Result<reqwest::Response>>),
    Open(BoxStream<'static, reqwest::Result<Bytes>>),
    Ended,
}

/// One bidirectional call.
pub(crate) struct BidiStream {
    sender: Option<BodySender>,
    response: Response,
    decoder: Decoder,
}

impl std::fmt::Debug for BidiStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BidiStream")
            .field("sending", &self.sender.is_some())
            .finish_non_exhaustive()
    }
}

impl BidiStream {
    /// Starts the call (in a spawned task); the returned stream is ready to send.
    pub(crate) fn open(
        http: &reqwest::Client,
        url: &str,
        headers: HeaderMap,
        timeout: Duration,
    ) -> Self {
        let (sender, receiver) = mpsc::unbounded::<Result<Bytes, std::io::Error>>();
        let request = http
            .post(url)
            .headers(with_content_type(headers, STREAM_CONTENT_TYPE))
            .timeout(timeout)
            .body(reqwest::Body::wrap_stream(receiver));
        BidiStream {
            sender: Some(sender),
            response: Response::Pending(tokio::spawn(request.send())),
            decoder: Decoder::new(),
        }
    }

    /// Writes one message.
    ///
    /// # Errors
    /// [`ClientError::Transport`] when the request side is already closed.
    pub(crate) fn send<M: Message>(&self, message: &M) -> Result<(), ClientError> {
        let sender = self
            .sender
            .as_ref()
            .ok_or_else(|| ClientError::Transport("the request stream is closed".to_owned()))?;
        sender
            .unbounded_send(Ok(envelope::encode(0, &message.encode_to_vec())))
            .map_err(|_| ClientError::Transport("the request stream is closed".to_owned()))
    }

    /// Ends the request side.
    pub(crate) fn close_send(&mut self) {
        self.sender = None;
    }

    /// The next response message; `None` once the server ended the stream successfully.
    ///
    /// # Errors
    /// The stream's error, [`ClientError::Transport`] when it breaks off,
    /// [`ClientError::Protocol`] for malformed data.
    pub(crate) async fn recv<M: Message + Default>(&mut self) -> Result<Option<M>, ClientError> {
        loop {
            if let Some(envelope) = self.decoder.next_envelope().map_err(protocol)? {
                if envelope.is_end_stream() {
                    self.response = Response::Ended;
                    decode_end_stream(&envelope.payload)?;
                    return Ok(None);
                }
                return decode_message(&envelope).map(Some);
            }
            let body = match &mut self.response {
                Response::Ended => return Ok(None),
                Response::Open(body) => body,
                Response::Pending(handle) => {
                    let response = handle
                        .await
                        .map_err(|e| ClientError::Transport(format!("request task failed: {e}")))?
                        .map_err(|e| ClientError::transport(&e))?;
                    let status = response.status();
                    if status != reqwest::StatusCode::OK {
                        self.response = Response::Ended;
                        let body = response
                            .bytes()
                            .await
                            .map_err(|e| ClientError::transport(&e))?;
                        return Err(decode_unary_error(status.as_u16(), &body).into());
                    }
                    self.response = Response::Open(response.bytes_stream().boxed());
                    continue;
                }
            };
            match body.next().await {
                Some(chunk) => {
                    let chunk = chunk.map_err(|e| ClientError::transport(&e))?;
                    self.decoder.push(&chunk);
                }
                None => {
                    self.response = Response::Ended;
                    self.decoder
                        .finish()
                        .map_err(|e| ClientError::Transport(e.to_string()))?;
                    return Err(ClientError::Transport(
                        "the stream ended without an end-of-stream message".to_owned(),
                    ));
                }
            }
        }
    }
}

impl Drop for BidiStream {
    fn drop(&mut self) {
        if let Response::Pending(handle) = &self.response {
            handle.abort();
        }
    }
}
