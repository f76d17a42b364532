//! [`Scope`]: where runners are registered (a repository, an organization or an enterprise).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a set of self-hosted runners is registered.
///
/// Every scope has one canonical, unambiguous string id that [`Display`](fmt::Display) prints and
/// [`FromStr`] parses back (GitHub names cannot contain `:`):
///
/// | scope | id |
/// |---|---|
/// | repository | `owner/name` |
/// | organization | `org:acme` |
/// | enterprise | `enterprise:slug` |
/// | pool (policy `pools`) | `pool:NAME` |
///
/// A [`Pool`](Scope::Pool) is not registered at GitHub: it is the monitor's own scope for a
/// capacity pool's state, outages and messages, and is never listed.
///
/// # Examples
/// ```
/// use runner_monitor_core::Scope;
/// let repo: Scope = "acme/api".parse()?;
/// assert_eq!(repo, Scope::repo("acme", "api"));
/// assert_eq!(repo.to_string(), "acme/api");
/// assert_eq!("org:acme".parse::<Scope>()?, Scope::org("acme"));
/// assert!("acme/".parse::<Scope>().is_err());
/// # Ok::<(), runner_monitor_core::ScopeParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// A repository's runners: `GET /repos/{owner}/{name}/actions/runners`.
    Repo {
        /// The user or organization owning the repository.
        owner: String,
        /// The repository name.
        name: String,
    },
    /// An organization's runners: `GET /orgs/{org}/actions/runners`.
    Org(String),
    /// An enterprise's runners: `GET /enterprises/{slug}/actions/runners`.
    Enterprise(String),
    /// A capacity pool of the policy (`[[policy.pools]]`): holds the pool's state and outages,
    /// fed from the scopes it spans. Never observed at GitHub.
    Pool(String),
}

/// Why a string is not a valid [`Scope`] id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeParseError {
    /// The input was empty or only whitespace.
    #[error("empty scope: expected `owner/name`, `org:NAME` or `enterprise:SLUG`")]
    Empty,
    /// `owner/` or `/name`: one side of the slash is missing.
    #[error("scope `{input}`: a repository needs both an owner and a name, as `owner/name`")]
    IncompleteRepo {
        /// The rejected input.
        input: String,
    },
    /// `a/b/c`: more than one slash.
    #[error("scope `{input}`: too many `/`; a repository is exactly `owner/name`")]
    TooManySegments {
        /// The rejected input.
        input: String,
    },
    /// `team:x`: a prefix other than `org:`, `enterprise:` or `pool:`.
    #[error(
        "scope `{input}`: unknown prefix `{prefix}:`; expected `org:`, `enterprise:` or `pool:`"
    )]
    UnknownPrefix {
        /// The rejected input.
        input: String,
        /// The prefix found before the colon.
        prefix: String,
    },
    /// `org:` with nothing after it.
    #[error("scope `{input}`: missing name after `{prefix}:`")]
    MissingName {
        /// The rejected input.
        input: String,
        /// The prefix found before the colon.
        prefix: String,
    },
    /// A bare word like `acme` (is it an org? a repo?).
    #[error(
        "scope `{input}`: ambiguous; write `org:{input}`, `enterprise:{input}` or `owner/name`"
    )]
    Ambiguous {
        /// The rejected input.
        input: String,
    },
    /// A character GitHub never allows in these names (whitespace, `:` or `/` in the wrong place, ...).
    #[error("scope `{input}`: invalid character {ch:?}")]
    InvalidChar {
        /// The rejected input.
        input: String,
        /// The offending character.
        ch: char,
    },
}

impl Scope {
    /// A repository scope.
    pub fn repo(owner: impl Into<String>, name: impl Into<String>) -> Self {
        Scope::Repo {
            owner: owner.into(),
            name: name.into(),
        }
    }

    /// An organization scope.
    pub fn org(name: impl Into<String>) -> Self {
        Scope::Org(name.into())
    }

    /// An enterprise scope.
    pub fn enterprise(slug: impl Into<String>) -> Self {
        Scope::Enterprise(slug.into())
    }

    /// A capacity pool's scope (`pool:NAME`).
    pub fn pool(name: impl Into<String>) -> Self {
        Scope::Pool(name.into())
    }

    /// A short word for the kind of scope: `repo`, `org`, `enterprise` or `pool`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::Repo { .. } => "repo",
            Scope::Org(_) => "org",
            Scope::Enterprise(_) => "enterprise",
            Scope::Pool(_) => "pool",
        }
    }

    /// Whether this is a capacity pool (the monitor's own scope, never listed at GitHub).
    pub fn is_pool(&self) -> bool {
        matches!(self, Scope::Pool(_))
    }

    /// Checks that `name` can be a pool's name (the `NAME` of `pool:NAME`).
    ///
    /// # Errors
    /// [`ScopeParseError::MissingName`] for an empty name, [`ScopeParseError::InvalidChar`] for
    /// whitespace, `:`, `/`, `?`, `#`, `%` or control characters.
    pub fn check_pool_name(name: &str) -> Result<(), ScopeParseError> {
        let input = format!("pool:{name}");
        if name.is_empty() {
            return Err(ScopeParseError::MissingName {
                input,
                prefix: "pool".to_owned(),
            });
        }
        check_segment(&input, name)
    }
}

fn check_segment(input: &str, segment: &str) -> Result<(), ScopeParseError> {
    match segment
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, ':' | '/' | '?' | '#' | '%'))
    {
        Some(ch) => Err(ScopeParseError::InvalidChar {
            input: input.to_owned(),
            ch,
        }),
        None => Ok(()),
    }
}

impl FromStr for Scope {
    type Err = ScopeParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.trim().is_empty() {
            return Err(ScopeParseError::Empty);
        }
        if let Some((prefix, rest)) = input.split_once(':') {
            let make: fn(String) -> Scope = match prefix {
                "org" => Scope::Org,
                "enterprise" => Scope::Enterprise,
                "pool" => Scope::Pool,
                _ => {
                    return Err(ScopeParseError::UnknownPrefix {
                        input: input.to_owned(),
                        prefix: prefix.to_owned(),
                    });
                }
            };
            if rest.is_empty() {
                return Err(ScopeParseError::MissingName {
                    input: input.to_owned(),
                    prefix: prefix.to_owned(),
                });
            }
            check_segment(input, rest)?;
            return Ok(make(rest.to_owned()));
        }
        let mut parts = input.split('/');
        let (owner, name) = match (parts.next(), parts.next(), parts.next()) {
            (Some(_), None, _) => {
                return Err(ScopeParseError::Ambiguous {
                    input: input.to_owned(),
                });
            }
            (Some(owner), Some(name), None) => (owner, name),
            _ => {
                return Err(ScopeParseError::TooManySegments {
                    input: input.to_owned(),
                });
            }
        };
        if owner.is_empty() || name.is_empty() {
            return Err(ScopeParseError::IncompleteRepo {
                input: input.to_owned(),
            });
        }
        check_segment(input, owner)?;
        check_segment(input, name)?;
        Ok(Scope::repo(owner, name))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Repo { owner, name } => write!(f, "{owner}/{name}"),
            Scope::Org(name) => write!(f, "org:{name}"),
            Scope::Enterprise(slug) => write!(f, "enterprise:{slug}"),
            Scope::Pool(name) => write!(f, "pool:{name}"),
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind() {
        for id in [
            "acme/api",
            "org:acme",
            "enterprise:big-corp",
            "a-b/c.d_e",
            "pool:gpu",
        ] {
            let scope: Scope = id.parse().expect(id);
            assert_eq!(scope.to_string(), id);
            let json = serde_json::to_string(&scope).expect("serialize");
            assert_eq!(serde_json::from_str::<Scope>(&json).expect("parse"), scope);
        }
    }

    #[test]
    fn rejects_bad_input_with_a_specific_error() {
        type Check = fn(&ScopeParseError) -> bool;
        let cases: [(&str, Check); 9] = [
            ("", |e| matches!(e, ScopeParseError::Empty)),
            ("  ", |e| matches!(e, ScopeParseError::Empty)),
            ("owner/", |e| {
                matches!(e, ScopeParseError::IncompleteRepo { .. })
            }),
            ("/name", |e| {
                matches!(e, ScopeParseError::IncompleteRepo { .. })
            }),
            ("a/b/c", |e| {
                matches!(e, ScopeParseError::TooManySegments { .. })
            }),
            (
                "team:x",
                |e| matches!(e, ScopeParseError::UnknownPrefix { prefix, .. } if prefix == "team"),
            ),
            ("org:", |e| matches!(e, ScopeParseError::MissingName { .. })),
            ("acme", |e| matches!(e, ScopeParseError::Ambiguous { .. })),
            ("acme/my repo", |e| {
                matches!(e, ScopeParseError::InvalidChar { ch: ' ', .. })
            }),
        ];
        for (input, check) in cases {
            let err = input.parse::<Scope>().expect_err(input);
            assert!(check(&err), "{input:?} gave {err:?}");
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn distinct_owners_do_not_collide() {
        assert_ne!(
            Scope::repo("a", "foo").to_string(),
            Scope::repo("b", "foo").to_string()
        );
        assert_ne!(
            Scope::org("acme").to_string(),
            Scope::enterprise("acme").to_string()
        );
        assert_ne!(
            Scope::org("gpu").to_string(),
            Scope::pool("gpu").to_string()
        );
    }

    #[test]
    fn pool_names_are_checked() {
        assert_eq!("pool:gpu".parse::<Scope>(), Ok(Scope::pool("gpu")));
        assert!(Scope::pool("gpu").is_pool());
        assert_eq!(Scope::pool("gpu").kind(), "pool");
        assert!(matches!(
            Scope::check_pool_name(""),
            Err(ScopeParseError::MissingName { .. })
        ));
        assert!(matches!(
            Scope::check_pool_name("gpu pool"),
            Err(ScopeParseError::InvalidChar { ch: ' ', .. })
        ));
        assert!(Scope::check_pool_name("gpu-a100").is_ok());
    }
}
