//! [`StatusAuth`]: the optional credentials of the status page and API (bearer token or HTTP basic
//! auth). Compared in constant time; wrong or missing credentials get 401.

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::host::build::BuildError;
use crate::host::config::StatusPageConfig;
use crate::host::secrets::SecretResolver;

/// What a request must present.
pub enum StatusAuth {
    /// `Authorization: Bearer <token>`.
    Bearer(SecretString),
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// The user name (not secret).
        username: String,
        /// The password.
        password: SecretString,
    },
}

impl std::fmt::Debug for StatusAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusAuth::Bearer(_) => f.write_str("StatusAuth::Bearer(<redacted>)"),
            StatusAuth::Basic { username, .. } => f
                .debug_struct("StatusAuth::Basic")
                .field("username", username)
                .finish_non_exhaustive(),
        }
    }
}

impl StatusAuth {
    /// The credentials `[status_page]` asks for, secrets read through `secrets`; `None` when it
    /// asks for none.
    ///
    /// # Errors
    /// [`BuildError::Secret`] when the token or password cannot be read.
    pub async fn from_config(
        config: &StatusPageConfig,
        secrets: &SecretResolver,
    ) -> Result<Option<StatusAuth>, BuildError> {
        if let Some(token) = &config.bearer_token {
            let token = secrets.resolve("status_page.bearer_token", token).await?;
            return Ok(Some(StatusAuth::Bearer(token)));
        }
        match (&config.username, &config.password) {
            (Some(username), Some(password)) => Ok(Some(StatusAuth::Basic {
                username: username.clone(),
                password: secrets.resolve("status_page.password", password).await?,
            })),
            _ => Ok(None),
        }
    }

    /// Whether `headers` carry the right credentials.
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let Some((scheme, credentials)) = value.trim().split_once(' ') else {
            return false;
        };
        let credentials = credentials.trim();
        match self {
            StatusAuth::Bearer(token) => {
                scheme.eq_ignore_ascii_case("bearer")
                    && same(credentials.as_bytes(), token.expose_secret().as_bytes())
            }
            StatusAuth::Basic { username, password } => {
                if !scheme.eq_ignore_ascii_case("basic") {
                    return false;
                }
                let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(credentials)
                else {
                    return false;
                };
                let expected = format!("{username}:{}", password.expose_secret());
                same(&decoded, expected.as_bytes())
            }
        }
    }

    /// The `WWW-Authenticate` challenge of a 401 (basic auth makes browsers ask for a login).
    pub fn challenge(&self) -> &'static str {
        match self {
            StatusAuth::Bearer(_) => "Bearer realm=\"runner-monitor\"",
            StatusAuth::Basic { .. } => "Basic realm=\"runner-monitor\", charset=\"UTF-8\"",
        }
    }
}

/// Constant-time equality that does not leak the length either: both sides are hashed first.
fn same(given: &[u8], expected: &[u8]) -> bool {
    let given = Sha256::digest(given);
    let expected = Sha256::digest(expected);
    given.ct_eq(&expected).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().expect("header value"));
        headers
    }

    #[test]
    fn bearer_needs_the_exact_token() {
        let auth = StatusAuth::Bearer(SecretString::from("s3cret"));
        assert!(auth.allows(&headers("Bearer s3cret")));
        assert!(auth.allows(&headers("bearer  s3cret ")));
        assert!(!auth.allows(&headers("Bearer s3cre")));
        assert!(!auth.allows(&headers("Bearer s3crett")));
        assert!(!auth.allows(&headers("Basic s3cret")));
        assert!(!auth.allows(&HeaderMap::new()));
        assert!(!format!("{auth:?}").contains("s3cret"));
    }

    #[test]
    fn basic_needs_user_and_password() {
        let auth = StatusAuth::Basic {
            username: "ops".into(),
            password: SecretString::from("pw:with:colons"),
        };
        let encode = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert!(auth.allows(&headers(&format!("Basic {}", encode("ops:pw:with:colons")))));
        assert!(!auth.allows(&headers(&format!("Basic {}", encode("ops:pw")))));
        assert!(!auth.allows(&headers(&format!("Basic {}", encode("dev:pw:with:colons")))));
        assert!(!auth.allows(&headers("Basic not-base64!")));
        assert!(!format!("{auth:?}").contains("colons"));
    }
}
