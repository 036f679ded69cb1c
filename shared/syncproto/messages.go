package syncproto

import (
	"encoding/json"

	"lawtrace/shared/ledger"
)

// MsgType is the one-byte message type of a frame.
type MsgType uint8

// Message types. Numbers are part of the wire contract: never reuse one.
const (
	TypeHello        MsgType = 1  // terminal → server: first message of a connection
	TypeChallenge    MsgType = 2  // server → terminal: nonce, server identity and clock
	TypeAuth         MsgType = 3  // terminal → server: challenge signature
	TypeWelcome      MsgType = 4  // server → terminal: authenticated, with the device's sync state
	TypeError        MsgType = 5  // either way: a refusal with a code
	TypePush         MsgType = 6  // terminal → server: a batch of entries
	TypeAck          MsgType = 7  // server → terminal: the batch is committed, with proofs
	TypeProofRequest MsgType = 8  // terminal → server: proofs for entries the server holds
	TypeProofs       MsgType = 9  // server → terminal
	TypeMediaOffer   MsgType = 10 // terminal → server: a file it wants to upload
	TypeMediaStatus  MsgType = 11 // server → terminal: present, or the offset to resume from
	TypeMediaChunk   MsgType = 12 // terminal → server: bytes at an offset (carries Data)
	TypeMediaAck     MsgType = 13 // server → terminal: the confirmed offset
	TypePull         MsgType = 14 // terminal → server: catalog items since a sequence number
	TypeUpdates      MsgType = 15 // server → terminal
	TypeWipeOrder    MsgType = 16 // server → terminal: remove what the server confirmed
	TypeWipeDone     MsgType = 17 // terminal → server: what was removed
	TypeOK           MsgType = 18 // server → terminal: a request without other answer succeeded
	TypeNotice       MsgType = 19 // server → terminal: something changed, pull or wipe
	TypeLogBreak     MsgType = 20 // terminal → server: the log it saw is longer than the restored one
)

// Message is one of the wire messages below.
type Message interface{ Type() MsgType }

var newMessage = map[MsgType]func() Message{
	TypeHello: func() Message { return new(Hello) }, TypeChallenge: func() Message { return new(Challenge) },
	TypeAuth: func() Message { return new(Auth) }, TypeWelcome: func() Message { return new(Welcome) },
	TypeError: func() Message { return new(Error) }, TypePush: func() Message { return new(Push) },
	TypeAck: func() Message { return new(Ack) }, TypeProofRequest: func() Message { return new(ProofRequest) },
	TypeProofs: func() Message { return new(Proofs) }, TypeMediaOffer: func() Message { return new(MediaOffer) },
	TypeMediaStatus: func() Message { return new(MediaStatus) }, TypeMediaChunk: func() Message { return new(MediaChunk) },
	TypeMediaAck: func() Message { return new(MediaAck) }, TypePull: func() Message { return new(Pull) },
	TypeUpdates: func() Message { return new(Updates) }, TypeWipeOrder: func() Message { return new(WipeOrder) },
	TypeWipeDone: func() Message { return new(WipeDone) }, TypeOK: func() Message { return new(OK) },
	TypeNotice: func() Message { return new(Notice) }, TypeLogBreak: func() Message { return new(LogBreak) },
}

// Hello opens a connection. DeviceTime is the terminal clock when sent (Unix
// nanoseconds), the first of the four timestamps of the clock measurement
// (SPEC S4). With Enrol set, the device registers its key with a one-time code.
type Hello struct {
	Protocol   int    `json:"protocol"`
	DeviceID   string `json:"device_id"`
	AppVersion string `json:"app_version,omitempty"`
	DeviceTime int64  `json:"device_time"`
	// Boot and MonoMs are the terminal's monotonic clock read with
	// DeviceTime (ledger.Clock): the connection's clock measurement then
	// calibrates entries recorded earlier in the same boot (SPEC S4).
	// Optional; older terminals send neither.
	Boot         string        `json:"boot,omitempty"`
	MonoMs       int64         `json:"mono_ms,omitempty"`
	Outbox       int           `json:"outbox"`
	PendingBytes int64         `json:"pending_media_bytes"`
	Enrol        *EnrolRequest `json:"enrol,omitempty"`
}

// EnrolRequest registers a device key with a one-time code (SPEC D3, S6).
type EnrolRequest struct {
	Code      string `json:"code"`
	PublicKey []byte `json:"public_key"`
	Name      string `json:"name"`
}

// Challenge answers Hello: a nonce to sign, the server's identity with its
// signature over the nonce and device id, and the server clock when Hello
// arrived and when Challenge left (Unix nanoseconds).
type Challenge struct {
	Protocol  int    `json:"protocol"`
	Nonce     []byte `json:"nonce"`
	ServerID  string `json:"server_id"`
	ServerKey []byte `json:"server_key"`
	ServerSig []byte `json:"server_sig"`
	Received  int64  `json:"received"`
	Sent      int64  `json:"sent"`
}

// Auth is the device's signature over AuthMessage, and the terminal clock
// when Challenge arrived.
type Auth struct {
	Signature         []byte `json:"signature"`
	ChallengeReceived int64  `json:"challenge_received"`
}

// Welcome says the device is authenticated and where it stands: the last
// device sequence number the server committed, the current signed tree head,
// the measured clock offset (device minus server) and whether it is over the
// skew threshold, the catalog head, and whether a wipe is ordered. A revoked
// device with a wipe order gets a Welcome with Revoked set and may only wipe.
type Welcome struct {
	DeviceID        string    `json:"device_id"`
	LastSeq         int64     `json:"last_seq"`
	TreeHead        *TreeHead `json:"tree_head,omitempty"`
	ClockOffsetMs   int64     `json:"clock_offset_ms"`
	RoundTripMs     int64     `json:"round_trip_ms"`
	Skewed          bool      `json:"skewed"`
	SkewThresholdMs int64     `json:"skew_threshold_ms"`
	CatalogHead     int64     `json:"catalog_head"`
	Wipe            bool      `json:"wipe"`
	Revoked         bool      `json:"revoked"`
	Enrolled        *Enrolled `json:"enrolled,omitempty"`
	// Epoch changes each time the server's data is restored from a backup
	// ("" for data never restored): a terminal that pinned a tree head or
	// marked files confirmed under another epoch checks the restored log
	// and offers again what the server may have lost (SPEC X3, issue 14).
	Epoch string `json:"epoch,omitempty"`
	// Restores are the restore points, oldest first, the last one Epoch's:
	// a terminal of an earlier epoch checks its verified log against the
	// server's up to syncproto.RestoredSize.
	Restores []RestorePoint `json:"restores,omitempty"`
}

// Enrolled confirms an enrolment: the server identity the terminal keeps.
type Enrolled struct {
	ServerID  string `json:"server_id"`
	ServerKey []byte `json:"server_key"`
	Agency    string `json:"agency,omitempty"`
}

// Push is a batch of entries in device order with consecutive device
// sequence numbers. KnownTreeSize is the size of the last tree head the
// terminal verified, so the Ack can carry a consistency proof from it.
type Push struct {
	Entries       []ledger.Entry `json:"entries"`
	KnownTreeSize uint64         `json:"known_tree_size"`
}

// Ack confirms a committed batch: every entry up to UpTo is durably stored
// and in the transparency log under TreeHead; Proofs hold an inclusion proof
// for each entry of the batch, Consistency a proof from KnownTreeSize.
type Ack struct {
	UpTo        int64            `json:"up_to"`
	Accepted    int              `json:"accepted"`
	Duplicates  int              `json:"duplicates"`
	TreeHead    TreeHead         `json:"tree_head"`
	Proofs      []InclusionProof `json:"proofs"`
	Consistency [][]byte         `json:"consistency,omitempty"`
}

// InclusionProof shows that the entry with EntryHash is leaf LeafIndex of the
// log (RFC 6962 audit path).
type InclusionProof struct {
	EntryID   string   `json:"entry_id"`
	DeviceSeq int64    `json:"device_seq"`
	EntryHash string   `json:"entry_hash"`
	LeafIndex uint64   `json:"leaf_index"`
	Hashes    [][]byte `json:"hashes"`
}

// ProofRequest asks for the proofs of this device's entries by number.
type ProofRequest struct {
	DeviceSeqs    []int64 `json:"device_seqs"`
	KnownTreeSize uint64  `json:"known_tree_size"`
}

// Proofs answers ProofRequest; numbers the server does not hold are absent.
type Proofs struct {
	TreeHead    TreeHead         `json:"tree_head"`
	Proofs      []InclusionProof `json:"proofs"`
	Consistency [][]byte         `json:"consistency,omitempty"`
}

// MediaOffer announces a file by hash and size before upload.
type MediaOffer struct {
	Hash string `json:"hash"`
	Size int64  `json:"size"`
}

// MediaStatus says the file is already present, or the offset the server
// has durably confirmed and the upload resumes from (SPEC S3).
type MediaStatus struct {
	Hash    string `json:"hash"`
	Present bool   `json:"present"`
	Offset  int64  `json:"offset"`
}

// MediaChunk carries Data at Offset of the file Hash; Data travels raw after
// the JSON body.
type MediaChunk struct {
	Hash   string `json:"hash"`
	Offset int64  `json:"offset"`
	Data   []byte `json:"-"`
}

// MediaAck confirms the file is durably stored up to Offset; Complete says
// the whole file arrived and hashed to Hash.
type MediaAck struct {
	Hash     string `json:"hash"`
	Offset   int64  `json:"offset"`
	Complete bool   `json:"complete"`
}

// Pull asks for catalog items after Since (SPEC S5).
type Pull struct {
	Since int64 `json:"since"`
	Limit int   `json:"limit,omitempty"`
}

// Catalog item kinds.
const (
	KindProcedure  = "procedure"
	KindRights     = "rights"
	KindOfficer    = "officer"
	KindRevocation = "revocation"
	KindAgency     = "agency"
	// KindWithheld stands in for an item the server holds but will not
	// send (its body is over MaxCatalogItemBytes); its body is a
	// Withheld. A terminal that does not know the kind skips it, as it
	// skips every unknown kind, and its position moves past it.
	KindWithheld = "withheld"
)

// Withheld is the body of a KindWithheld item: which item was held back
// and why.
type Withheld struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	Bytes  int    `json:"bytes"`
}

// CatalogItem is one versioned change of down-synced data: Body is the
// procedure or rights file, the officer, the revocation or the agency.
type CatalogItem struct {
	Seq     int64           `json:"seq"`
	Kind    string          `json:"kind"`
	Key     string          `json:"key"`
	Version int             `json:"version"`
	Body    json.RawMessage `json:"body"`
}

// Revocation is the body of a revocation item.
type Revocation struct {
	DeviceID  string `json:"device_id"`
	RevokedAt string `json:"revoked_at"`
	Reason    string `json:"reason,omitempty"`
}

// Agency is the body of an agency item.
type Agency struct {
	Name string `json:"name"`
	Code string `json:"code,omitempty"`
}

// Updates answers Pull with items in sequence order; More says another Pull
// from the last item's Seq would return more.
type Updates struct {
	Items []CatalogItem `json:"items"`
	Head  int64         `json:"head"`
	More  bool          `json:"more"`
}

// WipeOrder tells the terminal to remove everything the server confirmed
// (SPEC S6); unconfirmed entries and files stay and are still sent.
type WipeOrder struct {
	Reason      string `json:"reason,omitempty"`
	RequestedAt string `json:"requested_at"`
}

// WipeDone reports what the terminal removed.
type WipeDone struct {
	Entries    int   `json:"entries"`
	Cases      int   `json:"cases"`
	Media      int   `json:"media"`
	MediaBytes int64 `json:"media_bytes"`
	Kept       int   `json:"kept"`
}

// OK answers a request that needs no other answer.
type OK struct{}

// Notice is sent by the server unasked when something for this device
// changed: the catalog head moved, or a wipe was ordered.
type Notice struct {
	CatalogHead int64 `json:"catalog_head"`
	Wipe        bool  `json:"wipe"`
}

func (*Hello) Type() MsgType        { return TypeHello }
func (*Challenge) Type() MsgType    { return TypeChallenge }
func (*Auth) Type() MsgType         { return TypeAuth }
func (*Welcome) Type() MsgType      { return TypeWelcome }
func (*Push) Type() MsgType         { return TypePush }
func (*Ack) Type() MsgType          { return TypeAck }
func (*ProofRequest) Type() MsgType { return TypeProofRequest }
func (*Proofs) Type() MsgType       { return TypeProofs }
func (*MediaOffer) Type() MsgType   { return TypeMediaOffer }
func (*MediaStatus) Type() MsgType  { return TypeMediaStatus }
func (*MediaChunk) Type() MsgType   { return TypeMediaChunk }
func (*MediaAck) Type() MsgType     { return TypeMediaAck }
func (*Pull) Type() MsgType         { return TypePull }
func (*Updates) Type() MsgType      { return TypeUpdates }
func (*WipeOrder) Type() MsgType    { return TypeWipeOrder }
func (*WipeDone) Type() MsgType     { return TypeWipeDone }
func (*OK) Type() MsgType           { return TypeOK }
func (*Notice) Type() MsgType       { return TypeNotice }
func (*LogBreak) Type() MsgType     { return TypeLogBreak }

// String names a message type for logs.
func (t MsgType) String() string {
	names := map[MsgType]string{TypeHello: "hello", TypeChallenge: "challenge", TypeAuth: "auth", TypeWelcome: "welcome",
		TypeError: "error", TypePush: "push", TypeAck: "ack", TypeProofRequest: "proof_request", TypeProofs: "proofs",
		TypeMediaOffer: "media_offer", TypeMediaStatus: "media_status", TypeMediaChunk: "media_chunk", TypeMediaAck: "media_ack",
		TypePull: "pull", TypeUpdates: "updates", TypeWipeOrder: "wipe_order", TypeWipeDone: "wipe_done", TypeOK: "ok", TypeNotice: "notice",
		TypeLogBreak: "log_break"}
	if n, ok := names[t]; ok {
		return n
	}
	return "unknown"
}
