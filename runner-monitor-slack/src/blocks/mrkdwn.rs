//! Helpers for Slack's markdown: escaping, labelled fields, dates every reader sees in their own
//! time zone.

use runner_monitor_core::Timestamp;

/// A Slack user id as a mention Slack renders with the user's name (`<@U0123>`), or "someone"
/// for an empty id. The id is escaped: a forged id cannot close the mention and inject another.
///
/// # Examples
/// ```
/// use runner_monitor_slack::blocks::mention;
/// assert_eq!(mention("U0ANA"), "<@U0ANA>");
/// assert_eq!(mention(""), "someone");
/// assert_eq!(mention("U1><!channel"), "<@U1&gt;&lt;!channel>");
/// ```
pub fn mention(user_id: &str) -> String {
    if user_id.is_empty() {
        "someone".to_owned()
    } else {
        format!("<@{}>", escape(user_id))
    }
}

/// Escapes `&`, `<` and `>` as Slack requires, so user-controlled names cannot inject links or
/// mentions.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A labelled field: `*Label:*` then the (already escaped) value on the next line.
pub fn field(label: &str, value: &str) -> String {
    format!("*{label}:*\n{value}")
}

/// A date Slack renders in each reader's time zone, with a UTC fallback:
/// `<!date^1767225600^{date_short_pretty} {time_secs}|2026-01-01 00:00:00 UTC>`.
pub fn date(at: Timestamp) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} {{time_secs}}|{}>",
        at.timestamp(),
        utc(at)
    )
}

/// `2026-01-01 00:00:00 UTC`: for plain text (headers, fallbacks).
pub fn utc(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_monitor_core::testing::at;

    #[test]
    fn escapes_the_three_control_characters() {
        assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escape("<!channel>"), "&lt;!channel&gt;");
    }

    #[test]
    fn dates_carry_a_utc_fallback() {
        assert_eq!(
            date(at(61)),
            "<!date^1767225661^{date_short_pretty} {time_secs}|2026-01-01 00:01:01 UTC>"
        );
    }
}
