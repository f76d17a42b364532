//! `--once`: the exit code and one line for cron or Nagios.

use runner_monitor_core::CycleReport;

/// Exit code when every runner is healthy.
pub const EXIT_HEALTHY: u8 = 0;
/// Exit code when at least one outage is open.
pub const EXIT_OUTAGE: u8 = 1;
/// Exit code on error (configuration, store, or a scope that could not be observed).
pub const EXIT_ERROR: u8 = 2;

/// The exit code for a `--once` cycle: 2 if any scope failed (the answer would be incomplete),
/// else 1 if any outage is open, else 0.
pub fn exit_code(report: &CycleReport) -> u8 {
    if report.has_errors() {
        EXIT_ERROR
    } else if report.open_outages() > 0 {
        EXIT_OUTAGE
    } else {
        EXIT_HEALTHY
    }
}

/// One line describing the cycle, prefixed `OK`, `OUTAGE` or `ERROR`.
pub fn one_line(report: &CycleReport) -> String {
    let runners: usize = report.scopes.iter().map(|s| s.runners_seen).sum();
    let scopes = report.scopes.len();
    match exit_code(report) {
        EXIT_HEALTHY => format!("OK: {runners} runners in {scopes} scopes, no open outage"),
        EXIT_OUTAGE => {
            let per_scope: Vec<String> = report
                .scopes
                .iter()
                .filter(|s| s.open_outages > 0)
                .map(|s| format!("{} {}", s.scope, s.open_outages))
                .collect();
            format!(
                "OUTAGE: {} open ({}); {runners} runners in {scopes} scopes",
                report.open_outages(),
                per_scope.join(", ")
            )
        }
        _ => {
            let mut errors: Vec<String> = report
                .scopes
                .iter()
                .filter_map(|s| {
                    s.source_error
                        .as_ref()
                        .map(ToString::to_string)
                        .or_else(|| s.store_error.as_ref().map(ToString::to_string))
                        .map(|e| format!("{}: {e}", s.scope))
                })
                .collect();
            if let Some(error) = &report.deliveries.store_error {
                errors.push(format!("outbox: {error}"));
            }
            format!(
                "ERROR: {}; {} open outages",
                errors.join("; "),
                report.open_outages()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_monitor_core::{DispatchReport, Scope, ScopeReport, SourceError};

    fn report(source_error: Option<SourceError>) -> CycleReport {
        CycleReport {
            at: chrono::DateTime::UNIX_EPOCH,
            scopes: vec![ScopeReport {
                scope: Scope::org("acme"),
                runners_seen: 0,
                changes: 0,
                outages_opened: 0,
                outages_resolved: 0,
                notifications: 0,
                open_outages: 0,
                conflicts_retried: 0,
                source_error,
                store_error: None,
                held: None,
            }],
            pools: Vec::new(),
            deliveries: DispatchReport::default(),
        }
    }

    #[test]
    fn a_suspect_listing_is_an_error_naming_the_listing() {
        let suspect = report(Some(SourceError::SuspectListing {
            message: "GitHub listed 0 of 250 known runners of org:acme; the token may have lost \
                      access to them"
                .into(),
        }));
        assert_eq!(exit_code(&suspect), EXIT_ERROR);
        assert_eq!(
            one_line(&suspect),
            "ERROR: org:acme: suspect listing: GitHub listed 0 of 250 known runners of org:acme; \
             the token may have lost access to them; 0 open outages"
        );
        assert_eq!(exit_code(&report(None)), EXIT_HEALTHY);
    }
}
