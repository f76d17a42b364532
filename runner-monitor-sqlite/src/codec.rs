//! Rows <-> model: runner and outage columns, integers, JSON columns.

use runner_monitor_core::{
    Acknowledgement, Outage, Resolution, RunnerRecord, RunnerStatus, StoreError,
};
use rusqlite::Row;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Context, corrupt, invalid};
use crate::time;

/// A `u64` as SQLite's signed integer.
pub(crate) fn int(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| invalid(format!("{what} {value} exceeds the storable range")))
}

/// A stored integer as `u64`.
pub(crate) fn uint(value: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(format!("stored {what} {value} is negative")))
}

/// A value as a JSON column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| invalid(format!("cannot encode {what}: {e}")))
}

/// A JSON column as a value.
pub(crate) fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(format!("stored {what} is unreadable: {e}")))
}

/// A stored status number.
pub(crate) fn status(number: i64, what: &str) -> Result<RunnerStatus, StoreError> {
    i32::try_from(number)
        .ok()
        .and_then(RunnerStatus::from_number)
        .ok_or_else(|| corrupt(format!("stored {what} {number} is not a runner status")))
}

/// A runner row (selected with `queries::RUNNERS`).
pub(crate) fn runner_from_row(row: &Row<'_>) -> Result<RunnerRecord, StoreError> {
    let read = "reading a runner";
    let name: String = row.get(0).context(read)?;
    let group_id: Option<i64> = row.get(8).context(read)?;
    Ok(RunnerRecord {
        id: uint(row.get(1).context(read)?, "runner id")?,
        previous_ids: from_json(&row.get::<_, String>(2).context(read)?, "previous ids")?,
        status: status(row.get(3).context(read)?, "runner status")?,
        busy: row.get(4).context(read)?,
        os: row.get(5).context(read)?,
        labels: from_json(&row.get::<_, String>(6).context(read)?, "labels")?,
        ephemeral: row.get(7).context(read)?,
        group_id: group_id.map(|g| uint(g, "group id")).transpose()?,
        first_seen_at: time::decode(&row.get::<_, String>(9).context(read)?)?,
        last_seen_at: time::decode(&row.get::<_, String>(10).context(read)?)?,
        since: time::decode(&row.get::<_, String>(11).context(read)?)?,
        ever_healthy: row.get(12).context(read)?,
        flap_opens: from_json(&row.get::<_, String>(13).context(read)?, "flap opens")?,
        flapping_since: row
            .get::<_, Option<String>>(14)
            .context(read)?
            .as_deref()
            .map(time::decode)
            .transpose()?,
        name,
    })
}

/// An outage row (selected with `queries::OPEN_OUTAGES` or `queries::HISTORY`).
pub(crate) fn outage_from_row(row: &Row<'_>) -> Result<Outage, StoreError> {
    let read = "reading an outage";
    let resolution: Option<String> = row.get(6).context(read)?;
    let recovered: Option<i64> = row.get(7).context(read)?;
    let resolution = match (resolution.as_deref(), recovered) {
        (None, _) => None,
        (Some("removed"), _) => Some(Resolution::Removed),
        (Some("recovered"), Some(number)) => {
            Some(Resolution::Recovered(status(number, "recovered status")?))
        }
        (Some(other), _) => {
            return Err(corrupt(format!(
                "stored resolution `{other}` is unreadable"
            )));
        }
    };
    Ok(Outage {
        runner: row.get(0).context(read)?,
        id: uint(row.get(1).context(read)?, "outage id")?,
        runner_id: uint(row.get(2).context(read)?, "runner id")?,
        trigger: status(row.get(3).context(read)?, "trigger status")?,
        started_at: time::decode(&row.get::<_, String>(4).context(read)?)?,
        resolved_at: time::decode_opt(row.get::<_, Option<String>>(5).context(read)?.as_deref())?,
        resolution,
        description: row.get(8).context(read)?,
        reminders: u32::try_from(row.get::<_, i64>(9).context(read)?)
            .map_err(|_| corrupt("stored reminder count is out of range".into()))?,
        last_reminded_at: time::decode_opt(
            row.get::<_, Option<String>>(10).context(read)?.as_deref(),
        )?,
        acknowledged: match (
            row.get::<_, Option<String>>(11).context(read)?,
            time::decode_opt(row.get::<_, Option<String>>(12).context(read)?.as_deref())?,
        ) {
            (Some(by), Some(at)) => Some(Acknowledgement { by, at }),
            _ => None,
        },
    })
}

/// A resolution as its two columns (`resolution`, `recovered_status`).
pub(crate) fn resolution_columns(resolution: Resolution) -> (&'static str, Option<i32>) {
    match resolution {
        Resolution::Recovered(status) => ("recovered", Some(status.number())),
        Resolution::Removed => ("removed", None),
    }
}
