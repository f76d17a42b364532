//! Slack's message limits, checked the way Slack does when it receives a payload.

use serde_json::Value;

use crate::blocks::{
    MAX_BLOCKS, MAX_CONTEXT_ELEMENTS, MAX_FIELD_CHARS, MAX_FIELDS, MAX_HEADER_CHARS,
    MAX_SECTION_CHARS,
};

fn chars(value: Option<&Value>) -> Option<usize> {
    value.and_then(Value::as_str).map(|s| s.chars().count())
}

fn text_len(object: Option<&Value>) -> Option<usize> {
    chars(object.and_then(|o| o.get("text")))
}

fn check_text(object: Option<&Value>, max: usize, what: &str) -> Result<(), String> {
    match text_len(object) {
        None => Err(format!("{what}: missing text")),
        Some(0) => Err(format!("{what}: empty text")),
        Some(n) if n > max => Err(format!("{what}: {n} characters, more than {max}")),
        Some(_) => Ok(()),
    }
}

/// Buttons in an actions block at most.
const MAX_ACTION_ELEMENTS: usize = 25;
/// A button's text, characters at most.
const MAX_BUTTON_TEXT: usize = 75;
/// A button's `value` and an `action_id`/`block_id`, characters at most.
const MAX_BUTTON_VALUE: usize = 2000;
const MAX_ID_CHARS: usize = 255;

/// An `actions` block of buttons: 1 to 25 elements, each a button with plain text of at most 75
/// characters, an `action_id` of at most 255 (unique in the block) and a `value` of at most 2000.
fn check_actions(block: &Value, what: &str) -> Result<(), String> {
    let elements = block
        .get("elements")
        .and_then(Value::as_array)
        .ok_or(format!("{what}: actions without elements"))?;
    if elements.is_empty() || elements.len() > MAX_ACTION_ELEMENTS {
        return Err(format!("{what}: {} action elements", elements.len()));
    }
    if chars(block.get("block_id")).is_some_and(|n| n > MAX_ID_CHARS) {
        return Err(format!("{what}: block_id too long"));
    }
    let mut ids = Vec::new();
    for element in elements {
        if element.get("type").and_then(Value::as_str) != Some("button") {
            return Err(format!("{what}: only buttons are expected in actions"));
        }
        let text = element.get("text");
        if text.and_then(|t| t.get("type")).and_then(Value::as_str) != Some("plain_text") {
            return Err(format!("{what}: a button needs plain_text"));
        }
        check_text(text, MAX_BUTTON_TEXT, what)?;
        let id = element
            .get("action_id")
            .and_then(Value::as_str)
            .unwrap_or("");
        if id.is_empty() || id.chars().count() > MAX_ID_CHARS || ids.contains(&id) {
            return Err(format!(
                "{what}: missing, long or repeated action_id {id:?}"
            ));
        }
        ids.push(id);
        if chars(element.get("value")).is_some_and(|n| n > MAX_BUTTON_VALUE) {
            return Err(format!(
                "{what}: button value over {MAX_BUTTON_VALUE} characters"
            ));
        }
    }
    Ok(())
}

/// Checks a message payload against Slack's limits: a non-empty top-level `text`, at most 50
/// blocks, header plain text of at most 150 characters, section text of at most 3000, at most 10
/// fields of at most 2000, context of at most 10 elements, actions of at most 25 buttons, no
/// empty text objects.
///
/// # Errors
/// What is wrong, first problem only.
pub fn validate_message(message: &Value) -> Result<(), String> {
    if chars(message.get("text")).unwrap_or(0) == 0 {
        return Err("no_text: the top-level text fallback is missing".to_owned());
    }
    let blocks = match message.get("blocks") {
        None => return Ok(()),
        Some(blocks) => blocks.as_array().ok_or("blocks is not an array")?,
    };
    if blocks.len() > MAX_BLOCKS {
        return Err(format!("{} blocks, more than {MAX_BLOCKS}", blocks.len()));
    }
    for (i, block) in blocks.iter().enumerate() {
        let what = format!("block {i}");
        match block.get("type").and_then(Value::as_str) {
            Some("header") => {
                let text = block.get("text");
                if text.and_then(|t| t.get("type")).and_then(Value::as_str) != Some("plain_text") {
                    return Err(format!("{what}: a header needs plain_text"));
                }
                check_text(text, MAX_HEADER_CHARS, &what)?;
            }
            Some("section") => {
                let fields = block.get("fields").and_then(Value::as_array);
                if block.get("text").is_none() && fields.is_none() {
                    return Err(format!("{what}: a section needs text or fields"));
                }
                if let Some(text) = block.get("text") {
                    check_text(Some(text), MAX_SECTION_CHARS, &what)?;
                }
                if let Some(fields) = fields {
                    if fields.is_empty() || fields.len() > MAX_FIELDS {
                        return Err(format!("{what}: {} fields", fields.len()));
                    }
                    for field in fields {
                        check_text(Some(field), MAX_FIELD_CHARS, &what)?;
                    }
                }
            }
            Some("context") => {
                let elements = block
                    .get("elements")
                    .and_then(Value::as_array)
                    .ok_or(format!("{what}: context without elements"))?;
                if elements.is_empty() || elements.len() > MAX_CONTEXT_ELEMENTS {
                    return Err(format!("{what}: {} context elements", elements.len()));
                }
                for element in elements {
                    check_text(Some(element), MAX_SECTION_CHARS, &what)?;
                }
            }
            Some("actions") => check_actions(block, &what)?,
            Some("divider") => {}
            other => return Err(format!("{what}: unexpected type {other:?}")),
        }
    }
    Ok(())
}
