//! The GitHub source from `[github]`.

use runner_monitor_github::{Credentials, GitHubSource};

use super::BuildError;
use crate::host::config::GitHubConfig;
use crate::host::secrets::SecretResolver;

/// Builds the [`GitHubSource`] (no request is sent).
pub(crate) async fn github(
    config: &GitHubConfig,
    secrets: &SecretResolver,
) -> Result<GitHubSource, BuildError> {
    let credentials = match &config.app {
        Some(app) => {
            let key = secrets
                .resolve("github.app.private_key", &app.private_key)
                .await?;
            Credentials::app(app.id.clone(), app.installation_id, key)
        }
        None => Credentials::token(secrets.resolve("github.token", &config.token_ref()).await?),
    };
    GitHubSource::builder()
        .base_url(config.api_url.clone())
        .credentials(credentials)
        .request_timeout(config.request_timeout)
        .overall_timeout(config.overall_timeout)
        .max_concurrent_requests(config.max_concurrent_requests)
        .build()
        .map_err(|error| BuildError::component("github", error))
}
