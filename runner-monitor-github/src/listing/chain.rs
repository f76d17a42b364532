//! The reads of one listing, page by page, and the proof that they form a complete listing.
//!
//! Pages are read in *steps*: every request of a step is sent after every answer of the
//! previous step arrived, so GitHub produced each page of a step after each page of the steps
//! before. The proof ([`Chain::certify`]) takes the last page as the pivot: every other page
//! was read once before the pivot's latest read and once after it, with the same members (ids
//! and names), `total_count` and `next` both times. A runner that left while the listing was
//! read (its id never returns) or joined before the pivot's position changes the members of a
//! page read on both sides or the `total_count`; so when nothing changed, no runner that
//! existed throughout can have slipped between two pages, and none is listed twice. Statuses
//! come from each page's latest read.

use std::sync::Arc;

use runner_monitor_core::ObservedRunner;
use url::Url;

use super::page::Page;
use super::snapshot;

/// One read of a page: what it said and the step it was read in.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub(crate) page: Arc<Page>,
    pub(crate) step: u64,
}

/// One page of the listing: its URL and its two most recent reads.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) url: Url,
    pub(crate) earlier: Option<Read>,
    pub(crate) latest: Read,
}

/// The pages of a listing in order, as far as they are known.
#[derive(Debug, Default)]
pub(crate) struct Chain {
    pub(crate) slots: Vec<Slot>,
    step: u64,
}

impl Chain {
    /// Starts a new step (see the module documentation).
    pub(crate) fn next_step(&mut self) -> u64 {
        self.step += 1;
        self.step
    }

    /// Records a read of page `index` (0-based): a new page when `index` is one past the end.
    pub(crate) fn record(&mut self, index: usize, url: &Url, read: Read) {
        match self.slots.get_mut(index) {
            Some(slot) => slot.earlier = Some(std::mem::replace(&mut slot.latest, read)),
            None => self.slots.push(Slot {
                url: url.clone(),
                earlier: None,
                latest: read,
            }),
        }
    }

    /// Forgets the pages the latest reads no longer lead to (the fleet shrank by a page, or a
    /// `next` link changed), so the last page kept is the one to read next as the pivot.
    pub(crate) fn drop_unreachable(&mut self) {
        let keep = self
            .slots
            .windows(2)
            .position(|pair| pair[0].latest.page.next.as_ref() != Some(&pair[1].url))
            .map_or(self.slots.len(), |index| index + 1);
        self.slots.truncate(keep);
    }

    /// Each page's latest read, in order.
    pub(crate) fn latest(&self) -> Vec<Arc<Page>> {
        self.slots
            .iter()
            .map(|slot| Arc::clone(&slot.latest.page))
            .collect()
    }

    /// The listing, if the reads prove it complete (module documentation).
    ///
    /// # Errors
    /// What is not proven (a page that changed, a page not read on both sides of the pivot).
    pub(crate) fn certify(&self) -> Result<Vec<ObservedRunner>, String> {
        let Some((pivot, others)) = self.slots.split_last() else {
            return Ok(Vec::new());
        };
        if let Some(next) = &pivot.latest.page.next {
            return Err(format!(
                "page {} now links to a further page ({next})",
                self.slots.len()
            ));
        }
        let middle = pivot.latest.step;
        let total = pivot.latest.page.total_count;
        for (index, (slot, following)) in others.iter().zip(&self.slots[1..]).enumerate() {
            let number = index + 1;
            let Some(earlier) = slot
                .earlier
                .as_ref()
                .filter(|earlier| earlier.step < middle && slot.latest.step > middle)
            else {
                return Err(format!(
                    "page {number} was not read both before and after page {}",
                    self.slots.len()
                ));
            };
            for read in [earlier, &slot.latest] {
                if read.page.total_count != total {
                    return Err(format!(
                        "total_count went from {} on page {number} to {total} on page {}",
                        read.page.total_count,
                        self.slots.len()
                    ));
                }
            }
            if slot.latest.page.next.as_ref() != Some(&following.url) {
                return Err(format!("page {number} now links elsewhere"));
            }
            if !earlier.page.same_members(&slot.latest.page) {
                return Err(format!(
                    "the runners on page {number} changed while the listing was read"
                ));
            }
        }
        snapshot::check(&self.latest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_monitor_core::ListedStatus;

    fn url(page: usize) -> Url {
        Url::parse(&format!("http://127.0.0.1/r?page={page}")).expect("url")
    }

    /// A page of `ids` (names `r{id}`), busy or not, of `total`, linking to page `number + 1`
    /// unless it is the last of `pages`.
    fn page(number: usize, pages: usize, total: u64, ids: &[u64], busy: bool) -> Arc<Page> {
        Arc::new(Page {
            total_count: total,
            runners: ids
                .iter()
                .map(|id| ObservedRunner {
                    id: *id,
                    name: format!("r{id}"),
                    os: "linux".into(),
                    status: ListedStatus::Online,
                    busy,
                    labels: vec![],
                    ephemeral: false,
                    group_id: None,
                })
                .collect(),
            next: (number < pages).then(|| url(number + 1)),
        })
    }

    fn read(chain: &mut Chain, index: usize, page: Arc<Page>) {
        let step = chain.next_step();
        chain.record(index, &url(index + 1), Read { page, step });
    }

    /// Pass 1, 2, 3, then pages 1 and 2 again in one step.
    fn bracketed(second_1: Arc<Page>, second_2: Arc<Page>) -> Chain {
        let mut chain = Chain::default();
        read(&mut chain, 0, page(1, 3, 5, &[1, 2], false));
        read(&mut chain, 1, page(2, 3, 5, &[3, 4], false));
        read(&mut chain, 2, page(3, 3, 5, &[5], false));
        let step = chain.next_step();
        chain.record(
            0,
            &url(1),
            Read {
                page: second_1,
                step,
            },
        );
        chain.record(
            1,
            &url(2),
            Read {
                page: second_2,
                step,
            },
        );
        chain
    }

    #[test]
    fn a_bracketed_listing_is_certified_with_the_newest_statuses() {
        let chain = bracketed(page(1, 3, 5, &[1, 2], true), page(2, 3, 5, &[3, 4], true));
        let runners = chain.certify().expect("certified");
        assert_eq!(runners.len(), 5);
        assert!(
            runners[..4].iter().all(|r| r.busy),
            "pages 1 and 2 from the re-read"
        );
        assert!(!runners[4].busy);
    }

    #[test]
    fn membership_changes_are_not_certified() {
        let moved = bracketed(page(1, 3, 5, &[1, 3], false), page(2, 3, 5, &[4, 6], false));
        let error = moved.certify().expect_err("page 1 changed");
        assert!(error.contains("runners on page 1 changed"), "{error}");
        let grown = bracketed(page(1, 3, 6, &[1, 2], false), page(2, 3, 6, &[3, 4], false));
        let error = grown.certify().expect_err("total changed");
        assert!(error.contains("total_count went from 6"), "{error}");
    }

    #[test]
    fn a_page_read_only_on_one_side_is_not_enough() {
        let mut chain = Chain::default();
        read(&mut chain, 0, page(1, 2, 3, &[1, 2], false));
        read(&mut chain, 1, page(2, 2, 3, &[3], false));
        let error = chain.certify().expect_err("page 1 read once");
        assert!(error.contains("not read both before and after"), "{error}");
        // Re-read page 1 after page 2: certified. Then page 2 again: page 1's reads are both
        // before the new pivot read, no longer proof.
        read(&mut chain, 0, page(1, 2, 3, &[1, 2], false));
        assert!(chain.certify().is_ok());
        read(&mut chain, 1, page(2, 2, 3, &[3], false));
        assert!(chain.certify().is_err());
        // A single page proves itself.
        let mut single = Chain::default();
        read(&mut single, 0, page(1, 1, 1, &[1], false));
        assert_eq!(single.certify().map(|r| r.len()), Ok(1));
    }

    #[test]
    fn pages_no_longer_linked_are_dropped() {
        let mut chain = bracketed(page(1, 3, 5, &[1, 2], false), page(2, 2, 4, &[3, 4], false));
        chain.drop_unreachable();
        assert_eq!(chain.slots.len(), 2, "page 2 is now the last");
        let mut chain = bracketed(page(1, 3, 5, &[1, 2], false), page(2, 3, 5, &[3, 4], false));
        chain.drop_unreachable();
        assert_eq!(chain.slots.len(), 3);
    }
}
