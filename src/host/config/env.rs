//! Environment overrides: `RUNNER_MONITOR_<SECTION>__<KEY>[__<KEY>...]=<value>`.
//!
//! The part after the prefix is lower-cased and split at `__`; a numeric segment indexes an array
//! (`RUNNER_MONITOR_SINKS__0__WEBHOOK_URL`; the index one past the end appends an entry). Only
//! variables whose first segment is a configuration section are read, so `RUNNER_MONITOR_DB` and
//! `RUNNER_MONITOR_CONFIG` stay what they are. A value is a TOML literal when it parses as one
//! (`5`, `true`, `["a", "b"]`, `{ kind = "memory" }`), otherwise a plain string (`5m`,
//! `acme/api,org:acme`, `env:TOKEN`).

use toml::{Table, Value};

use super::ConfigError;

/// The prefix of override variables.
pub const ENV_PREFIX: &str = "RUNNER_MONITOR_";

/// The top-level keys of the configuration (the first segment of an override).
pub const SECTIONS: &[&str] = &[
    "daemon",
    "http",
    "github",
    "store",
    "policy",
    "monitor",
    "sinks",
    "slash_commands",
    "status_page",
];

/// One override that was applied: the variable and the key path it set (`policy.open_after`,
/// `sinks[0].webhook_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    pub var: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Applies every override variable in `vars` to `table`, in variable-name order.
///
/// # Errors
/// [`ConfigError::Env`] for a variable that cannot be applied (an index past the end, a key
/// below a value that is not a table).
pub(crate) fn apply(
    table: &mut Table,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<Applied>, ConfigError> {
    let mut vars: Vec<(String, Vec<Segment>, String)> = vars
        .into_iter()
        .filter_map(|(var, value)| {
            let path = parse_var(&var)?;
            Some((var, path, value))
        })
        .collect();
    vars.sort_by(|a, b| a.1.cmp_key(&b.1).then_with(|| a.0.cmp(&b.0)));
    let mut applied = Vec::new();
    for (var, path, value) in vars {
        set(table, &path, literal(&value)).map_err(|message| ConfigError::Env {
            var: var.clone(),
            message,
        })?;
        applied.push(Applied {
            var,
            key: key_string(&path),
        });
    }
    Ok(applied)
}

trait SegmentsOrder {
    fn cmp_key(&self, other: &Self) -> std::cmp::Ordering;
}

impl SegmentsOrder for Vec<Segment> {
    /// Numeric segments compare as numbers, so `SINKS__2` comes before `SINKS__10`.
    fn cmp_key(&self, other: &Self) -> std::cmp::Ordering {
        for (a, b) in self.iter().zip(other) {
            let order = match (a, b) {
                (Segment::Index(a), Segment::Index(b)) => a.cmp(b),
                (Segment::Key(a), Segment::Key(b)) => a.cmp(b),
                (Segment::Index(_), Segment::Key(_)) => std::cmp::Ordering::Less,
                (Segment::Key(_), Segment::Index(_)) => std::cmp::Ordering::Greater,
            };
            if order.is_ne() {
                return order;
            }
        }
        self.len().cmp(&other.len())
    }
}

fn parse_var(var: &str) -> Option<Vec<Segment>> {
    let rest = var.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
    let segments: Vec<Segment> = rest
        .split("__")
        .map(|part| match part.parse::<usize>() {
            Ok(index) => Segment::Index(index),
            Err(_) => Segment::Key(part.to_owned()),
        })
        .collect();
    match segments.first() {
        Some(Segment::Key(first)) if SECTIONS.contains(&first.as_str()) => {}
        _ => return None,
    }
    Some(segments)
}

/// The value as a TOML literal if it is one, else as a string.
fn literal(raw: &str) -> Value {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Value::String(String::new());
    }
    match toml::from_str::<Table>(&format!("v = {trimmed}")) {
        Ok(mut table) => table
            .remove("v")
            .unwrap_or_else(|| Value::String(raw.to_owned())),
        Err(_) => Value::String(raw.to_owned()),
    }
}

fn key_string(path: &[Segment]) -> String {
    let mut key = String::new();
    for segment in path {
        match segment {
            Segment::Key(name) => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name);
            }
            Segment::Index(index) => key.push_str(&format!("[{index}]")),
        }
    }
    key
}

fn set(table: &mut Table, path: &[Segment], value: Value) -> Result<(), String> {
    let Some((Segment::Key(first), rest)) = path.split_first() else {
        return Err("the variable names no key".to_owned());
    };
    if rest.is_empty() {
        table.insert(first.clone(), value);
        return Ok(());
    }
    let slot = table.entry(first.clone()).or_insert_with(|| match rest[0] {
        Segment::Index(_) => Value::Array(Vec::new()),
        Segment::Key(_) => Value::Table(Table::new()),
    });
    set_in(slot, first, rest, value)
}

fn set_in(slot: &mut Value, name: &str, path: &[Segment], value: Value) -> Result<(), String> {
    match (&path[0], slot) {
        (Segment::Key(_), Value::Table(table)) => set(table, path, value),
        (Segment::Index(index), Value::Array(array)) => {
            let index = *index;
            if index > array.len() {
                return Err(format!(
                    "`{name}` has {} entries; the next one to add is index {}",
                    array.len(),
                    array.len()
                ));
            }
            if path.len() == 1 {
                if index == array.len() {
                    array.push(value);
                } else {
                    array[index] = value;
                }
                return Ok(());
            }
            if index == array.len() {
                array.push(match path[1] {
                    Segment::Index(_) => Value::Array(Vec::new()),
                    Segment::Key(_) => Value::Table(Table::new()),
                });
            }
            set_in(&mut array[index], name, &path[1..], value)
        }
        (Segment::Key(key), other) => Err(format!(
            "cannot set `{key}` inside `{name}`, which is a {}, not a table",
            other.type_str()
        )),
        (Segment::Index(_), other) => Err(format!(
            "cannot index `{name}`, which is a {}, not an array",
            other.type_str()
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn sets_nested_keys_with_literals_and_strings() {
        let mut table: Table = toml::from_str("[github]\nscopes = [\"a/b\"]\n").unwrap();
        let applied = apply(
            &mut table,
            vars(&[
                ("RUNNER_MONITOR_GITHUB__SCOPES", "acme/api,org:acme"),
                ("RUNNER_MONITOR_POLICY__OPEN_AFTER", "5m"),
                ("RUNNER_MONITOR_MONITOR__CONCURRENCY", "3"),
                ("RUNNER_MONITOR_HTTP__ENABLED", "false"),
                ("RUNNER_MONITOR_GITHUB__APP__INSTALLATION_ID", "42"),
                ("RUNNER_MONITOR_DB", "/x.db"),
                ("RUNNER_MONITOR_CONFIG", "/etc/x.toml"),
                ("OTHER", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(
            table["github"]["scopes"].as_str(),
            Some("acme/api,org:acme")
        );
        assert_eq!(table["policy"]["open_after"].as_str(), Some("5m"));
        assert_eq!(table["monitor"]["concurrency"].as_integer(), Some(3));
        assert_eq!(table["http"]["enabled"].as_bool(), Some(false));
        assert_eq!(
            table["github"]["app"]["installation_id"].as_integer(),
            Some(42)
        );
        assert!(!table.contains_key("db") && !table.contains_key("config"));
        let keys: Vec<&str> = applied.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "github.app.installation_id",
                "github.scopes",
                "http.enabled",
                "monitor.concurrency",
                "policy.open_after"
            ]
        );
    }

    #[test]
    fn arrays_by_index_and_whole() {
        let mut table: Table =
            toml::from_str("[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:A\"\n").unwrap();
        apply(
            &mut table,
            vars(&[
                ("RUNNER_MONITOR_SINKS__0__WEBHOOK_URL", "env:B"),
                ("RUNNER_MONITOR_SINKS__1__KIND", "pagerduty"),
                ("RUNNER_MONITOR_SINKS__1__ROUTING_KEY", "env:PD"),
            ]),
        )
        .unwrap();
        let sinks = table["sinks"].as_array().unwrap();
        assert_eq!(sinks.len(), 2);
        assert_eq!(sinks[0]["webhook_url"].as_str(), Some("env:B"));
        assert_eq!(sinks[1]["kind"].as_str(), Some("pagerduty"));

        let mut table = Table::new();
        apply(
            &mut table,
            vars(&[(
                "RUNNER_MONITOR_SINKS",
                r#"[{ kind = "slack", webhook_url = "env:X" }]"#,
            )]),
        )
        .unwrap();
        assert_eq!(table["sinks"][0]["kind"].as_str(), Some("slack"));
    }

    #[test]
    fn errors_name_the_variable() {
        let mut table = Table::new();
        let error = apply(
            &mut table,
            vars(&[("RUNNER_MONITOR_SINKS__3__KIND", "slack")]),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("RUNNER_MONITOR_SINKS__3__KIND"), "{error}");
        assert!(error.contains("index 0"), "{error}");

        let mut table: Table = toml::from_str("github = 1").unwrap();
        let error = apply(
            &mut table,
            vars(&[("RUNNER_MONITOR_GITHUB__TOKEN", "env:X")]),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("not a table"), "{error}");
    }
}
