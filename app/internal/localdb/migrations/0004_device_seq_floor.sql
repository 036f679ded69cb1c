-- Device numbers are derived from the entries table under the append's
-- write lock instead of an upsert of a counter row on every append: one
-- page less per entry (issue 15, terminal append). The settings row now
-- only keeps the floor — the highest number of an entry ever removed — so
-- a number is never reused after a remote wipe removed the highest rows.
UPDATE settings SET key = 'device_seq_floor' WHERE key = 'last_device_seq';

CREATE TRIGGER entries_device_seq_floor AFTER DELETE ON entries
BEGIN
	INSERT INTO settings (key, value) VALUES ('device_seq_floor', OLD.device_seq)
	ON CONFLICT (key) DO UPDATE SET value = excluded.value
	WHERE CAST(settings.value AS INTEGER) < CAST(excluded.value AS INTEGER);
END;
