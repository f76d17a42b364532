//! The Lambda functions' configuration: [`original::defaults`](super::original::defaults), then
//! the original SSM parameters for what is unset, then `RUNNER_MONITOR_*` environment variables
//! (an optional `RUNNER_MONITOR_CONFIG` file in the package sits between defaults and
//! environment).

use std::path::PathBuf;

use super::original;
use crate::host::config::{Config, ConfigError, Loader};
use crate::host::secrets::{SecretResolver, SsmError};

/// Why a Lambda function could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The configuration is invalid.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The SSM extension failed.
    #[error("SSM: {0}")]
    Ssm(#[from] SsmError),
    /// A component could not be built.
    #[error("{0}")]
    Build(#[from] crate::host::build::BuildError),
}

/// Loads the configuration from `env` (the process environment in Lambda), reading the original
/// parameters through `secrets`' SSM client when it has one.
///
/// # Errors
/// An [`InitError`].
pub async fn load(
    env: Vec<(String, String)>,
    secrets: &SecretResolver,
) -> Result<Config, InitError> {
    let file = env
        .iter()
        .find(|(k, _)| k == "RUNNER_MONITOR_CONFIG")
        .map(|(_, v)| PathBuf::from(v));
    let loader = |base| {
        let loader = Loader::new().base(base).env(env.clone());
        match &file {
            Some(file) => loader.file(file),
            None => loader,
        }
    };
    let mut base = original::defaults();
    if let Some(ssm) = secrets.ssm() {
        let merged = loader(base.clone()).merged()?;
        let layer = original::layer(&merged, ssm).await?;
        for (key, value) in layer {
            match (base.get_mut(&key), value) {
                (Some(toml::Value::Table(section)), toml::Value::Table(fill)) => {
                    section.extend(fill)
                }
                (_, value) => {
                    base.insert(key, value);
                }
            }
        }
    }
    Ok(loader(base).load()?)
}
