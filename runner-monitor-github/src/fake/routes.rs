//! The fake's routes, optionally below a path prefix (`/api/v3` like GitHub Enterprise Server).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use runner_monitor_core::Scope;

use super::listing::{ListQuery, serve};
use super::state::State;
use super::tokens;

async fn repo(
    Extract(state): Extract<Arc<State>>,
    Path((owner, name)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Response {
    serve(state, Scope::repo(owner, name), query, headers).await
}

async fn org(
    Extract(state): Extract<Arc<State>>,
    Path(org): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Response {
    serve(state, Scope::org(org), query, headers).await
}

async fn enterprise(
    Extract(state): Extract<Arc<State>>,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Response {
    serve(state, Scope::enterprise(slug), query, headers).await
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"message": "Not Found"})),
    )
        .into_response()
}

pub(crate) fn router(state: Arc<State>, prefix: &str) -> Router {
    let api = Router::new()
        .route("/repos/{owner}/{name}/actions/runners", get(repo))
        .route("/orgs/{org}/actions/runners", get(org))
        .route("/enterprises/{slug}/actions/runners", get(enterprise))
        .route("/app/installations/{id}/access_tokens", post(tokens::mint))
        .with_state(state);
    if prefix.is_empty() {
        api.fallback(not_found)
    } else {
        Router::new().nest(prefix, api).fallback(not_found)
    }
}
