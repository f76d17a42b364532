//! `/runner-help`: the commands and the configured scopes.

use runner_monitor_core::Scope;

use crate::blocks::{Block, Message, ResponseType};

use super::scope_arg::listing;

/// The help message.
pub(crate) fn render(scopes: &[Scope]) -> Message {
    let commands = if scopes.len() > 1 {
        "*/runner-status [scope]* (or */runner-status-all*): without a scope, every scope's counts \
         and its unhealthy runners; with one, every runner of that scope, unhealthy ones first.\n\
         */runner-history &lt;runner&gt; [scope]*: the runner's last 5 outages, newest first, with \
         start, end and duration. The scope is needed only when the name is in several scopes.\n\
         */runner-silence &lt;runner | scope | label:NAME | pool:NAME&gt; &lt;duration&gt; [reason]*: \
         hold back its notifications (outages are still recorded; one still open at the end is \
         sent then). */runner-unsilence &lt;id | target&gt;* removes it, */runner-silences* lists \
         them.\n\
         */runner-ack &lt;runner&gt; [scope]* or *pool:NAME*: acknowledge its open outage: no more reminders.\n\
         */runner-help*: this message."
    } else {
        "*/runner-status [scope]* (or */runner-status-all*): every runner of a scope with its \
         status, unhealthy ones first (optional: only one scope is configured).\n\
         */runner-history &lt;runner&gt; [scope]*: the runner's last 5 outages, newest first, with \
         start, end and duration.\n\
         */runner-silence &lt;runner | scope | label:NAME | pool:NAME&gt; &lt;duration&gt; [reason]*: \
         hold back its notifications (outages are still recorded; one still open at the end is \
         sent then). */runner-unsilence &lt;id | target&gt;* removes it, */runner-silences* lists \
         them.\n\
         */runner-ack &lt;runner&gt; [scope]* or *pool:NAME*: acknowledge its open outage: no more reminders.\n\
         */runner-help*: this message."
    };
    let scopes_text = if scopes.is_empty() {
        "No scopes are configured yet.".to_owned()
    } else {
        format!("*Scopes:* {}", listing(scopes))
    };
    Message::new("runner-monitor commands: /runner-status, /runner-history, /runner-help")
        .response_type(ResponseType::Ephemeral)
        .block(Block::header("runner-monitor commands"))
        .block(Block::text(commands))
        .block(Block::text(scopes_text))
        .block(Block::context([
            "A scope is `owner/repo`, `org:NAME` or `enterprise:SLUG`; a repository or \
             organization name alone works when it is unambiguous."
                .to_owned(),
        ]))
}
