//! What PagerDuty says when it rejects an event.

use serde::Deserialize;

use crate::http_errors::excerpt;

/// `{"status": "invalid event", "message": "Event object is invalid", "errors": ["..."]}`.
#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    errors: Vec<String>,
}

/// A short description of an error response: PagerDuty's `message` and `errors`, or an excerpt
/// of the body when it is not PagerDuty's JSON.
pub(crate) fn error_detail(body: &str) -> String {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(parsed) if parsed.message.is_some() || !parsed.errors.is_empty() => {
            let mut parts: Vec<String> = parsed.message.into_iter().collect();
            parts.push(parsed.errors.join("; "));
            parts.retain(|p| !p.is_empty());
            excerpt(&parts.join(": "))
        }
        _ => excerpt(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_pagerduty_errors() {
        let body = r#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}"#;
        assert_eq!(
            error_detail(body),
            "Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)"
        );
        assert_eq!(error_detail(r#"{"errors":["a","b"]}"#), "a; b");
        assert_eq!(
            error_detail("<html> gateway\n error </html>"),
            "<html> gateway error </html>"
        );
    }
}
