//! AWS Lambda: one monitoring cycle per EventBridge scheduled event.
//!
//! Build with `cargo lambda build --release --arm64 --example lambda_monitor --features lambda`;
//! deploy with `deploy/template.yaml` (see the README ("Hosts")). The function is built once per
//! container; a failed cycle fails the invocation, so EventBridge retries it.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use runner_monitor::host::lambda::MonitorFunction;
use runner_monitor::host::logging;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    logging::init_lambda();
    let function = MonitorFunction::from_env().await.map_err(|error| {
        tracing::error!(%error, "cannot start");
        Box::new(error) as Error
    })?;
    let function = &function;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<EventBridgeEvent<Value>>| async move {
            function
                .handle(event.payload)
                .await
                .map_err(|failed| Box::new(failed) as Error)
        },
    ))
    .await
}
