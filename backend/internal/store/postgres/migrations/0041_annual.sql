-- The annual statistics of enforcement (行政执法数据年度统计, SPEC P6): one
-- report per year, through internal review to publication; the body is the
-- JSON of publicity.AnnualReport (counts only).
CREATE TABLE annual_reports (
    year         BIGINT PRIMARY KEY,
    state        TEXT NOT NULL,
    published_at TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL
);
-- The statistics count steps by kind within a year.
CREATE INDEX IF NOT EXISTS entries_step_time ON entries (step, calibrated_time);
