//! Turning HTTP answers and transport failures into [`SourceError`]s a user can act on. Messages
//! name the scope and, for 403, the permission the scope needs; they never carry a secret.

use std::time::Duration;

use reqwest::StatusCode;
use runner_monitor_core::{Scope, SourceError};

/// Longest part of GitHub's own `message` quoted in an error.
const MESSAGE_LIMIT: usize = 200;

/// GitHub's `{"message": "..."}` from an error body, shortened; empty when there is none.
pub(crate) fn github_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        message: String,
    }
    serde_json::from_slice::<ErrorBody>(body)
        .map(|body| body.message.chars().take(MESSAGE_LIMIT).collect())
        .unwrap_or_default()
}

fn said(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" (GitHub said: {message:?})")
    }
}

/// The permission a token needs to list the runners of `scope`.
pub(crate) fn permission_needed(scope: &Scope) -> &'static str {
    match scope {
        Scope::Repo { .. } => {
            "repository runners need the \"Administration: read\" repository permission \
             (fine-grained token or GitHub App) or a classic token with the `repo` scope"
        }
        Scope::Org(_) => {
            "organization runners need the \"Self-hosted runners: read\" organization permission \
             (fine-grained token or GitHub App) or a classic token with the `admin:org` scope"
        }
        Scope::Enterprise(_) => {
            "enterprise runners need a classic token with the `manage_runners:enterprise` scope \
             (GitHub App installation tokens cannot list them)"
        }
        Scope::Pool(_) => "a pool is the monitor's own scope and is never listed at GitHub",
    }
}

fn what(scope: &Scope) -> String {
    match scope {
        Scope::Repo { owner, name } => format!("repository `{owner}/{name}`"),
        Scope::Org(name) => format!("organization `{name}`"),
        Scope::Enterprise(slug) => format!("enterprise `{slug}`"),
        Scope::Pool(name) => format!("pool `{name}`"),
    }
}

/// The error for a non-success answer that is not a rate limit.
pub(crate) fn from_status(status: StatusCode, scope: &Scope, message: &str) -> SourceError {
    let code = status.as_u16();
    let said = said(message);
    match status {
        StatusCode::UNAUTHORIZED => SourceError::Unauthorized {
            message: format!(
                "token expired or invalid: GitHub answered HTTP 401 listing runners of {scope}{said}"
            ),
        },
        StatusCode::FORBIDDEN => SourceError::Forbidden {
            message: format!(
                "not allowed to list runners of {scope}: {}{said}",
                permission_needed(scope)
            ),
        },
        StatusCode::NOT_FOUND => SourceError::NotFound {
            message: format!(
                "no such {}, or no access to it with these credentials (GitHub answers 404 for \
                 what a token may not see){said}",
                what(scope)
            ),
        },
        StatusCode::REQUEST_TIMEOUT => SourceError::Unavailable {
            message: format!("GitHub answered HTTP 408 listing runners of {scope}{said}"),
        },
        _ if status.is_server_error() => SourceError::Unavailable {
            message: format!("GitHub answered HTTP {code} listing runners of {scope}{said}"),
        },
        _ => SourceError::InvalidResponse {
            message: format!("unexpected HTTP {code} listing runners of {scope}{said}"),
        },
    }
}

/// The error for a request that got no answer. reqwest's message is used without its URL.
pub(crate) fn from_transport(
    error: reqwest::Error,
    what: &str,
    request_timeout: Duration,
) -> SourceError {
    let message = if error.is_timeout() {
        format!(
            "{what}: no answer within the request timeout of {}s",
            request_timeout.as_secs_f64()
        )
    } else if error.is_connect() {
        format!(
            "{what}: could not connect: {}",
            source_chain(&error.without_url())
        )
    } else if error.is_decode() || error.is_body() {
        format!(
            "{what}: reading the answer failed: {}",
            source_chain(&error.without_url())
        )
    } else {
        format!("{what}: {}", source_chain(&error.without_url()))
    };
    SourceError::Unavailable { message }
}

fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_the_permission_per_scope_kind() {
        let cases = [
            (Scope::repo("acme", "api"), "Administration: read"),
            (Scope::repo("acme", "api"), "`repo`"),
            (Scope::org("acme"), "Self-hosted runners: read"),
            (Scope::org("acme"), "`admin:org`"),
            (Scope::enterprise("big"), "`manage_runners:enterprise`"),
        ];
        for (scope, permission) in cases {
            let error = from_status(StatusCode::FORBIDDEN, &scope, "Resource not accessible");
            assert!(matches!(error, SourceError::Forbidden { .. }), "{error:?}");
            assert!(error.to_string().contains(permission), "{error}");
        }
    }

    #[test]
    fn classes_by_status() {
        let scope = Scope::org("acme");
        let class = |code: u16| {
            let status = StatusCode::from_u16(code).expect("valid status");
            from_status(status, &scope, "").class()
        };
        use runner_monitor_core::FailureClass as C;
        assert_eq!(class(401), C::Unauthorized);
        assert_eq!(class(403), C::Forbidden);
        assert_eq!(class(404), C::NotFound);
        assert_eq!(class(408), C::Unavailable);
        assert_eq!(class(500), C::Unavailable);
        assert_eq!(class(503), C::Unavailable);
        assert_eq!(class(422), C::InvalidResponse);
        let unauthorized = from_status(StatusCode::UNAUTHORIZED, &scope, "Bad credentials");
        assert!(
            unauthorized
                .to_string()
                .contains("token expired or invalid")
        );
        assert!(unauthorized.to_string().contains("Bad credentials"));
        let missing = from_status(StatusCode::NOT_FOUND, &Scope::repo("a", "b"), "");
        assert!(
            missing.to_string().contains("no such repository `a/b`"),
            "{missing}"
        );
    }

    #[test]
    fn github_message_is_extracted_and_shortened() {
        assert_eq!(
            github_message(br#"{"message":"Bad credentials","documentation_url":"x"}"#),
            "Bad credentials"
        );
        assert_eq!(github_message(b"<html>oops</html>"), "");
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(1000));
        assert_eq!(github_message(long.as_bytes()).len(), MESSAGE_LIMIT);
    }
}
