//! Reading one page: conditional on the remembered `etag`, with one retry on 401 when the App
//! token can be minted again.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::ETAG;
use runner_monitor_core::{Scope, SourceError};
use url::Url;

use super::page::{self, Page};
use crate::errors::{from_status, github_message};
use crate::source::Inner;

/// Page `number` of `scope` at `url`: from GitHub (200), or remembered (304).
///
/// # Errors
/// Classified [`SourceError`]s.
pub(crate) async fn page(
    inner: &Inner,
    scope: &Scope,
    url: &Url,
    number: usize,
) -> Result<Arc<Page>, SourceError> {
    let what = format!("listing runners of {scope} (page {number})");
    let cached = inner.pages.get(url.as_str());
    let etag = cached.as_ref().map(|(etag, _)| etag.as_str());
    let mut retried = false;
    loop {
        let bearer = inner.auth.bearer(&inner.http).await?;
        let request = inner.http.get(url.clone(), &bearer, etag);
        let answer = inner.http.send(request, &what).await?;
        match answer.status {
            StatusCode::NOT_MODIFIED => {
                return cached
                    .map(|(_, page)| page)
                    .ok_or_else(|| SourceError::InvalidResponse {
                        message: format!(
                            "{what}: 304 Not Modified to a request that was not conditional"
                        ),
                    });
            }
            StatusCode::UNAUTHORIZED if !retried && inner.auth.rejected(&bearer).await => {
                tracing::debug!(%scope, "token rejected before its time; minting a new one");
                retried = true;
            }
            status if status.is_success() => {
                let page = Arc::new(page::parse(&answer, inner.http.base(), url, &what)?);
                match answer.headers.get(ETAG).and_then(|etag| etag.to_str().ok()) {
                    Some(etag) => {
                        inner
                            .pages
                            .insert(url.as_str(), etag.to_owned(), Arc::clone(&page))
                    }
                    None => inner.pages.remove(url.as_str()),
                }
                return Ok(page);
            }
            status => return Err(from_status(status, scope, &github_message(&answer.body))),
        }
    }
}
