//! Loading: defaults layer, the TOML file, environment overrides, then typed deserialization with
//! the failing key's path, then validation.

use std::path::{Path, PathBuf};

use serde_path_to_error::Segment;
use toml::{Table, Value};

use super::env::{self, Applied};
use super::{
    Config, ConfigError, PagerDutySinkConfig, SINK_KINDS, SlackBotSinkConfig, SlackSinkConfig,
    WebhookSinkConfig, validate,
};

/// Loads a [`Config`] from layers: a base table (defaults of a host, e.g. the Lambda's), an
/// optional TOML file, and environment overrides (`RUNNER_MONITOR_*`), each over the previous.
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct Loader {
    base: Table,
    file: Option<PathBuf>,
    env: Vec<(String, String)>,
}

/// Loads `file` (if any) with the process environment's overrides.
///
/// # Errors
/// A [`ConfigError`] naming the file or variable, the key and the problem.
pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
    let mut loader = Loader::new().env(std::env::vars());
    if let Some(file) = file {
        loader = loader.file(file);
    }
    loader.load()
}

impl Loader {
    /// No layers yet: loading gives the defaults (and fails validation: no scopes).
    pub fn new() -> Self {
        Loader::default()
    }

    /// A base layer under the file, e.g. a host's own defaults.
    pub fn base(mut self, base: Table) -> Self {
        self.base = base;
        self
    }

    /// The TOML file.
    pub fn file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Environment variables to take overrides from (others are ignored).
    pub fn env(mut self, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        self.env = vars.into_iter().collect();
        self
    }

    /// Merges the layers into one TOML table without interpreting it.
    ///
    /// # Errors
    /// The file cannot be read or parsed, or an override cannot be applied.
    pub fn merged(&self) -> Result<Table, ConfigError> {
        Ok(self.merge()?.0)
    }

    fn merge(&self) -> Result<(Table, Vec<Applied>), ConfigError> {
        let mut table = self.base.clone();
        if let Some(file) = &self.file {
            merge_into(&mut table, read_file(file)?);
        }
        let applied = env::apply(&mut table, self.env.iter().cloned())?;
        Ok((table, applied))
    }

    /// Loads, deserializes and validates.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the file or variable, the key and the problem.
    pub fn load(self) -> Result<Config, ConfigError> {
        let (table, applied) = self.merge()?;
        let origin = |key: &str| -> String {
            applied
                .iter()
                .rev()
                .find(|a| is_within(key, &a.key))
                .map(|a| a.var.clone())
                .or_else(|| self.file.as_ref().map(|f| f.display().to_string()))
                .unwrap_or_else(|| "configuration".to_owned())
        };
        check_sinks(&table).map_err(|(key, message)| ConfigError::Invalid {
            origin: origin(&key),
            key,
            message,
        })?;
        let config: Config =
            serde_path_to_error::deserialize(Value::Table(table)).map_err(|error| {
                let key = key_of(error.path());
                ConfigError::Invalid {
                    origin: origin(&key),
                    message: error.into_inner().message().trim().to_owned(),
                    key,
                }
            })?;
        validate::validate(&config).map_err(|(key, message)| ConfigError::Invalid {
            origin: origin(&key),
            key,
            message,
        })?;
        Ok(config)
    }
}

/// Checks each `[[sinks]]` entry against its kind's own type first: serde buffers an internally
/// tagged enum before it knows the variant, and an error inside it would only name `sinks[0]`.
/// Returns the full key (`sinks[0].webhook_url`) and the message. Entries that are not tables
/// or have an unknown kind are left to the main pass, which names them.
fn check_sinks(table: &Table) -> Result<(), (String, String)> {
    let Some(Value::Array(sinks)) = table.get("sinks") else {
        return Ok(());
    };
    for (index, sink) in sinks.iter().enumerate() {
        let Value::Table(fields) = sink else {
            continue;
        };
        let kind = match fields.get("kind") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(_) => continue,
            None => {
                return Err((
                    format!("sinks[{index}].kind"),
                    format!("missing: one of {}", SINK_KINDS.join(", ")),
                ));
            }
        };
        let mut fields = fields.clone();
        fields.remove("kind");
        let result = match kind {
            "slack" => check_as::<SlackSinkConfig>(fields),
            "webhook" => check_as::<WebhookSinkConfig>(fields),
            "pagerduty" => check_as::<PagerDutySinkConfig>(fields),
            "slack_bot" => check_as::<SlackBotSinkConfig>(fields),
            _ => continue,
        };
        result.map_err(|(path, message)| (format!("sinks[{index}].{path}"), message))?;
    }
    Ok(())
}

/// Deserializes `fields` as `T`, for the path of the first error.
fn check_as<T: serde::de::DeserializeOwned>(fields: Table) -> Result<(), (String, String)> {
    serde_path_to_error::deserialize::<_, T>(Value::Table(fields))
        .map(drop)
        .map_err(|error| {
            let mut path = key_of(error.path());
            if path == "(top level)" {
                // A missing field: serde reports it on the struct, not on the field.
                let message = error.inner().message().to_owned();
                if let Some(field) = missing_field(&message) {
                    path = field.to_owned();
                }
            }
            (path, error.into_inner().message().trim().to_owned())
        })
}

/// `webhook_url` from serde's "missing field `webhook_url`".
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

/// Whether `key` is `ancestor` or lies below it (`sinks[0].url` is within `sinks`).
fn is_within(key: &str, ancestor: &str) -> bool {
    key == ancestor
        || key
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

fn key_of(path: &serde_path_to_error::Path) -> String {
    let mut key = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => key.push_str(&format!("[{index}]")),
            Segment::Map { key: name } => {
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name);
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    if key.is_empty() {
        key.push_str("(top level)");
    }
    key
}

fn read_file(file: &Path) -> Result<Table, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
        file: file.to_owned(),
        source,
    })?;
    text.parse::<Table>().map_err(|error| {
        // The parser's own rendering quotes the offending line, which may hold a secret: only
        // its position and message are reported.
        let (line, column) = error
            .span()
            .map_or((1, 1), |span| line_column(&text, span.start));
        ConfigError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message: error
                .message()
                .trim()
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("; "),
        }
    })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Deep merge: tables merge key by key, anything else in `top` replaces `base`.
fn merge_into(base: &mut Table, top: Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(base_table)), Value::Table(top_table)) => {
                merge_into(base_table, top_table);
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}
