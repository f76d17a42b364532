//! Checking that a pass's pages form one consistent listing.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use runner_monitor_core::ObservedRunner;

use super::page::Page;

/// The pass's runners if the pages agree; otherwise what shifted.
///
/// # Errors
/// A description of the inconsistency (it is a shift, re-listing may fix it).
pub(crate) fn check(pages: &[Arc<Page>]) -> Result<Vec<ObservedRunner>, String> {
    let Some(first) = pages.first() else {
        return Ok(Vec::new());
    };
    let total = first.total_count;
    let mut runners = Vec::with_capacity(usize::try_from(total).unwrap_or(0).min(1 << 20));
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for (index, page) in pages.iter().enumerate() {
        if page.total_count != total {
            return Err(format!(
                "total_count went from {total} on page 1 to {} on page {}",
                page.total_count,
                index + 1
            ));
        }
        for runner in &page.runners {
            if !ids.insert(runner.id) {
                return Err(format!("runner id {} listed twice", runner.id));
            }
            if !names.insert(runner.name.as_str()) {
                return Err(format!("runner `{}` listed twice", runner.name));
            }
            runners.push(runner.clone());
        }
    }
    if runners.len() as u64 != total {
        return Err(format!(
            "{} runners listed but total_count says {total}",
            runners.len()
        ));
    }
    Ok(runners)
}

/// A fingerprint of the set of runner ids (order-independent).
pub(crate) fn fingerprint(runners: &[ObservedRunner]) -> u64 {
    let mut ids: Vec<u64> = runners.iter().map(|runner| runner.id).collect();
    ids.sort_unstable();
    let mut hasher = DefaultHasher::new();
    ids.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_monitor_core::ListedStatus;

    fn runner(id: u64, name: &str) -> ObservedRunner {
        ObservedRunner {
            id,
            name: name.into(),
            os: "linux".into(),
            status: ListedStatus::Online,
            busy: false,
            labels: vec![],
            ephemeral: false,
            group_id: None,
        }
    }

    fn pages(total: &[u64], runners: &[&[(u64, &str)]]) -> Vec<Arc<Page>> {
        total
            .iter()
            .zip(runners)
            .map(|(total, list)| {
                let page = Page {
                    total_count: *total,
                    runners: list.iter().map(|(id, name)| runner(*id, name)).collect(),
                    next: None,
                };
                Arc::new(page)
            })
            .collect()
    }

    #[test]
    fn accepts_a_consistent_listing() {
        let ok = pages(&[3, 3], &[&[(1, "a"), (2, "b")], &[(3, "c")]]);
        assert_eq!(check(&ok).map(|r| r.len()), Ok(3));
        assert_eq!(check(&[]), Ok(vec![]));
    }

    #[test]
    fn rejects_shifts() {
        let duplicate = pages(&[3, 3], &[&[(1, "a"), (2, "b")], &[(2, "b")]]);
        assert!(check(&duplicate).expect_err("dup").contains("listed twice"));
        let renamed = pages(&[2, 2], &[&[(1, "a")], &[(5, "a")]]);
        assert!(
            check(&renamed)
                .expect_err("dup name")
                .contains("`a` listed twice")
        );
        let total = pages(&[3, 2], &[&[(1, "a"), (2, "b")], &[(4, "d")]]);
        assert!(
            check(&total)
                .expect_err("total")
                .contains("total_count went from 3")
        );
        let short = pages(&[4, 4], &[&[(1, "a"), (2, "b")], &[(4, "d")]]);
        assert!(
            check(&short)
                .expect_err("count")
                .contains("3 runners listed")
        );
    }

    #[test]
    fn fingerprint_ignores_order_but_not_membership() {
        let a = [runner(1, "a"), runner(2, "b")];
        let b = [runner(2, "b"), runner(1, "a")];
        let c = [runner(1, "a"), runner(3, "c")];
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }
}
