//! The original TypeScript monitor's SSM parameters, so an existing deployment moves over without
//! renaming anything. Secrets are read by reference (`ssm:NAME`); plain settings (repositories,
//! organizations, the StatelyDB store id and region) fill in whatever the environment leaves
//! unset.

use serde_json::Value as Json;
use toml::{Table, Value};

use crate::host::secrets::{SsmClient, SsmError};
use secrecy::ExposeSecret;

/// The folder of every parameter.
pub const PREFIX: &str = "/github-runner-monitor/";
/// GitHub token (SecureString).
pub const GITHUB_TOKEN: &str = "/github-runner-monitor/github-token";
/// Repositories to watch: a JSON array of `owner/name`.
pub const REPOSITORIES: &str = "/github-runner-monitor/repositories";
/// Organizations to watch: a JSON array of names.
pub const ORGANIZATIONS: &str = "/github-runner-monitor/organizations";
/// Slack incoming webhook URL (SecureString).
pub const SLACK_WEBHOOK: &str = "/github-runner-monitor/slack-webhook";
/// Slack app signing secret.
pub const SLACK_SIGNING_SECRET: &str = "/github-runner-monitor/slack-signing-secret";
/// StatelyDB access key (SecureString).
pub const STATELYDB_ACCESS_KEY: &str = "/github-runner-monitor/statelydb-access-key";
/// StatelyDB store id.
pub const STATELYDB_STORE_ID: &str = "/github-runner-monitor/statelydb-store-id";
/// StatelyDB region.
pub const STATELYDB_REGION: &str = "/github-runner-monitor/statelydb-region";
/// StatelyDB schema id.
pub const STATELYDB_SCHEMA_ID: &str = "/github-runner-monitor/statelydb-schema-id";

/// The Lambda defaults: StatelyDB store, secrets by the original parameter names, no HTTP server.
pub fn defaults() -> Table {
    let text = format!(
        r#"
[http]
enabled = false

[github]
token = "ssm:{GITHUB_TOKEN}"

[store]
kind = "stately"
access_key = "ssm:{STATELYDB_ACCESS_KEY}"

[slash_commands]
signing_secret = "ssm:{SLACK_SIGNING_SECRET}"
"#
    );
    text.parse::<Table>().unwrap_or_default()
}

/// Settings read from the original parameters for every key `merged` (defaults plus environment)
/// leaves unset. Missing parameters are skipped; other failures are errors.
///
/// # Errors
/// The extension failed, or a parameter's value is not what the original monitor stored.
pub async fn layer(merged: &Table, ssm: &SsmClient) -> Result<Table, SsmError> {
    let mut layer = Table::new();
    let section = |name: &str| merged.get(name).and_then(Value::as_table);
    let github = section("github");
    if github.and_then(|g| g.get("scopes")).is_none() {
        let mut scopes = Vec::new();
        if let Some(repos) = json_list(ssm, REPOSITORIES).await? {
            scopes.extend(repos);
        }
        if let Some(orgs) = json_list(ssm, ORGANIZATIONS).await? {
            scopes.extend(orgs.into_iter().map(|org| format!("org:{org}")));
        }
        if !scopes.is_empty() {
            let mut github = Table::new();
            github.insert(
                "scopes".to_owned(),
                Value::Array(scopes.into_iter().map(Value::String).collect()),
            );
            layer.insert("github".to_owned(), Value::Table(github));
        }
    }
    let store = section("store");
    let is_stately = store.and_then(|s| s.get("kind")).and_then(Value::as_str) == Some("stately");
    if is_stately {
        let mut fill = Table::new();
        let unset = |key: &str| store.and_then(|s| s.get(key)).is_none();
        if unset("store_id")
            && let Some(id) = text(ssm, STATELYDB_STORE_ID).await?
        {
            fill.insert("store_id".to_owned(), Value::String(id));
        }
        if unset("region")
            && unset("endpoint")
            && let Some(region) = text(ssm, STATELYDB_REGION).await?
        {
            fill.insert("region".to_owned(), Value::String(region));
        }
        if unset("schema_id")
            && let Some(id) = text(ssm, STATELYDB_SCHEMA_ID).await?
        {
            fill.insert("schema_id".to_owned(), Value::String(id));
        }
        if !fill.is_empty() {
            layer.insert("store".to_owned(), Value::Table(fill));
        }
    }
    if merged.get("sinks").is_none() && ssm.get_optional(SLACK_WEBHOOK).await?.is_some() {
        let mut slack = Table::new();
        slack.insert("kind".to_owned(), Value::String("slack".to_owned()));
        slack.insert(
            "webhook_url".to_owned(),
            Value::String(format!("ssm:{SLACK_WEBHOOK}")),
        );
        layer.insert("sinks".to_owned(), Value::Array(vec![Value::Table(slack)]));
    }
    Ok(layer)
}

async fn text(ssm: &SsmClient, name: &str) -> Result<Option<String>, SsmError> {
    Ok(ssm
        .get_optional(name)
        .await?
        .map(|value| value.expose_secret().trim().to_owned())
        .filter(|value| !value.is_empty()))
}

/// A JSON array of strings (the original's format), or a comma-separated list.
async fn json_list(ssm: &SsmClient, name: &str) -> Result<Option<Vec<String>>, SsmError> {
    let Some(raw) = text(ssm, name).await? else {
        return Ok(None);
    };
    if raw.starts_with('[') {
        let items: Vec<Json> = serde_json::from_str(&raw).map_err(|_| SsmError::Malformed {
            name: name.to_owned(),
            reason: "expected a JSON array of strings".to_owned(),
        })?;
        let items = items
            .into_iter()
            .map(|item| match item {
                Json::String(s) => Ok(s.trim().to_owned()),
                _ => Err(SsmError::Malformed {
                    name: name.to_owned(),
                    reason: "expected a JSON array of strings".to_owned(),
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Some(items.into_iter().filter(|s| !s.is_empty()).collect()));
    }
    Ok(Some(
        raw.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    ))
}
