//go:build android

package capture

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"lawtrace/shared/ledger"
)

// Intents of the system camera and recorder for each kind; the camera and
// video intents write to the file given as MediaStore.EXTRA_OUTPUT.
var intents = map[string]string{
	ledger.KindPhoto: "android.media.action.IMAGE_CAPTURE",
	ledger.KindVideo: "android.media.action.VIDEO_CAPTURE",
	ledger.KindAudio: "android.provider.MediaStore.RECORD_SOUND",
}

// outputExt is the file each intent writes.
var outputExt = map[string]string{ledger.KindPhoto: ".jpg", ledger.KindVideo: ".mp4", ledger.KindAudio: ".m4a"}

// ErrNoBridge is what Android.Capture gives while Launch is not set: the
// JNI call that starts the intent needs cgo and the NDK.
var ErrNoBridge = errors.New("capture: the camera and recorder need the JNI bridge, built with the Android NDK")

// Android captures through the system camera and recorder intents into
// Dir (the app's private storage). Launch starts an intent for its result
// with the output file (through fyne's driver.RunNative and JNI, which
// need cgo: not written, as no NDK is available to build it) and reports
// whether the officer kept what was taken.
type Android struct {
	Dir    string
	Launch func(action, output string, done func(ok bool, err error))
	Now    func() time.Time
}

// Capture implements Capturer.
func (a Android) Capture(kind string, done func(string, error)) {
	action, ok := intents[kind]
	if !ok {
		done("", fmt.Errorf("capture: unknown kind %q", kind))
		return
	}
	if a.Launch == nil {
		done("", ErrNoBridge)
		return
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	out := filepath.Join(a.Dir, now().Format("20060102-150405.000")+"-"+kind+outputExt[kind])
	a.Launch(action, out, func(ok bool, err error) {
		if err != nil || !ok {
			done("", err)
			return
		}
		done(out, nil)
	})
}
