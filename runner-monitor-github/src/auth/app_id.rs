//! Validating a GitHub App's identifier: its numeric app id or its client id (`Iv1.abc`,
//! `Iv23li...`), the two forms GitHub accepts as a JWT's `iss`.

use serde_json::Value;

/// The JWT `iss` claim for `app_id`: a number for a numeric id, a string for a client id.
///
/// # Errors
/// Why `app_id` is not an app id.
pub(crate) fn issuer(app_id: &str) -> Result<Value, String> {
    let id = app_id.trim();
    if id.is_empty() {
        return Err("the app id is empty".into());
    }
    if id.bytes().all(|b| b.is_ascii_digit()) {
        return match id.parse::<u64>() {
            Ok(0) => Err("the app id must not be 0".into()),
            Ok(number) => Ok(Value::from(number)),
            Err(_) => Err(format!("the app id `{id}` is too large")),
        };
    }
    let client_id_chars = id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if id.starts_with("Iv") && id.len() > 2 && client_id_chars {
        return Ok(Value::from(id));
    }
    Err(format!(
        "`{id}` is neither a numeric app id nor a client id (`Iv...`); find both on the app's settings page"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_client_ids() {
        assert_eq!(issuer("12345"), Ok(Value::from(12345u64)));
        assert_eq!(issuer(" 7 "), Ok(Value::from(7u64)));
        assert_eq!(issuer("Iv1.0123abcd"), Ok(Value::from("Iv1.0123abcd")));
        for bad in [
            "",
            "0",
            "abc",
            "12a",
            "-5",
            "Iv",
            "Iv1 x",
            "99999999999999999999999",
        ] {
            assert!(issuer(bad).is_err(), "{bad:?}");
        }
    }
}
