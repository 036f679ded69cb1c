//go:build linux

package ui

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"lawtrace/app/internal/escpos"
	"lawtrace/app/internal/field"
	"lawtrace/shared/signature"
	"lawtrace/shared/testtool"
)

// The app killed with SIGKILL in a real child process (issue 12): the
// child is this test binary running TestKillChild, which opens the UI on a
// home the parent prepared, reports on stdout when it has reached the
// point of the kill ("reached: …") and carries on or waits there; the
// parent kills it and opens the home again.

const (
	envKillChild   = "LAWTRACE_KILL_CHILD"   // the scenario the child plays
	envKillHome    = "LAWTRACE_KILL_HOME"    // the terminal's home
	envKillCase    = "LAWTRACE_KILL_CASE"    // the case of the print
	envKillEntry   = "LAWTRACE_KILL_ENTRY"   // the entry printed
	reachedPadLine = "reached: pad drawn"    // child: a signature confirmed, another half drawn on its pad
	reachedPrint   = "reached: print tapped" // child: about to tap 便携打印机打印
	printedLine    = "printed"               // child: the print returned (the kill came too late)
)

// killChild runs the scenario in a child process, waits for the line
// reached, kills the child with SIGKILL and returns what it wrote. The
// child must have ended by the signal, not by itself.
func killChild(t *testing.T, env []string, reached string, before func()) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	timeout := time.After(2 * time.Minute)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("the child ended before %q:\n%s", reached, strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if l == reached {
				break wait
			}
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("the child did not reach %q:\n%s", reached, strings.Join(seen, "\n"))
		}
	}
	if before != nil {
		before()
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	for l := range lines {
		seen = append(seen, l)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Exited() || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed by SIGKILL (%v):\n%s", err, strings.Join(seen, "\n"))
	}
	return strings.Join(seen, "\n")
}

// reopen opens the killed app's home again, as the next launch does.
func reopen(t *testing.T, home string) *harness {
	t.Helper()
	term, err := field.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	term.Now = func() time.Time { return testDay }
	t.Cleanup(func() { term.Close() })
	return openHarness(t, phoneSmall, term, home, Offline{})
}

// closeHarness stops the UI and closes the store, so that the child opens
// the home alone.
func closeHarness(t *testing.T, h *harness) {
	t.Helper()
	h.u.Stop()
	if err := h.term.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestKillChild is the child's side; it runs only in a child process.
func TestKillChild(t *testing.T) {
	scenario := os.Getenv(envKillChild)
	if scenario == "" {
		t.Skip("runs only as the child of the kill tests")
	}
	h := reopen(t, os.Getenv(envKillHome))
	u := h.u
	switch scenario {
	case "sign":
		if u.current() != "step:inspection_notes" {
			t.Fatalf("the child opened on %s", u.current())
		}
		test.Type(u.form.entries["findings"], "货架上3个品种的预包装食品标签未标注生产日期。")
		h.sign("officer:15010001")
		test.Tap(u.form.signBtns["officer:15010002"])
		h.drawSignature()
		fmt.Println(reachedPadLine)
	case "print":
		u.openRecord(os.Getenv(envKillCase), os.Getenv(envKillEntry))
		test.Tap(u.record.print)
		if u.printer == nil || len(u.printer.pages) == 0 {
			t.Fatalf("no print preview on %s", u.current())
		}
		fmt.Println(reachedPrint)
		test.Tap(u.printer.thermal) // blocks while the printer stalls
		fmt.Println(printedLine)
	default:
		t.Fatalf("unknown scenario %q", scenario)
	}
	time.Sleep(time.Hour) // killed here
}

// Issue 12, SPEC F10: the app killed while a step is being filled — its
// text typed, one officer's signature confirmed, the other's half drawn on
// the pad — reopens on that pad with the strokes drawn, and the step's
// draft holds the text and the confirmed signature's strokes; the step is
// then recorded with both signatures.
func TestKilledWhileSigningKeepsTheStrokes(t *testing.T) {
	h := newHarness(t, phoneSmall, seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	caseID := h.u.proc.c.ID
	h.showID(video)
	h.step("inspection_notes")
	closeHarness(t, h)

	out := killChild(t, []string{envKillChild + "=sign", envKillHome + "=" + h.home}, reachedPadLine, nil)
	if strings.Contains(out, "FAIL") {
		t.Fatalf("the child failed before the kill:\n%s", out)
	}

	h2 := reopen(t, h.home)
	u := h2.u
	if !strings.HasPrefix(u.current(), "sign:officer") || u.signer == nil {
		t.Fatalf("reopened on %s, want the signature pad the app was killed on", u.current())
	}
	if u.signer.pad.Name != "李明" || u.signer.canvas.IsEmpty() {
		t.Fatalf("the pad reopened for %q, empty %v", u.signer.pad.Name, u.signer.canvas.IsEmpty())
	}
	if n := len(u.signer.canvas.Strokes().Strokes); n != 2 {
		t.Fatalf("%d strokes on the reopened pad, want the 2 drawn", n)
	}
	d := u.loadDraft(caseID, "inspection_notes")
	if d.Fields["findings"] != "货架上3个品种的预包装食品标签未标注生产日期。" {
		t.Fatalf("findings %q after the kill", d.Fields["findings"])
	}
	if len(d.Sign) != 1 || d.Sign[0].Name != "王强" {
		t.Fatalf("confirmed signatures after the kill: %+v", d.Sign)
	}
	if st, err := signature.Parse(d.Sign[0].Strokes); err != nil || len(st.Strokes) != 2 {
		t.Fatalf("王强's strokes after the kill: %d (%v)", len(st.Strokes), err)
	}
	// the officer confirms the pad as it was and records the step
	test.Tap(u.signer.confirm)
	h2.noDialog()
	if u.current() != "step:inspection_notes" || u.loadDraft(caseID, "inspection_notes").Pad != nil {
		t.Fatalf("after confirming: screen %s, pad kept %v", u.current(), u.loadDraft(caseID, "inspection_notes").Pad != nil)
	}
	h2.see("已签名：执法人员王强", "已签名：执法人员李明")
	u.form.entries["party_agent"].SetText("张伟")
	h2.attach(video)
	h2.sign("party")
	h2.record("现场检查笔录")
	if f, err := h2.term.Verify(caseID); err != nil || len(f) != 0 {
		t.Fatalf("verify after the kill: %v %v", f, err)
	}
}

// stallingPrinter is a TCP printer on loopback that takes the first bytes
// of a job and then stops reading, as a printer out of paper or asleep
// does. Its receive buffer is small, so the app's write blocks.
type stallingPrinter struct {
	addr  string
	first chan int   // bytes taken before the stall
	total chan int64 // everything that arrived, once the app's end closed
	// resume reads on: what the stalled connection still holds is counted
	resume func()
}

func newStallingPrinter(t *testing.T) *stallingPrinter {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &stallingPrinter{addr: l.Addr().String(), first: make(chan int, 1), total: make(chan int64, 1)}
	stall := make(chan struct{})
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 1024)
		n, _ := io.ReadFull(c, buf)
		p.first <- n
		<-stall
		rest, _ := io.Copy(io.Discard, c)
		p.total <- int64(n) + rest
	}()
	p.resume = func() { close(stall) }
	return p
}

// wholePrinter is a TCP printer on loopback that takes a whole job.
func wholePrinter(t *testing.T) (addr string, job chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	job = make(chan []byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		job <- b
	}()
	return l.Addr().String(), job
}

// Issue 12, SPEC F12 F16: the app killed while it prints the rights notice
// to a thermal printer that stalls — the kill lands after the job's first
// bytes reached the printer and before the print returned in the app —
// loses nothing recorded (the case verifies with every entry), and the
// print is retried after the restart: the whole job reaches a printer and
// decodes to the rendered document.
func TestKilledWhilePrintingLosesNothing(t *testing.T) {
	testtool.Path(t, "pdftoppm", "apt-get install poppler-utils")
	h := newHarness(t, phoneSmall, seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	caseID := h.u.proc.c.ID
	h.showID(video)
	h.rightsSigned()
	rights := h.u.lastRecorded
	st, err := h.term.Status()
	if err != nil {
		t.Fatal(err)
	}
	printer := newStallingPrinter(t)
	h.u.setSetting(setPrinter, printer.addr)
	closeHarness(t, h)

	env := []string{envKillChild + "=print", envKillHome + "=" + h.home, envKillCase + "=" + caseID, envKillEntry + "=" + rights.ID}
	var first int
	out := killChild(t, env, reachedPrint, func() {
		// the job has begun to reach the printer: the app is inside the print
		select {
		case first = <-printer.first:
		case <-time.After(time.Minute):
			t.Fatal("no byte of the job reached the printer")
		}
	})
	printer.resume()
	var got int64
	select {
	case got = <-printer.total:
	case <-time.After(time.Minute):
		t.Fatal("the printer's connection did not end with the app")
	}
	if strings.Contains(out, printedLine) {
		t.Fatalf("the print finished before the kill (%d bytes reached the printer):\n%s", got, out)
	}

	h2 := reopen(t, h.home)
	u := h2.u
	after, err := h2.term.Status()
	if err != nil {
		t.Fatal(err)
	}
	if after.Entries != st.Entries {
		t.Fatalf("%d entries after the kill, %d recorded before it", after.Entries, st.Entries)
	}
	if f, err := h2.term.Verify(caseID); err != nil || len(f) != 0 {
		t.Fatalf("verify after the kill: %v %v", f, err)
	}
	// retry on a printer that works
	addr, job := wholePrinter(t)
	u.setSetting(setPrinter, addr)
	u.openRecord(caseID, rights.ID)
	test.Tap(u.record.print)
	ps := u.printer
	test.Tap(ps.thermal)
	h2.noDialog()
	var stream []byte
	select {
	case stream = <-job:
	case <-time.After(time.Minute):
		t.Fatal("the retried print did not reach the printer")
	}
	if len(stream) != len(ps.lastStream) {
		t.Fatalf("the retried job is %d bytes, the app sent %d", len(stream), len(ps.lastStream))
	}
	// what the killed app had handed to the kernel still reaches the
	// printer after the kill; the app had not returned from the print
	t.Logf("killed after the printer took %d bytes; %d of the %d-byte job reached it in all; the retry delivered all %d", first, got, len(stream), len(stream))
	img, err := escpos.Decode(stream)
	if err != nil {
		t.Fatal(err)
	}
	sameAsRendered(t, "retried rights notice", ps.pages, img, escpos.Width80)
	if !strings.Contains(u.toasts[len(u.toasts)-1], addr) {
		t.Fatalf("after the retry: %q", u.toasts[len(u.toasts)-1])
	}
}
