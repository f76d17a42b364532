//! The runners endpoints: auth, faults, the rate-limit budget, pagination, ETags and 304s.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use runner_monitor_core::Scope;

use super::faults::{self, FaultKind};
use super::render;
use super::state::{State, lock};

/// `per_page` and `page` of a listing request.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    per_page: Option<usize>,
    page: Option<usize>,
}

/// Answers one listing request and counts it.
pub(crate) async fn serve(
    state: Arc<State>,
    scope: Scope,
    query: ListQuery,
    headers: HeaderMap,
) -> Response {
    let _flight = state.enter();
    let conditional = headers.contains_key(header::IF_NONE_MATCH);
    let page = query.page.unwrap_or(1).max(1);
    state.churn();
    let response = answer(&state, &scope, &query, page, &headers).await;
    let latency = state.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    state.count(response.status(), true, conditional);
    state.run_hooks(&scope, page);
    response
}

fn response(status: StatusCode, extra: Vec<(&'static str, String)>, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

fn message(text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "message": text,
        "documentation_url": "https://docs.github.com/rest/actions/self-hosted-runners",
    }))
    .unwrap_or_default()
}

/// The budget's headers (empty when the fake sends none), after rolling the window.
fn rate_headers(state: &State) -> Vec<(&'static str, String)> {
    let mut budget = lock(&state.budget);
    match budget.as_mut() {
        Some(budget) => {
            budget.roll(SystemTime::now());
            budget.headers().into()
        }
        None => Vec::new(),
    }
}

/// Whether the budget is used up (no budget: never).
fn exhausted(state: &State) -> bool {
    let mut budget = lock(&state.budget);
    budget.as_mut().is_some_and(|budget| {
        budget.roll(SystemTime::now());
        budget.remaining == 0
    })
}

/// Spends one request of the budget.
fn spend(state: &State) {
    if let Some(budget) = lock(&state.budget).as_mut() {
        budget.remaining = budget.remaining.saturating_sub(1);
    }
}

fn fault_response(state: &State, kind: &FaultKind) -> Option<Response> {
    match kind {
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = match status {
                StatusCode::UNAUTHORIZED => "Bad credentials",
                StatusCode::FORBIDDEN => "Resource not accessible by personal access token",
                StatusCode::NOT_FOUND => "Not Found",
                _ => "Server Error",
            };
            Some(response(status, rate_headers(state), message(text)))
        }
        FaultKind::RateLimited {
            status,
            retry_after,
            reset_in,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
            let mut headers = rate_headers(state);
            if let Some(reset_in) = reset_in {
                let reset = (SystemTime::now() + *reset_in)
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                headers.retain(|(name, _)| {
                    !matches!(*name, "x-ratelimit-remaining" | "x-ratelimit-reset")
                });
                headers.push(("x-ratelimit-remaining", "0".into()));
                headers.push(("x-ratelimit-reset", reset.to_string()));
            }
            if let Some(seconds) = retry_after {
                headers.push(("retry-after", seconds.to_string()));
            }
            let text = if reset_in.is_some() {
                "API rate limit exceeded for installation."
            } else {
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
            };
            Some(response(status, headers, message(text)))
        }
        FaultKind::Slow(_) | FaultKind::MalformedJson | FaultKind::MissingField(_) => None,
    }
}

async fn answer(
    state: &State,
    scope: &Scope,
    query: &ListQuery,
    page: usize,
    headers: &HeaderMap,
) -> Response {
    if !state.authorized(headers) {
        return response(
            StatusCode::UNAUTHORIZED,
            Vec::new(),
            message("Bad credentials"),
        );
    }
    let fault = faults::take(&mut lock(&state.faults), scope, page);
    if let Some(FaultKind::Slow(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    if let Some(response) = fault.as_ref().and_then(|kind| fault_response(state, kind)) {
        spend(state);
        return response;
    }
    if exhausted(state) {
        return response(
            StatusCode::FORBIDDEN,
            rate_headers(state),
            message(
                "API rate limit exceeded for user. (But here's the good news: Authenticated requests get a higher rate limit.)",
            ),
        );
    }
    let per_page = query
        .per_page
        .unwrap_or(state.default_per_page)
        .clamp(1, 100);
    let rendered = {
        let fleet = lock(&state.fleet);
        fleet.runners(scope).map(|runners| {
            let last = runners.len().div_ceil(per_page).max(1);
            let start = (page - 1).saturating_mul(per_page).min(runners.len());
            let end = start.saturating_add(per_page).min(runners.len());
            let missing = match &fault {
                Some(FaultKind::MissingField(field)) => Some(field.as_str()),
                _ => None,
            };
            (
                render::page_body(runners.len(), &runners[start..end], missing),
                last,
            )
        })
    };
    let Some((mut body, last)) = rendered else {
        spend(state);
        return response(
            StatusCode::NOT_FOUND,
            rate_headers(state),
            message("Not Found"),
        );
    };
    if matches!(fault, Some(FaultKind::MalformedJson)) {
        spend(state);
        body.truncate(body.len() / 2);
        return response(StatusCode::OK, rate_headers(state), body);
    }
    // GitHub's ETags depend on the token (`Vary: Authorization`): another token's never match.
    let etag = render::etag(State::bearer(headers).unwrap_or_default(), &body);
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|wanted| render::etag_matches(wanted, &etag));
    if !not_modified {
        spend(state);
    }
    let mut extra = rate_headers(state);
    extra.push(("etag", etag));
    if let Some(link) = render::link_header(state.base_url(), scope, per_page, page, last) {
        extra.push(("link", link));
    }
    if not_modified {
        // 304s are free: nothing was spent.
        return response(StatusCode::NOT_MODIFIED, extra, Vec::new());
    }
    response(StatusCode::OK, extra, body)
}
