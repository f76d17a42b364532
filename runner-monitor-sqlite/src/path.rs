//! Where the database file lives by default.

use std::ffi::OsString;
use std::path::PathBuf;

/// The default file: `$RUNNER_MONITOR_DB`, else `$XDG_STATE_HOME/runner-monitor/state.db` (when
/// absolute, as the XDG spec requires), else `$HOME/.local/state/runner-monitor/state.db`; `None`
/// when none of them is set.
pub(crate) fn default_path_from(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let set = |name: &str| {
        var(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    if let Some(path) = set("RUNNER_MONITOR_DB") {
        return Some(path);
    }
    let state_home = set("XDG_STATE_HOME")
        .filter(|dir| dir.is_absolute())
        .or_else(|| set("HOME").map(|home| home.join(".local").join("state")))?;
    Some(state_home.join("runner-monitor").join("state.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| OsString::from(value))
        }
    }

    #[test]
    fn explicit_file_wins() {
        let vars = [("RUNNER_MONITOR_DB", "/srv/rm.db"), ("HOME", "/home/u")];
        assert_eq!(default_path_from(env(&vars)), Some("/srv/rm.db".into()));
    }

    #[test]
    fn xdg_state_home_then_home() {
        let vars = [("XDG_STATE_HOME", "/state"), ("HOME", "/home/u")];
        assert_eq!(
            default_path_from(env(&vars)),
            Some("/state/runner-monitor/state.db".into())
        );
        let relative = [("XDG_STATE_HOME", "state"), ("HOME", "/home/u")];
        assert_eq!(
            default_path_from(env(&relative)),
            Some("/home/u/.local/state/runner-monitor/state.db".into()),
            "a relative XDG_STATE_HOME is ignored"
        );
        let empty = [("RUNNER_MONITOR_DB", ""), ("HOME", "/home/u")];
        assert_eq!(
            default_path_from(env(&empty)),
            Some("/home/u/.local/state/runner-monitor/state.db".into())
        );
        assert_eq!(default_path_from(env(&[])), None);
    }
}
