//! `POST /app/installations/{id}/access_tokens`: the JWT is checked like GitHub does.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::state::{State, lock};

pub(crate) async fn mint(
    Extract(state): Extract<Arc<State>>,
    Path(installation): Path<String>,
    headers: HeaderMap,
) -> Response {
    let response = answer(&state, &installation, &headers);
    let latency = state.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    state.count(response.status(), false, false);
    response
}

fn refusal(status: u16, text: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
    (status, Json(json!({"message": text}))).into_response()
}

fn answer(state: &State, installation: &str, headers: &HeaderMap) -> Response {
    let Ok(installation_id) = installation.parse::<u64>() else {
        return refusal(404, "Not Found");
    };
    let jwt = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(jwt) = jwt else {
        return refusal(401, "A JSON web token could not be decoded");
    };
    match lock(&state.apps).mint(installation_id, jwt, state.now()) {
        Ok((token, expires_at)) => {
            let expires_at = chrono::DateTime::<chrono::Utc>::from(expires_at)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            (
                StatusCode::CREATED,
                Json(json!({
                    "token": token,
                    "expires_at": expires_at,
                    "permissions": {"organization_self_hosted_runners": "read", "administration": "read"},
                    "repository_selection": "all",
                })),
            )
                .into_response()
        }
        Err((status, text)) => refusal(status, &text),
    }
}
