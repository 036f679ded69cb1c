-- The publication queue of decisions (事后公示, SPEC P2-P5): one row per
-- decision with the columns the pages search and sort by, the rest in body
-- (JSON of publicity.Decision); correction requests from the public.
CREATE TABLE publications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      TEXT UNIQUE,            -- NULL for imported decisions
    number       TEXT NOT NULL UNIQUE,   -- decision document number
    kind         TEXT NOT NULL,
    party_kind   TEXT NOT NULL,
    state        TEXT NOT NULL,
    decided_at   TEXT NOT NULL,          -- YYYY-MM-DD
    queued_at    TEXT NOT NULL,
    published_at TEXT NOT NULL DEFAULT '',
    expires_at   TEXT NOT NULL DEFAULT '',
    pub_number   TEXT NOT NULL DEFAULT '', -- the published (redacted) number
    pub_party    TEXT NOT NULL DEFAULT '', -- the published party: an organisation's name, a person masked
    body         TEXT NOT NULL
);
CREATE INDEX publications_public ON publications (state, published_at DESC, id DESC);
CREATE INDEX publications_pub_number ON publications (pub_number);
CREATE INDEX publications_decided ON publications (state, decided_at);
CREATE INDEX publications_queued ON publications (queued_at DESC, id DESC);

CREATE TABLE publication_corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    decision_id INTEGER NOT NULL REFERENCES publications (id),
    state       TEXT NOT NULL,
    at          TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX publication_corrections_decision ON publication_corrections (decision_id, id);
CREATE INDEX publication_corrections_state ON publication_corrections (state, id);
