//! The worker: one dedicated thread owns the connection and runs jobs sent over a channel.
//!
//! Why a dedicated thread rather than `spawn_blocking`: SQLite allows one writer at a time anyway,
//! so a single connection loses nothing for commits and serializes this process's commits without
//! lock waits; its prepared-statement cache stays warm; the async side never blocks and the store
//! needs no particular runtime (the answer comes back over a runtime-agnostic oneshot channel); and
//! a burst of store calls cannot fill tokio's blocking pool. Reads queue behind writes, which is
//! cheap at this store's scale (a load is a few indexed queries).

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::thread::JoinHandle;

use futures::channel::oneshot;
use runner_monitor_core::StoreError;
use rusqlite::Connection;
use tracing::error;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Owns the thread; dropping it lets the thread finish queued jobs, close the connection (which
/// checkpoints the WAL) and exit, and waits for that.
#[derive(Debug)]
pub(crate) struct Worker {
    sender: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread with `conn`.
    pub(crate) fn start(mut conn: Connection, name: &str) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                for job in receiver {
                    // A panicking job drops its transaction (rolled back) and its reply channel
                    // (the caller sees Unavailable); the connection stays usable.
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
                        error!("sqlite store job panicked; its transaction was rolled back");
                    }
                }
            })?;
        Ok(Worker {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// Runs `job` on the connection and returns its result.
    pub(crate) async fn run<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The caller may have given up waiting; the job's effect stands either way.
            let _ = reply.send(job(conn));
        });
        self.sender
            .as_ref()
            .ok_or_else(stopped)?
            .send(job)
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable {
        message: "the sqlite store's worker thread has stopped".into(),
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.sender.take();
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_job_rolls_back_and_the_thread_survives() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (x INTEGER)")
            .expect("create");
        let worker = Worker::start(conn, "test-worker").expect("start");
        let result: Result<(), StoreError> = worker
            .run(|conn| {
                let tx = conn.transaction().map_err(|_| stopped())?;
                tx.execute("INSERT INTO t VALUES (1)", [])
                    .map_err(|_| stopped())?;
                panic!("bug in a job");
            })
            .await;
        assert!(matches!(result, Err(StoreError::Unavailable { .. })));
        let rows = worker
            .run(|conn| {
                conn.query_row("SELECT count(*) FROM t", [], |row| row.get::<_, i64>(0))
                    .map_err(|_| stopped())
            })
            .await
            .expect("the worker still answers");
        assert_eq!(rows, 0, "the panicking job's transaction was rolled back");
    }
}
