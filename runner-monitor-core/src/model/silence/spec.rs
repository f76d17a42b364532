//! [`SilenceSpec`]: the flat form a [`Silence`] is written in (TOML, JSON, stores), and the
//! checks that turn one into a silence.

use std::time::Duration;

use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::window::MAX_WEEKLY_LENGTH;
use super::{Silence, SilenceTarget, SilenceWindow, Weekly};
use crate::model::Timestamp;

/// A silence as written: `target`, then either a one-off window (`from` + `until`, or `from` +
/// `duration`) or a weekly one (`days` + `start` + `length` + `time_zone`).
///
/// ```toml
/// [[policy.silences]]
/// target = "org:acme"                 # runner name | scope | label:NAME | pool:NAME
/// from = "2026-03-01T22:00:00Z"        # RFC 3339, quoted
/// duration = "3h"                      # or: until = "2026-03-02T01:00:00Z"
/// reason = "datacenter move"
///
/// [[policy.silences]]
/// id = "gpu-drivers"                   # optional; default: derived from the fields
/// target = "label:gpu"
/// days = ["sat", "sun"]
/// start = "22:00"                      # wall clock in time_zone
/// length = "4h"                        # elapsed time, at most 7 days
/// time_zone = "Europe/Berlin"          # IANA name
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SilenceSpec {
    /// Id; derived from the other fields when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What it covers ([`SilenceTarget`] syntax).
    pub target: String,
    /// One-off: start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// One-off: end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// One-off: length from `from` (instead of `until`).
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration: Option<Duration>,
    /// Weekly: days (`mon` .. `sun`, or full English names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
    /// Weekly: start time of day, `HH:MM` (or `HH:MM:SS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Weekly: how long each occurrence lasts.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub length: Option<Duration>,
    /// Weekly: IANA time zone of `days` and `start`, e.g. `Europe/Berlin` or `UTC`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Who set it (default `config`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// When it was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}

/// Why a [`SilenceSpec`] is not a valid silence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SilenceError {
    /// The target does not parse.
    #[error("{0}")]
    Target(String),
    /// Neither a one-off nor a weekly window, or fields of both.
    #[error(
        "silence of `{target}`: give either `from` with `until` or `duration`, or `days`, \
         `start`, `length` and `time_zone`"
    )]
    Window {
        /// The target, to say which silence.
        target: String,
    },
    /// `until` not after `from`.
    #[error("silence of `{target}`: `until` ({until}) must be after `from` ({from})")]
    UntilBeforeFrom {
        /// The target.
        target: String,
        /// Start.
        from: Timestamp,
        /// End.
        until: Timestamp,
    },
    /// Both `until` and `duration`.
    #[error("silence of `{target}`: give `until` or `duration`, not both")]
    UntilAndDuration {
        /// The target.
        target: String,
    },
    /// A zero (or too long) `duration` or `length`.
    #[error("silence of `{target}`: `{field}` {problem}")]
    Length {
        /// The target.
        target: String,
        /// `duration` or `length`.
        field: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// An unknown IANA time zone.
    #[error(
        "silence of `{target}`: unknown time zone `{zone}` (use an IANA name such as `Europe/Berlin` or `UTC`)"
    )]
    Zone {
        /// The target.
        target: String,
        /// The rejected name.
        zone: String,
    },
    /// An unknown day name or an empty list.
    #[error("silence of `{target}`: `days` {problem}")]
    Days {
        /// The target.
        target: String,
        /// What is wrong.
        problem: String,
    },
    /// A start time that is not `HH:MM`.
    #[error("silence of `{target}`: `start` `{start}` is not a time of day `HH:MM`")]
    Start {
        /// The target.
        target: String,
        /// The rejected value.
        start: String,
    },
}

impl TryFrom<SilenceSpec> for Silence {
    type Error = SilenceError;

    fn try_from(spec: SilenceSpec) -> Result<Self, Self::Error> {
        let target: SilenceTarget = spec
            .target
            .parse()
            .map_err(|e: super::TargetParseError| SilenceError::Target(e.to_string()))?;
        let name = spec.target.trim().to_owned();
        let once = spec.from.is_some() || spec.until.is_some() || spec.duration.is_some();
        let weekly = spec.days.is_some()
            || spec.start.is_some()
            || spec.length.is_some()
            || spec.time_zone.is_some();
        let window = match (once, weekly) {
            (true, false) => once_window(&name, &spec)?,
            (false, true) => SilenceWindow::Weekly(weekly_window(&name, &spec)?),
            _ => return Err(SilenceError::Window { target: name }),
        };
        let id = match spec.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => derived_id(&spec),
        };
        Ok(Silence {
            id,
            target,
            window,
            reason: spec.reason,
            created_by: spec.created_by.unwrap_or_else(|| "config".to_owned()),
            created_at: spec.created_at,
        })
    }
}

fn once_window(target: &str, spec: &SilenceSpec) -> Result<SilenceWindow, SilenceError> {
    let Some(from) = spec.from else {
        return Err(SilenceError::Window {
            target: target.to_owned(),
        });
    };
    let until = match (spec.until, spec.duration) {
        (Some(until), None) => until,
        (None, Some(duration)) => {
            if duration.is_zero() {
                return Err(SilenceError::Length {
                    target: target.to_owned(),
                    field: "duration",
                    problem: "must be positive",
                });
            }
            chrono::Duration::from_std(duration)
                .ok()
                .and_then(|d| from.checked_add_signed(d))
                .ok_or(SilenceError::Length {
                    target: target.to_owned(),
                    field: "duration",
                    problem: "is too long",
                })?
        }
        (Some(_), Some(_)) => {
            return Err(SilenceError::UntilAndDuration {
                target: target.to_owned(),
            });
        }
        (None, None) => {
            return Err(SilenceError::Window {
                target: target.to_owned(),
            });
        }
    };
    if until <= from {
        return Err(SilenceError::UntilBeforeFrom {
            target: target.to_owned(),
            from,
            until,
        });
    }
    Ok(SilenceWindow::Once { from, until })
}

fn weekly_window(target: &str, spec: &SilenceSpec) -> Result<Weekly, SilenceError> {
    let (Some(days), Some(start), Some(length), Some(zone)) =
        (&spec.days, &spec.start, spec.length, &spec.time_zone)
    else {
        return Err(SilenceError::Window {
            target: target.to_owned(),
        });
    };
    let zone: Tz = zone.trim().parse().map_err(|_| SilenceError::Zone {
        target: target.to_owned(),
        zone: zone.clone(),
    })?;
    if days.is_empty() {
        return Err(SilenceError::Days {
            target: target.to_owned(),
            problem: "must name at least one day".to_owned(),
        });
    }
    let mut parsed = Vec::with_capacity(days.len());
    for day in days {
        let weekday: Weekday = day.trim().parse().map_err(|_| SilenceError::Days {
            target: target.to_owned(),
            problem: format!("has `{day}`, not a day of the week (mon .. sun)"),
        })?;
        if !parsed.contains(&weekday) {
            parsed.push(weekday);
        }
    }
    let start_time = NaiveTime::parse_from_str(start.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(start.trim(), "%H:%M:%S"))
        .map_err(|_| SilenceError::Start {
            target: target.to_owned(),
            start: start.clone(),
        })?;
    if length.is_zero() || length > MAX_WEEKLY_LENGTH {
        return Err(SilenceError::Length {
            target: target.to_owned(),
            field: "length",
            problem: "must be positive and at most 7 days",
        });
    }
    Ok(Weekly {
        days: parsed,
        start: start_time,
        length,
        zone,
    })
}

/// A stable id from the fields (FNV-1a), so a configured silence keeps its id across restarts.
fn derived_id(spec: &SilenceSpec) -> String {
    let text = format!(
        "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        spec.target.trim(),
        spec.from,
        spec.until,
        spec.duration,
        spec.days,
        spec.start,
        spec.length,
        spec.time_zone
    );
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("config-{:08x}", hash >> 32)
}

impl From<Silence> for SilenceSpec {
    fn from(silence: Silence) -> Self {
        let mut spec = SilenceSpec {
            id: Some(silence.id),
            target: silence.target.to_string(),
            reason: silence.reason,
            created_by: Some(silence.created_by),
            created_at: silence.created_at,
            ..SilenceSpec::default()
        };
        match silence.window {
            SilenceWindow::Once { from, until } => {
                spec.from = Some(from);
                spec.until = Some(until);
            }
            SilenceWindow::Weekly(weekly) => {
                spec.days = Some(
                    weekly
                        .days
                        .iter()
                        .map(|d| d.to_string().to_lowercase())
                        .collect(),
                );
                spec.start = Some(weekly.start.format("%H:%M:%S").to_string());
                spec.length = Some(weekly.length);
                spec.time_zone = Some(weekly.zone.name().to_owned());
            }
        }
        spec
    }
}
