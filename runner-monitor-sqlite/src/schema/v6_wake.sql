-- Schema version 6 (waking postponed deliveries, /runner-unsilence). Never edit once released.
-- Pending deliveries by due time across sinks: `wake_postponed` visits only the rows due inside
-- the window it wakes, never the whole backlog.
CREATE INDEX deliveries_waiting ON deliveries (next_attempt_at) WHERE settled_at IS NULL;
