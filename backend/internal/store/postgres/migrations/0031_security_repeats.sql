-- Security events count repeats from one source instead of adding a row
-- each (issue 13): repeats, last_at, and indexes to find a source's newest
-- row and the rows of the last hour.
ALTER TABLE security_events ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;
ALTER TABLE security_events ADD COLUMN last_at TEXT NOT NULL DEFAULT '';
UPDATE security_events SET last_at = at;
CREATE INDEX security_events_source ON security_events (remote, kind, device_id, last_at);
CREATE INDEX security_events_at ON security_events (at);
CREATE INDEX security_events_last ON security_events (last_at);
