//! `deploy/slack-app-manifest.yaml` parses as YAML, registers every command the handler answers
//! (and the incident commands being built), points commands and interactivity at runner-monitor's
//! routes, and asks only for the scopes it needs.

mod common;

use std::collections::BTreeSet;

use runner_monitor_core::Scope;
use runner_monitor_slack::KNOWN_COMMANDS;
use yaml_rust2::{Yaml, YamlLoader};

/// Commands registered in the manifest ahead of their handler; once the handler answers one,
/// it belongs in `KNOWN_COMMANDS`. None today.
const UPCOMING: [&str; 0] = [];

fn manifest() -> Yaml {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/slack-app-manifest.yaml"
    );
    let text = std::fs::read_to_string(path).expect("manifest readable");
    let mut docs = YamlLoader::load_from_str(&text).expect("manifest is valid YAML");
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

fn commands(manifest: &Yaml) -> Vec<&Yaml> {
    manifest["features"]["slash_commands"]
        .as_vec()
        .expect("features.slash_commands is a list")
        .iter()
        .collect()
}

fn names(manifest: &Yaml) -> BTreeSet<String> {
    commands(manifest)
        .iter()
        .map(|c| c["command"].as_str().expect("command").to_owned())
        .collect()
}

#[test]
fn every_known_command_is_registered_with_the_commands_route() {
    let manifest = manifest();
    let names = names(&manifest);
    for command in KNOWN_COMMANDS.iter().chain(UPCOMING.iter()) {
        assert!(
            names.contains(*command),
            "{command} missing from the manifest"
        );
    }
    assert_eq!(
        names.len(),
        commands(&manifest).len(),
        "a command is listed twice"
    );
    for command in commands(&manifest) {
        let name = command["command"].as_str().unwrap_or_default();
        assert_eq!(
            command["url"].as_str(),
            Some("https://YOUR-HOST/slack/commands"),
            "{name}"
        );
        let description = command["description"].as_str().unwrap_or_default();
        assert!(
            !description.is_empty() && description.chars().count() <= 100,
            "{name}: description"
        );
        assert_eq!(command["should_escape"].as_bool(), Some(false), "{name}");
    }
}

#[test]
fn scopes_interactivity_and_bot_user_are_set() {
    let manifest = manifest();
    let scopes: BTreeSet<&str> = manifest["oauth_config"]["scopes"]["bot"]
        .as_vec()
        .expect("bot scopes")
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(scopes, BTreeSet::from(["chat:write", "commands"]));
    let interactivity = &manifest["settings"]["interactivity"];
    assert_eq!(interactivity["is_enabled"].as_bool(), Some(true));
    assert_eq!(
        interactivity["request_url"].as_str(),
        Some("https://YOUR-HOST/slack/interactions")
    );
    assert_eq!(
        manifest["settings"]["socket_mode_enabled"].as_bool(),
        Some(false)
    );
    assert!(
        manifest["features"]["bot_user"]["display_name"]
            .as_str()
            .is_some()
    );
    let name = manifest["display_information"]["name"]
        .as_str()
        .expect("name");
    assert!(!name.is_empty() && name.len() <= 35);
}

/// Every command in the manifest that the handler does not answer must be an upcoming one:
/// a command registered in Slack but unknown to runner-monitor would answer "does not know".
#[tokio::test]
async fn the_handler_answers_every_registered_command_but_the_upcoming_ones() {
    let scope = Scope::repo("acme", "api");
    let store = runner_monitor_memory::MemoryStore::new();
    common::slash::seed(
        &store,
        &scope,
        common::slash::observed_record(),
        Vec::new(),
        Vec::new(),
    )
    .await;
    let (commands, _) = common::slash::commands(std::sync::Arc::new(store), vec![scope]);
    for name in names(&manifest()) {
        let response = common::slash::run(&commands, &name, "").await;
        assert_eq!(response.status, 200, "{name}");
        let unknown = common::slash::plain(&response).contains("does not know");
        let upcoming = UPCOMING.contains(&name.as_str());
        assert_eq!(
            unknown,
            !KNOWN_COMMANDS.contains(&name.as_str()),
            "{name}: KNOWN_COMMANDS disagrees with the handler"
        );
        assert!(
            !unknown || upcoming,
            "{name} is registered but not answered"
        );
    }
}
