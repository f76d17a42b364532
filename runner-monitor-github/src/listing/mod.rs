//! A complete listing of a scope's runners: every page in order, checked for consistency,
//! re-listed a bounded number of times when the runner set shifted while being paged.
//!
//! A pass reads page 1 and follows `rel="next"`. It is accepted when every page reports the same
//! `total_count`, no runner (id or name) appears twice, and the count matches. When the set of
//! runners differs from the scope's last accepted listing (or there is none) and there was more
//! than one page, the pages before the last are read again (conditionally: 304s) to prove none
//! shifted before the listing finished; otherwise a runner could slip between two pages unseen.

mod fetch;
mod fingerprints;
mod page;
mod snapshot;

use std::collections::HashSet;
use std::sync::Arc;

use runner_monitor_core::{Observation, Scope, SourceError};
use url::Url;

pub(crate) use fingerprints::Fingerprints;
pub(crate) use page::Page;

use crate::source::Inner;

/// The first page's URL: `{base}/repos/{owner}/{name}/actions/runners?per_page=100` and so on.
pub(crate) fn first_page_url(inner: &Inner, scope: &Scope) -> Url {
    let mut url = match scope {
        Scope::Repo { owner, name } => inner
            .http
            .api_url(&["repos", owner, name, "actions", "runners"]),
        Scope::Org(org) => inner.http.api_url(&["orgs", org, "actions", "runners"]),
        Scope::Enterprise(slug) => inner
            .http
            .api_url(&["enterprises", slug, "actions", "runners"]),
    };
    url.query_pairs_mut()
        .append_pair("per_page", &inner.config.per_page.to_string());
    url
}

/// Lists every runner of `scope`, or fails; never a partial list.
///
/// # Errors
/// Any [`SourceError`]; [`SourceError::Incomplete`] when the listing kept shifting.
pub(crate) async fn list(inner: &Inner, scope: &Scope) -> Result<Observation, SourceError> {
    let first = first_page_url(inner, scope);
    let attempts = inner.config.max_relists.saturating_add(1);
    let mut problem = String::new();
    for attempt in 1..=attempts {
        let pages = read_pass(inner, scope, &first).await?;
        let runners = match snapshot::check(&pages) {
            Ok(runners) => runners,
            Err(shift) => {
                tracing::debug!(%scope, attempt, %shift, "runner listing shifted; listing again");
                problem = shift;
                continue;
            }
        };
        let fingerprint = snapshot::fingerprint(&runners);
        let known = inner.fingerprints.get(scope) == Some(fingerprint);
        if pages.len() > 1
            && !known
            && let Some(shift) = verify(inner, scope, &pages).await?
        {
            tracing::debug!(%scope, attempt, %shift, "runner listing shifted; listing again");
            problem = shift;
            continue;
        }
        inner.fingerprints.insert(scope, fingerprint);
        return Ok(Observation { runners });
    }
    Err(SourceError::Incomplete {
        message: format!(
            "the runners of {scope} kept changing while being listed ({attempts} attempts, last: \
             {problem}); no runner is taken as missing, the next cycle lists again"
        ),
    })
}

/// One pass over every page, following `rel="next"`.
async fn read_pass(
    inner: &Inner,
    scope: &Scope,
    first: &Url,
) -> Result<Vec<(Url, Arc<Page>)>, SourceError> {
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    let mut url = first.clone();
    loop {
        let number = pages.len() + 1;
        let page = fetch::page(inner, scope, &url, number).await?;
        seen.insert(url.clone());
        let next = page.next.clone();
        pages.push((url, page));
        let Some(next) = next else {
            return Ok(pages);
        };
        let broken = if seen.contains(&next) {
            Some("the `link` header leads back to a page already read")
        } else if pages.len() >= inner.config.max_pages as usize {
            Some("the `link` header leads on past the page limit")
        } else {
            None
        };
        if let Some(broken) = broken {
            return Err(SourceError::InvalidResponse {
                message: format!("listing runners of {scope}: {broken} (page {number})"),
            });
        }
        url = next;
    }
}

/// Reads every page but the last again; `Some(problem)` if one changed.
async fn verify(
    inner: &Inner,
    scope: &Scope,
    pages: &[(Url, Arc<Page>)],
) -> Result<Option<String>, SourceError> {
    let Some((_, before_last)) = pages.split_last() else {
        return Ok(None);
    };
    for (index, (url, page)) in before_last.iter().enumerate() {
        let again = fetch::page(inner, scope, url, index + 1).await?;
        if again.total_count != page.total_count || again.runners != page.runners {
            return Ok(Some(format!(
                "page {} changed before the listing finished",
                index + 1
            )));
        }
    }
    Ok(None)
}
