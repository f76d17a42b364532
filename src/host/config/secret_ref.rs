//! [`SecretRef`]: where a secret comes from. The configuration file names the place, never the
//! secret itself.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a secret is read from: `env:NAME` (an environment variable), `file:PATH` (a file; one
/// trailing newline is dropped) or `ssm:NAME` (an AWS SSM parameter, read through the AWS
/// Parameters and Secrets Lambda Extension). A reference is not a secret, so it may be printed.
///
/// # Examples
/// ```
/// use runner_monitor::host::config::SecretRef;
/// let token: SecretRef = "env:GITHUB_TOKEN".parse().unwrap();
/// assert_eq!(token, SecretRef::Env("GITHUB_TOKEN".into()));
/// assert_eq!(token.to_string(), "env:GITHUB_TOKEN");
/// assert!("ghp_16C7e42F292c6912E7710c838347Ae178B4a".parse::<SecretRef>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretRef {
    /// An environment variable.
    Env(String),
    /// A file (e.g. a Docker or Kubernetes secret mount).
    File(PathBuf),
    /// An AWS SSM Parameter Store parameter (decrypted), e.g. `/github-runner-monitor/github-token`.
    Ssm(String),
}

/// A value that is not a secret reference. Never carries the value: it may be the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "secrets are never written in the configuration: write where to read it from, \
     \"env:VARIABLE\", \"file:/path/to/file\" or \"ssm:/parameter/name\""
)]
pub struct SecretRefError;

impl SecretRef {
    /// `env:NAME`.
    pub fn env(name: impl Into<String>) -> Self {
        SecretRef::Env(name.into())
    }

    /// `ssm:NAME`.
    pub fn ssm(name: impl Into<String>) -> Self {
        SecretRef::Ssm(name.into())
    }

    /// `file:PATH`.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        SecretRef::File(path.into())
    }
}

impl FromStr for SecretRef {
    type Err = SecretRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (kind, rest) = text.split_once(':').ok_or(SecretRefError)?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(SecretRefError);
        }
        match kind.trim() {
            "env" if is_env_name(rest) => Ok(SecretRef::Env(rest.to_owned())),
            "file" => Ok(SecretRef::File(PathBuf::from(rest))),
            "ssm" if !rest.chars().any(char::is_whitespace) => Ok(SecretRef::Ssm(rest.to_owned())),
            _ => Err(SecretRefError),
        }
    }
}

fn is_env_name(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{}", path.display()),
            SecretRef::Ssm(name) => write!(f, "ssm:{name}"),
        }
    }
}

impl Serialize for SecretRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SecretRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret reference: \"env:NAME\", \"file:PATH\" or \"ssm:NAME\"")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SecretRef, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_kinds() {
        assert_eq!("env:A_1".parse(), Ok(SecretRef::env("A_1")));
        assert_eq!(
            "file:/run/secrets/gh".parse(),
            Ok(SecretRef::file("/run/secrets/gh"))
        );
        assert_eq!(
            " ssm:/github-runner-monitor/github-token ".parse(),
            Ok(SecretRef::ssm("/github-runner-monitor/github-token"))
        );
        for text in ["ssm:/a", "env:GITHUB_TOKEN", "file:relative/x"] {
            let parsed: SecretRef = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn a_literal_secret_is_refused_without_being_echoed() {
        for literal in [
            "ghp_abcdefgh",
            "https://hooks.slack.com/services/T0/B0/secret",
            "env:",
            "env:has space",
            "vault:x",
            "",
        ] {
            let error = literal.parse::<SecretRef>().unwrap_err().to_string();
            assert!(error.contains("never written"), "{error}");
            if literal.len() > 6 {
                assert!(!error.contains(literal), "{error}");
            }
        }
    }
}
