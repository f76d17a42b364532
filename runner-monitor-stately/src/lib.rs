//! runner-monitor-stately: StatelyDB Store over the Connect protocol, with an emulator (work in progress).
