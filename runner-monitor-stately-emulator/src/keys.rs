//! Typed key paths: `/ns-id/ns-id/...`, with string ids escaped (`/` -> `%/`, `%` -> `%%`) and
//! unsigned ids in decimal. Ordering is per segment: namespace, then id (numeric for unsigned ids,
//! bytewise for strings), parents before children.

use std::collections::HashMap;
use std::fmt;

use super::schema::KeyKind;

/// One id in a key path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyId {
    /// An unsigned integer id (ordered numerically).
    Uint(u64),
    /// A string id (ordered bytewise).
    Str(String),
}

/// One `ns-id` segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Segment {
    /// The namespace (text before the first `-`).
    pub ns: String,
    /// The id.
    pub id: KeyId,
}

/// A full key path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyPath(pub Vec<Segment>);

/// A key path that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// Which kind of id each namespace holds (from the schema's key path templates).
pub type Namespaces = HashMap<String, KeyKind>;

/// Escapes a string id for a key path.
#[must_use]
pub fn escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c == '%' || c == '/' {
            out.push('%');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for seg in &self.0 {
            match &seg.id {
                KeyId::Uint(n) => write!(f, "/{}-{n}", seg.ns)?,
                KeyId::Str(s) => write!(f, "/{}-{}", seg.ns, escape(s))?,
            }
        }
        Ok(())
    }
}

/// Raw segments (namespace, unescaped id text, whether a `-` was present).
fn split(path: &str) -> Result<Vec<(String, String, bool)>, KeyError> {
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| KeyError(format!("key path {path:?} must start with '/'")))?;
    let mut out = Vec::new();
    let mut ns = String::new();
    let mut id = String::new();
    let mut dashed = false;
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                let escaped = chars
                    .next()
                    .ok_or_else(|| KeyError(format!("key path {path:?} ends with '%'")))?;
                if dashed { &mut id } else { &mut ns }.push(escaped);
            }
            '/' => {
                out.push((std::mem::take(&mut ns), std::mem::take(&mut id), dashed));
                dashed = false;
            }
            '-' if !dashed => dashed = true,
            c if dashed => id.push(c),
            c => ns.push(c),
        }
    }
    out.push((ns, id, dashed));
    if out.iter().any(|(ns, _, _)| ns.is_empty()) {
        return Err(KeyError(format!(
            "key path {path:?} has an empty namespace"
        )));
    }
    Ok(out)
}

fn typed(ns: &str, id: String, kinds: &Namespaces, path: &str) -> Result<KeyId, KeyError> {
    match kinds.get(ns) {
        Some(KeyKind::Uint) => id
            .parse::<u64>()
            .ok()
            .filter(|_| !id.starts_with('+'))
            .map(KeyId::Uint)
            .ok_or_else(|| {
                KeyError(format!(
                    "key path {path:?}: id {id:?} of namespace {ns:?} must be an unsigned integer"
                ))
            }),
        _ => Ok(KeyId::Str(id)),
    }
}

/// Parses a full key path.
///
/// # Errors
/// [`KeyError`] when the path is malformed or an id does not fit its namespace's kind.
pub fn parse(path: &str, kinds: &Namespaces) -> Result<KeyPath, KeyError> {
    let mut segs = Vec::new();
    for (ns, id, dashed) in split(path)? {
        if !dashed || id.is_empty() {
            return Err(KeyError(format!(
                "key path {path:?}: segment {ns:?} has no id"
            )));
        }
        let id = typed(&ns, id, kinds, path)?;
        segs.push(Segment { ns, id });
    }
    Ok(KeyPath(segs))
}

/// A list prefix: whole segments, optionally followed by a bare namespace (`/repo-x/runner` or
/// `/repo-x/runner-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// Whole segments; the first one is the group key.
    pub path: KeyPath,
    /// A trailing namespace with no id.
    pub ns: Option<String>,
}

impl Prefix {
    /// Parses a list prefix; it must contain at least the full group key.
    ///
    /// # Errors
    /// [`KeyError`] when malformed or shorter than a group key.
    pub fn parse(prefix: &str, kinds: &Namespaces) -> Result<Prefix, KeyError> {
        let raw = split(prefix)?;
        let count = raw.len();
        let mut segs = Vec::new();
        let mut ns_only = None;
        for (i, (ns, id, _dashed)) in raw.into_iter().enumerate() {
            if id.is_empty() {
                if i + 1 != count {
                    return Err(KeyError(format!(
                        "key path prefix {prefix:?}: segment {ns:?} has no id"
                    )));
                }
                ns_only = Some(ns);
            } else {
                let id = typed(&ns, id, kinds, prefix)?;
                segs.push(Segment { ns, id });
            }
        }
        if segs.is_empty() {
            return Err(KeyError(format!(
                "key path prefix {prefix:?} must include the full group key"
            )));
        }
        Ok(Prefix {
            path: KeyPath(segs),
            ns: ns_only,
        })
    }

    /// Whether `key` is under this prefix (the prefix's own item included).
    #[must_use]
    pub fn matches(&self, key: &KeyPath) -> bool {
        let n = self.path.0.len();
        if key.0.len() < n || key.0[..n] != self.path.0[..] {
            return false;
        }
        match &self.ns {
            None => true,
            Some(ns) => key.0.get(n).is_some_and(|s| &s.ns == ns),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kinds() -> Namespaces {
        [
            ("repo".to_owned(), KeyKind::String),
            ("history".to_owned(), KeyKind::Uint),
            ("outage".to_owned(), KeyKind::Uint),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn escapes_and_round_trips() {
        assert_eq!(escape("a/b"), "a%/b");
        assert_eq!(escape("a%b"), "a%%b");
        let p = "/repo-acme%/w%%eb-x/history-42/outage-7";
        let k = parse(p, &kinds()).unwrap();
        assert_eq!(k.0[0].id, KeyId::Str("acme/w%eb-x".into()));
        assert_eq!(k.0[1].id, KeyId::Uint(42));
        assert_eq!(k.to_string(), p);
    }

    #[test]
    fn rejects_bad_paths() {
        for p in [
            "",
            "repo-x",
            "/repo",
            "/repo-",
            "/repo-x/history-abc",
            "/repo-x%",
            "//x-1",
        ] {
            assert!(parse(p, &kinds()).is_err(), "{p}");
        }
    }

    #[test]
    fn orders_numerically_and_parents_first() {
        let k = |p: &str| parse(p, &kinds()).unwrap();
        assert!(k("/repo-x/history-2") < k("/repo-x/history-10"));
        assert!(k("/repo-x") < k("/repo-x/history-1"));
        assert!(k("/repo-a/history-9") < k("/repo-b"));
        assert!(k("/repo-x/counter-z") < k("/repo-x/history-1"));
    }

    #[test]
    fn prefixes() {
        let kinds = kinds();
        let k = |p: &str| parse(p, &kinds).unwrap();
        let p = Prefix::parse("/repo-x/runner-", &kinds).unwrap();
        assert!(p.matches(&k("/repo-x/runner-a")));
        assert!(!p.matches(&k("/repo-x")));
        assert!(!p.matches(&k("/repo-x/history-1")));
        let p = Prefix::parse("/repo-x/history", &kinds).unwrap();
        assert!(p.matches(&k("/repo-x/history-1/outage-2")));
        let p = Prefix::parse("/repo-x", &kinds).unwrap();
        assert!(p.matches(&k("/repo-x")));
        assert!(p.matches(&k("/repo-x/history-1")));
        assert!(!p.matches(&k("/repo-xy")));
        let p = Prefix::parse("/repo-x/history-1", &kinds).unwrap();
        assert!(!p.matches(&k("/repo-x/history-10/outage-1")));
        assert!(Prefix::parse("/repo", &kinds).is_err());
        assert!(Prefix::parse("/repo-/x-1", &kinds).is_err());
    }
}
