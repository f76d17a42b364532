//! Lenient forms for values that often come from environment variables: a list of scopes as one
//! comma-separated string, an id written as a number or a string.

use std::fmt;

use runner_monitor_core::Scope;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

/// Scopes as a list (`["acme/api", "org:acme"]`) or one string separated by commas or whitespace
/// (`"acme/api, org:acme"`).
pub(crate) mod scopes {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        scopes: &[Scope],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(scopes.iter().map(ToString::to_string))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Scope>, D::Error> {
        struct ScopesVisitor;
        impl<'de> Visitor<'de> for ScopesVisitor {
            type Value = Vec<Scope>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of scopes (\"owner/name\", \"org:NAME\", \"enterprise:SLUG\")")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<Scope>, E> {
                text.split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|part| !part.is_empty())
                    .map(|part| {
                        part.parse::<Scope>()
                            .map_err(|e| E::custom(format!("`{part}`: {e}")))
                    })
                    .collect()
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Scope>, A::Error> {
                let mut scopes = Vec::new();
                while let Some(text) = seq.next_element::<String>()? {
                    let scope = text
                        .trim()
                        .parse::<Scope>()
                        .map_err(|e| de::Error::custom(format!("`{text}`: {e}")))?;
                    scopes.push(scope);
                }
                Ok(scopes)
            }
        }
        deserializer.deserialize_any(ScopesVisitor)
    }
}

/// A string that may be written as a number (`id = 12345` or `id = "Iv1.abc"`).
pub(crate) mod string_or_number {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<String, D::Error> {
        struct StringVisitor;
        impl Visitor<'_> for StringVisitor {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
                Ok(text.to_owned())
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<String, E> {
                Ok(n.to_string())
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<String, E> {
                Ok(n.to_string())
            }
        }
        deserializer.deserialize_any(StringVisitor)
    }
}

/// A number that may be written as a string (`store_id = "123"`), as SSM parameters are.
pub(crate) mod number_or_string {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a positive integer")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<u64, E> {
                text.trim()
                    .parse()
                    .map_err(|_| E::custom(format!("`{text}` is not a positive integer")))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<u64, E> {
                u64::try_from(n).map_err(|_| E::custom(format!("{n} is negative")))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<u64, E> {
                Ok(n)
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }

    /// The same for an optional number.
    pub(crate) mod option {
        use super::*;

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<u64>, D::Error> {
            super::deserialize(deserializer).map(Some)
        }
    }
}
