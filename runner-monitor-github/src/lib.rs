//! # runner-monitor-github
//!
//! [`GitHubSource`]: a [`RunnerSource`](runner_monitor_core::RunnerSource) over the GitHub REST
//! API (github.com, GitHub Enterprise Server, or a loopback fake).
//!
//! - **Complete listings**: `per_page=100`, the `link` header's `rel="next"` is followed, and
//!   consistency across pages is judged on runner identity (ids and names per page,
//!   `total_count`), never on busy/status, which come from the newest read. A listing whose
//!   membership shifted while being paged is re-read a bounded number of times (the last page,
//!   then the others at once), then reported as
//!   [`SourceError::Incomplete`](runner_monitor_core::SourceError::Incomplete). Never a partial
//!   list.
//! - **Conditional requests**: every page's `etag` and parsed body are kept in a bounded cache; a
//!   `304 Not Modified` reuses them, so a steady-state cycle costs only 304s (free of GitHub's
//!   rate limit). ETags belong to the token: after an App token refresh every page is a 200
//!   once.
//! - **Rate limits**: `x-ratelimit-*` is read on every response ([`GitHubSource::rate_limit`] and
//!   the `runner_monitor_github_rate_limit_*` gauges); a limited answer (403/429) closes the gate
//!   until `retry-after`, the reset time, or an exponentially growing 60 s floor, and until then
//!   `observe` answers at once without sending anything. Concurrent requests are bounded.
//! - **Auth**: a token ([`Credentials::token`]) or a GitHub App installation
//!   ([`Credentials::app`], RS256 JWT, installation token cached and refreshed before expiry,
//!   one refresh at a time). Secrets never reach `Debug`, logs or errors.
//! - Feature `fake`: [`fake::FakeGitHub`], a stateful runners API on `127.0.0.1:0`.
//!
//! ```no_run
//! use runner_monitor_core::{RunnerSource, Scope};
//! use runner_monitor_github::{Credentials, GitHubSource};
//! use secrecy::SecretString;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let source = GitHubSource::builder()
//!     .credentials(Credentials::token(SecretString::from("ghp_...")))
//!     .build()?;
//! let observation = source.observe(&Scope::org("acme")).await?;
//! println!("{} runners", observation.runners.len());
//! # Ok(()) }
//! ```

mod auth;
mod builder;
mod client;
mod clock;
mod config;
mod errors;
mod etag_cache;
mod listing;
mod pagination;
mod rate_limit;
mod source;

#[cfg(feature = "fake")]
pub mod fake;

pub use auth::Credentials;
pub use builder::{BuildError, GitHubSourceBuilder};
pub use clock::{Clock, SystemClock};
pub use config::{DEFAULT_BASE_URL, Defaults};
pub use rate_limit::RateLimitStatus;
pub use source::GitHubSource;
