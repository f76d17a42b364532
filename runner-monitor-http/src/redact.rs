//! [`Redactor`]: removes secret values from text that leaves an adapter (error messages, body
//! excerpts a server echoed back, log fields).

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter values are too likely to occur by chance to be worth replacing.
const MIN_LEN: usize = 4;

/// Path segments at least this long are treated as tokens (Slack's `/services/T../B../XXXX`).
const TOKEN_SEGMENT_LEN: usize = 8;

/// Replaces every configured secret value found in a text with `[redacted]`. `Debug` shows only
/// how many values it holds.
///
/// # Examples
/// ```
/// use runner_monitor_http::Redactor;
/// let url = url::Url::parse("https://hooks.slack.com/services/T0AAAA1111/B0BBBB2222/XXXXXXXXXXXXXXXX")?;
/// let redactor = Redactor::for_url(&url);
/// let text = redactor.apply("POST /services/T0AAAA1111/B0BBBB2222/XXXXXXXXXXXXXXXX failed; token XXXXXXXXXXXXXXXX");
/// assert_eq!(text, "POST [redacted] failed; token [redacted]");
/// # Ok::<(), url::ParseError>(())
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for the credential-bearing parts of `url` (see [`Redactor::add_url`]).
    pub fn for_url(url: &Url) -> Self {
        let mut redactor = Redactor::default();
        redactor.add_url(url);
        redactor
    }

    /// Adds a secret value (ignored when shorter than 4 characters).
    pub fn add(&mut self, secret: &SecretString) {
        if secret.expose_secret().len() >= MIN_LEN {
            self.secrets.push(secret.clone());
        }
    }

    /// Adds a plain value that must be treated as secret (e.g. the query string of a URL).
    pub fn add_str(&mut self, value: &str) {
        self.add(&SecretString::from(value.to_owned()));
    }

    /// Adds the parts of a URL that may carry credentials: the whole URL (as given and as
    /// serialized), its path, every path segment of 8 characters or more (webhook tokens), its
    /// query and every query value, and the user name and password.
    pub fn add_url(&mut self, url: &Url) {
        self.add_str(url.as_str());
        if url.path().len() > 1 {
            self.add_str(url.path());
        }
        for segment in url.path_segments().into_iter().flatten() {
            if segment.len() >= TOKEN_SEGMENT_LEN {
                self.add_str(segment);
            }
        }
        if let Some(query) = url.query() {
            self.add_str(query);
            for value in query
                .split('&')
                .filter_map(|pair| pair.split_once('=').map(|(_, v)| v))
            {
                self.add_str(value);
            }
        }
        self.add_str(url.username());
        if let Some(password) = url.password() {
            self.add_str(password);
        }
    }

    /// Adds `url` as given and, when it parses, its parts (see [`Redactor::add_url`]).
    pub fn add_url_str(&mut self, url: &SecretString) {
        self.add(url);
        if let Ok(parsed) = Url::parse(url.expose_secret().trim()) {
            self.add_url(&parsed);
        }
    }

    /// Adds every secret of `other`.
    pub fn extend(&mut self, other: &Redactor) {
        self.secrets.extend(other.secrets.iter().cloned());
    }

    /// The text with every secret replaced, longest first (so a URL goes before its query).
    pub fn apply(&self, text: &str) -> String {
        let mut values: Vec<&str> = self.secrets.iter().map(|s| s.expose_secret()).collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values
            .into_iter()
            .fold(text.to_owned(), |acc, v| acc.replace(v, REDACTED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_longest_first_and_ignores_tiny_values() {
        let mut r = Redactor::default();
        r.add_str("token=abc123");
        r.add_str("https://hooks.example/x?token=abc123");
        r.add_str("ab");
        let out = r.apply("failed for https://hooks.example/x?token=abc123 and token=abc123 ab");
        assert_eq!(out, "failed for [redacted] and [redacted] ab");
        assert!(!format!("{r:?}").contains("abc123"));
    }

    #[test]
    fn url_parts_are_redacted_on_their_own() -> Result<(), url::ParseError> {
        let r = Redactor::for_url(&Url::parse(
            "https://user:pa55word@hooks.example/services/T0KEN123456/x?sig=q-value-1&v=2",
        )?);
        let out =
            r.apply("T0KEN123456 q-value-1 pa55word user services v=2 /services/T0KEN123456/x");
        assert_eq!(
            out,
            "[redacted] [redacted] [redacted] [redacted] [redacted] v=2 [redacted]"
        );
        Ok(())
    }

    #[test]
    fn slack_webhook_urls() -> Result<(), url::ParseError> {
        let secret = SecretString::from(
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        );
        let mut r = Redactor::default();
        r.add_url_str(&secret);
        let text = r.apply(&format!(
            "{} /services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXXXXXX",
            secret.expose_secret()
        ));
        assert!(
            !text.contains("XXXX") && !text.contains("B00000000"),
            "{text}"
        );
        assert!(!r.apply("https://hooks.slack.com/").contains(REDACTED));
        Ok(())
    }
}
