//! Request counters, so tests and benches can count round trips and writes.

use std::sync::atomic::{AtomicU64, Ordering};

/// The emulator's RPC methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// `stately.auth.AuthService/GetAuthToken`.
    GetAuthToken,
    /// `DatabaseService/Put`.
    Put,
    /// `DatabaseService/Get`.
    Get,
    /// `DatabaseService/Delete`.
    Delete,
    /// `DatabaseService/BeginList`.
    BeginList,
    /// `DatabaseService/ContinueList`.
    ContinueList,
    /// `DatabaseService/Transaction`.
    Transaction,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 7] = [
        Method::GetAuthToken,
        Method::Put,
        Method::Get,
        Method::Delete,
        Method::BeginList,
        Method::ContinueList,
        Method::Transaction,
    ];

    /// The method for a request path.
    #[must_use]
    pub fn from_path(path: &str) -> Option<Method> {
        Some(match path {
            "/stately.auth.AuthService/GetAuthToken" => Method::GetAuthToken,
            "/stately.db.DatabaseService/Put" => Method::Put,
            "/stately.db.DatabaseService/Get" => Method::Get,
            "/stately.db.DatabaseService/Delete" => Method::Delete,
            "/stately.db.DatabaseService/BeginList" => Method::BeginList,
            "/stately.db.DatabaseService/ContinueList" => Method::ContinueList,
            "/stately.db.DatabaseService/Transaction" => Method::Transaction,
            _ => return None,
        })
    }

    /// Whether the method is a Connect stream (enveloped) rather than unary.
    #[must_use]
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            Method::BeginList | Method::ContinueList | Method::Transaction
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Calls per method, indexed like [`Method::ALL`] (use [`Stats::calls`]).
    pub by_method: [u64; 7],
    /// `get_items` messages inside transactions.
    pub txn_gets: u64,
    /// `begin_list` and `continue_list` messages inside transactions.
    pub txn_lists: u64,
    /// `put_items` messages inside transactions.
    pub txn_puts: u64,
    /// `delete_items` messages inside transactions.
    pub txn_deletes: u64,
    /// `commit` messages received (successful or not).
    pub commit_requests: u64,
    /// Transactions committed.
    pub commits: u64,
    /// Transactions aborted by the client.
    pub aborts: u64,
    /// Commits refused with ConcurrentModification (forced ones included).
    pub conflicts: u64,
    /// Items stored by Put calls and commits.
    pub items_put: u64,
    /// Items deleted by Delete calls and commits (missing keys included).
    pub items_deleted: u64,
    /// Calls answered with an injected fault.
    pub faults: u64,
}

impl Stats {
    /// Calls of `method`.
    #[must_use]
    pub fn calls(&self, method: Method) -> u64 {
        self.by_method[method.index()]
    }

    /// Calls of every database method (GetAuthToken excluded).
    #[must_use]
    pub fn db_calls(&self) -> u64 {
        Method::ALL
            .iter()
            .filter(|m| **m != Method::GetAuthToken)
            .map(|m| self.calls(*m))
            .sum()
    }

    /// Round trips: database calls, plus the answered messages inside transactions beyond the
    /// first of each (get, list page, put, commit and abort are answered; deletes are not). An
    /// upper bound for a client that does not wait for put acknowledgements.
    #[must_use]
    pub fn round_trips(&self) -> u64 {
        let txns = self.calls(Method::Transaction);
        let answered =
            self.txn_gets + self.txn_lists + self.txn_puts + self.commit_requests + self.aborts;
        self.db_calls() + answered.saturating_sub(txns)
    }

    /// Items written: puts plus deletes.
    #[must_use]
    pub fn writes(&self) -> u64 {
        self.items_put + self.items_deleted
    }
}

/// Live counters.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    by_method: [AtomicU64; 7],
    pub txn_gets: AtomicU64,
    pub txn_lists: AtomicU64,
    pub txn_puts: AtomicU64,
    pub txn_deletes: AtomicU64,
    pub commit_requests: AtomicU64,
    pub commits: AtomicU64,
    pub aborts: AtomicU64,
    pub conflicts: AtomicU64,
    pub items_put: AtomicU64,
    pub items_deleted: AtomicU64,
    pub faults: AtomicU64,
}

pub(crate) fn bump(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

impl Counters {
    pub fn call(&self, m: Method) {
        bump(&self.by_method[m.index()], 1);
    }

    pub fn snapshot(&self) -> Stats {
        let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            by_method: std::array::from_fn(|i| l(&self.by_method[i])),
            txn_gets: l(&self.txn_gets),
            txn_lists: l(&self.txn_lists),
            txn_puts: l(&self.txn_puts),
            txn_deletes: l(&self.txn_deletes),
            commit_requests: l(&self.commit_requests),
            commits: l(&self.commits),
            aborts: l(&self.aborts),
            conflicts: l(&self.conflicts),
            items_put: l(&self.items_put),
            items_deleted: l(&self.items_deleted),
            faults: l(&self.faults),
        }
    }

    pub fn reset(&self) {
        let z = |c: &AtomicU64| c.store(0, Ordering::Relaxed);
        self.by_method.iter().for_each(z);
        for c in [
            &self.txn_gets,
            &self.txn_lists,
            &self.txn_puts,
            &self.txn_deletes,
            &self.commit_requests,
            &self.commits,
            &self.aborts,
            &self.conflicts,
            &self.items_put,
            &self.items_deleted,
            &self.faults,
        ] {
            z(c);
        }
    }
}
