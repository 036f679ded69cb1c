package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/mediastore/s3test"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/testtool"
)

// SPEC S6 X2 D1: two instances on one PostgreSQL database; a device holds
// a sync connection to B and an administrator revokes it on A's device
// page. Neither instance polls the store for revocations within the test
// (an hour), so B can only learn of it from A through the fan-out: B cuts
// the device's live connection with "revoked" and refuses it afterwards.
func TestMultiInstanceRevocation(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	dir := t.TempDir() // the server key, shared by both instances
	var a, b *server.Main
	for _, m := range []**server.Main{&a, &b} {
		var err error
		if *m, err = server.Open(server.Config{DataDir: dir, DB: dsn, Listen: "127.0.0.1:0", Demo: true, PollInterval: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if err := (*m).Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*m).Close() })
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	awaitFanOut(t, ctx, a, b)

	ec, err := server.NewEnrolCode(ctx, b.Data, "patrol", time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	d := simdev.New(7)
	c, err := simdev.Connect(ctx, b.SyncURL(), d, ec.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ack, err := c.Push(ctx, d.Case("R1", 2), 0); err != nil || ack.UpTo != 2 {
		t.Fatalf("push: %+v %v", ack, err)
	}
	revokeOnDevicePage(t, ctx, a.URL(), d.ID, "终端遗失")
	revoked := time.Now()
	select {
	case <-c.Sess.Done():
	case <-ctx.Done():
		t.Fatal("the revoked device's connection to B is still open")
	}
	t.Logf("B cut the connection %s after A answered the revocation", time.Since(revoked).Round(time.Millisecond))
	var pe *syncproto.Error
	for _, m := range c.Unasked() {
		if e, ok := m.(*syncproto.Error); ok {
			pe = e
		}
	}
	if pe == nil || pe.Code != syncproto.CodeRevoked || !strings.Contains(pe.Message, "终端遗失") {
		t.Fatalf("B closed the connection with %+v (%v), want %s with the reason", pe, c.Sess.Err(), syncproto.CodeRevoked)
	}
	if n := b.Sync.M.Revoked.Value(); n != 1 {
		t.Fatalf("B counted %d revoked connections, want 1", n)
	}
	if _, err := simdev.Connect(ctx, b.SyncURL(), d, ""); syncproto.AsError(err) == nil || syncproto.AsError(err).Code != syncproto.CodeRevoked {
		t.Fatalf("reconnect after revocation: %v", err)
	}
}

// awaitFanOut waits until an event published on a reaches b's bus: the
// bridges listen once started.
func awaitFanOut(t *testing.T, ctx context.Context, a, b *server.Main) {
	t.Helper()
	sub := b.Bus.Subscribe(100)
	defer sub.Close()
	seen := sub.Events
	for tick := time.NewTicker(100 * time.Millisecond); ; {
		a.Bus.Publish(events.Event{Kind: "fanout_probe"})
		for waiting := true; waiting; {
			select {
			case e := <-seen:
				if e.Kind == "fanout_probe" && e.Origin != "" {
					tick.Stop()
					return
				}
			case <-tick.C:
				waiting = false
			case <-ctx.Done():
				t.Fatal("no event from instance A reached B's bus")
			}
		}
	}
}

var devicePageToken = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// revokeOnDevicePage signs in as the administrator at base and revokes
// deviceID with the device page's form.
func revokeOnDevicePage(t *testing.T, ctx context.Context, base, deviceID, reason string) {
	t.Helper()
	cookie, err := simdev.SignIn(ctx, base, "admin", "lawtrace-admin")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path string, form url.Values) (*http.Response, string) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Origin", base)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	_, page := do("GET", "/admin/devices", nil)
	tok := devicePageToken.FindStringSubmatch(page)
	if tok == nil {
		t.Fatalf("no form token on the device page:\n%s", page)
	}
	resp, body := do("POST", "/admin/devices/"+deviceID+"/revoke", url.Values{"csrf": {tok[1]}, "reason": {reason}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke on the device page: status %d\n%s", resp.StatusCode, body)
	}
}

// nginxConf balances the three instances and passes websocket upgrades,
// with reads long enough for an idle sync or board connection.
const nginxConf = `worker_processes 1;
daemon off;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path {{.Dir}}/body;
  proxy_temp_path {{.Dir}}/proxy;
  fastcgi_temp_path {{.Dir}}/fastcgi;
  uwsgi_temp_path {{.Dir}}/uwsgi;
  scgi_temp_path {{.Dir}}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream lawtrace {
{{range .Upstreams}}    server {{.}};
{{end}}  }
  server {
    listen {{.Listen}};
    client_max_body_size 0;
    location / {
      proxy_pass http://lawtrace;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_buffering off;
    }
  }
}
`

// startNginx runs Debian's nginx in the foreground with its configuration,
// pid, logs and temporary files in a temp dir; it returns its address.
func startNginx(t *testing.T, upstreams []string) string {
	t.Helper()
	bin := "/usr/sbin/nginx"
	if _, err := os.Stat(bin); err != nil {
		testtool.Missing(t, "nginx is not installed (apt-get install nginx): "+err.Error())
	}
	dir := t.TempDir()
	listen := freeAddr(t)
	var conf bytes.Buffer
	if err := template.Must(template.New("nginx").Parse(nginxConf)).Execute(&conf, map[string]any{"Dir": dir, "Upstreams": upstreams, "Listen": listen}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", path)
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: &out}, &lockedWriter{w: &out}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the master and its worker, stopped together
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	// even when the test fails with connections open: a fast shutdown
	// (a graceful one waits for open websockets), then SIGKILL
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(25 * time.Millisecond) {
		if resp, err := http.Get("http://" + listen + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return listen
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not come up:\n%s\n%s", out.String(), log)
		}
	}
}

// SPEC X2 S2 S3 R2 D1 P1: three lawtrace-server processes with
// --db postgres://… and --media s3://… (a real versitygw), each with a data
// directory of its own holding only the shared server key, behind nginx.
// Fifty simulated terminals sync through nginx; one instance is SIGKILLed
// while syncs are in flight. Supervisors' live boards on the two other
// instances, connected once, show every state a terminal had acknowledged
// within a second of its acknowledgement, measured per acknowledgement
// (each acknowledgement came from one instance, so at least one of the two
// boards is on another; the victim's reach both only through the fan-out).
// Afterwards every entry and file is stored exactly once, the files in the
// bucket, verify is clean and the three instances serve one log.
func TestThreeInstancesBehindNginx(t *testing.T) {
	const (
		terminals = 50
		perCase   = 24 // entries of each terminal's case, before its video
		batch     = 2
		warmCase  = 3 // entries of each warm-up case
	)
	dsn := pgtest.Start(t).NewDatabase(t)
	bucket := s3test.Start(t)
	t.Setenv("LAWTRACE_DB", dsn) // serve and every operator command
	t.Setenv("LAWTRACE_MEDIA", bucket.URL())
	var inst []*srv
	for i := range 3 { // the first creates the server key; the others get a copy
		s := &srv{t: t, data: t.TempDir(), addr: freeAddr(t)}
		if i > 0 {
			key, err := os.ReadFile(filepath.Join(inst[0].data, "server.key"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(s.data, "server.key"), key, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s.start()
		t.Cleanup(s.kill)
		inst = append(inst, s)
	}
	victim, watchers := inst[0], inst[1:]
	lb := startNginx(t, []string{inst[0].addr, inst[1].addr, inst[2].addr})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	latency := newBoardLatency()
	var boards []*simdev.Board
	var boardsDone sync.WaitGroup
	boardCtx, stopBoards := context.WithCancel(ctx)
	defer func() { stopBoards(); boardsDone.Wait() }()
	for _, w := range watchers {
		cookie, err := simdev.SignIn(ctx, w.url(), "supervisor", "lawtrace-supervisor")
		if err != nil {
			t.Fatal(err)
		}
		board, err := simdev.DialBoard(ctx, w.url(), cookie, "size=1000")
		if err != nil {
			t.Fatal(err)
		}
		latency.follow(w.addr, board)
		boardsDone.Go(func() { board.Run(boardCtx) })
		boards = append(boards, board)
	}
	// every board shows want entries of caseID (a generous wait)
	awaitBoards := func(caseID string, want int64) {
		t.Helper()
		for i, board := range boards {
			for board.Entries(caseID) != want {
				if ctx.Err() != nil {
					t.Fatalf("the board on %s shows %d entries of %s, want %d", watchers[i].addr, board.Entries(caseID), caseID, want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}

	data, err := server.OpenDataDB(watchers[0].data, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]string, terminals+len(inst))
	for i := range codes {
		ec, err := server.NewEnrolCode(ctx, data, fmt.Sprintf("bodycam %02d", i), time.Hour, "")
		if err != nil {
			t.Fatal(err)
		}
		codes[i] = ec.Code
	}
	data.Close()

	// warm-up, not measured: a case through each instance, on both boards
	for i, s := range inst {
		d := simdev.New(uint64(8000 + i))
		c, err := simdev.Connect(ctx, s.syncURL(), d, codes[terminals+i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Push(ctx, d.Case(fmt.Sprintf("WARM-%d", i), warmCase), 0); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	for i := range inst {
		awaitBoards(fmt.Sprintf("WARM-%d", i), warmCase)
	}

	// each terminal pushes its case in small batches, then its video,
	// through nginx; after a failure it reconnects (nginx picks another
	// instance when one is gone) and carries on from the last ack
	var failures atomic.Int64 // operations that failed: the kill landed mid-sync
	var inFlight atomic.Int64 // terminals inside a push or an upload now
	var finished atomic.Int64
	caseEntries := map[string]int64{}
	devs := make([]*simdev.Device, terminals)
	var wg sync.WaitGroup
	for i := range terminals {
		d := simdev.New(uint64(9000 + i))
		devs[i] = d
		caseID := fmt.Sprintf("MI-%02d", i)
		video := bytes.Repeat([]byte(caseID), 40_000) // 200 kB
		es := append(d.Case(caseID, perCase), d.MediaEntry(caseID, ledger.KindVideo, video))
		caseEntries[caseID] = int64(len(es))
		wg.Go(func() {
			defer finished.Add(1)
			enrolled, acked := false, 0
			for ctx.Err() == nil {
				code := codes[i]
				if enrolled {
					code = ""
				}
				c, err := simdev.Connect(ctx, "ws://"+lb+"/sync", d, code)
				if err != nil && !enrolled { // enrolled just before a kill cut the answer
					c, err = simdev.Connect(ctx, "ws://"+lb+"/sync", d, "")
				}
				if err != nil {
					failures.Add(1)
					time.Sleep(50 * time.Millisecond)
					continue
				}
				enrolled = true
				for err == nil && acked < len(es) {
					var ack *syncproto.Ack
					inFlight.Add(1)
					ack, err = c.Push(ctx, es[acked:min(acked+batch, len(es))], 0)
					inFlight.Add(-1)
					if err == nil {
						acked = int(ack.UpTo) // the case holds the device's entries 1..UpTo
						latency.acked(caseID, int64(acked))
					}
				}
				if err == nil {
					inFlight.Add(1)
					_, err = c.Upload(ctx, video, 16<<10, 2)
					inFlight.Add(-1)
				}
				c.Close()
				if err == nil {
					return
				}
				failures.Add(1)
			}
		})
	}

	// the kill: once the victim has ingested a good part of its share and
	// holds live connections, while terminals are inside a push or upload
	for victim.metric("lawtrace_entries_ingested_total") < 100 || victim.metric("lawtrace_sync_connections") < 1 || inFlight.Load() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the victim never got busy")
		}
		time.Sleep(2 * time.Millisecond)
	}
	running, syncing, killedAt := terminals-finished.Load(), inFlight.Load(), time.Now()
	victimCmd := victim.cmd
	_ = victimCmd.Process.Signal(syscall.SIGKILL)
	err = victimCmd.Wait()
	victim.cmd = nil
	if !killedBySignal(err) || running == 0 || syncing == 0 {
		t.Fatalf("the kill did not land mid-sync: %v, %d terminals still syncing, %d inside a push or upload", err, running, syncing)
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("terminals did not finish")
	}
	if failures.Load() == 0 {
		t.Fatal("no terminal saw the kill: it did not land mid-sync")
	}
	t.Logf("killed at %s with %d of %d terminals syncing, %d inside a push or upload; %d operations failed and were retried",
		killedAt.Format("15:04:05.000"), running, terminals, syncing, failures.Load())

	// both boards show every case's final entry count, live
	for caseID, want := range caseEntries {
		awaitBoards(caseID, want)
	}
	// with everything quiet, one more entry through the third instance:
	// the second board is on it, the first learns of it from the fan-out
	third, err := simdev.Connect(ctx, inst[2].syncURL(), devs[0], "")
	if err != nil {
		t.Fatal(err)
	}
	last := devs[0].Entry("MI-00", "inspection_notes", map[string]any{"fields": map[string]string{"findings": "复查"}})
	if ack, err := third.Push(ctx, []ledger.Entry{last}, 0); err != nil || ack.UpTo != last.DeviceSeq {
		t.Fatalf("push through the third instance: %+v %v", ack, err)
	}
	latency.acked("MI-00", int64(last.DeviceSeq))
	third.Close()
	caseEntries["MI-00"]++
	awaitBoards("MI-00", caseEntries["MI-00"])
	for i, board := range boards {
		if n := board.Snapshots(); n != 1 {
			t.Fatalf("the board on %s reloaded (%d snapshots): the cases did not arrive live", watchers[i].addr, n)
		}
	}
	// SPEC D1: a supervisor sees every case within a second
	latency.check(t, time.Second)

	// exactly once, verify clean, one log served by every instance
	victim.start()
	total, cases := int64(len(inst)*warmCase), terminals+len(inst)
	for _, n := range caseEntries {
		total += n
	}
	st := watchers[0].stats()
	if int64(st.Entries) != total || st.Cases != cases || st.MediaFiles != terminals || st.PendingMedia != 0 || int64(st.TreeSize) != total {
		t.Fatalf("stats %+v, want %d entries in %d cases and %d files", st, total, cases, terminals)
	}
	watchers[0].verifyClean()
	var first syncproto.TreeHead
	for i, s := range inst {
		var th struct {
			TreeHead syncproto.TreeHead `json:"tree_head"`
		}
		resp, err := http.Get(s.url() + "/log/tree-head")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&th)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = th.TreeHead
		}
		if th.TreeHead.Size != uint64(total) || !bytes.Equal(th.TreeHead.Root, first.Root) {
			t.Fatalf("instance %d serves a tree head of size %d, root %x; instance 0: size %d, root %x", i, th.TreeHead.Size, th.TreeHead.Root, first.Size, first.Root)
		}
	}
	// every file in the bucket under its hash, once; none left half-way,
	// none in a data directory
	cl := bucket.Client(t)
	objects := 0
	for o := range cl.ListObjects(ctx, bucket.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		if !strings.HasPrefix(o.Key, "media/") {
			t.Errorf("left in the bucket: %s", o.Key)
		}
		objects++
	}
	if objects != terminals {
		t.Errorf("%d objects in the bucket, want the %d videos", objects, terminals)
	}
	for u := range cl.ListIncompleteUploads(ctx, bucket.Bucket, "", true) {
		t.Errorf("multipart upload left: %s %v", u.Key, u.Err)
	}
	for _, s := range inst {
		_ = filepath.WalkDir(filepath.Join(s.data, "media"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("a file in a data directory's media folder: %s", p)
			}
			return nil
		})
	}
	// the survivors' fan-out noticed the victim's death (and resynced
	// their boards, for batches it acknowledged but never announced);
	// their logs are read once they are stopped
	for _, w := range watchers {
		w.kill()
		if !strings.Contains(w.log.String(), "another instance stopped listening") {
			t.Errorf("%s did not notice the killed instance:\n%s", w.addr, w.log)
		}
	}
}
