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
}
