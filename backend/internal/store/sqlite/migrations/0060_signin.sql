-- Sign-in backoff per (account, address) (issue 13 finding 5, issue 14):
-- the failed sign-ins of a pair since its last success, kept here rather
-- than in one server's memory so a restart does not forget them and every
-- instance on the database shares them. username is lower case, addr an
-- address or an IPv6 /64 as auth groups it; a pair is updated in the same
-- transaction as its login_attempts row and deleted a day (auth's
-- FailureMemory) after its last failure.
CREATE TABLE signin_failures (
	username TEXT NOT NULL,
	addr     TEXT NOT NULL,
	failures INTEGER NOT NULL,
	last_at  TEXT NOT NULL,
	PRIMARY KEY (username, addr)
);
CREATE INDEX signin_failures_last ON signin_failures (last_at);
