-- How each entry's calibrated time was found (SPEC S4, issue 13 finding 6):
-- connection, last_sync, this_sync, no_sync, reboot, inconsistent
-- (store.Clock…); '' for office entries signed by the server itself.
ALTER TABLE entries ADD COLUMN clock_basis TEXT NOT NULL DEFAULT '';
