package store

// EpochSetting is the setting that holds the data's restore epoch: empty
// for data never restored, a new random id each time `restore` puts a
// backup in place. The sync server tells terminals the epoch in Welcome;
// one that pinned a log or confirmed files under another epoch checks the
// restored log and offers again what the server may have lost (SPEC X3,
// issue 14).
const EpochSetting = "restore_epoch"

// RestoredSizeSetting holds the size of the log the last restore put in
// place: the Welcome carries the signed tree head of that size, the point
// every terminal's check and break refer to.
const RestoredSizeSetting = "restore_tree_size"

// Security event kinds of a restore: the restore itself, and a device's
// report that it had verified a longer log than the restored one. Both
// carry a server signature over the tree heads in their evidence.
const (
	KindDataRestored = "data_restored"
	KindLogBreak     = "log_break"
)
