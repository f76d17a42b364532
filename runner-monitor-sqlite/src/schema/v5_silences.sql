-- Schema version 3 (silences and acknowledgements, issue 11). Never edit once released.
-- Who acknowledged an open outage (/runner-ack) and when; NULL when nobody did.
ALTER TABLE outages ADD COLUMN acked_by TEXT;
ALTER TABLE outages ADD COLUMN acked_at TEXT;
-- Runtime silences (/runner-silence), one row per id; the silence as JSON (SilenceSpec).
CREATE TABLE silences (
    id      TEXT PRIMARY KEY,
    silence TEXT NOT NULL
) STRICT, WITHOUT ROWID;
