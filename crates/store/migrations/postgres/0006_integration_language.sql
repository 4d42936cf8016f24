-- The language an integration posts in (sv or en); NULL: the server's
-- default language.
ALTER TABLE integrations ADD COLUMN language TEXT;
