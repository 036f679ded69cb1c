package blobtest_test

import (
	"testing"

	"lawtrace/backend/internal/mediastore/blobtest"
	"lawtrace/shared/blob"
)

// TestFolder runs the suite on the media folder (SPEC R3 S3).
func TestFolder(t *testing.T) {
	dir := t.TempDir()
	blobtest.Run(t, func(t *testing.T) blob.Store {
		f, err := blob.OpenFolder(dir)
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}
