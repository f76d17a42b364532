//! Resolves the optional scope argument against the configured scopes.

use runner_monitor_core::Scope;

use crate::blocks::{Message, and_more, escape};

use super::reply::notice;

/// Scopes listed in a message before "... and N more".
const MAX_LISTED_SCOPES: usize = 20;

/// The configured scopes as `` `a/b`, `org:c` ``.
pub(crate) fn listing(scopes: &[Scope]) -> String {
    let mut shown: Vec<String> = scopes
        .iter()
        .take(MAX_LISTED_SCOPES)
        .map(|s| format!("`{}`", escape(&s.to_string())))
        .collect();
    if scopes.len() > MAX_LISTED_SCOPES {
        shown.push(and_more(
            scopes.len() - MAX_LISTED_SCOPES,
            "scope",
            "scopes",
        ));
    }
    shown.join(", ")
}

fn short_name(scope: &Scope) -> &str {
    match scope {
        Scope::Repo { name, .. } => name,
        Scope::Org(name) | Scope::Enterprise(name) | Scope::Pool(name) => name,
    }
}

/// The scope `arg` names: the only configured one when `arg` is `None`; else an exact id, the same
/// id in another case, or a unique short name (`api` for `acme/api`, `acme` for `org:acme`).
/// Otherwise a message listing the configured scopes, with `example` showing the usage.
pub(crate) fn resolve(
    scopes: &[Scope],
    arg: Option<&str>,
    example: &str,
) -> Result<Scope, Message> {
    let Some(arg) = arg else {
        return match scopes {
            [] => Err(notice(
                "runner-monitor has no scopes configured, so there is nothing to report yet.",
            )),
            [only] => Ok(only.clone()),
            _ => Err(notice(format!(
                "runner-monitor watches several scopes; please name one, e.g. `{}`.\nConfigured \
                 scopes: {}",
                escape(&example.replace("{scope}", &scopes[0].to_string())),
                listing(scopes)
            ))),
        };
    };
    if let Some(scope) = scopes.iter().find(|s| s.to_string() == arg) {
        return Ok(scope.clone());
    }
    if let Some(scope) = scopes
        .iter()
        .find(|s| s.to_string().eq_ignore_ascii_case(arg))
    {
        return Ok(scope.clone());
    }
    let mut by_name = scopes
        .iter()
        .filter(|s| short_name(s).eq_ignore_ascii_case(arg));
    if let (Some(scope), None) = (by_name.next(), by_name.next()) {
        return Ok(scope.clone());
    }
    Err(notice(if scopes.is_empty() {
        format!(
            "Unknown scope `{}`: runner-monitor has no scopes configured.",
            escape(arg)
        )
    } else {
        format!(
            "Unknown scope `{}`. Configured scopes: {}",
            escape(arg),
            listing(scopes)
        )
    }))
}

/// Whether `arg` names a configured scope.
pub(crate) fn is_scope(scopes: &[Scope], arg: &str) -> bool {
    resolve(scopes, Some(arg), "").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes() -> Vec<Scope> {
        vec![
            Scope::repo("acme", "api"),
            Scope::repo("other", "api"),
            Scope::org("acme"),
            Scope::repo("acme", "web"),
        ]
    }

    #[test]
    fn resolves_ids_case_and_unique_short_names() {
        let scopes = scopes();
        assert_eq!(
            resolve(&scopes, Some("acme/api"), ""),
            Ok(Scope::repo("acme", "api"))
        );
        assert_eq!(
            resolve(&scopes, Some("ACME/Web"), ""),
            Ok(Scope::repo("acme", "web"))
        );
        assert_eq!(
            resolve(&scopes, Some("web"), ""),
            Ok(Scope::repo("acme", "web"))
        );
        // `api` is ambiguous, `acme` matches the org only
        assert!(resolve(&scopes, Some("api"), "").is_err());
        assert_eq!(resolve(&scopes, Some("acme"), ""), Ok(Scope::org("acme")));
    }

    #[test]
    fn omitted_scope_needs_exactly_one_configured() {
        let one = vec![Scope::org("acme")];
        assert_eq!(resolve(&one, None, ""), Ok(Scope::org("acme")));
        let err = resolve(&scopes(), None, "/runner-status {scope}").expect_err("ambiguous");
        assert!(
            err.text.contains("`/runner-status acme/api`"),
            "{}",
            err.text
        );
        assert!(err.text.contains("`org:acme`"), "{}", err.text);
    }

    #[test]
    fn unknown_scope_lists_the_configured_ones_escaped() {
        let err = resolve(&scopes(), Some("<evil>"), "").expect_err("unknown");
        assert!(err.text.contains("`&lt;evil&gt;`"), "{}", err.text);
        assert!(err.text.contains("`acme/web`"), "{}", err.text);
    }
}
