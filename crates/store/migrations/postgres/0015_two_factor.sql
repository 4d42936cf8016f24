-- Two-factor sign-in (TOTP, RFC 6238): the shared secret once it is set up,
-- the one being set up (until a first code confirms it), and the last time
-- step a code was accepted for, so that each code signs in once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Recovery codes for a lost phone: only their hashes, each usable once.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
