//! AWS Lambda: Slack slash commands through API Gateway (HTTP API payload 2.0 or REST proxy 1.0).
//!
//! Build with `cargo lambda build --release --arm64 --example lambda_slack --features lambda`;
//! deploy with `deploy/template.yaml` (see the README ("Hosts")). The store and the handler are built
//! once per container.

use lambda_runtime::{Error, LambdaEvent, Runtime, service_fn};
use runner_monitor::host::lambda::{FinishDelayedLayer, SlackFunction};
use runner_monitor::host::logging;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_lambda();
    let function = SlackFunction::from_env().await.map_err(|error| {
        tracing::error!(%error, "cannot start");
        Box::new(error) as Error
    })?;
    let handler = function.clone();
    // After each answer is sent, wait for a delayed answer to reach Slack's response_url before
    // the next event is fetched (Lambda may freeze the container then).
    Runtime::new(service_fn(move |event: LambdaEvent<Value>| {
        let handler = handler.clone();
        async move { Ok::<Value, Error>(handler.handle(event.payload).await) }
    }))
    .layer(lambda_runtime::layers::TracingLayer::new())
    .layer(FinishDelayedLayer::new(function))
    .run()
    .await
}
