-- Sync bookkeeping: which entries reference which media (kept by triggers),
-- the log proof of every confirmed entry, the tree heads the terminal has
-- verified, and the device revocations received by down-sync.
CREATE TABLE media_refs (
	hash       TEXT NOT NULL,
	device_seq INTEGER NOT NULL,
	PRIMARY KEY (hash, device_seq)
) WITHOUT ROWID;
CREATE INDEX media_refs_seq ON media_refs (device_seq);

INSERT OR IGNORE INTO media_refs (hash, device_seq)
	SELECT j.value, e.device_seq FROM entries e, json_each(CAST(e.body AS TEXT), '$.media') j;

CREATE TRIGGER entries_media_refs AFTER INSERT ON entries
BEGIN
	INSERT OR IGNORE INTO media_refs (hash, device_seq)
		SELECT j.value, NEW.device_seq FROM json_each(CAST(NEW.body AS TEXT), '$.media') j;
END;

CREATE TRIGGER entries_media_refs_delete AFTER DELETE ON entries
BEGIN
	DELETE FROM media_refs WHERE device_seq = OLD.device_seq;
END;

CREATE TABLE entry_proofs (
	entry_id     TEXT PRIMARY KEY,
	device_seq   INTEGER NOT NULL,
	leaf_index   INTEGER NOT NULL,
	tree_size    INTEGER NOT NULL,
	hashes       TEXT NOT NULL,
	confirmed_at TEXT NOT NULL
);

CREATE TABLE tree_heads (
	size        INTEGER PRIMARY KEY,
	root        BLOB NOT NULL,
	timestamp   INTEGER NOT NULL,
	signature   BLOB NOT NULL,
	received_at TEXT NOT NULL
);

CREATE TABLE revoked_devices (
	device_id  TEXT PRIMARY KEY,
	revoked_at TEXT NOT NULL,
	reason     TEXT NOT NULL
);
