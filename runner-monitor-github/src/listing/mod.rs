//! A complete listing of a scope's runners: every page in order, proven consistent on runner
//! identity, with a bounded number of re-reads when the membership shifted while being paged.
//!
//! 1. **Pass**: page 1, then each `rel="next"` in turn. A one-page listing, or a consistent pass
//!    (one `total_count`, no id or name twice, the count matches) whose runner set equals the
//!    scope's last accepted listing, is accepted as it is.
//! 2. **Heads**: every page but the last is read again, all at once (bounded by the source's
//!    concurrency limit; conditional, so unchanged pages are free 304s). The listing is accepted
//!    when each of those pages has the same members (ids, names), `total_count` and `next` as
//!    before the last page was read ([`chain`] explains why that proves it). Busy flags and
//!    statuses are not compared: they change constantly in a busy fleet; each runner's comes
//!    from the newest read of its page.
//! 3. **Relist** (at most `max_relists` times): the last page is read again (following `next`
//!    if the fleet grew by a page), then the heads again; accepted as in 2. A relist spans two
//!    requests' time however many pages there are (up to the concurrency limit), so a fleet
//!    changing once a second is still caught within a few relists.
//!
//! Then [`SourceError::Incomplete`]: never a partial list.

mod chain;
mod fetch;
mod fingerprints;
mod page;
mod snapshot;

use runner_monitor_core::{Observation, ObservedRunner, Scope, SourceError};
use url::Url;

use chain::{Chain, Read};
pub(crate) use fingerprints::Fingerprints;
pub(crate) use page::Page;

use crate::source::Inner;

/// The first page's URL: `{base}/repos/{owner}/{name}/actions/runners?per_page=100` and so on.
///
/// # Errors
/// [`SourceError::NotFound`] for a pool (`pool:NAME`): the monitor's own scope, never listed.
pub(crate) fn first_page_url(inner: &Inner, scope: &Scope) -> Result<Url, SourceError> {
    let mut url = match scope {
        Scope::Repo { owner, name } => inner
            .http
            .api_url(&["repos", owner, name, "actions", "runners"]),
        Scope::Org(org) => inner.http.api_url(&["orgs", org, "actions", "runners"]),
        Scope::Enterprise(slug) => inner
            .http
            .api_url(&["enterprises", slug, "actions", "runners"]),
        Scope::Pool(_) => {
            return Err(SourceError::NotFound {
                message: format!(
                    "{scope} is a capacity pool of the policy, not a GitHub scope: never listed"
                ),
            });
        }
    };
    url.query_pairs_mut()
        .append_pair("per_page", &inner.config.per_page.to_string());
    Ok(url)
}

/// Lists every runner of `scope`, or fails; never a partial list.
///
/// # Errors
/// Any [`SourceError`]; [`SourceError::Incomplete`] when the listing kept shifting.
pub(crate) async fn list(inner: &Inner, scope: &Scope) -> Result<Observation, SourceError> {
    let mut chain = Chain::default();
    follow(inner, scope, &mut chain, 0, first_page_url(inner, scope)?).await?;
    if let Ok(runners) = snapshot::check(&chain.latest()) {
        let known = inner.fingerprints.get(scope) == Some(snapshot::fingerprint(&runners));
        if chain.slots.len() == 1 || known {
            return Ok(accept(inner, scope, runners));
        }
    }
    let mut relists = 0;
    loop {
        read_heads(inner, scope, &mut chain).await?;
        let problem = match chain.certify() {
            Ok(runners) => return Ok(accept(inner, scope, runners)),
            Err(problem) => problem,
        };
        if relists == inner.config.max_relists {
            return Err(SourceError::Incomplete {
                message: format!(
                    "the runners of {scope} kept changing while being listed ({relists} \
                     re-reads, last: {problem}); no runner is taken as missing, the next cycle \
                     lists again"
                ),
            });
        }
        relists += 1;
        tracing::debug!(%scope, relists, %problem, "runner listing shifted; reading again");
        read_tail(inner, scope, &mut chain).await?;
        if chain.slots.len() == 1
            && let Ok(runners) = chain.certify()
        {
            return Ok(accept(inner, scope, runners));
        }
    }
}

/// Remembers the accepted runner set (a later pass with the same set needs no re-check).
fn accept(inner: &Inner, scope: &Scope, runners: Vec<ObservedRunner>) -> Observation {
    inner
        .fingerprints
        .insert(scope, snapshot::fingerprint(&runners));
    Observation { runners }
}

/// Reads page `index` (0-based) at `url`, then each `next` in turn, one step per page.
async fn follow(
    inner: &Inner,
    scope: &Scope,
    chain: &mut Chain,
    mut index: usize,
    mut url: Url,
) -> Result<(), SourceError> {
    loop {
        let page = fetch::page(inner, scope, &url, index + 1).await?;
        let step = chain.next_step();
        let next = page.next.clone();
        chain.record(index, &url, Read { page, step });
        let Some(next) = next else {
            chain.slots.truncate(index + 1);
            return Ok(());
        };
        index += 1;
        let broken = if chain.slots[..index].iter().any(|slot| slot.url == next) {
            Some("the `link` header leads back to a page already read")
        } else if index >= inner.config.max_pages as usize {
            Some("the `link` header leads on past the page limit")
        } else {
            None
        };
        if let Some(broken) = broken {
            return Err(SourceError::InvalidResponse {
                message: format!("listing runners of {scope}: {broken} (page {index})"),
            });
        }
        // A page at another URL than before: what was known from there on is stale.
        if chain.slots.get(index).is_some_and(|slot| slot.url != next) {
            chain.slots.truncate(index);
        }
        url = next;
    }
}

/// Reads every page but the last again, all in one step.
async fn read_heads(inner: &Inner, scope: &Scope, chain: &mut Chain) -> Result<(), SourceError> {
    let heads: Vec<Url> = match chain.slots.split_last() {
        Some((_, heads)) if !heads.is_empty() => {
            heads.iter().map(|slot| slot.url.clone()).collect()
        }
        _ => return Ok(()),
    };
    let pages = futures::future::try_join_all(
        heads
            .iter()
            .enumerate()
            .map(|(index, url)| fetch::page(inner, scope, url, index + 1)),
    )
    .await?;
    let step = chain.next_step();
    for (index, (url, page)) in heads.iter().zip(pages).enumerate() {
        chain.record(index, url, Read { page, step });
    }
    Ok(())
}

/// Reads the last page still linked again, and any page it now leads to.
async fn read_tail(inner: &Inner, scope: &Scope, chain: &mut Chain) -> Result<(), SourceError> {
    chain.drop_unreachable();
    let (index, url) = match chain.slots.last() {
        Some(last) => (chain.slots.len() - 1, last.url.clone()),
        None => (0, first_page_url(inner, scope)?),
    };
    follow(inner, scope, chain, index, url).await
}
