//! An error with its causes on one line.

/// `outer: inner: innermost`, skipping a cause whose text the line already contains (many
/// errors repeat their source in their own message).
///
/// Callers strip URLs first (`reqwest::Error::without_url`) and pass the result through a
/// [`Redactor`](crate::Redactor): causes may quote what a server sent.
///
/// # Examples
/// ```
/// let io = std::io::Error::new(std::io::ErrorKind::Other, "connection reset");
/// assert_eq!(runner_monitor_http::error_chain(&io), "connection reset");
/// ```
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("request failed")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn joins_causes_once() {
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&error), "request failed: connection refused");
    }
}
