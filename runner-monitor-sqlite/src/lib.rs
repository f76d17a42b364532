//! runner-monitor-sqlite: Durable embedded SQLite Store (work in progress).
