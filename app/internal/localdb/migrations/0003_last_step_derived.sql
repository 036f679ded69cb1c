-- A case's last step is read from its chain (the (case_id, seq) index)
-- instead of being written into the case row on every append: one page
-- less per entry (issue 15, terminal append).
ALTER TABLE cases DROP COLUMN last_step;
