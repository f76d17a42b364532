//! Finding a runner across the watched scopes (`/runner-history <runner>` without a scope): the
//! scope when the name is unique, the candidates when it is not, close names (that exist) when it
//! is nowhere.

use runner_monitor_core::{Scope, ScopeState};

use crate::blocks::{Message, and_more, escape};

use super::overview::Loaded;
use super::reply::notice;
use super::suggest::closest;

/// Candidate scopes listed before "... and N more scopes".
const MAX_CANDIDATES: usize = 20;

/// Where a runner name was found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Located<'a> {
    /// In exactly one readable scope.
    One(&'a ScopeState),
    /// In several scopes: the user has to name one.
    Several(Vec<&'a ScopeState>),
    /// In none of the scopes that could be read.
    Nowhere,
}

/// Whether `state` knows `runner`: a current runner, or a forgotten one that still has outage
/// numbering (its history may outlive it).
fn knows(state: &ScopeState, runner: &str) -> bool {
    state.runners.contains_key(runner) || state.last_outage_ids.contains_key(runner)
}

/// Where `runner` (exact name) is, among the scopes that could be read.
pub(crate) fn locate<'a>(loaded: &'a [Loaded], runner: &str) -> Located<'a> {
    let mut found: Vec<&ScopeState> = loaded
        .iter()
        .filter_map(|(_, state)| state.as_ref())
        .filter(|state| knows(state, runner))
        .collect();
    match found.len() {
        0 => Located::Nowhere,
        1 => Located::One(found.remove(0)),
        _ => Located::Several(found),
    }
}

/// The answer for a name found in several scopes: one ready-to-type command per scope.
pub(crate) fn candidates(runner: &str, found: &[&ScopeState]) -> Message {
    let name = escape(runner);
    let mut text = format!(
        "`{name}` exists in {} scopes; name the one you mean:",
        found.len()
    );
    for state in found.iter().take(MAX_CANDIDATES) {
        let scope = escape(&state.scope.to_string());
        text.push_str(&format!("\n• `/runner-history {name} {scope}`"));
        match state.runners.get(runner) {
            Some(record) => text.push_str(&format!(" (*{}* now)", record.status)),
            None => text.push_str(" (no longer registered)"),
        }
    }
    if found.len() > MAX_CANDIDATES {
        text.push('\n');
        text.push_str(&and_more(found.len() - MAX_CANDIDATES, "scope", "scopes"));
    }
    notice(text)
}

/// The answer for a name found nowhere: close names that exist, each with its scope(s).
pub(crate) fn nowhere(runner: &str, loaded: &[Loaded]) -> Message {
    let states: Vec<&ScopeState> = loaded.iter().filter_map(|(_, s)| s.as_ref()).collect();
    let unreadable: Vec<&Scope> = loaded
        .iter()
        .filter(|(_, s)| s.is_none())
        .map(|(scope, _)| scope)
        .collect();
    let names = states.iter().flat_map(|state| {
        state
            .runners
            .keys()
            .chain(state.last_outage_ids.keys())
            .map(String::as_str)
    });
    let suggestions = closest(runner, names);
    let mut text = format!(
        "Couldn't find a runner named `{}` in any of the {} watched scopes.",
        escape(runner),
        loaded.len()
    );
    if suggestions.is_empty() {
        text.push_str(" `/runner-status` lists the unhealthy runners of every scope.");
    } else {
        let listed: Vec<String> = suggestions
            .iter()
            .map(|name| {
                let scopes: Vec<String> = states
                    .iter()
                    .filter(|state| knows(state, name))
                    .map(|state| format!("`{}`", escape(&state.scope.to_string())))
                    .collect();
                format!("`{}` (in {})", escape(name), scopes.join(", "))
            })
            .collect();
        text.push_str(&format!(" Did you mean {}?", listed.join(", ")));
    }
    if !unreadable.is_empty() {
        let ids: Vec<String> = unreadable
            .iter()
            .take(MAX_CANDIDATES)
            .map(|s| format!("`{}`", escape(&s.to_string())))
            .collect();
        text.push_str(&format!(
            "\n:warning: {} could not be read just now ({}); it may be there. Please try again in \
             a minute.",
            if unreadable.len() == 1 {
                "One scope"
            } else {
                "Some scopes"
            },
            ids.join(", ")
        ));
    }
    notice(text)
}
