//! `POST /app/installations/{id}/access_tokens`: exchanging the app's JWT for an installation
//! token.

use std::time::SystemTime;

use reqwest::StatusCode;
use runner_monitor_core::SourceError;
use secrecy::SecretString;

use crate::client::{Answer, Http};
use crate::errors::github_message;

/// An installation token and when it expires.
#[derive(Clone)]
pub(crate) struct InstallationToken {
    pub(crate) token: SecretString,
    pub(crate) expires_at: SystemTime,
}

#[derive(serde::Deserialize)]
struct Body {
    token: String,
    expires_at: String,
}

/// Asks GitHub for an installation token.
///
/// # Errors
/// Classified for the user: a rejected JWT (wrong app id or key), an unknown installation, ...
pub(crate) async fn request(
    http: &Http,
    jwt: &SecretString,
    app_id: &str,
    installation_id: u64,
) -> Result<InstallationToken, SourceError> {
    let what = format!("minting an installation token for GitHub App {app_id}");
    let url = http.api_url(&[
        "app",
        "installations",
        &installation_id.to_string(),
        "access_tokens",
    ]);
    let answer = http.send(http.post(url, jwt), &what).await?;
    if answer.status.is_success() {
        return parse(&answer, &what);
    }
    let said = match github_message(&answer.body) {
        message if message.is_empty() => String::new(),
        message => format!(" (GitHub said: {message:?})"),
    };
    let code = answer.status.as_u16();
    Err(match answer.status {
        StatusCode::UNAUTHORIZED => SourceError::Unauthorized {
            message: format!(
                "{what}: the app's JWT was rejected; check the app id and that the private key \
                 belongs to this app{said}"
            ),
        },
        StatusCode::FORBIDDEN => SourceError::Forbidden {
            message: format!(
                "{what}: installation {installation_id} may not create tokens (suspended?){said}"
            ),
        },
        StatusCode::NOT_FOUND => SourceError::NotFound {
            message: format!(
                "{what}: no installation {installation_id} of this app (is the app installed \
                 on the organization or repository?){said}"
            ),
        },
        status if status.is_server_error() => SourceError::Unavailable {
            message: format!("{what}: GitHub answered HTTP {code}{said}"),
        },
        _ => SourceError::InvalidResponse {
            message: format!("{what}: unexpected HTTP {code}{said}"),
        },
    })
}

fn parse(answer: &Answer, what: &str) -> Result<InstallationToken, SourceError> {
    let invalid = |detail: String| SourceError::InvalidResponse {
        message: format!("{what}: {detail}"),
    };
    let deserializer = &mut serde_json::Deserializer::from_slice(&answer.body);
    let body: Body = serde_path_to_error::deserialize(deserializer)
        .map_err(|error| invalid(format!("at `{}`: {}", error.path(), error.inner())))?;
    let expires_at = chrono::DateTime::parse_from_rfc3339(&body.expires_at)
        .map_err(|error| invalid(format!("at `expires_at`: not an RFC 3339 time ({error})")))?;
    let token = SecretString::from(body.token);
    if super::bearer_header(&token).is_none() {
        return Err(invalid(
            "at `token`: not a value an Authorization header can carry (token not shown)"
                .to_owned(),
        ));
    }
    Ok(InstallationToken {
        token,
        expires_at: SystemTime::from(expires_at.with_timezone(&chrono::Utc)),
    })
}
