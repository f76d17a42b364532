//! Secrets by reference and building a host from configuration: errors name the key, never the
//! secret.
#![cfg(feature = "host")]
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use runner_monitor::host::build::{BuildError, Host};
use runner_monitor::host::config::{Config, Loader, SecretRef};
use runner_monitor::host::secrets::SecretResolver;
use secrecy::ExposeSecret;

fn resolver(pairs: &[(&str, &str)]) -> SecretResolver {
    SecretResolver::from_map(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<HashMap<_, _>>(),
    )
}

#[tokio::test]
async fn secrets_come_from_variables_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let secrets = resolver(&[("TOKEN", "from-env"), ("EMPTY", " ")]);
    let value = secrets
        .resolve("k", &SecretRef::env("TOKEN"))
        .await
        .unwrap();
    assert_eq!(value.expose_secret(), "from-env");
    let value = secrets.resolve("k", &SecretRef::file(&file)).await.unwrap();
    assert_eq!(value.expose_secret(), "from-a-file");

    for (reference, reason) in [
        (SecretRef::env("MISSING"), "not set"),
        (SecretRef::env("EMPTY"), "empty"),
        (SecretRef::file(dir.path().join("nope")), "cannot read"),
        (
            SecretRef::ssm("/github-runner-monitor/github-token"),
            "AWS_SESSION_TOKEN",
        ),
    ] {
        let error = secrets
            .resolve("github.token", &reference)
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("github.token ({reference})")),
            "{text}"
        );
        assert!(text.contains(reason), "{text}");
    }
}

fn config(extra: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("monitor.toml");
    std::fs::write(
        &path,
        format!("[github]\nscopes = [\"acme/api\"]\n[store]\nkind = \"memory\"\n{extra}"),
    )
    .unwrap();
    Loader::new().file(path).load().unwrap()
}

#[tokio::test]
async fn a_missing_secret_names_its_key() {
    let error = Host::build(config(""), &resolver(&[])).await.unwrap_err();
    assert!(matches!(error, BuildError::Secret(_)));
    assert_eq!(
        error.to_string(),
        "secret github.token (env:GITHUB_TOKEN): the environment variable is not set"
    );

    let extra = "[[sinks]]\nkind = \"pagerduty\"\nrouting_key = \"env:PD\"\n";
    let error = Host::build(config(extra), &resolver(&[("GITHUB_TOKEN", "t")]))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("sinks[0].routing_key (env:PD)"), "{error}");
}

#[tokio::test]
async fn components_that_refuse_their_settings_are_named_without_secrets() {
    let extra = "[github.app]\nid = 1\ninstallation_id = 2\nprivate_key = \"env:KEY\"\n";
    let error = Host::build(
        config(extra),
        &resolver(&[(
            "KEY",
            "-----BEGIN RSA PRIVATE KEY-----\nhunter2\n-----END RSA PRIVATE KEY-----",
        )]),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("github: invalid GitHub App private key"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");

    let extra = "[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:HOOK\"\n";
    let error = Host::build(
        config(extra),
        &resolver(&[
            ("GITHUB_TOKEN", "t"),
            ("HOOK", "not a url with secret-part"),
        ]),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.starts_with("sinks[0].webhook_url: "), "{error}");
    assert!(!error.contains("secret-part"), "{error}");
}

#[tokio::test]
async fn plain_http_sink_urls_are_refused_except_for_loopback() {
    let sinks = "[[sinks]]\nkind = \"slack\"\nwebhook_url = \"env:HOOK\"\n\
                 [[sinks]]\nkind = \"webhook\"\nurl = \"env:URL\"\n\
                 [[sinks]]\nkind = \"pagerduty\"\nrouting_key = \"env:PD\"\napi_url = \"API\"\n";
    let build = |hook: &str, url: &str, api: &str| {
        let config = config(&sinks.replace("API", api));
        let secrets = resolver(&[
            ("GITHUB_TOKEN", "t"),
            ("HOOK", hook),
            ("URL", url),
            ("PD", "R0UT1NGKEY0000000000000000000000"),
        ]);
        async move {
            Host::build(config, &secrets)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
    };
    let remote = "http://example.com/services/T1/B1/plain-secret";
    let loopback = "http://127.0.0.1:9/services/T1/B1/x";
    let api = "http://127.0.0.1:9";
    for (hook, url, pd, key) in [
        (remote, loopback, api, "sinks[0].webhook_url"),
        (loopback, remote, api, "sinks[1].url"),
        (
            loopback,
            loopback,
            "http://events.example.com",
            "sinks[2].api_url",
        ),
    ] {
        let error = build(hook, url, pd).await.unwrap_err();
        assert!(error.starts_with(&format!("{key}: ")), "{error}");
        assert!(
            error.contains("plain http:// is allowed only for a loopback host"),
            "{error}"
        );
        assert!(!error.contains("plain-secret"), "{error}");
    }
    build(loopback, "http://localhost:9/hook", api)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_full_configuration_builds() {
    let extra = r#"
[[sinks]]
kind = "slack"
webhook_url = "env:HOOK"
[[sinks]]
kind = "webhook"
name = "ops"
url = "env:OPS"
signing_secret = "env:OPS_SECRET"
headers = { "X-Api-Key" = "env:OPS_KEY" }
[[sinks]]
kind = "pagerduty"
routing_key = "env:PD"
outage_severity = "error"
[slash_commands]
signing_secret = "env:SIGNING"
"#;
    let secrets = resolver(&[
        ("GITHUB_TOKEN", "t"),
        ("HOOK", "https://hooks.slack.com/services/T0/B0/x"),
        ("OPS", "https://ops.example/hook"),
        ("OPS_SECRET", "s"),
        ("OPS_KEY", "k"),
        ("PD", "routing-key"),
        ("SIGNING", "signing"),
    ]);
    let host = Host::build(config(extra), &secrets).await.unwrap();
    let sinks: Vec<&str> = host
        .monitor
        .sinks()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(sinks, ["slack", "ops", "pagerduty"]);
    assert!(host.slash.is_some());
    let debug = format!("{host:?}");
    for secret in ["hooks.slack.com", "routing-key", "ops.example"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

/// `[store] layout = "original"`: two repositories of one name would share the original's
/// `/repo-<name>` group, so the build refuses them, naming both (no request is sent).
#[cfg(feature = "stately")]
#[tokio::test]
async fn the_original_stately_layout_refuses_two_repositories_of_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("monitor.toml");
    let text = |scopes: &str, store: &str| {
        format!(
            "[github]\nscopes = {scopes}\n[store]\nkind = \"stately\"\nstore_id = 7\n\
             endpoint = \"http://127.0.0.1:9\"\n{store}"
        )
    };
    let build = |text: String| {
        let path = path.clone();
        async move {
            std::fs::write(&path, text).unwrap();
            let config = Loader::new().file(path).load().map_err(|e| e.to_string())?;
            Host::build(config, &resolver(&[("GITHUB_TOKEN", "t")]))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    };
    let error = build(text(r#"["a/foo", "b/foo"]"#, "layout = \"original\"\n"))
        .await
        .unwrap_err();
    assert!(
        error.starts_with("store.layout: ") && error.contains("a/foo") && error.contains("b/foo"),
        "{error}"
    );
    build(text(r#"["a/foo", "b/foo"]"#, "layout = \"v3\"\n"))
        .await
        .unwrap();
    build(text(
        r#"["org:acme"]"#,
        "layout = \"original\"\norg_groups = { acme = \"api\" }\n",
    ))
    .await
    .unwrap();
    let error = build(text(r#"["org:acme"]"#, "org_groups = { acme = \"api\" }\n"))
        .await
        .unwrap_err();
    assert!(error.contains("store.org_groups"), "{error}");
    let error = build(text(r#"["acme/api"]"#, "layout = \"v2\"\n"))
        .await
        .unwrap_err();
    assert!(
        error.contains("unknown variant `v2`, expected `v3` or `original`"),
        "{error}"
    );
}

#[tokio::test]
async fn a_slack_bot_sink_builds_from_secret_references_and_posts() {
    let slack = runner_monitor_slack::fake::FakeSlackApi::start()
        .await
        .unwrap();
    let extra = format!(
        "[[sinks]]\nkind = \"slack_bot\"\nbot_token = \"env:SLACK_BOT_TOKEN\"\n\
         channel = \"env:SLACK_CHANNEL\"\napi_url = \"{}\"\ntimeout = \"5s\"\n",
        slack.base_url()
    );
    let bot_config = config(&extra);
    let refs: Vec<String> = bot_config
        .secret_refs()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(refs.contains(&"sinks[0].bot_token".to_owned()), "{refs:?}");
    assert!(refs.contains(&"sinks[0].channel".to_owned()), "{refs:?}");
    let secrets = resolver(&[
        ("GITHUB_TOKEN", "t"),
        (
            "SLACK_BOT_TOKEN",
            runner_monitor_slack::fake::FAKE_BOT_TOKEN,
        ),
        ("SLACK_CHANNEL", slack.channel()),
    ]);
    let built = runner_monitor::host::build::build_sinks(&bot_config, &secrets)
        .await
        .unwrap();
    assert_eq!(built.len(), 1);
    assert_eq!(built[0].0, "slack");
    let notification = runner_monitor_core::Notification {
        scope: "acme/api".parse().unwrap(),
        at: runner_monitor_core::testing::at(0),
        kind: runner_monitor_core::NotificationKind::MonitoringRestored {
            incident: 1,
            since: runner_monitor_core::testing::at(0),
            cause: None,
            duration: std::time::Duration::from_secs(60),
        },
    };
    built[0].1.notify(&notification).await.unwrap();
    assert_eq!(slack.top_level().len(), 1);
    assert!(format!("{:?}", built[0].1).contains("[redacted]"));
    Host::build(bot_config, &secrets).await.unwrap();

    // Each refusal names its key and never the secret.
    for (token, channel, key) in [
        ("", "C0FAKEALERT", "sinks[0].bot_token"),
        (
            "xoxb-has space-hunter2",
            "C0FAKEALERT",
            "sinks[0].bot_token",
        ),
        ("xoxb-hunter2-token", "#alerts-hunter2", "sinks[0].channel"),
    ] {
        let secrets = resolver(&[
            ("GITHUB_TOKEN", "t"),
            ("SLACK_BOT_TOKEN", token),
            ("SLACK_CHANNEL", channel),
        ]);
        let error = Host::build(config(&extra), &secrets)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains(key), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
    let remote = extra.replace(&slack.base_url(), "http://slack.example.com");
    let error = Host::build(
        config(&remote),
        &resolver(&[
            ("GITHUB_TOKEN", "t"),
            ("SLACK_BOT_TOKEN", "xoxb-hunter2-token"),
            ("SLACK_CHANNEL", "C0FAKEALERT"),
        ]),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.starts_with("sinks[0].api_url: "), "{error}");
}
