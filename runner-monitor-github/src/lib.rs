//! runner-monitor-github: RunnerSource over the GitHub REST API (work in progress).
