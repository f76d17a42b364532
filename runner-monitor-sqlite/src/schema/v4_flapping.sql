-- Schema version 3 (flap): the flapping rule's memory on each runner. Never edit once released.
-- flap_opens: JSON array of the times recent outages opened (RFC 3339), '[]' for none.
-- flapping_since: when the runner started flapping (fixed-width RFC 3339), NULL when it is not.
-- Existing runners are not flapping and have no recent openings: the defaults say exactly that.
ALTER TABLE runners ADD COLUMN flap_opens TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runners ADD COLUMN flapping_since TEXT;
