-- Schema version 3 (grp): message receipts. Never edit once released.
-- What a sink remembers about a message it sent: the message key, a handle of the sink's
-- choosing (PagerDuty: the incident's dedup_key; Slack bot mode: channel and ts).
CREATE TABLE receipts (
    sink TEXT NOT NULL,
    key TEXT NOT NULL,
    handle TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (sink, key)
) WITHOUT ROWID;
-- The incident keys a receipt still holds open; the primary key is the lookup by member.
CREATE TABLE receipt_members (
    sink TEXT NOT NULL,
    member TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (sink, member, key)
) WITHOUT ROWID;
CREATE INDEX receipt_members_by_key ON receipt_members (sink, key, member);
