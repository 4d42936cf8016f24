-- When the latest confirmation e-mail was queued for an address, so that
-- one address cannot be sent confirmations over and over (one pending
-- confirmation, resent at most every few minutes).
ALTER TABLE subscribers ADD COLUMN confirm_sent_at INTEGER;
-- The time of the latest failure of a throttle key: sign-in waits grow
-- from it (exponential back-off instead of a hard lock).
ALTER TABLE login_throttle ADD COLUMN last_at INTEGER NOT NULL DEFAULT 0;
