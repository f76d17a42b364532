//! A Block Kit message as readable plain text, for terminals, logs and the demo.

use serde_json::Value;

/// Renders a Block Kit message (as JSON, e.g. a payload a receiver recorded) as plain text:
/// the header underlined, paragraphs as is, fields as `Label: value` lines, context in
/// brackets, dividers as a rule. Slack markup is undone: dates show their fallback, links their
/// label, entities are unescaped, `*` and `` ` `` are dropped. A message without blocks renders
/// as its fallback `text`.
pub fn render_plain(message: &Value) -> String {
    let blocks = message
        .get("blocks")
        .and_then(Value::as_array)
        .filter(|blocks| !blocks.is_empty());
    let Some(blocks) = blocks else {
        return unmark(text_of(message.get("text")));
    };
    let mut out = Vec::new();
    for block in blocks {
        match block.get("type").and_then(Value::as_str) {
            Some("header") => {
                let title = unmark(text_of(block.get("text").and_then(|t| t.get("text"))));
                out.push(format!("{title}\n{}", "=".repeat(title.chars().count())));
            }
            Some("section") => {
                if let Some(text) = block.get("text").and_then(|t| t.get("text")) {
                    out.push(unmark(text_of(Some(text))));
                }
                let fields = block.get("fields").and_then(Value::as_array);
                for field in fields.into_iter().flatten() {
                    let text = unmark(text_of(field.get("text")));
                    out.push(format!(
                        "  {}",
                        text.replacen('\n', " ", 1).replace('\n', "\n    ")
                    ));
                }
            }
            Some("context") => {
                let elements: Vec<String> = block
                    .get("elements")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|e| unmark(text_of(e.get("text"))))
                    .collect();
                out.push(format!("  [{}]", elements.join(" | ")));
            }
            Some("divider") => out.push("-".repeat(40)),
            _ => {}
        }
    }
    out.join("\n")
}

fn text_of(value: Option<&Value>) -> &str {
    value.and_then(Value::as_str).unwrap_or_default()
}

/// Undoes Slack markup: `<!date^..|fallback>` and `<url|label>` become their last part,
/// `<url>` its url; `*`, `` ` `` dropped; entities unescaped (last, so escaped text stays text).
fn unmark(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) => {
                let inner = &after[..close];
                out.push_str(inner.rsplit('|').next().unwrap_or(inner));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace(['*', '`'], "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_every_block_kind() {
        let message = json!({
            "text": "fallback",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Title"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "*bold* a&lt;b <https://x|link>"},
                 "fields": [{"type": "mrkdwn", "text": "*Scope:*\nacme/api"}]},
                {"type": "context", "elements": [
                    {"type": "mrkdwn", "text": "Detected <!date^1^{date}|2026-01-01 UTC>"},
                    {"type": "mrkdwn", "text": "`ref`"}]},
                {"type": "divider"}
            ]
        });
        assert_eq!(
            render_plain(&message),
            format!(
                "Title\n=====\nbold a<b link\n  Scope: acme/api\n  [Detected 2026-01-01 UTC | ref]\n{}",
                "-".repeat(40)
            )
        );
    }

    #[test]
    fn falls_back_to_text_without_blocks() {
        assert_eq!(render_plain(&json!({"text": "just *this*"})), "just this");
    }
}
