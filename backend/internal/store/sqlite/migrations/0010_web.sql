-- Web pages: accounts with roles, sessions, login attempts (rate limiting),
-- the access register (调阅登记, 003 §28, §30) with its grants and approval
-- requests, and the audit log of administrative actions (SPEC D1-D4, R7).

CREATE TABLE accounts (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
	name                TEXT NOT NULL,
	role                TEXT NOT NULL,
	officer_cert        TEXT NOT NULL DEFAULT '',
	password_hash       TEXT NOT NULL,
	must_change         INTEGER NOT NULL DEFAULT 0,
	disabled            INTEGER NOT NULL DEFAULT 0,
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL,
	password_changed_at TEXT NOT NULL
);

-- A session is stored by the SHA-256 of its cookie token, never the token.
CREATE TABLE web_sessions (
	id_hash    TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen  TEXT NOT NULL,
	remote     TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_account ON web_sessions (account_id);

CREATE TABLE login_attempts (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	at       TEXT NOT NULL,
	username TEXT NOT NULL COLLATE NOCASE,
	remote   TEXT NOT NULL,
	ok       INTEGER NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (username, at);
CREATE INDEX login_attempts_remote ON login_attempts (remote, at);

-- The access register: every view, playback, download or copy of a record
-- or file, who, when, why and who approved. Rows are hash-chained
-- (hash = SHA-256 of prev_hash and the row) and can be neither changed nor
-- removed.
CREATE TABLE access_log (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT NOT NULL,
	account_id INTEGER NOT NULL,
	username   TEXT NOT NULL,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	action     TEXT NOT NULL,
	case_id    TEXT NOT NULL DEFAULT '',
	media_hash TEXT NOT NULL DEFAULT '',
	purpose    TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	approver   TEXT NOT NULL DEFAULT '',
	request_id INTEGER NOT NULL DEFAULT 0,
	grant_id   INTEGER NOT NULL DEFAULT 0,
	remote     TEXT NOT NULL DEFAULT '',
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX access_log_case ON access_log (case_id, id);
CREATE INDEX access_log_grant ON access_log (grant_id, media_hash, action);

CREATE TRIGGER access_log_append_only BEFORE UPDATE ON access_log
BEGIN
	SELECT RAISE(ABORT, 'the access register is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
	SELECT RAISE(ABORT, 'the access register is never deleted');
END;

-- A grant opens one case to one account for a while, after the reason was
-- given (and approved where the agency requires it).
CREATE TABLE access_grants (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	case_id    TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	reason     TEXT NOT NULL,
	approver   TEXT NOT NULL DEFAULT '',
	request_id INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX access_grants_account ON access_grants (account_id, case_id, expires_at);

-- Requests for an access that needs approval (a copy of an original, party
-- access under 003 §30, playback where the agency requires it).
CREATE TABLE access_requests (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	at            TEXT NOT NULL,
	account_id    INTEGER NOT NULL REFERENCES accounts (id),
	requester     TEXT NOT NULL,
	case_id       TEXT NOT NULL,
	action        TEXT NOT NULL,
	media_hash    TEXT NOT NULL DEFAULT '',
	purpose       TEXT NOT NULL,
	reason        TEXT NOT NULL,
	status        TEXT NOT NULL DEFAULT 'pending',
	decided_by    INTEGER NOT NULL DEFAULT 0,
	decider       TEXT NOT NULL DEFAULT '',
	decided_at    TEXT NOT NULL DEFAULT '',
	decision_note TEXT NOT NULL DEFAULT '',
	expires_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_requests_status ON access_requests (status, id);

-- Administrative actions: accounts, devices, officers, catalog publications.
CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	at         TEXT NOT NULL,
	account_id INTEGER NOT NULL,
	username   TEXT NOT NULL,
	action     TEXT NOT NULL,
	target     TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '',
	remote     TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'the audit log is never deleted');
END;
