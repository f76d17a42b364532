//! A standalone StatelyDB emulator for your own tests and demos, like other databases' local
//! servers. It prints its endpoint and store id, then serves until Ctrl-C.
//!
//! ```sh
//! cargo run -p runner-monitor-stately-emulator --example emulator -- \
//!     --listen 127.0.0.1:7700 [--schema original|v3] [--require-auth KEY] [--store-id 1]
//! ```
//!
//! Point a client at it: `StatelyConfig::new(STORE_ID).endpoint("http://127.0.0.1:7700")`, or
//! the official JS client with `nodeTransport({ endpoint, noAuth: true })`.

use std::net::SocketAddr;

use clap::{Parser, ValueEnum};
use runner_monitor_stately_emulator::{Emulator, original_schema, runner_monitor_schema};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SchemaChoice {
    /// The original TypeScript monitor's schema (version 2).
    Original,
    /// runner-monitor's schema (version 3, accepts versions 1 to 3).
    V3,
}

#[derive(Debug, Parser)]
#[command(about = "A local StatelyDB look-alike (Connect, binary protobuf, HTTP/1.1 + h2c)")]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The schema to serve.
    #[arg(long, value_enum, default_value = "v3")]
    schema: SchemaChoice,
    /// Require this access key (GetAuthToken) and a bearer token on every call.
    #[arg(long, value_name = "KEY")]
    require_auth: Option<String>,
    /// The store id.
    #[arg(long, default_value_t = 1)]
    store_id: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let schema = match args.schema {
        SchemaChoice::Original => original_schema(),
        SchemaChoice::V3 => runner_monitor_schema(),
    };
    let mut builder = Emulator::builder()
        .schema(schema)
        .store_id(args.store_id)
        .listen(args.listen);
    if let Some(key) = &args.require_auth {
        builder = builder.access_key(key).require_auth(true);
    }
    let emulator = builder.start().await?;
    // One line a script can parse, then details.
    println!("{}", emulator.endpoint());
    println!(
        "store id {} schema id {} version {} auth {}",
        emulator.store_id(),
        emulator.schema_id(),
        emulator.schema_version(),
        if args.require_auth.is_some() {
            "required"
        } else {
            "none"
        }
    );
    tokio::signal::ctrl_c().await?;
    emulator.shutdown().await;
    Ok(())
}
