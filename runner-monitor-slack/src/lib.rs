//! runner-monitor-slack: Slack Block Kit notifier and signed slash-command handler (work in progress).
