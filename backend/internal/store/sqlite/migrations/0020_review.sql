-- Legal review, decisions and deadlines (issue 6, SPEC L1-L6, R8, R9, D5).
--
-- The review catalog (审核目录) in versions: published versions are never
-- changed; the newest one is in force (000-review §4 dynamic management).
CREATE TABLE review_catalogs (
	version      INTEGER PRIMARY KEY,
	agency       TEXT NOT NULL,
	body         BLOB NOT NULL,
	sha256       TEXT NOT NULL,
	published_at TEXT NOT NULL,
	published_by TEXT NOT NULL
);
CREATE TRIGGER review_catalogs_append_only BEFORE UPDATE ON review_catalogs
BEGIN
	SELECT RAISE(ABORT, 'published review catalog versions are never changed');
END;

-- Holiday schedules an admin loaded beyond the shipped years (or in place
-- of one, with replace): every load is kept; the newest row of a year wins.
CREATE TABLE calendar_years (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	year      INTEGER NOT NULL,
	body      BLOB NOT NULL,
	source    TEXT NOT NULL,
	replaces  INTEGER NOT NULL DEFAULT 0,
	loaded_at TEXT NOT NULL,
	loaded_by TEXT NOT NULL
);
CREATE INDEX calendar_years_year ON calendar_years (year, id);

-- The server-authored office chain of a case (review, extension, opinion,
-- decision, approvals): its own hash chain, signed by the server key and
-- appended to the transparency log like every entry. chain_id is a case id
-- in cases/entries owned by the server's signer id.
CREATE TABLE office_chains (
	case_id    TEXT PRIMARY KEY REFERENCES cases (id),
	chain_id   TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

-- Reviewers' qualification (SPEC L6, 002-review §3: a first-time penalty
-- reviewer holds the national legal professional qualification).
CREATE TABLE reviewers (
	username      TEXT PRIMARY KEY, -- the web account
	name          TEXT NOT NULL,
	qualification TEXT NOT NULL,
	unit          TEXT NOT NULL DEFAULT '',
	since         TEXT NOT NULL,
	active        INTEGER NOT NULL DEFAULT 1,
	updated_at    TEXT NOT NULL
);

-- The deadline monitor reads case_open, officer_join, close_scene and
-- on_spot_decision entries and the audio/video references of every case.
CREATE INDEX IF NOT EXISTS entries_step ON entries (step);
CREATE INDEX IF NOT EXISTS media_refs_kind ON media_refs (kind);
