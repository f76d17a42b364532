//! The HTTP endpoints: `/healthz`, `/metrics`, `/slack/commands` and `/slack/interactions`.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use runner_monitor_slack::SlashCommands;
use tokio::net::TcpListener;

use super::health::Health;

/// What the endpoints serve from.
#[derive(Debug, Clone)]
pub struct HttpState {
    /// Cycle health for `/healthz`.
    pub health: Health,
    /// The Prometheus recorder for `/metrics` (404 without one).
    pub metrics: Option<PrometheusHandle>,
    /// The slash-command handler for `/slack/commands` (404 without one).
    pub slash: Option<Arc<SlashCommands>>,
}

/// The router: `GET /healthz`, `GET /metrics`, `POST /slack/commands`,
/// `POST /slack/interactions`.
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/slack/commands", post(slack_commands))
        .route("/slack/interactions", post(slack_interactions))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish.
///
/// # Errors
/// The server failed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz(State(state): State<HttpState>) -> Response {
    let status = state.health.status();
    let code = if status.healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(status.body)).into_response()
}

async fn metrics(State(state): State<HttpState>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            super::metrics::render(handle),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled\n").into_response(),
    }
}

async fn slack_commands(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(slash) = &state.slash else {
        return not_configured();
    };
    let answer = slash.handle(&headers, &body, chrono::Utc::now()).await;
    slack_answer(answer)
}

/// Button clicks on alert messages (the Slack app's interactivity Request URL).
async fn slack_interactions(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(slash) = &state.slash else {
        return not_configured();
    };
    let answer = slash
        .handle_interaction(&headers, &body, chrono::Utc::now())
        .await;
    slack_answer(answer)
}

fn not_configured() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({ "error": "slash commands are not configured" })),
    )
        .into_response()
}

fn slack_answer(answer: runner_monitor_slack::SlashResponse) -> Response {
    let code = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        [(header::CONTENT_TYPE, answer.content_type())],
        answer.body_bytes(),
    )
        .into_response()
}
