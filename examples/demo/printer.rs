//! Prints the story's narration and every Slack message as it arrives, as readable text.

use std::io::Write;
use std::sync::Mutex;

use runner_monitor::slack::fake::{SlackReceiver, render_plain};

pub struct Printer<'a> {
    slack: &'a SlackReceiver,
    printed: Mutex<usize>,
}

impl<'a> Printer<'a> {
    pub fn new(slack: &'a SlackReceiver) -> Self {
        Printer {
            slack,
            printed: Mutex::new(0),
        }
    }

    /// A step of the story.
    pub fn step(&self, text: &str) {
        self.flush();
        println!("\n▶ {text}");
    }

    /// A remark about what happened (or did not).
    pub fn note(&self, text: &str) {
        self.flush();
        println!("  {text}");
        let _ = std::io::stdout().flush();
    }

    /// Prints the Slack messages received since the last call; returns how many arrived in all.
    pub fn flush(&self) -> usize {
        let messages = self.slack.messages();
        let mut printed = self.printed.lock().unwrap_or_else(|p| p.into_inner());
        for message in messages.iter().skip(*printed) {
            println!("\n  ┌─ Slack #runners ─────────────────────────────────────────");
            for line in render_plain(message).lines() {
                println!("  │ {line}");
            }
            println!("  └──────────────────────────────────────────────────────────");
        }
        *printed = messages.len();
        let _ = std::io::stdout().flush();
        messages.len()
    }
}
