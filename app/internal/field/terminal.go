package field

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"lawtrace/app/internal/localdb"
	"lawtrace/assets"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Terminal is one opened device home: its store, media folder and key.
type Terminal struct {
	home     string
	db       *sql.DB
	media    *MediaStore
	deviceID string
	name     string
	key      ed25519.PrivateKey
	hint     appendHint // the last append's chain state, checked by the next

	// Now is the device clock; tests replace it.
	Now func() time.Time
	// Mono is the monotonic clock entries carry with Now (SystemMono:
	// boot id and time since boot); tests replace it.
	Mono func() (boot string, ms int64)
}

// Identity is what a device shows about itself.
type Identity struct {
	DeviceID    string `json:"device_id"`
	Name        string `json:"name"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"`
}

func dbPath(home string) string { return filepath.Join(home, "terminal.db") }

// Init creates a new device home: a fresh Ed25519 key that never leaves the
// store, the device id derived from it, and the built-in catalog.
func Init(home, deviceName string) (*Terminal, error) {
	if deviceName == "" {
		deviceName = "terminal"
	}
	if _, err := os.Stat(dbPath(home)); err == nil {
		return nil, enforce.Errorf(enforce.EConflict, "%s already holds a terminal; open it instead of initialising again", home)
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	db, err := localdb.Open(dbPath(home))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(pub)
	deviceID := "D" + hex.EncodeToString(sum[:8])
	tx, err := db.Begin()
	if err != nil {
		db.Close()
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO device (id, device_id, name, private_key, public_key, created_at) VALUES (1, ?, ?, ?, ?, ?)`,
		deviceID, deviceName, []byte(priv), []byte(pub), ledger.FormatTime(time.Now())); err != nil {
		db.Close()
		return nil, err
	}
	catalog, err := enforce.LoadCatalog(assets.FS)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := storeCatalog(tx, catalog); err != nil {
		db.Close()
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		db.Close()
		return nil, err
	}
	db.Close()
	return Open(home)
}

// Open opens an initialised device home.
func Open(home string) (*Terminal, error) {
	if _, err := os.Stat(dbPath(home)); errors.Is(err, fs.ErrNotExist) {
		return nil, enforce.Errorf(enforce.ENotFound, "%s holds no terminal; run init first", home)
	}
	db, err := localdb.Open(dbPath(home))
	if err != nil {
		return nil, err
	}
	t := &Terminal{home: home, db: db, Now: time.Now, Mono: SystemMono}
	var priv []byte
	if err := db.QueryRow(`SELECT device_id, name, private_key FROM device WHERE id = 1`).Scan(&t.deviceID, &t.name, &priv); err != nil {
		db.Close()
		return nil, fmt.Errorf("read device identity: %w", err)
	}
	t.key = ed25519.PrivateKey(priv)
	if t.media, err = OpenMediaStore(filepath.Join(home, "media")); err != nil {
		db.Close()
		return nil, err
	}
	return t, nil
}

// Close releases the store.
func (t *Terminal) Close() error { return t.db.Close() }

// DeviceID is the id the device signs entries under.
func (t *Terminal) DeviceID() string { return t.deviceID }

// PublicKey is the device's entry-signing key.
func (t *Terminal) PublicKey() ed25519.PublicKey { return t.key.Public().(ed25519.PublicKey) }

// Sign signs msg with the device key (used for connection challenges).
func (t *Terminal) Sign(msg []byte) []byte { return ed25519.Sign(t.key, msg) }

// Media is the device's content-addressed media store.
func (t *Terminal) Media() *MediaStore { return t.media }

// Identity describes the device.
func (t *Terminal) Identity() Identity {
	pub := t.PublicKey()
	return Identity{DeviceID: t.deviceID, Name: t.name, PublicKey: hex.EncodeToString(pub), Fingerprint: ledger.KeyFingerprint(pub)}
}

// Setting reads a device setting, "" when unset.
func (t *Terminal) Setting(key string) (string, error) {
	var v string
	err := t.db.QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes a device setting.
func (t *Terminal) SetSetting(key, value string) error {
	_, err := t.db.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
