//! `stately.auth.AuthService` messages.

use std::fmt;

/// `GetAuthTokenRequest { oneof identity { access_key = 1 string } }`.
///
/// Its `Debug` never shows the access key.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct GetAuthTokenRequest {
    /// The identity presented.
    #[prost(oneof = "get_auth_token_request::Identity", tags = "1")]
    pub identity: Option<get_auth_token_request::Identity>,
}

impl fmt::Debug for GetAuthTokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetAuthTokenRequest")
            .field("identity", &"[REDACTED]")
            .finish()
    }
}

/// The `identity` oneof of [`GetAuthTokenRequest`].
pub mod get_auth_token_request {
    use std::fmt;

    /// How the caller identifies itself.
    #[derive(Clone, PartialEq, prost::Oneof)]
    #[prost(skip_debug)]
    pub enum Identity {
        /// A StatelyDB access key (a secret).
        #[prost(string, tag = "1")]
        AccessKey(String),
    }

    impl fmt::Debug for Identity {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("AccessKey([REDACTED])")
        }
    }
}

/// `GetAuthTokenResponse { auth_token = 1 string; expires_in_s = 2 uint64 }`.
///
/// Its `Debug` never shows the token.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct GetAuthTokenResponse {
    /// The bearer token.
    #[prost(string, tag = "1")]
    pub auth_token: String,
    /// Seconds until it expires.
    #[prost(uint64, tag = "2")]
    pub expires_in_s: u64,
}

impl fmt::Debug for GetAuthTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetAuthTokenResponse")
            .field("auth_token", &"[REDACTED]")
            .field("expires_in_s", &self.expires_in_s)
            .finish()
    }
}
