//! The database schema and its migrations.

pub(crate) mod migrations;

/// `PRAGMA application_id` of a runner-monitor database ("RMON").
pub(crate) const APPLICATION_ID: i32 = 0x524D_4F4E;
