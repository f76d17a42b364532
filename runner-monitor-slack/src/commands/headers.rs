//! Case-insensitive header lookup over whatever a host has: an `http::HeaderMap`, a list of
//! pairs, or a map (API Gateway events).

use std::collections::{BTreeMap, HashMap};

/// Looks up a header value by name, ignoring ASCII case.
pub trait HeaderLookup {
    /// The first value of header `name` (any case), if present and valid text.
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

fn find<'a, K: AsRef<str> + 'a, V: AsRef<str> + 'a>(
    pairs: impl IntoIterator<Item = (&'a K, &'a V)>,
    name: &str,
) -> Option<&'a str> {
    pairs
        .into_iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        find(self.iter().map(|(k, v)| (k, v)), name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S> HeaderLookup for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<&str> {
        find(self.iter(), name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<&str> {
        find(self.iter(), name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_ignores_case() {
        let mut map = http::HeaderMap::new();
        map.insert("x-slack-signature", http::HeaderValue::from_static("v0=ab"));
        assert_eq!(map.header("X-Slack-Signature"), Some("v0=ab"));
        let pairs = vec![("X-SLACK-SIGNATURE".to_owned(), "v0=cd".to_owned())];
        assert_eq!(pairs.header("x-slack-signature"), Some("v0=cd"));
        let slice: &[(&str, &str)] = &[("X-Slack-Signature", "v0=ef")];
        assert_eq!(slice.header("x-slack-signature"), Some("v0=ef"));
        let hash: HashMap<String, String> =
            [("x-Slack-signature".to_owned(), "v0=01".to_owned())].into();
        assert_eq!(hash.header("X-SLACK-SIGNATURE"), Some("v0=01"));
        assert_eq!(hash.header("x-slack-request-timestamp"), None);
    }
}
