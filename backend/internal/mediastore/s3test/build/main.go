// Command build builds the S3 test server into the cache before the tests run, so no test spends its time limit building it: go run ./backend/internal/mediastore/s3test/build.
package main

import (
	"fmt"
	"os"

	"lawtrace/backend/internal/mediastore/s3test"
)

func main() {
	bin, err := s3test.Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3test build:", err)
		os.Exit(1)
	}
	fmt.Println(bin)
}
