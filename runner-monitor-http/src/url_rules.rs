//! The base-URL rule every HTTP adapter applies: `https`, or plain `http` for a loopback host
//! only (tests, a local emulator, a sidecar). A sink or source URL often carries a token, and
//! plain http would send it, and every notification, readable to the network.

use std::net::IpAddr;

use url::{Host, Url};

/// What a URL may carry besides scheme, host, port and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UrlRules {
    /// A query (and fragment) is allowed: generic webhooks often carry their token there.
    pub allow_query: bool,
    /// `user:password@` is allowed (basic auth for a generic webhook receiver).
    pub allow_userinfo: bool,
}

impl UrlRules {
    /// A base URL: no query, no fragment, no user info (GitHub, PagerDuty, StatelyDB, Slack).
    pub const BASE: UrlRules = UrlRules {
        allow_query: false,
        allow_userinfo: false,
    };

    /// A full endpoint URL that may carry its credential in a query or user info (a generic
    /// webhook).
    pub const ENDPOINT: UrlRules = UrlRules {
        allow_query: true,
        allow_userinfo: true,
    };
}

/// Why a URL was refused. The messages never quote the URL: it may carry a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// It does not parse.
    NotAUrl {
        /// The parser's reason (which does not quote the input).
        reason: String,
    },
    /// Neither `https` nor `http`.
    UnsupportedScheme,
    /// `http` to a host that is not loopback.
    PlainHttp,
    /// It has no host.
    NoHost,
    /// It carries `user:password@` where none is allowed.
    Credentials,
    /// It has a query or fragment where none is allowed.
    Query,
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlError::NotAUrl { reason } => write!(f, "not an absolute URL ({reason})"),
            UrlError::UnsupportedScheme => {
                f.write_str("the scheme must be https (or http for a loopback host)")
            }
            UrlError::PlainHttp => f.write_str(
                "plain http:// is allowed only for a loopback host (127.0.0.1, [::1], localhost); \
                 use https://",
            ),
            UrlError::NoHost => f.write_str("it has no host"),
            UrlError::Credentials => f.write_str(
                "it must not carry credentials (user:password@); configure them separately",
            ),
            UrlError::Query => f.write_str("it must not have a query or fragment"),
        }
    }
}

impl std::error::Error for UrlError {}

/// Whether the URL's host is loopback: `localhost`, `127.0.0.0/8` or `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Parses `text` (trimmed) and applies the rule: `https`, or `http` to a loopback host; a host;
/// no user info or query unless `rules` allow them.
///
/// # Errors
/// A [`UrlError`] saying what is wrong, without quoting the URL.
///
/// # Examples
/// ```
/// use runner_monitor_http::{UrlError, UrlRules, check_url};
/// assert!(check_url("https://hooks.slack.com/services/T/B/X", UrlRules::BASE).is_ok());
/// assert!(check_url("http://127.0.0.1:8080/hook", UrlRules::BASE).is_ok());
/// assert_eq!(check_url("http://example.com/hook", UrlRules::BASE), Err(UrlError::PlainHttp));
/// ```
pub fn check_url(text: &str, rules: UrlRules) -> Result<Url, UrlError> {
    let url = Url::parse(text.trim()).map_err(|error| UrlError::NotAUrl {
        reason: error.to_string(),
    })?;
    match url.scheme() {
        "https" | "http" => {}
        _ => return Err(UrlError::UnsupportedScheme),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NoHost);
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(UrlError::PlainHttp);
    }
    if !rules.allow_userinfo && (!url.username().is_empty() || url.password().is_some()) {
        return Err(UrlError::Credentials);
    }
    if !rules.allow_query && (url.query().is_some() || url.fragment().is_some()) {
        return Err(UrlError::Query);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn accepted() {
        for ok in [
            "https://api.github.com",
            "https://ghe.example/api/v3/",
            "https://hooks.slack.com/services/T/B/X",
            "http://127.0.0.1:8080",
            "http://127.8.9.1:1/x",
            "http://localhost:1/api/v3",
            "http://LOCALHOST/x",
            "http://[::1]:99",
            " https://events.pagerduty.com ",
        ] {
            assert!(check_url(ok, UrlRules::BASE).is_ok(), "{ok}");
        }
        assert!(check_url("https://u:p@hooks.example/x?token=1", UrlRules::ENDPOINT).is_ok());
    }

    #[test]
    fn refused_without_echoing() {
        let cases = [
            ("http://example.com/hook-secret", UrlError::PlainHttp),
            ("http://10.0.0.1/hook-secret", UrlError::PlainHttp),
            (
                "http://localhost.example.com/hook-secret",
                UrlError::PlainHttp,
            ),
            ("http://[::2]/hook-secret", UrlError::PlainHttp),
            ("ftp://x.example/hook-secret", UrlError::UnsupportedScheme),
            ("file:///hook-secret", UrlError::UnsupportedScheme),
            ("https://user:hook-secret@x.example", UrlError::Credentials),
            ("https://x.example/?t=hook-secret", UrlError::Query),
            ("https://x.example/#hook-secret", UrlError::Query),
        ];
        for (url, expected) in cases {
            let error = check_url(url, UrlRules::BASE).err();
            assert_eq!(error.as_ref(), Some(&expected), "{url}");
            let text = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(!text.contains("hook-secret"), "{text}");
        }
        let error = check_url("hook-secret", UrlRules::BASE).err();
        assert!(matches!(error, Some(UrlError::NotAUrl { .. })));
        assert!(
            !error
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("hook-secret")
        );
        assert_eq!(
            check_url("http://example.com/?t=1", UrlRules::ENDPOINT),
            Err(UrlError::PlainHttp)
        );
    }

    proptest! {
        #[test]
        fn never_panics_nor_echoes(text in ".{0,80}") {
            if let Err(error) = check_url(&text, UrlRules::BASE) {
                let message = error.to_string();
                prop_assert!(text.trim().len() < 6 || !message.contains(text.trim()));
            }
        }
    }
}
