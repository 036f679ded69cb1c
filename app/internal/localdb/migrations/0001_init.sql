-- The device store: identity, officers, catalog, the append-only ledger and media index.
CREATE TABLE device (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	device_id   TEXT NOT NULL,
	name        TEXT NOT NULL,
	private_key BLOB NOT NULL,
	public_key  BLOB NOT NULL,
	created_at  TEXT NOT NULL
);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE officers (
	cert      TEXT PRIMARY KEY,
	body      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE catalog (
	kind    TEXT NOT NULL,
	id      TEXT NOT NULL,
	version INTEGER NOT NULL,
	body    BLOB NOT NULL,
	PRIMARY KEY (kind, id, version)
);

CREATE TABLE cases (
	id           TEXT PRIMARY KEY,
	procedure    TEXT NOT NULL,
	proc_version INTEGER NOT NULL,
	party        TEXT NOT NULL,
	opened_at    TEXT NOT NULL,
	scene_closed INTEGER NOT NULL DEFAULT 0,
	last_step    TEXT NOT NULL DEFAULT ''
);

-- Entries are inserted once and never updated, except the acked flag set
-- when the server confirms them; the body is the sealed entry as JSON.
CREATE TABLE entries (
	device_seq INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	case_id    TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	step       TEXT NOT NULL,
	hash       TEXT NOT NULL,
	body       BLOB NOT NULL,
	acked      INTEGER NOT NULL DEFAULT 0,
	UNIQUE (case_id, seq)
);
CREATE INDEX entries_outbox ON entries (acked, device_seq);

CREATE TABLE media (
	hash      TEXT PRIMARY KEY,
	size      INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	mime      TEXT NOT NULL,
	stored_at TEXT NOT NULL,
	confirmed INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
WHEN OLD.acked = 0
BEGIN
	SELECT RAISE(ABORT, 'unconfirmed entries are never deleted');
END;

CREATE TRIGGER entries_append_only BEFORE UPDATE ON entries
WHEN NEW.body IS NOT OLD.body OR NEW.hash IS NOT OLD.hash OR NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id OR NEW.seq IS NOT OLD.seq
BEGIN
	SELECT RAISE(ABORT, 'entries are append-only');
END;
