-- The backend store: devices and enrolment, the accepted entries, the
-- transparency log, media bookkeeping, the down-sync catalog, security events.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('changes', '0');

CREATE TABLE enrol_codes (
	code_hash   TEXT PRIMARY KEY,
	device_name TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	used_at     TEXT,
	device_id   TEXT
);

CREATE TABLE devices (
	id                  TEXT PRIMARY KEY,
	name                TEXT NOT NULL,
	public_key          BLOB NOT NULL,
	enrolled_at         TEXT NOT NULL,
	last_seq            INTEGER NOT NULL DEFAULT 0,
	last_seen           TEXT NOT NULL DEFAULT '',
	app_version         TEXT NOT NULL DEFAULT '',
	outbox              INTEGER NOT NULL DEFAULT 0,
	pending_media_bytes INTEGER NOT NULL DEFAULT 0,
	clock_offset_ms     INTEGER NOT NULL DEFAULT 0,
	clock_skewed        INTEGER NOT NULL DEFAULT 0,
	remote              TEXT NOT NULL DEFAULT '',
	revoked_at          TEXT NOT NULL DEFAULT '',
	revoke_reason       TEXT NOT NULL DEFAULT '',
	wipe_requested_at   TEXT NOT NULL DEFAULT '',
	wipe_reason         TEXT NOT NULL DEFAULT '',
	wiped_at            TEXT NOT NULL DEFAULT '',
	wipe_report         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cases (
	id         TEXT PRIMARY KEY,
	device_id  TEXT NOT NULL REFERENCES devices (id),
	procedure  TEXT NOT NULL DEFAULT '',
	party      TEXT NOT NULL DEFAULT '',
	opened_at  TEXT NOT NULL DEFAULT '',
	last_seq   INTEGER NOT NULL,
	last_hash  TEXT NOT NULL,
	last_step  TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Accepted entries: inserted once, never updated or deleted. leaf_index is
-- the entry's position in the transparency log.
CREATE TABLE entries (
	id              TEXT PRIMARY KEY,
	case_id         TEXT NOT NULL REFERENCES cases (id),
	seq             INTEGER NOT NULL,
	device_id       TEXT NOT NULL REFERENCES devices (id),
	device_seq      INTEGER NOT NULL,
	step            TEXT NOT NULL,
	hash            TEXT NOT NULL UNIQUE,
	body            BLOB NOT NULL,
	device_time     TEXT NOT NULL,
	calibrated_time TEXT NOT NULL,
	clock_offset_ms INTEGER NOT NULL,
	clock_skewed    INTEGER NOT NULL,
	received_at     TEXT NOT NULL,
	leaf_index      INTEGER NOT NULL UNIQUE,
	UNIQUE (case_id, seq),
	UNIQUE (device_id, device_seq)
);

CREATE TRIGGER entries_append_only BEFORE UPDATE ON entries
BEGIN
	SELECT RAISE(ABORT, 'entries are append-only');
END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
	SELECT RAISE(ABORT, 'entries are never deleted');
END;

-- Transparency log nodes (level 0 = leaf hashes) and signed tree heads.
CREATE TABLE log_nodes (
	level INTEGER NOT NULL,
	idx   INTEGER NOT NULL,
	hash  BLOB NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE tree_heads (
	size      INTEGER PRIMARY KEY,
	root      BLOB NOT NULL,
	timestamp INTEGER NOT NULL,
	signature BLOB NOT NULL
);

-- Files referenced by accepted entries, with the upload deadline (R4).
CREATE TABLE media_refs (
	hash          TEXT NOT NULL,
	entry_id      TEXT NOT NULL REFERENCES entries (id),
	case_id       TEXT NOT NULL,
	device_id     TEXT NOT NULL,
	kind          TEXT NOT NULL,
	declared_size INTEGER NOT NULL,
	due_at        TEXT NOT NULL,
	PRIMARY KEY (hash, entry_id)
);
CREATE INDEX media_refs_device ON media_refs (device_id, hash);

CREATE TABLE media (
	hash      TEXT PRIMARY KEY,
	size      INTEGER NOT NULL,
	device_id TEXT NOT NULL,
	stored_at TEXT NOT NULL
);

CREATE TABLE uploads (
	hash       TEXT PRIMARY KEY,
	device_id  TEXT NOT NULL,
	size       INTEGER NOT NULL,
	confirmed  INTEGER NOT NULL,
	started_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE catalog (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT NOT NULL,
	key        TEXT NOT NULL,
	version    INTEGER NOT NULL,
	body       BLOB NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (kind, key, version)
);

CREATE TABLE security_events (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        TEXT NOT NULL,
	device_id TEXT NOT NULL DEFAULT '',
	remote    TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL,
	detail    TEXT NOT NULL,
	evidence  TEXT NOT NULL DEFAULT ''
);
