-- Support teams: each has its own business hours, in which the response
-- targets of its organisations' requests count. An organisation without a
-- team counts in the default hours (the `business_hours` setting).
CREATE TABLE support_teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    -- The working days, comma-separated (`mon,tue,wed,thu,fri`).
    days       TEXT NOT NULL,
    opens      TEXT NOT NULL,
    closes     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX support_teams_name_key ON support_teams (lower(name));
-- The agents of a team (an agent may be in several).
CREATE TABLE support_team_members (
    team_id TEXT NOT NULL REFERENCES support_teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX support_team_members_user_idx ON support_team_members (user_id);
ALTER TABLE organisations ADD COLUMN team_id TEXT REFERENCES support_teams (id);
CREATE INDEX organisations_team_idx ON organisations (team_id);
