//! The daemon: `examples/daemon.rs` is a thin wrapper over [`run`], so tests drive the same code
//! in process with a [`Shutdown`] they control.

mod args;
mod schedule;
mod service;
mod shutdown;
mod summary;

use std::io::Write;

pub use args::Args;
pub use schedule::Schedule;
pub use service::{Daemon, DaemonError};
pub use shutdown::{Shutdown, ShutdownTrigger, channel};
pub use summary::{EXIT_ERROR, EXIT_HEALTHY, EXIT_OUTAGE, exit_code, one_line};

use super::build::Host;
use super::config::{Config, Loader, render_effective};
use super::secrets::SecretResolver;

/// Where the daemon reads its environment and writes its answers: the process's for the binary,
/// chosen ones for tests.
pub struct Io<'a> {
    /// Environment variables for configuration overrides.
    pub env: Vec<(String, String)>,
    /// How secrets are read.
    pub secrets: SecretResolver,
    /// `--check-config` output and the `--once` line.
    pub stdout: &'a mut (dyn Write + Send),
    /// Error messages.
    pub stderr: &'a mut (dyn Write + Send),
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io").finish_non_exhaustive()
    }
}

/// Runs the daemon as the command line asks, with the process's environment, stdout and stderr.
/// Returns the exit code: 0 on success (or all healthy with `--once`), 1 an outage is open
/// (`--once`), 2 on error.
pub async fn run(args: &Args, shutdown: Shutdown) -> u8 {
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let secrets = match SecretResolver::from_process() {
        Ok(secrets) => secrets,
        Err(error) => {
            let _ = writeln!(stderr, "runner-monitor: {error}");
            return EXIT_ERROR;
        }
    };
    let io = Io {
        env: std::env::vars().collect(),
        secrets,
        stdout: &mut stdout,
        stderr: &mut stderr,
    };
    run_with(args, shutdown, io).await
}

/// [`run`] with a chosen environment and output.
pub async fn run_with(args: &Args, shutdown: Shutdown, io: Io<'_>) -> u8 {
    let Io {
        env,
        secrets,
        stdout,
        stderr,
    } = io;
    let mut loader = Loader::new().env(env);
    if let Some(file) = &args.config {
        loader = loader.file(file);
    }
    let config = match loader.load() {
        Ok(config) => config,
        Err(error) => {
            let _ = writeln!(stderr, "runner-monitor: configuration error: {error}");
            return EXIT_ERROR;
        }
    };
    if args.check_config {
        return check_config(&config, &secrets, stdout).await;
    }
    if args.report {
        return report(args, &config, &secrets, stdout, stderr).await;
    }
    let host = match Host::build(config, &secrets).await {
        Ok(host) => host,
        Err(error) => {
            let _ = writeln!(stderr, "runner-monitor: {error}");
            return EXIT_ERROR;
        }
    };
    if args.once {
        let report = host.monitor.run_cycle(chrono::Utc::now()).await;
        let _ = writeln!(stdout, "{}", one_line(&report));
        return exit_code(&report);
    }
    let daemon = match Daemon::start(host).await {
        Ok(daemon) => daemon,
        Err(error) => {
            let _ = writeln!(stderr, "runner-monitor: {error}");
            return EXIT_ERROR;
        }
    };
    match daemon.run(shutdown).await {
        Ok(()) => EXIT_HEALTHY,
        Err(error) => {
            let _ = writeln!(stderr, "runner-monitor: {error}");
            EXIT_ERROR
        }
    }
}

/// Prints the uptime report of the configured scopes from the store.
async fn report(
    args: &Args,
    config: &Config,
    secrets: &SecretResolver,
    out: &mut (dyn Write + Send),
    err: &mut (dyn Write + Send),
) -> u8 {
    let store = match super::build::build_store(config, secrets).await {
        Ok(store) => store,
        Err(error) => {
            let _ = writeln!(err, "runner-monitor: {error}");
            return EXIT_ERROR;
        }
    };
    let since = args.since.unwrap_or(super::status::DEFAULT_SINCE);
    let fleet = super::status::fleet_of(store.as_ref(), config, chrono::Utc::now(), since).await;
    let _ = write!(
        out,
        "{}",
        super::status::report::render(&fleet, args.format)
    );
    if fleet.scopes.iter().any(|s| s.error.is_some()) {
        return EXIT_ERROR;
    }
    EXIT_HEALTHY
}

/// Prints the effective configuration and whether each secret can be read; 0 if all can.
async fn check_config(
    config: &Config,
    secrets: &SecretResolver,
    out: &mut (dyn Write + Send),
) -> u8 {
    let mut code = EXIT_HEALTHY;
    let mut lines = vec!["# secrets (references only; values are never printed)".to_owned()];
    for (key, reference) in config.secret_refs() {
        match secrets.resolve(&key, &reference).await {
            Ok(_) => lines.push(format!("#   {key} <- {reference}: readable")),
            Err(error) => {
                code = EXIT_ERROR;
                lines.push(format!(
                    "#   {key} <- {reference}: NOT READABLE: {}",
                    error.reason
                ));
            }
        }
    }
    let _ = write!(out, "{}", render_effective(config));
    let _ = writeln!(out, "\n{}", lines.join("\n"));
    let _ = writeln!(
        out,
        "# configuration {}",
        if code == EXIT_HEALTHY {
            "OK"
        } else {
            "has unreadable secrets"
        }
    );
    code
}
