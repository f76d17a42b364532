//! The status page and its JSON API, served on the daemon's `[http]` listener next to
//! `/healthz`:
//!
//! | route | what |
//! |---|---|
//! | `GET /` | every scope with its runners, open outages first, a 30-day uptime bar per runner |
//! | `GET /runner?scope=S&name=N` | one runner with its outage history |
//! | `GET /api/v1/status` | the page's data as JSON |
//! | `GET /api/v1/uptime?since=30d` | uptime, outages and MTTR per runner, label and scope |
//!
//! Each request reads the store afresh: per scope one `load` and one `outages_between` (the
//! runner page adds one `outages`). `[status_page]` configures refresh and credentials.

pub mod api;
mod auth;
mod bar;
pub mod format;
pub mod gather;
pub mod html;
pub mod report;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use runner_monitor_core::{Pool, Scope, Silence, Store};
use serde::Deserialize;

pub use auth::StatusAuth;
pub use gather::{Fleet, Silencing};

use crate::host::build::Host;

/// The page's default window: 30 days.
pub const DEFAULT_SINCE: Duration = Duration::from_secs(30 * 86_400);

/// The fleet a host's configuration describes, as of `now` over `since`: its scopes, with the
/// configured and stored silences left out of uptime (what `daemon --report` prints; the report
/// shows no pools, so none are read).
pub async fn fleet_of(
    store: &dyn Store,
    config: &crate::host::config::Config,
    now: runner_monitor_core::Timestamp,
    since: Duration,
) -> Fleet {
    let silencing = Silencing::read(
        store,
        config.policy.silences.clone(),
        config.policy.pools.clone(),
    )
    .await;
    Fleet::gather(
        store,
        &config.github.scopes,
        now,
        since,
        config.policy.history_ttl,
        &silencing,
    )
    .await
}

/// What the status routes serve from.
#[derive(Debug, Clone)]
pub struct StatusPage {
    store: Arc<dyn Store>,
    scopes: Vec<Scope>,
    history_ttl: Duration,
    refresh: Duration,
    auth: Option<Arc<StatusAuth>>,
    pools: Vec<Pool>,
    silences: Vec<Silence>,
}

impl StatusPage {
    /// A page over `scopes` of `store`; no credentials, refreshing every minute.
    pub fn new(store: Arc<dyn Store>, scopes: Vec<Scope>, history_ttl: Duration) -> Self {
        StatusPage {
            store,
            scopes,
            history_ttl,
            refresh: Duration::from_secs(60),
            auth: None,
            pools: Vec::new(),
            silences: Vec::new(),
        }
    }

    /// The configured silences (`[[policy.silences]]`); the stored ones are read with each
    /// page. Time under a silence is uptime's `silenced`, not `down`.
    pub fn silences(mut self, silences: Vec<Silence>) -> Self {
        self.silences = silences;
        self
    }

    /// Show these capacity pools (`[[policy.pools]]`) against their floors.
    pub fn pools(mut self, pools: Vec<Pool>) -> Self {
        self.pools = pools;
        self
    }

    /// The page of a host: its store, scopes, `history_ttl` and `[status_page]` settings.
    pub fn for_host(host: &Host) -> Self {
        let config = &host.config;
        StatusPage::new(
            Arc::clone(&host.store),
            config.github.scopes.clone(),
            config.policy.history_ttl,
        )
        .refresh(config.status_page.refresh)
        .auth(host.status_auth.clone())
        .pools(config.policy.pools.clone())
        .silences(config.policy.silences.clone())
    }

    /// Reload the page this often.
    pub fn refresh(mut self, every: Duration) -> Self {
        self.refresh = every;
        self
    }

    /// Require these credentials (`None`: open).
    pub fn auth(mut self, auth: Option<Arc<StatusAuth>>) -> Self {
        self.auth = auth;
        self
    }

    async fn fleet(&self, since: Duration) -> Fleet {
        Fleet::gather(
            self.store.as_ref(),
            &self.scopes,
            chrono::Utc::now(),
            since,
            self.history_ttl,
            &self.silencing().await,
        )
        .await
        .with_pools(self.store.as_ref(), &self.pools)
        .await
    }

    /// The silences uptime leaves out: the configured ones and the stored ones (one read).
    async fn silencing(&self) -> Silencing {
        Silencing::read(
            self.store.as_ref(),
            self.silences.clone(),
            self.pools.clone(),
        )
        .await
    }

    /// A 401 answer unless the request carries the configured credentials.
    fn deny(&self, headers: &HeaderMap) -> Option<Response> {
        match &self.auth {
            Some(auth) if !auth.allows(headers) => {
                let mut response =
                    (StatusCode::UNAUTHORIZED, "authentication required\n").into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(auth.challenge()),
                );
                Some(response)
            }
            _ => None,
        }
    }
}

/// The routes: `/`, `/runner`, `/api/v1/status`, `/api/v1/uptime`. Merge it into the daemon's
/// router.
pub fn router(page: StatusPage) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/runner", get(runner))
        .route("/api/v1/status", get(status))
        .route("/api/v1/uptime", get(uptime))
        .with_state(Arc::new(page))
}

type Page = State<Arc<StatusPage>>;

/// No script may run, nothing is loaded from elsewhere; inline style only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

fn html(code: StatusCode, body: String) -> Response {
    (
        code,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

fn json(code: StatusCode, body: serde_json::Value) -> Response {
    (
        code,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}

async fn index(State(page): Page, headers: HeaderMap) -> Response {
    if let Some(denied) = page.deny(&headers) {
        return denied;
    }
    let fleet = page.fleet(DEFAULT_SINCE).await;
    html(StatusCode::OK, html::fleet(&fleet, page.refresh))
}

#[derive(Debug, Deserialize)]
struct RunnerQuery {
    scope: Option<String>,
    name: Option<String>,
}

async fn runner(
    State(page): Page,
    headers: HeaderMap,
    Query(query): Query<RunnerQuery>,
) -> Response {
    if let Some(denied) = page.deny(&headers) {
        return denied;
    }
    let (Some(scope), Some(name)) = (query.scope, query.name) else {
        return html(
            StatusCode::BAD_REQUEST,
            html::not_found("Which runner? Use /runner?scope=owner/repo&name=runner-name."),
        );
    };
    let Some(scope) = scope
        .parse::<Scope>()
        .ok()
        .filter(|s| page.scopes.contains(s))
    else {
        return html(
            StatusCode::NOT_FOUND,
            html::not_found(&format!("`{scope}` is not a watched scope.")),
        );
    };
    let fleet = Fleet::gather(
        page.store.as_ref(),
        std::slice::from_ref(&scope),
        chrono::Utc::now(),
        DEFAULT_SINCE,
        page.history_ttl,
        &page.silencing().await,
    )
    .await;
    let Some(view) = fleet.scopes.first() else {
        return html(StatusCode::NOT_FOUND, html::not_found("no such scope"));
    };
    if let Some(error) = &view.error {
        return html(
            StatusCode::SERVICE_UNAVAILABLE,
            html::not_found(&format!("The store cannot be read: {error}")),
        );
    }
    let Some(runner) = view.runners.iter().find(|r| r.record.name == name) else {
        return html(
            StatusCode::NOT_FOUND,
            html::not_found(&format!("No runner `{name}` in {scope}.")),
        );
    };
    match page.store.outages(&scope, &name, 200).await {
        Ok(history) => html(
            StatusCode::OK,
            html::runner(&fleet, &scope, runner, &history, page.refresh),
        ),
        Err(error) => html(
            StatusCode::SERVICE_UNAVAILABLE,
            html::not_found(&format!("The store cannot be read: {error}")),
        ),
    }
}

async fn status(State(page): Page, headers: HeaderMap) -> Response {
    if let Some(denied) = page.deny(&headers) {
        return denied;
    }
    let fleet = page.fleet(DEFAULT_SINCE).await;
    json(StatusCode::OK, api::status(&fleet))
}

#[derive(Debug, Deserialize)]
struct UptimeQuery {
    since: Option<String>,
}

async fn uptime(
    State(page): Page,
    headers: HeaderMap,
    Query(query): Query<UptimeQuery>,
) -> Response {
    if let Some(denied) = page.deny(&headers) {
        return denied;
    }
    let text = query.since.unwrap_or_else(|| "30d".to_owned());
    let since = match api::parse_since(&text) {
        Ok(since) => since,
        Err(error) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": error }),
            );
        }
    };
    let fleet = page.fleet(since).await;
    json(StatusCode::OK, api::uptime_report(&fleet, &text))
}
