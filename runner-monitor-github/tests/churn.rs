//! Busy fleets: the fake's churn mode (busy flags flipping before every request, ephemeral
//! runners registering and deregistering in real time) with GitHub's ~150 ms per page.
//! Listings are judged on runner identity: busy flips never cost a re-read, and a 300-runner
//! organization with one membership change a second is observed in nearly every cycle, each
//! observation correct.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use common::org;
use runner_monitor_core::{ObservedRunner, RunnerSource, Scope, SourceError};
use runner_monitor_github::fake::{Churn, FakeGitHub, FakeRunner};

const PAGE_LATENCY: Duration = Duration::from_millis(150);

/// 300 runners over 3 pages: 250 permanent, 50 ephemeral (every sixth) spread among them, so
/// deregistrations shift every page.
async fn busy_org() -> FakeGitHub {
    let github = FakeGitHub::builder()
        .latency(PAGE_LATENCY)
        .start()
        .await
        .unwrap();
    github.edit(|fleet| {
        for i in 1..=300 {
            let runner = if i % 6 == 0 {
                FakeRunner::new(format!("eph-{i:03}"))
                    .ephemeral(true)
                    .busy(true)
            } else {
                FakeRunner::new(format!("r-{i:03}"))
            };
            fleet.add(&org(), runner);
        }
    });
    github
}

/// An observation is correct when every runner that existed throughout the cycle (listed by
/// the fake before and after it) is there, none twice, and none that never existed.
fn assert_correct(
    cycle: usize,
    observed: &[ObservedRunner],
    before: &[ObservedRunner],
    after: &[ObservedRunner],
) {
    let ids: Vec<u64> = observed.iter().map(|r| r.id).collect();
    let unique: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "cycle {cycle}: a runner listed twice"
    );
    let names: HashSet<&str> = observed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), ids.len(), "cycle {cycle}: a name listed twice");
    let before_ids: BTreeSet<u64> = before.iter().map(|r| r.id).collect();
    let after_ids: BTreeSet<u64> = after.iter().map(|r| r.id).collect();
    for id in before_ids.intersection(&after_ids) {
        assert!(
            unique.contains(id),
            "cycle {cycle}: runner {id} existed throughout but is missing"
        );
    }
    let newest_before = before_ids.last().copied().unwrap_or(0);
    for id in &unique {
        assert!(
            before_ids.contains(id) || after_ids.contains(id) || *id > newest_before,
            "cycle {cycle}: runner {id} never existed"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_300_runner_org_is_observed_in_at_least_95_percent_of_cycles() {
    const CYCLES: usize = 20;
    let github = busy_org().await;
    let source = github.source_builder().build().unwrap();
    let budget_before = github.rate_limit_remaining().unwrap();
    github.start_churn(
        Churn::new(&org())
            .seed(2024)
            .membership_changes_per_second(1.0)
            .busy_flips_per_request(10),
    );
    let started = std::time::Instant::now();
    let mut busy_time = Duration::ZERO;
    let (mut complete, mut listings, mut counted, mut free) = (0, Vec::new(), 0, 0);
    for cycle in 1..=CYCLES {
        // Between cycles the fleet goes on changing (the monitor polls every 30-60 s; a second
        // is enough for the runner set to differ from the last listing most of the time).
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = github.runners(&org());
        github.reset_requests();
        let cycle_started = std::time::Instant::now();
        let result = source.observe(&org()).await;
        busy_time += cycle_started.elapsed();
        let after = github.runners(&org());
        let requests = github.requests();
        match result {
            Ok(observation) => {
                complete += 1;
                assert_correct(cycle, &observation.runners, &before, &after);
            }
            Err(SourceError::Incomplete { message }) => eprintln!("cycle {cycle}: {message}"),
            Err(other) => panic!("cycle {cycle}: {other:?}"),
        }
        // Pages (at most 4 at 301+ runners): the pass, the heads, then each of the 5 relists
        // the last page (maybe one more) and the heads again.
        assert!(
            requests.listings <= 4 + 3 + 5 * (2 + 3),
            "cycle {cycle}: {requests:?}"
        );
        assert_eq!(
            requests.status(200) + requests.not_modified(),
            requests.listings,
            "cycle {cycle}: only 200s and 304s: {requests:?}"
        );
        listings.push(requests.listings);
        counted += requests.status(200);
        free += requests.not_modified();
    }
    let elapsed = started.elapsed();
    let churn = github.stop_churn().unwrap();
    let total: u64 = listings.iter().sum();
    let per_cycle = total as f64 / CYCLES as f64;
    eprintln!(
        "{complete}/{CYCLES} cycles complete ({busy_time:?} listing, {elapsed:?} in all); \
         {per_cycle:.1} requests per cycle \
         ({counted} x 200 counted against the rate limit, {free} x 304 free); per cycle: \
         {listings:?}; churn: {churn:?}"
    );
    assert!(
        complete * 100 >= CYCLES * 95,
        "only {complete} of {CYCLES} cycles observed"
    );
    // The fleet really was busy: about one membership change a second, flips before every
    // request.
    assert!(
        churn.membership_changes() as f64 >= elapsed.as_secs_f64() * 0.3,
        "{churn:?} in {elapsed:?}"
    );
    assert_eq!(churn.busy_flips, 10 * total);
    // Cost: the pass and the heads (5 requests over 3 pages), plus a relist (3) in the cycles
    // a membership change hit; busy flips make nearly every page a 200.
    assert!(per_cycle >= 5.0, "{listings:?}");
    assert!(
        per_cycle <= 10.0,
        "{per_cycle} requests per cycle: {listings:?}"
    );
    assert_eq!(
        budget_before - github.rate_limit_remaining().unwrap(),
        counted,
        "exactly the 200s count against the rate limit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_flips_alone_never_cost_a_re_read() {
    let github = busy_org().await;
    let source = github.source_builder().build().unwrap();
    // 30 flips before every request: every page's body (and ETag) changes between two reads.
    github.start_churn(
        Churn::new(&org())
            .membership_changes_per_second(0.0)
            .busy_flips_per_request(30),
    );
    let mut per_cycle = Vec::new();
    for _ in 0..4 {
        github.reset_requests();
        let observation = source.observe(&org()).await.unwrap();
        assert_eq!(observation.runners.len(), 300);
        per_cycle.push(github.requests().listings);
    }
    // A new runner set: the pass and the heads; then the set is known: the pass alone.
    assert_eq!(per_cycle, [5, 3, 3, 3]);
    assert_eq!(github.stop_churn().unwrap().membership_changes(), 0);
}

#[tokio::test]
async fn statuses_come_from_the_newest_read() {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", 250);
    let source = github.source_builder().build().unwrap();
    // After the last page, r-00001 (page 1) starts a job: the heads' re-read of page 1 is a 200
    // with the same members, which proves the listing and supplies the newer status.
    github.after_page(&org(), 3, |fleet| {
        fleet.set_busy(&Scope::org("acme"), "r-00001", true);
    });
    let observation = source.observe(&org()).await.unwrap();
    let first = observation
        .runners
        .iter()
        .find(|r| r.name == "r-00001")
        .unwrap();
    assert!(first.busy);
    let requests = github.requests();
    assert_eq!(
        (
            requests.listings,
            requests.status(200),
            requests.not_modified()
        ),
        (5, 4, 1),
        "no relist for a busy flip: {requests:?}"
    );
}

#[tokio::test]
async fn a_fleet_growing_by_a_page_is_followed_to_the_new_page() {
    let github = FakeGitHub::start().await.unwrap();
    github.add_runners(&org(), "r", 300);
    let source = github.source_builder().build().unwrap();
    // Right after the pass's last page (3), a runner registers: the heads see 301 runners, so
    // the relist reads page 3 again, follows its new `next` to page 4, and reads the heads.
    github.after_page(&org(), 3, |fleet| {
        fleet.add(&Scope::org("acme"), FakeRunner::new("newcomer"));
    });
    let observation = source.observe(&org()).await.unwrap();
    assert_eq!(observation.runners.len(), 301);
    assert!(observation.runners.iter().any(|r| r.name == "newcomer"));
    let requests = github.requests();
    assert_eq!(requests.listings, 3 + 2 + 2 + 3, "{requests:?}");
}
