-- The live board's read model (SPEC D1, issue 15): per case, what the board
-- derived from the entries it has checked — the chain head verified up to
-- (head_seq, head_hash) and the derived state (JSON: stage counts, crew,
-- verdict) — so a sync costs the board only the new entries and a start
-- reads this instead of re-verifying every signature. version is the shape
-- of state: an older one is rebuilt from the entries once.
CREATE TABLE board_cases (
	case_id   TEXT PRIMARY KEY,
	version   INTEGER NOT NULL,
	head_seq  INTEGER NOT NULL,
	head_hash TEXT NOT NULL,
	state     BLOB NOT NULL
);
