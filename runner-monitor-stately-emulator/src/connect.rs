//! Connect framing: bare unary messages, `application/connect+proto` envelopes, end-of-stream
//! trailers, and error responses.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, StreamExt};

use super::error::{Code, ConnectError};

/// Envelope flag: payload is compressed.
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Envelope flag: end of stream (JSON trailer).
pub const FLAG_END_STREAM: u8 = 0x02;
/// Largest message accepted.
pub const MAX_MESSAGE: usize = 16 << 20;

/// Content type of unary calls.
pub const UNARY_CONTENT_TYPE: &str = "application/proto";
/// Content type of streaming calls.
pub const STREAM_CONTENT_TYPE: &str = "application/connect+proto";

/// Frames one payload.
#[must_use]
pub fn envelope(flags: u8, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(5 + payload.len());
    out.extend_from_slice(&[flags]);
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.freeze()
}

/// Frames one protobuf message.
#[must_use]
pub fn message_envelope<M: prost::Message>(msg: &M) -> Bytes {
    envelope(0, &msg.encode_to_vec())
}

/// The end-of-stream envelope: `{}` or `{"error": ...}`.
#[must_use]
pub fn end_stream(err: Option<&ConnectError>) -> Bytes {
    let json = match err {
        None => serde_json::json!({}),
        Some(e) => serde_json::json!({ "error": e.to_json() }),
    };
    envelope(FLAG_END_STREAM, json.to_string().as_bytes())
}

/// Reads envelopes from a streaming request body.
pub struct EnvelopeReader<S> {
    body: S,
    buf: BytesMut,
    done: bool,
}

impl<S> std::fmt::Debug for EnvelopeReader<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvelopeReader")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl<S, E> EnvelopeReader<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    /// Wraps a body's data stream.
    pub fn new(body: S) -> Self {
        EnvelopeReader {
            body,
            buf: BytesMut::new(),
            done: false,
        }
    }

    /// The next message payload, `None` at the end of the request body.
    ///
    /// # Errors
    /// `invalid_argument` for a truncated, oversized or compressed envelope, `canceled` when the
    /// body fails (client went away).
    pub async fn next(&mut self) -> Result<Option<Bytes>, ConnectError> {
        loop {
            if self.buf.len() >= 5 {
                let flags = self.buf[0];
                let mut len = [0u8; 4];
                len.copy_from_slice(&self.buf[1..5]);
                let len = u32::from_be_bytes(len) as usize;
                if len > MAX_MESSAGE {
                    return Err(ConnectError::new(
                        Code::ResourceExhausted,
                        format!("message of {len} bytes is too large"),
                    ));
                }
                if self.buf.len() >= 5 + len {
                    self.buf.advance(5);
                    let payload = self.buf.split_to(len).freeze();
                    if flags & FLAG_COMPRESSED != 0 {
                        return Err(ConnectError::new(
                            Code::Unimplemented,
                            "compressed envelopes are not supported",
                        ));
                    }
                    if flags & FLAG_END_STREAM != 0 {
                        return Err(ConnectError::invalid(
                            "end-stream flag is not allowed in requests",
                        ));
                    }
                    return Ok(Some(payload));
                }
            }
            if self.done {
                return if self.buf.is_empty() {
                    Ok(None)
                } else {
                    Err(ConnectError::invalid(
                        "request body ends inside an envelope",
                    ))
                };
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                Some(Err(e)) => {
                    return Err(ConnectError::new(
                        Code::Canceled,
                        format!("reading the request failed: {e}"),
                    ));
                }
                None => self.done = true,
            }
        }
    }
}

fn with_type(mut resp: Response<Body>, content_type: &'static str) -> Response<Body> {
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// A successful unary response.
#[must_use]
pub fn unary_ok<M: prost::Message>(msg: &M) -> Response<Body> {
    with_type(
        Response::new(Body::from(msg.encode_to_vec())),
        UNARY_CONTENT_TYPE,
    )
}

/// A unary error: the code's HTTP status and Connect's JSON body.
#[must_use]
pub fn unary_error(err: &ConnectError) -> Response<Body> {
    let mut resp = Response::new(Body::from(err.to_json().to_string()));
    *resp.status_mut() =
        StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    with_type(resp, "application/json")
}

/// A streaming response (HTTP 200) with the given body.
#[must_use]
pub fn stream_ok(body: Body) -> Response<Body> {
    with_type(Response::new(body), STREAM_CONTENT_TYPE)
}

/// A streaming response that only carries an error in its end-of-stream trailer.
#[must_use]
pub fn stream_error(err: &ConnectError) -> Response<Body> {
    stream_ok(Body::from(end_stream(Some(err))))
}

/// A non-Connect response, as a proxy or load balancer might send.
#[must_use]
pub fn raw(status: u16, body: String) -> Response<Body> {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    with_type(resp, "text/plain")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_envelopes_split_across_chunks() {
        let mut all = envelope(0, b"hello").to_vec();
        all.extend_from_slice(&envelope(0, b""));
        let chunks: Vec<Result<Bytes, std::convert::Infallible>> = all
            .chunks(3)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let mut r = EnvelopeReader::new(futures::stream::iter(chunks));
        assert_eq!(
            r.next().await.unwrap().unwrap(),
            Bytes::from_static(b"hello")
        );
        assert_eq!(r.next().await.unwrap().unwrap(), Bytes::new());
        assert_eq!(r.next().await.unwrap(), None);
    }

    #[tokio::test]
    async fn rejects_truncated_and_compressed() {
        let chunks = vec![Ok::<_, std::convert::Infallible>(Bytes::from_static(&[
            0, 0, 0, 0, 9, 1,
        ]))];
        let mut r = EnvelopeReader::new(futures::stream::iter(chunks));
        assert!(r.next().await.is_err());
        let chunks = vec![Ok::<_, std::convert::Infallible>(envelope(
            FLAG_COMPRESSED,
            b"x",
        ))];
        let mut r = EnvelopeReader::new(futures::stream::iter(chunks));
        assert_eq!(r.next().await.unwrap_err().code, Code::Unimplemented);
    }

    #[test]
    fn end_stream_trailer() {
        let ok = end_stream(None);
        assert_eq!(&ok[..], &[2, 0, 0, 0, 2, b'{', b'}']);
        let err = end_stream(Some(&ConnectError::unavailable("down")));
        let json: serde_json::Value = serde_json::from_slice(&err[5..]).unwrap();
        assert_eq!(json["error"]["code"], "unavailable");
    }
}
