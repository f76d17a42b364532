-- Schema version 2: delivery claims and due heads. Never edit once released.
-- A delivery's queue is (scope, sink, subject): deliveries of one queue go out in seq order.
-- subject is Notification::subject() ("runner:<name>" or "source"), written at enqueue.
ALTER TABLE deliveries ADD COLUMN subject TEXT NOT NULL DEFAULT '';
-- The claim (lease) a dispatcher holds while sending; NULL when unclaimed.
ALTER TABLE deliveries ADD COLUMN claim_holder TEXT;
ALTER TABLE deliveries ADD COLUMN claim_until TEXT;
UPDATE deliveries SET subject = CASE
    WHEN json_extract(notification, '$.runner.name') IS NOT NULL
        THEN 'runner:' || json_extract(notification, '$.runner.name')
    ELSE 'source' END;
-- The dispatcher's read: pending deliveries of one sink that are due, by due time, so deliveries
-- not due yet or for other sinks are never visited.
CREATE INDEX deliveries_due ON deliveries (sink, next_attempt_at) WHERE settled_at IS NULL;
-- Is there an earlier pending delivery in this queue? (the head check)
CREATE INDEX deliveries_queue ON deliveries (scope, sink, subject, seq) WHERE settled_at IS NULL;
