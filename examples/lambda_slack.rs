//! AWS Lambda: Slack slash commands through API Gateway (HTTP API payload 2.0 or REST proxy 1.0).
//!
//! Build with `cargo lambda build --release --arm64 --example lambda_slack --features lambda`;
//! deploy with `deploy/template.yaml` (see the README ("Hosts")). The store and the handler are built
//! once per container.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use runner_monitor::host::lambda::SlackFunction;
use runner_monitor::host::logging;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_lambda();
    let function = SlackFunction::from_env().await.map_err(|error| {
        tracing::error!(%error, "cannot start");
        Box::new(error) as Error
    })?;
    let function = &function;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(function.handle(event.payload).await)
    }))
    .await
}
