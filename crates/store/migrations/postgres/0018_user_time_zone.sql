-- Each person's time zone (an IANA name such as Europe/Stockholm) for the
-- times pages show them; NULL follows the browser, then UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT;
