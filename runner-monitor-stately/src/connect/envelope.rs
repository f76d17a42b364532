//! Connect stream envelopes: 1 flag byte, a 4-byte big-endian length, the payload.

use bytes::{Buf, Bytes, BytesMut};

/// The payload is compressed (never negotiated by this client).
pub const FLAG_COMPRESSED: u8 = 0x01;
/// The last envelope of a response stream; its payload is JSON.
pub const FLAG_END_STREAM: u8 = 0x02;
/// Largest payload accepted (a guard against a corrupt length prefix).
pub const MAX_PAYLOAD: usize = 64 * 1024 * 1024;

const HEADER: usize = 5;

/// One decoded envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Flag bits ([`FLAG_COMPRESSED`], [`FLAG_END_STREAM`]).
    pub flags: u8,
    /// The message (protobuf) or, for end-of-stream, JSON.
    pub payload: Bytes,
}

impl Envelope {
    /// Whether this is the end-of-stream envelope.
    pub fn is_end_stream(&self) -> bool {
        self.flags & FLAG_END_STREAM != 0
    }
}

/// Frames `payload` as one envelope with `flags`.
pub fn encode(flags: u8, payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&[flags]);
    // Payloads this client builds are far below 4 GiB; saturate rather than wrap.
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.freeze()
}

/// Why a byte stream is not a sequence of envelopes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// A length prefix above [`MAX_PAYLOAD`].
    #[error("envelope of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// The stream ended inside an envelope.
    #[error("stream ended inside an envelope ({0} bytes left over)")]
    Truncated(usize),
}

/// Reassembles envelopes from chunks as they arrive (a chunk may hold several envelopes or part
/// of one).
#[derive(Debug, Default)]
pub struct Decoder {
    buffer: BytesMut,
}

impl Decoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
    }

    /// The next complete envelope, if one is buffered.
    ///
    /// # Errors
    /// [`EnvelopeError::TooLarge`] for an absurd length prefix.
    pub fn next_envelope(&mut self) -> Result<Option<Envelope>, EnvelopeError> {
        if self.buffer.len() < HEADER {
            return Ok(None);
        }
        let flags = self.buffer[0];
        let len = u32::from_be_bytes([
            self.buffer[1],
            self.buffer[2],
            self.buffer[3],
            self.buffer[4],
        ]) as usize;
        if len > MAX_PAYLOAD {
            return Err(EnvelopeError::TooLarge(len));
        }
        if self.buffer.len() < HEADER + len {
            return Ok(None);
        }
        self.buffer.advance(HEADER);
        let payload = self.buffer.split_to(len).freeze();
        Ok(Some(Envelope { flags, payload }))
    }

    /// Checks nothing is left over once the stream has ended.
    ///
    /// # Errors
    /// [`EnvelopeError::Truncated`] when a partial envelope remains.
    pub fn finish(&self) -> Result<(), EnvelopeError> {
        if self.buffer.is_empty() {
            Ok(())
        } else {
            Err(EnvelopeError::Truncated(self.buffer.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_flag_length_payload() {
        assert_eq!(encode(0, b"ab").as_ref(), [0x00, 0, 0, 0, 2, b'a', b'b']);
        assert_eq!(
            encode(FLAG_END_STREAM, b"{}").as_ref(),
            [0x02, 0, 0, 0, 2, b'{', b'}']
        );
        assert_eq!(encode(0, b"").as_ref(), [0, 0, 0, 0, 0]);
    }

    #[test]
    fn reassembles_across_arbitrary_chunk_boundaries() {
        let mut wire = Vec::new();
        wire.extend_from_slice(&encode(0, b"first"));
        wire.extend_from_slice(&encode(0, b""));
        wire.extend_from_slice(&encode(FLAG_END_STREAM, b"{}"));
        for chunk_size in 1..wire.len() {
            let mut decoder = Decoder::new();
            let mut seen = Vec::new();
            for chunk in wire.chunks(chunk_size) {
                decoder.push(chunk);
                while let Some(envelope) = decoder.next_envelope().expect("valid") {
                    seen.push(envelope);
                }
            }
            decoder.finish().expect("nothing left");
            assert_eq!(seen.len(), 3, "chunk size {chunk_size}");
            assert_eq!(seen[0].payload.as_ref(), b"first");
            assert!(seen[1].payload.is_empty());
            assert!(seen[2].is_end_stream() && !seen[0].is_end_stream());
        }
    }

    #[test]
    fn rejects_truncated_and_oversized() {
        let mut decoder = Decoder::new();
        decoder.push(&[0, 0, 0, 0, 9, 1, 2]);
        assert_eq!(decoder.next_envelope(), Ok(None));
        assert_eq!(decoder.finish(), Err(EnvelopeError::Truncated(7)));
        let mut decoder = Decoder::new();
        decoder.push(&[0, 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(
            decoder.next_envelope(),
            Err(EnvelopeError::TooLarge(_))
        ));
    }
}
