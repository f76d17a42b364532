//! Routing: which notifications a sink receives (`[sinks.route]` in the host configuration).

use serde::{Deserialize, Serialize};

use super::{Notification, NotificationKind};

pub use super::notification::NOTIFICATION_KINDS;

/// A sink's filter. Every configured part must match; an empty part matches everything, so the
/// default route receives every notification.
///
/// - `kinds`: the notification's kind is one of these ([`NOTIFICATION_KINDS`]).
/// - `scopes`: its scope matches one of these patterns: a scope as written in `[github]`
///   (`org:acme`, `acme/api`, `enterprise:big`), `acme/*` (every repository of `acme`), or `*`.
/// - `labels`: it is about a runner carrying one of these labels (for `runners_removed`: any of
///   its runners does). Notifications about no runner (monitoring degraded/restored) do not match
///   a route with labels; route them to another sink.
///
/// # Examples
/// ```
/// use runner_monitor_core::Route;
/// // TOML: [sinks.route] kinds = ["outage_opened", "outage_resolved"], labels = ["gpu"]
/// let route: Route = serde_json::from_str(
///     r#"{"kinds": ["outage_opened", "outage_resolved"], "labels": ["gpu"]}"#,
/// )?;
/// assert!(route.validate().is_ok());
/// assert!(Route::default().is_everything());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Notification kinds this sink receives (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// Scope patterns this sink receives (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Runner labels this sink receives (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// A [`Route`] that cannot match what its author meant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// A kind no notification has.
    #[error("unknown notification kind `{kind}`; expected one of {}", NOTIFICATION_KINDS.join(", "))]
    UnknownKind {
        /// The kind as written.
        kind: String,
    },
    /// A scope pattern that is neither a scope, `owner/*` nor `*`.
    #[error("scope pattern `{pattern}` is not a scope (`org:acme`, `acme/api`), `owner/*` or `*`")]
    BadScope {
        /// The pattern as written.
        pattern: String,
    },
    /// An empty label.
    #[error("a label must not be empty")]
    EmptyLabel,
}

impl Route {
    /// Whether this route lets every notification through.
    pub fn is_everything(&self) -> bool {
        self.kinds.is_empty() && self.scopes.is_empty() && self.labels.is_empty()
    }

    /// Checks every kind exists and every scope pattern parses.
    ///
    /// # Errors
    /// The first [`RouteError`].
    pub fn validate(&self) -> Result<(), RouteError> {
        if let Some(kind) = self
            .kinds
            .iter()
            .find(|kind| !NOTIFICATION_KINDS.contains(&kind.as_str()))
        {
            return Err(RouteError::UnknownKind { kind: kind.clone() });
        }
        for pattern in &self.scopes {
            let valid = match pattern.strip_suffix("/*") {
                _ if pattern == "*" => true,
                Some(owner) => !owner.is_empty() && !owner.contains(['/', ':']),
                None => pattern.parse::<super::Scope>().is_ok(),
            };
            if !valid {
                return Err(RouteError::BadScope {
                    pattern: pattern.clone(),
                });
            }
        }
        if self.labels.iter().any(|label| label.trim().is_empty()) {
            return Err(RouteError::EmptyLabel);
        }
        Ok(())
    }

    /// Whether the sink with this route receives `notification`.
    pub fn accepts(&self, notification: &Notification) -> bool {
        self.kind_matches(notification)
            && self.scope_matches(notification)
            && self.labels_match(notification)
    }

    fn kind_matches(&self, notification: &Notification) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == notification.kind_name())
    }

    fn scope_matches(&self, notification: &Notification) -> bool {
        if self.scopes.is_empty() {
            return true;
        }
        let scope = notification.scope.to_string();
        self.scopes.iter().any(|pattern| {
            pattern == "*"
                || *pattern == scope
                || pattern.strip_suffix('*').is_some_and(|owner_slash| {
                    owner_slash.ends_with('/') && scope.starts_with(owner_slash)
                })
        })
    }

    fn labels_match(&self, notification: &Notification) -> bool {
        if self.labels.is_empty() {
            return true;
        }
        let wanted = |labels: &[String]| labels.iter().any(|l| self.labels.contains(l));
        match &notification.kind {
            NotificationKind::RunnersRemoved { runners, .. } => {
                runners.iter().any(|runner| wanted(&runner.labels))
            }
            _ => notification
                .runner()
                .is_some_and(|runner| wanted(&runner.labels)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{
        FailureClass, Outage, RunnerSnapshot, RunnerStatus, Scope, SourceFailure, Timestamp,
    };

    fn at() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time")
    }

    fn snapshot(name: &str, labels: &[&str]) -> RunnerSnapshot {
        RunnerSnapshot {
            name: name.to_owned(),
            id: 1,
            status: RunnerStatus::Offline,
            busy: false,
            os: "linux".to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            ephemeral: false,
        }
    }

    fn opened(scope: &str, labels: &[&str]) -> Notification {
        Notification {
            scope: scope.parse::<Scope>().expect("scope"),
            at: at(),
            kind: NotificationKind::OutageOpened {
                runner: snapshot("r1", labels),
                outage: Outage {
                    runner: "r1".to_owned(),
                    id: 1,
                    runner_id: 1,
                    trigger: RunnerStatus::Offline,
                    started_at: at(),
                    resolved_at: None,
                    resolution: None,
                    description: String::new(),
                    reminders: 0,
                    last_reminded_at: None,
                    acknowledged: None,
                },
            },
        }
    }

    fn degraded(scope: &str) -> Notification {
        Notification {
            scope: scope.parse::<Scope>().expect("scope"),
            at: at(),
            kind: NotificationKind::MonitoringDegraded {
                incident: 1,
                failure: SourceFailure {
                    class: FailureClass::Unauthorized,
                    message: "401".to_owned(),
                },
                since: at(),
            },
        }
    }

    fn removed(labels: &[&[&str]]) -> Notification {
        Notification {
            scope: Scope::org("acme"),
            at: at(),
            kind: NotificationKind::RunnersRemoved {
                runners: labels.iter().map(|l| snapshot("x", l)).collect(),
                known: 3,
                since: at(),
                deregistered: true,
            },
        }
    }

    fn route(kinds: &[&str], scopes: &[&str], labels: &[&str]) -> Route {
        let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Route {
            kinds: owned(kinds),
            scopes: owned(scopes),
            labels: owned(labels),
        }
    }

    #[test]
    fn every_kind_is_listed_once_and_named_as_serde_tags_it() {
        let mut names = NOTIFICATION_KINDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), NOTIFICATION_KINDS.len(), "no kind twice");
        for kind in NOTIFICATION_KINDS {
            let route = Route {
                kinds: vec![(*kind).to_owned()],
                ..Route::default()
            };
            assert_eq!(route.validate(), Ok(()), "{kind}");
        }
        // The list is kind_name's own table: a notification's name is always in it, and it
        // is the `kind` tag its JSON carries.
        let n = opened("acme/api", &["gpu"]);
        assert!(NOTIFICATION_KINDS.contains(&n.kind_name()));
        let json = serde_json::to_value(&n).expect("serialize");
        assert_eq!(json["kind"], n.kind_name());
        assert!(
            Route {
                kinds: vec!["pool_reminder".into()],
                ..Route::default()
            }
            .validate()
            .is_ok()
        );
    }

    #[test]
    fn routes_filter_by_kind_scope_and_label() {
        let cases: &[(&str, Route, Notification, bool)] = &[
            (
                "default takes everything",
                Route::default(),
                degraded("org:acme"),
                true,
            ),
            (
                "kind listed",
                route(&["outage_opened"], &[], &[]),
                opened("acme/api", &[]),
                true,
            ),
            (
                "kind not listed",
                route(&["outage_resolved"], &[], &[]),
                opened("acme/api", &[]),
                false,
            ),
            (
                "exact scope",
                route(&[], &["acme/api"], &[]),
                opened("acme/api", &[]),
                true,
            ),
            (
                "other scope",
                route(&[], &["acme/web"], &[]),
                opened("acme/api", &[]),
                false,
            ),
            (
                "owner wildcard",
                route(&[], &["acme/*"], &[]),
                opened("acme/api", &[]),
                true,
            ),
            (
                "owner wildcard is not the org",
                route(&[], &["acme/*"], &[]),
                opened("org:acme", &[]),
                false,
            ),
            (
                "other owner",
                route(&[], &["beta/*"], &[]),
                opened("acme/api", &[]),
                false,
            ),
            (
                "star",
                route(&[], &["*"], &[]),
                opened("org:acme", &[]),
                true,
            ),
            (
                "label carried",
                route(&[], &[], &["gpu"]),
                opened("org:acme", &["self-hosted", "gpu"]),
                true,
            ),
            (
                "label not carried",
                route(&[], &[], &["gpu"]),
                opened("org:acme", &["self-hosted"]),
                false,
            ),
            (
                "labels skip source notices",
                route(&[], &[], &["gpu"]),
                degraded("org:acme"),
                false,
            ),
            (
                "removal with one gpu runner",
                route(&[], &[], &["gpu"]),
                removed(&[&["linux"], &["gpu"]]),
                true,
            ),
            (
                "removal without",
                route(&[], &[], &["gpu"]),
                removed(&[&["linux"]]),
                false,
            ),
            (
                "all parts must match",
                route(&["outage_opened"], &["org:acme"], &["gpu"]),
                opened("org:acme", &["linux"]),
                false,
            ),
        ];
        for (name, route, notification, expected) in cases {
            assert_eq!(route.accepts(notification), *expected, "{name}");
        }
    }

    #[test]
    fn bad_routes_are_refused_with_what_is_wrong() {
        let unknown = route(&["outage_open"], &[], &[])
            .validate()
            .expect_err("unknown kind");
        assert!(unknown.to_string().contains("`outage_open`"), "{unknown}");
        assert!(unknown.to_string().contains("outage_opened"), "{unknown}");
        for pattern in ["acme", "/*", "a/b/*", "org:acme/*", ""] {
            assert!(
                matches!(
                    route(&[], &[pattern], &[]).validate(),
                    Err(RouteError::BadScope { .. })
                ),
                "{pattern}"
            );
        }
        for pattern in ["*", "acme/*", "org:acme", "acme/api", "enterprise:big"] {
            assert_eq!(route(&[], &[pattern], &[]).validate(), Ok(()), "{pattern}");
        }
        assert_eq!(
            route(&[], &[], &[" "]).validate(),
            Err(RouteError::EmptyLabel)
        );
    }

    #[test]
    fn every_kind_is_listed() {
        for n in [
            opened("acme/api", &[]),
            degraded("acme/api"),
            removed(&[&[]]),
        ] {
            assert!(NOTIFICATION_KINDS.contains(&n.kind_name()));
        }
        let json = serde_json::to_string(&route(&["runners_removed"], &[], &[])).expect("json");
        assert_eq!(json, r#"{"kinds":["runners_removed"]}"#);
    }
}
