package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// Restored says what a restore put in place.
type Restored struct {
	Manifest Manifest           `json:"manifest"`
	Epoch    string             `json:"epoch"`
	At       time.Time          `json:"restored_at"`
	TreeHead syncproto.TreeHead `json:"tree_head"`
}

// restoreEvidence is the evidence of the data_restored security event.
type restoreEvidence struct {
	Epoch     string             `json:"epoch"`
	BackupAt  string             `json:"backup_at"`
	PrevEpoch string             `json:"previous_epoch,omitempty"`
	TreeHead  syncproto.TreeHead `json:"tree_head"`
	Signature []byte             `json:"signature"` // over syncproto.RestoreMessage
}

// Restore unpacks a backup into dir (new or empty), verifies every file,
// and gives the restored data a new epoch, recorded with a signed security
// event: terminals that synced after the backup then offer again what the
// server lost (SPEC X3, issue 14). With media (s3://…) every object the
// backup lists must still be in the bucket, as for PostgreSQL: the missing
// ones are named, nothing is deleted, dir is left empty.
func Restore(ctx context.Context, r io.Reader, dir, media string, now func() time.Time) (Restored, error) {
	m, err := Unpack(r, dir)
	if err != nil {
		return Restored{}, err
	}
	res, err := restoreSQLite(ctx, m, dir, media, now)
	if err != nil {
		cleanDir(dir)
	}
	return res, err
}

func restoreSQLite(ctx context.Context, m Manifest, dir, media string, now func() time.Time) (Restored, error) {
	if m.Database != "" {
		return Restored{}, fmt.Errorf("this backup holds a %s database: restore it with --db", m.Database)
	}
	if err := checkBucket(ctx, m, media); err != nil {
		return Restored{}, err
	}
	d, err := OpenData(dir, now)
	if err != nil {
		return Restored{}, err
	}
	defer d.Close()
	return newEpoch(ctx, d, m)
}

// newEpoch checks the restored data against the manifest and gives it a
// new restore epoch and restore point, recorded as a signed data_restored
// security event — through the store port, for every backend.
func newEpoch(ctx context.Context, d *Data, m Manifest) (Restored, error) {
	if d.ServerID() != m.ServerID {
		return Restored{}, fmt.Errorf("the restored key is server %s, the manifest says %s", d.ServerID(), m.ServerID)
	}
	th, err := d.Store.TreeHead(ctx)
	if err != nil {
		return Restored{}, err
	}
	if th.Size != m.TreeHead.Size || string(th.Root) != string(m.TreeHead.Root) {
		return Restored{}, fmt.Errorf("the restored log has %d entries, the manifest says %d", th.Size, m.TreeHead.Size)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return Restored{}, err
	}
	res := Restored{Manifest: m, Epoch: hex.EncodeToString(id), At: d.Now().UTC(), TreeHead: th}
	backupAt := m.CreatedAt.UTC().Format(time.RFC3339)
	ev := restoreEvidence{Epoch: res.Epoch, BackupAt: backupAt, PrevEpoch: m.Epoch, TreeHead: th,
		Signature: ed25519.Sign(d.Key, syncproto.RestoreMessage(res.Epoch, backupAt, th))}
	evidence, err := json.Marshal(ev)
	if err != nil {
		return Restored{}, err
	}
	var points []syncproto.RestorePoint
	if v, err := d.Store.Setting(ctx, store.RestoresSetting); err != nil {
		return Restored{}, err
	} else if v != "" {
		if err := json.Unmarshal([]byte(v), &points); err != nil {
			return Restored{}, fmt.Errorf("setting %s: %w", store.RestoresSetting, err)
		}
	}
	body, err := json.Marshal(append(points, syncproto.RestorePoint{Epoch: res.Epoch, Size: th.Size}))
	if err != nil {
		return Restored{}, err
	}
	if err := d.Store.SetSetting(ctx, store.RestoresSetting, string(body)); err != nil {
		return Restored{}, err
	}
	if err := d.Store.SetSetting(ctx, store.EpochSetting, res.Epoch); err != nil {
		return Restored{}, err
	}
	detail := fmt.Sprintf("数据目录由 %s 的备份恢复：透明日志恢复到 %d 条记录，恢复纪元 %s；备份之后终端上传的记录和文件由终端重新上传",
		m.CreatedAt.In(chinaTime).Format("2006-01-02 15:04:05"), th.Size, res.Epoch[:12])
	err = d.Store.RecordSecurityEvent(ctx, store.SecurityEvent{At: res.At, Remote: "local", Kind: store.KindDataRestored, Detail: detail, Evidence: string(evidence), Repeats: 1})
	return res, err
}

var chinaTime = time.FixedZone("CST", 8*3600)
