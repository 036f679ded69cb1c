package syncproto

// ProtocolVersion is the one number both sides compare in Hello. It only
// goes up; every bump gets a dated line here saying what changed.
//
//	1  2026-05-07  first version: enrolment, challenge auth, clock offset,
//	               entry push with proofs, resumable media, catalog pull, wipe.
const ProtocolVersion = 1

// MinProtocolVersion is the oldest version a server still accepts.
const MinProtocolVersion = 1

// FrameFormat is the layout version of a frame header (see frame.go); it
// changes only if the header itself changes.
const FrameFormat = 1
