//! Configuration loading: layers, environment overrides, errors that name file, key and problem.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use runner_monitor::host::config::{
    Config, ConfigError, Loader, SecretRef, SinkConfig, SlackSinkConfig, StoreConfig,
    render_effective,
};

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("monitor.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn load(text: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, text);
    Loader::new().file(file).env(env(vars)).load()
}

const FULL: &str = r#"
[daemon]
interval = "30s"
jitter = "2s"

[http]
listen = "0.0.0.0:9184"

[github]
api_url = "https://ghe.example/api/v3"
scopes = ["acme/api", "org:acme", "enterprise:big"]

[github.app]
id = 12345
installation_id = "678"
private_key = "file:/etc/runner-monitor/app.pem"

[store]
kind = "stately"
store_id = "4242"
region = "us-west-2"
access_key = "ssm:/github-runner-monitor/statelydb-access-key"

[policy]
open_after = "5m"
remind_every = "4h"

[monitor]
concurrency = 2

[[sinks]]
kind = "slack"
webhook_url = "env:SLACK_WEBHOOK_URL"

[[sinks]]
kind = "webhook"
name = "ops"
url = "env:OPS_URL"
signing_secret = "env:OPS_SECRET"
headers = { "X-Api-Key" = "file:/run/secrets/ops-key" }

[[sinks]]
kind = "pagerduty"
routing_key = "env:PD_KEY"
outage_severity = "error"

[slash_commands]
signing_secret = "env:SLACK_SIGNING_SECRET"
"#;

#[test]
fn a_full_file_loads() {
    let config = load(FULL, &[]).unwrap();
    assert_eq!(config.daemon.interval, Duration::from_secs(30));
    assert_eq!(config.daemon.jitter(), Duration::from_secs(2));
    assert_eq!(config.github.scopes.len(), 3);
    let app = config.github.app.as_ref().unwrap();
    assert_eq!((app.id.as_str(), app.installation_id), ("12345", 678));
    let StoreConfig::Stately(stately) = &config.store else {
        panic!("{:?}", config.store)
    };
    assert_eq!(stately.store_id, Some(4242));
    assert_eq!(config.policy.open_after, Duration::from_secs(300));
    assert_eq!(
        config.policy.remind_every,
        Some(Duration::from_secs(4 * 3600))
    );
    assert_eq!(config.policy.new_runner_grace, Duration::from_secs(600));
    let names: Vec<&str> = config.sinks.iter().map(SinkConfig::name).collect();
    assert_eq!(names, ["slack", "ops", "pagerduty"]);
    let refs: Vec<String> = config
        .secret_refs()
        .into_iter()
        .map(|(key, r)| format!("{key}={r}"))
        .collect();
    assert_eq!(
        refs,
        [
            "github.app.private_key=file:/etc/runner-monitor/app.pem",
            "store.access_key=ssm:/github-runner-monitor/statelydb-access-key",
            "sinks[0].webhook_url=env:SLACK_WEBHOOK_URL",
            "sinks[1].url=env:OPS_URL",
            "sinks[1].signing_secret=env:OPS_SECRET",
            "sinks[1].headers.X-Api-Key=file:/run/secrets/ops-key",
            "sinks[2].routing_key=env:PD_KEY",
            "slash_commands.signing_secret=env:SLACK_SIGNING_SECRET",
        ]
    );
}

#[test]
fn defaults_need_only_scopes() {
    let config = load("[github]\nscopes = \"acme/api, org:acme\"\n", &[]).unwrap();
    assert_eq!(config.daemon.interval, Duration::from_secs(60));
    assert_eq!(config.daemon.jitter(), Duration::from_secs(6));
    assert_eq!(config.store, StoreConfig::Sqlite { path: None });
    assert_eq!(config.github.token_ref(), SecretRef::env("GITHUB_TOKEN"));
    assert!(config.sinks.is_empty() && config.slash_commands.is_none());
    assert_eq!(config.http.listen, "127.0.0.1:9184");
}

#[test]
fn environment_overrides_the_file() {
    let config = load(
        FULL,
        &[
            ("RUNNER_MONITOR_GITHUB__SCOPES", "a/b,org:c"),
            ("RUNNER_MONITOR_POLICY__OPEN_AFTER", "90s"),
            ("RUNNER_MONITOR_STORE", "{ kind = \"memory\" }"),
            ("RUNNER_MONITOR_SINKS__0__WEBHOOK_URL", "file:/run/hook"),
            ("RUNNER_MONITOR_DAEMON__INTERVAL", "5s"),
            ("RUNNER_MONITOR_DB", "/ignored.db"),
        ],
    )
    .unwrap();
    let scopes: Vec<String> = config
        .github
        .scopes
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(scopes, ["a/b", "org:c"]);
    assert_eq!(config.policy.open_after, Duration::from_secs(90));
    assert_eq!(config.store, StoreConfig::Memory);
    assert_eq!(config.daemon.interval, Duration::from_secs(5));
    let SinkConfig::Slack(SlackSinkConfig { webhook_url, .. }) = &config.sinks[0] else {
        panic!()
    };
    assert_eq!(webhook_url, &SecretRef::file("/run/hook"));
}

#[test]
fn only_environment() {
    let config = Loader::new()
        .env(env(&[
            ("RUNNER_MONITOR_GITHUB__SCOPES", "acme/api"),
            ("RUNNER_MONITOR_STORE__KIND", "memory"),
            ("RUNNER_MONITOR_SINKS__0__KIND", "slack"),
            ("RUNNER_MONITOR_SINKS__0__WEBHOOK_URL", "env:HOOK"),
        ]))
        .load()
        .unwrap();
    assert_eq!(config.store, StoreConfig::Memory);
    assert_eq!(config.sinks.len(), 1);
}

fn error_of(text: &str, vars: &[(&str, &str)]) -> String {
    load(text, vars).unwrap_err().to_string()
}

const GPU_POOL: &str = "[github]\nscopes = [\"acme/ml\", \"org:acme\"]\n[[policy.pools]]\nname = \"gpu\"\nlabels = [\"gpu\"]\n";

#[test]
fn pools_load_from_toml_and_errors_name_the_pool() {
    let config = load(
        &format!("{GPU_POOL}min_online = 2\nfor = \"5m\"\nscopes = [\"acme/ml\"]\n"),
        &[],
    )
    .expect("valid pool");
    let pool = &config.policy.pools[0];
    assert_eq!(pool.min_online, Some(2));
    assert_eq!(pool.below_for, Duration::from_secs(300));
    assert_eq!(pool.scopes, ["acme/ml".parse().expect("scope")]);
    let cases: &[(String, &str, &[&str])] = &[
        (
            format!("{GPU_POOL}min_online = 2\nmin_idle = 1\n"),
            "policy.pools[0].min_online",
            &["pool `gpu`", "exactly one floor"],
        ),
        (
            format!("{GPU_POOL}\n"),
            "policy.pools[0].min_online",
            &["exactly one floor"],
        ),
        (
            format!("{GPU_POOL}min_idle = 1\nscopes = [\"acme/web\"]\n"),
            "policy.pools[0].scopes",
            &["acme/web", "not in github.scopes"],
        ),
        (
            format!("{GPU_POOL}min_idle = 1\n[[policy.pools]]\nname = \"gpu\"\nlabels = [\"x\"]\nmin_idle = 1\n"),
            "policy.pools[1].name",
            &["second pool named `gpu`"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[[policy.pools]]\nname = \"gpu\"\nlabels = []\nmin_idle = 1\n".to_owned(),
            "policy.pools[0].labels",
            &["at least one label"],
        ),
        (
            "[github]\nscopes = [\"a/b\", \"pool:gpu\"]\n".to_owned(),
            "github.scopes",
            &["is a pool"],
        ),
    ];
    for (text, key, fragments) in cases {
        let error = error_of(text, &[]);
        assert!(error.contains(&format!("key `{key}`")), "{key}: {error}");
        for fragment in *fragments {
            assert!(error.contains(fragment), "{key}: {fragment}: {error}");
        }
    }
}

#[test]
fn a_broken_file_names_file_key_and_problem() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "[github]\nscopes = [\"acme/api\"]\n[policy]\nopen_after = \"soon\"\n",
            "policy.open_after",
            &["soon"],
        ),
        (
            "[github]\nscopes = [\"acme/api\"]\n[policy]\nopne_after = \"2m\"\n",
            "policy.opne_after",
            &["unknown field `opne_after`", "open_after"],
        ),
        (
            "[github]\nscopes = [\"acme/api\"]\n[store]\nkind = \"sqlit\"\n",
            "store.kind",
            &["sqlit", "sqlite"],
        ),
        (
            "[github]\nscopes = [\"acme/api\", \"bad scope\"]\n",
            "github.scopes",
            &["bad scope"],
        ),
        ("[github]\n", "github.scopes", &["no scope"]),
        (
            "[github]\nscopes = [\"a/b\"]\n[[sinks]]\nkind = \"slack\"\n",
            "sinks[0].webhook_url",
            &["missing field `webhook_url`"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:A\"\n[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:B\"\n",
            "sinks[1].name",
            &["second sink named `slack`"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[http]\nlisten = \"everywhere\"\n",
            "http.listen",
            &["everywhere"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[policy]\nforget_after = \"1m\"\n",
            "policy.forget_after",
            &["at least"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[store]\nkind = \"stately\"\n",
            "store.store_id",
            &["missing"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[monitor]\ndispatch_budget = \"1m\"\ndelivery_lease = \"30s\"\n",
            "monitor.delivery_lease",
            &["longer than dispatch_budget"],
        ),
        (
            "[github]\nscopes = [\"a/b\"]\n[monitor]\ndispatch_budget = \"0s\"\n",
            "monitor.dispatch_budget",
            &["positive"],
        ),
    ];
    for (text, key, fragments) in cases {
        let error = error_of(text, &[]);
        assert!(error.contains("monitor.toml"), "{error}");
        assert!(error.contains(&format!("key `{key}`")), "{key}: {error}");
        for fragment in *fragments {
            assert!(error.contains(fragment), "{key}: {fragment}: {error}");
        }
    }
}

#[test]
fn errors_inside_sinks_name_the_full_key() {
    const SCOPES: &str = "[github]\nscopes = [\"a/b\"]\n";
    let slack = "[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:HOOK\"\n";
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "[[sinks]]\nkind = \"slack\"\nwebhook_url = \"https://hooks.slack.com/services/T/B/hunter2\"\n",
            "sinks[0].webhook_url",
            &["env:"],
        ),
        (
            "[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:HOOK\"\ntimeout = \"soon\"\n",
            "sinks[0].timeout",
            &["soon"],
        ),
        (
            "[[sinks]]\nkind = \"slack\"\nwebhok_url = \"env:HOOK\"\n",
            "sinks[0].webhok_url",
            &["unknown field `webhok_url`", "webhook_url"],
        ),
        (
            "[[sinks]]\nkind = \"webhook\"\nurl = \"env:URL\"\n[sinks.headers]\nX-Api-Key = \"hunter2\"\n",
            "sinks[0].headers.X-Api-Key",
            &["env:"],
        ),
        (
            "[[sinks]]\nkind = \"webhook\"\nurl = 5\n",
            "sinks[0].url",
            &["invalid type"],
        ),
        (
            "[[sinks]]\nkind = \"pagerduty\"\nrouting_key = \"env:PD\"\ntimeout = 10\n",
            "sinks[0].timeout",
            &["invalid type"],
        ),
        (
            "[[sinks]]\nkind = \"pagerduty\"\n",
            "sinks[0].routing_key",
            &["missing field `routing_key`"],
        ),
        (
            "[[sinks]]\nwebhook_url = \"env:HOOK\"\n",
            "sinks[0].kind",
            &["slack, webhook, pagerduty"],
        ),
        (
            "[[sinks]]\nkind = \"slack_bot\"\nbot_token = \"env:T\"\n",
            "sinks[0].channel",
            &["missing field `channel`"],
        ),
        (
            "[[sinks]]\nkind = \"slack_bot\"\nbot_token = \"xoxb-hunter2\"\nchannel = \"env:C\"\n",
            "sinks[0].bot_token",
            &["env:"],
        ),
    ];
    for (sinks, key, fragments) in cases {
        for prefix in ["", slack] {
            let text = format!("{SCOPES}{prefix}{sinks}");
            let key = if prefix.is_empty() {
                (*key).to_owned()
            } else {
                key.replace("sinks[0]", "sinks[1]")
            };
            let error = error_of(&text, &[]);
            assert!(error.contains(&format!("key `{key}`")), "{key}: {error}");
            for fragment in *fragments {
                assert!(error.contains(fragment), "{key}: {fragment}: {error}");
            }
            assert!(!error.contains("hunter2"), "{error}");
        }
    }
}

#[test]
fn errors_inside_sinks_from_the_environment_name_variable_and_key() {
    let file =
        "[github]\nscopes = [\"a/b\"]\n[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:HOOK\"\n";
    let error = error_of(
        file,
        &[(
            "RUNNER_MONITOR_SINKS__0__WEBHOOK_URL",
            "https://hooks.slack.com/services/T/B/hunter2",
        )],
    );
    assert!(
        error.starts_with("RUNNER_MONITOR_SINKS__0__WEBHOOK_URL: key `sinks[0].webhook_url`"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
    let error = error_of(
        file,
        &[
            ("RUNNER_MONITOR_SINKS__1__KIND", "pagerduty"),
            ("RUNNER_MONITOR_SINKS__1__ROUTING_KEY", "env:PD"),
            ("RUNNER_MONITOR_SINKS__1__TIMEOUT", "later"),
        ],
    );
    assert!(
        error.starts_with("RUNNER_MONITOR_SINKS__1__TIMEOUT: key `sinks[1].timeout`"),
        "{error}"
    );
    let error = error_of(
        file,
        &[
            ("RUNNER_MONITOR_SINKS__1__KIND", "webhook"),
            ("RUNNER_MONITOR_SINKS__1__URL", "env:URL"),
            ("RUNNER_MONITOR_SINKS__1__SIGNING_SECRET", "whsec_hunter2"),
        ],
    );
    assert!(
        error.starts_with("RUNNER_MONITOR_SINKS__1__SIGNING_SECRET: key `sinks[1].signing_secret`"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
}

#[test]
fn a_syntax_error_names_line_and_column_without_quoting_the_line() {
    let error = error_of("[github]\nscopes = [\"a/b\"]\ntoken = ghp_hunter2\n", &[]);
    assert!(error.contains("monitor.toml:3:"), "{error}");
    assert!(error.contains("invalid TOML"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
}

#[test]
fn a_literal_secret_is_refused_and_not_echoed() {
    let error = error_of(
        "[github]\nscopes = [\"a/b\"]\ntoken = \"ghp_hunter2\"\n",
        &[],
    );
    assert!(error.contains("key `github.token`"), "{error}");
    assert!(error.contains("env:"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");

    let error = error_of(
        "[github]\nscopes = [\"a/b\"]\n",
        &[("RUNNER_MONITOR_GITHUB__TOKEN", "ghp_hunter2")],
    );
    assert!(
        error.starts_with("RUNNER_MONITOR_GITHUB__TOKEN: key `github.token`"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
}

#[test]
fn an_error_from_the_environment_names_the_variable() {
    let error = error_of(
        "[github]\nscopes = [\"a/b\"]\n",
        &[("RUNNER_MONITOR_POLICY__OPEN_AFTER", "later")],
    );
    assert!(
        error.starts_with("RUNNER_MONITOR_POLICY__OPEN_AFTER: key `policy.open_after`"),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let error = Loader::new()
        .file("/nonexistent/monitor.toml")
        .load()
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("/nonexistent/monitor.toml: cannot read"),
        "{error}"
    );
}

#[test]
fn the_effective_configuration_renders_and_reloads() {
    let config = load(FULL, &[]).unwrap();
    let text = render_effective(&config);
    assert!(text.contains("jitter = \"2s\""), "{text}");
    assert!(text.contains("stale_after"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let again = Loader::new().file(write(&dir, &text)).load().unwrap();
    assert_eq!(again.sinks, config.sinks);
    assert_eq!(again.policy, config.policy);
    assert_eq!(again.github, config.github);

    let minimal = load("[github]\nscopes = [\"a/b\"]\n", &[]).unwrap();
    let text = render_effective(&minimal);
    assert!(text.contains("token = \"env:GITHUB_TOKEN\""), "{text}");
    assert!(text.contains("kind = \"sqlite\""), "{text}");
}

#[test]
fn sink_routes_load_and_bad_ones_name_the_key() {
    const BASE: &str = "[github]\nscopes = [\"acme/api\"]\n[[sinks]]\nkind = \"webhook\"\nurl = \"env:HOOK\"\n[sinks.route]\n";
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "kinds = [\"outage_open\"]",
            "sinks[0].route.kinds",
            &["`outage_open`", "outage_opened"],
        ),
        (
            "scopes = [\"acme\"]",
            "sinks[0].route.scopes",
            &["`acme`", "owner/*"],
        ),
        ("labels = [\"\"]", "sinks[0].route.labels", &["empty"]),
        (
            "severity = 1",
            "sinks[0].route.severity",
            &["unknown field `severity`"],
        ),
    ];
    for (route, key, needles) in cases {
        let error = error_of(&format!("{BASE}{route}\n"), &[]);
        assert!(error.contains(key), "{route}: {error}");
        for needle in *needles {
            assert!(error.contains(needle), "{route}: {error}");
        }
    }
    let config = load(
        &format!("{BASE}kinds = [\"outage_opened\"]\nscopes = [\"acme/*\"]\nlabels = [\"gpu\"]\n"),
        &[],
    )
    .unwrap();
    let route = config.sinks[0].route();
    assert_eq!(route.kinds, ["outage_opened"]);
    assert_eq!(route.scopes, ["acme/*"]);
    assert_eq!(route.labels, ["gpu"]);
    // No route: everything.
    let config = load(BASE.trim_end_matches("[sinks.route]\n"), &[]).unwrap();
    assert!(config.sinks[0].route().is_everything());
}

#[test]
fn policy_silences_load_from_toml_with_clear_errors() {
    let base = "[github]\nscopes = [\"org:acme\"]\n";
    let config = load(
        &format!(
            "{base}[[policy.silences]]\ntarget = \"org:acme\"\nfrom = \"2026-03-01T22:00:00Z\"\n\
             duration = \"3h\"\nreason = \"move\"\n\n[[policy.silences]]\nid = \"gpu\"\n\
             target = \"label:gpu\"\ndays = [\"sat\", \"sun\"]\nstart = \"22:00\"\nlength = \"4h\"\n\
             time_zone = \"Europe/Berlin\"\n"
        ),
        &[],
    )
    .unwrap();
    let silences = &config.policy.silences;
    assert_eq!(silences.len(), 2);
    assert_eq!(silences[0].reason, "move");
    assert_eq!(silences[1].id, "gpu");
    for (silence, expected) in [
        (
            "target = \"org:acme\"\ndays = [\"sat\"]\nstart = \"22:00\"\nlength = \"1h\"\n\
             time_zone = \"Moon/Base\"\n",
            "unknown time zone `Moon/Base`",
        ),
        (
            "target = \"org:acme\"\nfrom = \"2026-03-01T22:00:00Z\"\nuntil = \"2026-03-01T21:00:00Z\"\n",
            "must be after",
        ),
        (
            "target = \"org:acme\"\nfrom = \"2026-03-01T22:00:00Z\"\nduration = \"0s\"\n",
            "must be positive",
        ),
    ] {
        let error = error_of(&format!("{base}[[policy.silences]]\n{silence}"), &[]);
        assert!(error.contains("policy.silences"), "{error}");
        assert!(error.contains(expected), "{error}");
    }
    let twice = "[[policy.silences]]\nid = \"x\"\ntarget = \"a\"\nfrom = \"2026-03-01T22:00:00Z\"\n\
                 duration = \"1h\"\n";
    let error = error_of(&format!("{base}{twice}{twice}"), &[]);
    assert!(error.contains("same id"), "{error}");
}
