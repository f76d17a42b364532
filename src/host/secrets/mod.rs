//! Resolving [`SecretRef`]s to [`SecretString`]s: environment variables, files, SSM parameters.

mod ssm;

use std::collections::HashMap;
use std::sync::Arc;

use secrecy::SecretString;

pub use ssm::{DEFAULT_PORT, PORT_ENV, SsmClient, SsmError, TOKEN_HEADER};

use super::config::SecretRef;

/// Why a secret could not be read. Names the configuration key and the reference, never the
/// secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key} ({reference}): {reason}")]
pub struct SecretError {
    /// The configuration key, e.g. `github.token`.
    pub key: String,
    /// The reference, e.g. `env:GITHUB_TOKEN`.
    pub reference: String,
    /// What went wrong.
    pub reason: String,
}

type EnvFn = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Reads secrets from where their references point.
#[derive(Clone)]
pub struct SecretResolver {
    env: Arc<EnvFn>,
    ssm: Option<SsmClient>,
}

impl std::fmt::Debug for SecretResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretResolver")
            .field("ssm", &self.ssm)
            .finish_non_exhaustive()
    }
}

impl SecretResolver {
    /// The process environment; SSM through the Lambda extension when `AWS_SESSION_TOKEN` is set.
    ///
    /// # Errors
    /// The SSM client cannot be created.
    pub fn from_process() -> Result<Self, SsmError> {
        let ssm = SsmClient::from_env(|name| std::env::var(name).ok()).transpose()?;
        Ok(SecretResolver {
            env: Arc::new(|name| std::env::var(name).ok()),
            ssm,
        })
    }

    /// Environment variables from a function (tests, the demo); no SSM.
    pub fn from_env_fn(env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        SecretResolver {
            env: Arc::new(env),
            ssm: None,
        }
    }

    /// Environment variables from a map; no SSM.
    pub fn from_map(vars: HashMap<String, String>) -> Self {
        SecretResolver::from_env_fn(move |name| vars.get(name).cloned())
    }

    /// Reads `ssm:` references with `client`.
    #[must_use]
    pub fn with_ssm(mut self, client: SsmClient) -> Self {
        self.ssm = Some(client);
        self
    }

    /// The SSM client, if any.
    pub fn ssm(&self) -> Option<&SsmClient> {
        self.ssm.as_ref()
    }

    /// An environment variable through this resolver's environment.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.env)(name)
    }

    /// Reads the secret `reference` points at, for configuration key `key`.
    ///
    /// # Errors
    /// A [`SecretError`]: variable unset or empty, file unreadable or empty, no SSM extension,
    /// parameter missing.
    pub async fn resolve(
        &self,
        key: &str,
        reference: &SecretRef,
    ) -> Result<SecretString, SecretError> {
        let fail = |reason: String| SecretError {
            key: key.to_owned(),
            reference: reference.to_string(),
            reason,
        };
        let value = match reference {
            SecretRef::Env(name) => match (self.env)(name) {
                Some(value) if !value.trim().is_empty() => value,
                Some(_) => return Err(fail("the environment variable is empty".to_owned())),
                None => return Err(fail("the environment variable is not set".to_owned())),
            },
            SecretRef::File(path) => {
                let text = tokio::fs::read_to_string(path)
                    .await
                    .map_err(|error| fail(format!("cannot read the file: {error}")))?;
                let value = text
                    .strip_suffix('\n')
                    .map(|t| t.strip_suffix('\r').unwrap_or(t))
                    .unwrap_or(&text)
                    .to_owned();
                if value.trim().is_empty() {
                    return Err(fail("the file is empty".to_owned()));
                }
                value
            }
            SecretRef::Ssm(name) => {
                let Some(ssm) = &self.ssm else {
                    return Err(fail(
                        "SSM parameters are read through the AWS Parameters and Secrets Lambda \
                         Extension, which needs AWS_SESSION_TOKEN (run in Lambda, or use env: or \
                         file: references)"
                            .to_owned(),
                    ));
                };
                return ssm.get(name).await.map_err(|error| fail(error.to_string()));
            }
        };
        Ok(SecretString::from(value))
    }

    /// [`resolve`](Self::resolve) for an optional reference.
    ///
    /// # Errors
    /// As for [`resolve`](Self::resolve).
    pub async fn resolve_opt(
        &self,
        key: &str,
        reference: Option<&SecretRef>,
    ) -> Result<Option<SecretString>, SecretError> {
        match reference {
            Some(reference) => self.resolve(key, reference).await.map(Some),
            None => Ok(None),
        }
    }
}
