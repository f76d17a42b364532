//! runner-monitor-webhook: Generic JSON webhook and PagerDuty Events v2 notifiers (work in progress).
