//! The effective configuration as TOML, defaults filled in, for `--check-config`.
//!
//! Nothing secret can appear: the configuration holds only secret *references* (`env:NAME`,
//! `file:PATH`, `ssm:NAME`), never values.

use super::{Config, StoreConfig};

/// `config` as TOML with every implied default written out (jitter, health staleness, the GitHub
/// token reference, the SQLite file).
pub fn render_effective(config: &Config) -> String {
    let mut effective = config.clone();
    effective.daemon.jitter = Some(config.daemon.jitter());
    effective.daemon.stale_after = Some(config.daemon.stale_after());
    if effective.github.app.is_none() {
        effective.github.token = Some(config.github.token_ref());
    }
    if let StoreConfig::Sqlite { path: path @ None } = &mut effective.store {
        *path = runner_monitor_sqlite::SqliteStore::default_path();
    }
    match toml::to_string_pretty(&effective) {
        Ok(text) => text,
        Err(error) => format!("# cannot render the configuration: {error}\n"),
    }
}
