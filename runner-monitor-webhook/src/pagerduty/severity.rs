//! [`Severity`]: PagerDuty's `payload.severity`.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How urgent a triggered PagerDuty alert is (`payload.severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `critical`: the default for runner outages.
    Critical,
    /// `error`.
    Error,
    /// `warning`: the default for degraded monitoring.
    Warning,
    /// `info`.
    Info,
}

impl Severity {
    /// The wire name: `critical`, `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not `critical`, `error`, `warning` or `info`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown PagerDuty severity {input:?}: expected critical, error, warning or info")]
pub struct SeverityParseError {
    /// The rejected text.
    pub input: String,
}

impl FromStr for Severity {
    type Err = SeverityParseError;

    /// Parses a wire name, ignoring case and surrounding whitespace.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match input.trim().to_ascii_lowercase().as_str() {
            "critical" => Ok(Severity::Critical),
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            _ => Err(SeverityParseError {
                input: input.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_severity() -> Result<(), SeverityParseError> {
        for s in [
            Severity::Critical,
            Severity::Error,
            Severity::Warning,
            Severity::Info,
        ] {
            assert_eq!(s.as_str().parse::<Severity>()?, s);
            assert_eq!(s.to_string().to_uppercase().parse::<Severity>()?, s);
        }
        assert!(" Warning ".parse::<Severity>().is_ok());
        assert!("high".parse::<Severity>().is_err());
        Ok(())
    }
}
