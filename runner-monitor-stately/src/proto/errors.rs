//! `stately.errors` messages.

/// `StatelyErrorDetails { stately_code = 1; message = 2; upstream_cause = 3; code = 4 uint32 }`,
/// carried base64-encoded in a Connect error's `details`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StatelyErrorDetails {
    /// StatelyDB's own error code, e.g. `ConcurrentModification`.
    #[prost(string, tag = "1")]
    pub stately_code: String,
    /// Human message.
    #[prost(string, tag = "2")]
    pub message: String,
    /// The underlying cause, when there is one.
    #[prost(string, tag = "3")]
    pub upstream_cause: String,
    /// The Connect code number.
    #[prost(uint32, tag = "4")]
    pub code: u32,
}
