-- A worker claims the due messages of its own channel, oldest first. With
-- an index on (state, next_attempt_at) alone, a claim for webhooks or push
-- walked every pending e-mail before it (thousands while no SMTP relay is
-- configured, or during a large fan-out) and held the writer meanwhile; with
-- the channel in the index the claim reads only what it takes.
CREATE INDEX outbox_claim_idx ON outbox (state, channel, next_attempt_at, id);
DROP INDEX outbox_due_idx;
