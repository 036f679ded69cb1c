-- The list pages and the review hooks at scale (issue 15).
--
-- The review queue's read model: per case with an office chain, the row as
-- the queue shows it (item, JSON) and what it is filtered on, made by the
-- back office from the case's office chain at the heads and the catalog
-- version and holiday load it names; a row behind any of them is made
-- again before the queue is read.
CREATE TABLE review_queue (
	case_id         TEXT PRIMARY KEY REFERENCES cases (id),
	office_seq      INTEGER NOT NULL,
	case_seq        INTEGER NOT NULL,
	catalog_version INTEGER NOT NULL,
	calendar_load   INTEGER NOT NULL,
	state           TEXT NOT NULL,
	party           TEXT NOT NULL,
	officers        TEXT NOT NULL, -- ",cert,cert,"
	opened_at       TEXT NOT NULL,
	review_due      TEXT NOT NULL,
	item            TEXT NOT NULL
);
CREATE INDEX review_queue_opened ON review_queue (opened_at, case_id);
CREATE INDEX review_queue_state ON review_queue (state, opened_at);

-- The security log filtered by kind, newest first.
CREATE INDEX security_events_kind ON security_events (kind, last_at);

-- The deadline hooks read the steps and audio/video references of a few
-- named cases: by step and case, not every entry of the step.
DROP INDEX IF EXISTS entries_step;
CREATE INDEX entries_step_case ON entries (step, case_id, seq);
DROP INDEX IF EXISTS media_refs_kind;
CREATE INDEX media_refs_kind_case ON media_refs (kind, case_id);
