package store

// EpochSetting is the setting that holds the data's restore epoch: empty
// for data never restored, a new random id each time `restore` puts a
// backup in place. The sync server tells terminals the epoch in Welcome;
// one that pinned a log or confirmed files under another epoch checks the
// restored log and offers again what the server may have lost (SPEC X3,
// issue 14).
const EpochSetting = "restore_epoch"

// RestoresSetting holds the restore points ([]syncproto.RestorePoint as
// JSON, oldest first, the last one EpochSetting's): the Welcome carries
// them, so a terminal that missed a restore still checks against the
// right size.
const RestoresSetting = "restore_points"

// Security event kinds of a restore: the restore itself, and a device's
// report that it had verified a longer log than the restored one. Both
// carry a server signature over the tree heads in their evidence.
const (
	KindDataRestored = "data_restored"
	KindLogBreak     = "log_break"
)
