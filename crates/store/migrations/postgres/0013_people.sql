-- Customer admins remove people from their organisation: the account is
-- kept (its requests and messages stay theirs) but can no longer sign in.
ALTER TABLE users ADD COLUMN removed_at BIGINT;
