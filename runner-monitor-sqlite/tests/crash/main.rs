//! Crash test: a child process runs monitor cycles against a database file and is killed with
//! SIGKILL at random points, ten times; then the file must be intact and complete.
//!
//! The child is this test binary re-executed with `CRASH_DB` set, running only [`crash_child`].
//! It logs what it knows to be committed (after each successful commit or settlement) to a side
//! file; the parent checks every logged fact against the file after the last kill.

mod child;
mod journal;
mod tap;
mod verify;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 10;

/// The child's entry point; a no-op in a normal test run.
#[test]
fn crash_child() {
    if let Some(config) = child::Config::from_env() {
        child::run(&config);
    }
}

#[test]
fn killed_at_random_points_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("state.db");
    let log = dir.path().join("journal.log");
    let mut random = Random::seeded();
    let started = Instant::now();
    for kill in 0..KILLS {
        let start = journal::read(&log).last_cycle().map_or(0, |c| c + 1);
        let mut child = spawn(&db, &log, start);
        if kill % 2 == 0 {
            // Half the kills land once the child is surely mid-work: after it finished a cycle.
            wait_for_cycle(&log, start, &mut child);
        }
        std::thread::sleep(Duration::from_millis(random.between(20, 400)));
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("the child exited on its own before kill {kill}: {status}");
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
    }
    let journal = journal::read(&log);
    eprintln!(
        "crash test: {KILLS} kills, {} cycles, {} outages opened, {} resolved, {} deliveries \
         enqueued, {} settled",
        journal.cycles(),
        journal.opened.len(),
        journal.resolved.len(),
        journal.enqueued.len(),
        journal.settled.len()
    );
    assert!(
        journal.cycles() >= KILLS / 2,
        "the children made too little progress to test anything: {} cycles",
        journal.cycles()
    );
    verify::file_is_intact_and_complete(&db, &journal);
    verify::store_still_works(&db, journal.last_cycle().map_or(0, |c| c + 1));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "crash test took {:?}",
        started.elapsed()
    );
}

fn spawn(db: &Path, log: &Path, start: u64) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(child::DB_ENV, db)
        .env(child::LOG_ENV, log)
        .env(child::START_ENV, start.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child")
}

/// Waits (at most 10 s) until the child has logged a cycle at or after `start`.
fn wait_for_cycle(log: &Path, start: u64, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if journal::read(log).last_cycle().is_some_and(|c| c >= start) {
            return;
        }
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("the child exited on its own: {status}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// xorshift64*, seeded from the clock and pid (the seed is printed to reproduce a failure).
struct Random(u64);

impl Random {
    fn seeded() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let seed = (nanos ^ u64::from(std::process::id()).rotate_left(32)) | 1;
        eprintln!("crash test seed: {seed}");
        Random(seed)
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        low + self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % (high - low)
    }
}
