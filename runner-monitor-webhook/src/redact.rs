//! Removes secret values from text that leaves the notifier (error messages, body excerpts).

use secrecy::{ExposeSecret, SecretString};

/// Replaces every configured secret value found in a text with `[redacted]`.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secrets: Vec<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

/// Shorter values are too likely to occur by chance to be worth replacing.
const MIN_LEN: usize = 4;

impl Redactor {
    /// Adds a secret value (ignored when shorter than 4 characters).
    pub(crate) fn add(&mut self, secret: &SecretString) {
        if secret.expose_secret().len() >= MIN_LEN {
            self.secrets.push(secret.clone());
        }
    }

    /// Adds a plain value that must be treated as secret (e.g. the query string of a URL).
    pub(crate) fn add_str(&mut self, value: &str) {
        self.add(&SecretString::from(value.to_owned()));
    }

    /// Adds the parts of a URL that may carry credentials: the whole URL, its path, every path
    /// segment of 8 characters or more (webhook tokens), its query and every query value, and
    /// the user name and password.
    pub(crate) fn add_url(&mut self, url: &reqwest::Url) {
        self.add_str(url.as_str());
        self.add_str(url.path());
        for segment in url.path_segments().into_iter().flatten() {
            if segment.len() >= 8 {
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

    /// The text with every secret replaced, longest first (so a URL goes before its query).
    pub(crate) fn apply(&self, text: &str) -> String {
        let mut values: Vec<&str> = self.secrets.iter().map(|s| s.expose_secret()).collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values
            .into_iter()
            .fold(text.to_owned(), |acc, v| acc.replace(v, "[redacted]"))
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
    fn url_parts_are_redacted_on_their_own() -> Result<(), Box<dyn std::error::Error>> {
        let mut r = Redactor::default();
        r.add_url(&reqwest::Url::parse(
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
}
