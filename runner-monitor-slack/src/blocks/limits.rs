//! Slack's Block Kit limits and the truncation that enforces them: a message that is too long is
//! shortened with "... and N more", never rejected.

use super::{Block, Message, Text};

/// Blocks per message.
pub const MAX_BLOCKS: usize = 50;
/// Fields per section.
pub const MAX_FIELDS: usize = 10;
/// Characters of a section's text (also applied to context elements).
pub const MAX_SECTION_CHARS: usize = 3000;
/// Characters of one field.
pub const MAX_FIELD_CHARS: usize = 2000;
/// Characters of a header.
pub const MAX_HEADER_CHARS: usize = 150;
/// Elements of a context block.
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// Characters of the top-level fallback `text` (Slack allows more; a notification preview shows
/// far less, so this crate keeps it short).
pub const MAX_FALLBACK_CHARS: usize = 3000;

/// What stands in for an empty text (Slack rejects empty text objects).
const EMPTY: &str = "\u{2014}";

/// `"... and 3 more runners"` (singular for one).
pub fn and_more(count: usize, singular: &str, plural: &str) -> String {
    let noun = if count == 1 { singular } else { plural };
    format!("... and {count} more {noun}")
}

/// `text` shortened to at most `max` characters (Unicode scalar values, as Slack counts). Whole
/// lines are dropped first, ending with "... and N more lines"; a single overlong line is cut and
/// ends with "…".
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.len() > 1 {
        let reserve = and_more(lines.len(), "line", "lines").chars().count() + 1;
        let mut kept = String::new();
        let mut used = 0;
        let mut count = 0;
        for line in &lines {
            let len = line.chars().count() + usize::from(count > 0);
            if used + len + reserve > max {
                break;
            }
            if count > 0 {
                kept.push('\n');
            }
            kept.push_str(line);
            used += len;
            count += 1;
        }
        if count > 0 {
            kept.push('\n');
            kept.push_str(&and_more(lines.len() - count, "line", "lines"));
            return kept;
        }
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Lines packed into chunks of at most `max_chars` characters each (joined by newlines), at most
/// `max_chunks` chunks. Lines that do not fit are left out and the last chunk ends with
/// `"... and N more <noun>"`. Returns the chunks and how many lines were left out.
pub fn pack_lines(
    lines: &[String],
    max_chars: usize,
    max_chunks: usize,
    noun: (&str, &str),
) -> (Vec<String>, usize) {
    if max_chunks == 0 {
        return (Vec::new(), lines.len());
    }
    // Room for "\n... and N more <noun>" in the last chunk.
    let reserve = and_more(lines.len(), noun.0, noun.1).chars().count() + 1;
    let last_limit = max_chars.saturating_sub(reserve).max(1);
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    let mut packed = 0;
    for line in lines {
        // Every line fits an empty chunk, even the last one.
        let line = truncate_chars(line, last_limit);
        let len = line.chars().count();
        let is_last_chunk = chunks.len() + 1 == max_chunks;
        let limit = if is_last_chunk { last_limit } else { max_chars };
        if current_len > 0 && current_len + 1 + len > limit {
            if is_last_chunk {
                break;
            }
            chunks.push(std::mem::take(&mut current));
            current_len = 0;
        }
        if current_len > 0 {
            current.push('\n');
            current_len += 1;
        }
        current.push_str(&line);
        current_len += len;
        packed += 1;
    }
    let omitted = lines.len() - packed;
    if omitted > 0 {
        if current_len > 0 {
            current.push('\n');
        }
        current.push_str(&and_more(omitted, noun.0, noun.1));
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    (chunks, omitted)
}

fn fit(text: &mut Text, max: usize) {
    let value = text.text_mut();
    if value.trim().is_empty() {
        *value = EMPTY.to_owned();
    } else if value.chars().count() > max {
        *value = truncate_chars(value, max);
    }
}

fn cap_list(items: &mut Vec<Text>, max: usize, singular: &str, plural: &str) {
    if items.len() > max {
        let omitted = items.len() - (max - 1);
        items.truncate(max - 1);
        items.push(Text::mrkdwn(and_more(omitted, singular, plural)));
    }
}

/// Enforces every limit on `message` in place: fallback text, header, section text and fields,
/// context elements, block count. Empty texts (which Slack rejects) become a dash; sections and
/// contexts left with nothing are dropped. A message with more than 50 blocks keeps the first 49
/// and ends with a context "... and N more blocks".
pub fn enforce_limits(message: &mut Message) {
    if message.text.trim().is_empty() {
        EMPTY.clone_into(&mut message.text);
    }
    message.text = truncate_chars(&message.text, MAX_FALLBACK_CHARS);
    message.blocks.retain_mut(|block| match block {
        Block::Header { text } => {
            if let Text::Mrkdwn { text: value } = text {
                *text = Text::plain(std::mem::take(value));
            }
            let flat = text.text().replace('\n', " ");
            *text.text_mut() = flat;
            fit(text, MAX_HEADER_CHARS);
            true
        }
        Block::Section { text, fields } => {
            if let Some(text) = text {
                fit(text, MAX_SECTION_CHARS);
            }
            cap_list(fields, MAX_FIELDS, "field", "fields");
            fields.iter_mut().for_each(|f| fit(f, MAX_FIELD_CHARS));
            text.is_some() || !fields.is_empty()
        }
        Block::Context { elements } => {
            cap_list(elements, MAX_CONTEXT_ELEMENTS, "item", "items");
            elements.iter_mut().for_each(|e| fit(e, MAX_SECTION_CHARS));
            !elements.is_empty()
        }
        Block::Divider {} => true,
    });
    if message.blocks.len() > MAX_BLOCKS {
        let omitted = message.blocks.len() - (MAX_BLOCKS - 1);
        message.blocks.truncate(MAX_BLOCKS - 1);
        message
            .blocks
            .push(Block::context([and_more(omitted, "block", "blocks")]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(s: &str) -> usize {
        s.chars().count()
    }

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(truncate_chars("héllo", 5), "héllo");
    }

    #[test]
    fn long_single_line_is_cut_with_an_ellipsis() {
        let cut = truncate_chars(&"é".repeat(200), 150);
        assert_eq!(len(&cut), 150);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn long_multi_line_text_drops_whole_lines() {
        let text = (0..500)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let cut = truncate_chars(&text, 3000);
        assert!(len(&cut) <= 3000, "{}", len(&cut));
        assert!(cut.starts_with("line 0\nline 1\n"));
        let last = cut.lines().last().unwrap_or_default();
        assert!(last.starts_with("... and "), "{last}");
        let kept = cut.lines().count() - 1;
        assert_eq!(last, format!("... and {} more lines", 500 - kept));
    }

    #[test]
    fn packs_lines_into_chunks_and_counts_the_rest() {
        let lines: Vec<String> = (0..1000).map(|i| format!("runner-{i:04} Idle")).collect();
        let (chunks, omitted) = pack_lines(&lines, 300, 3, ("runner", "runners"));
        assert_eq!(chunks.len(), 3);
        assert!(chunks.iter().all(|c| len(c) <= 300));
        let listed: usize = chunks
            .iter()
            .map(|c| c.lines().filter(|l| l.starts_with("runner-")).count())
            .sum();
        assert_eq!(listed + omitted, 1000);
        assert!(
            chunks[2].ends_with(&format!("... and {omitted} more runners")),
            "{}",
            chunks[2]
        );
    }

    #[test]
    fn packing_everything_adds_no_suffix() {
        let lines = vec!["a".to_owned(), "b".to_owned()];
        let (chunks, omitted) = pack_lines(&lines, 300, 3, ("runner", "runners"));
        assert_eq!((chunks, omitted), (vec!["a\nb".to_owned()], 0));
    }

    #[test]
    fn enforce_limits_caps_every_dimension() {
        let mut message = Message::new("x".repeat(5000))
            .block(Block::header("h".repeat(400)))
            .block(Block::fields(
                (0..25).map(|i| format!("{i}{}", "f".repeat(2500))),
            ))
            .block(Block::context((0..15).map(|i| i.to_string())))
            .block(Block::fields(Vec::new()))
            .block(Block::text(""));
        for i in 0..80 {
            message.blocks.push(Block::text(format!("block {i}")));
        }
        enforce_limits(&mut message);
        assert!(len(&message.text) <= MAX_FALLBACK_CHARS);
        assert_eq!(message.blocks.len(), MAX_BLOCKS);
        let Block::Header { text } = &message.blocks[0] else {
            panic!("header first")
        };
        assert_eq!(len(text.text()), MAX_HEADER_CHARS);
        let Block::Section { fields, .. } = &message.blocks[1] else {
            panic!("fields second")
        };
        assert_eq!(fields.len(), MAX_FIELDS);
        assert!(fields.iter().all(|f| len(f.text()) <= MAX_FIELD_CHARS));
        assert_eq!(fields[9].text(), "... and 16 more fields");
        let Block::Context { elements } = &message.blocks[2] else {
            panic!("context third")
        };
        assert_eq!(elements.len(), MAX_CONTEXT_ELEMENTS);
        assert_eq!(elements[9].text(), "... and 6 more items");
        // the empty-fields section was dropped, the empty text became a dash
        assert_eq!(message.blocks[3], Block::text(EMPTY));
        let Block::Context { elements } = &message.blocks[49] else {
            panic!("context last")
        };
        // 84 blocks after dropping one; 49 kept
        assert_eq!(elements[0].text(), "... and 35 more blocks");
    }
}
