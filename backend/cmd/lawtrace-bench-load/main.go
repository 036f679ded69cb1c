// Command lawtrace-bench-load measures the live board under load: N simulated terminals and M board clients against the real server binary, side by side with a minimal gorilla fan-out floor in the same run (issue 15, make bench-load).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

type opts struct {
	terminals, boards int
	every, duration   time.Duration
	grace             time.Duration
}

func main() {
	bin := flag.String("server", "bin/lawtrace-server", "the lawtrace-server binary")
	floorServe := flag.String("floor-serve", "", "run the floor server on this address (used by the bench itself)")
	var o opts
	flag.IntVar(&o.terminals, "terminals", 200, "simulated terminals, one case each")
	flag.IntVar(&o.boards, "boards", 50, "live board clients")
	flag.DurationVar(&o.every, "every", 3*time.Second, "how often each terminal pushes an entry")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the terminals push")
	flag.DurationVar(&o.grace, "grace", 10*time.Second, "how long boards may take to show the last states")
	flag.Parse()
	if *floorServe != "" {
		if err := serveFloor(*floorServe); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	if o.terminals > 1000 {
		fmt.Fprintln(os.Stderr, "at most 1000 terminals: a board page shows at most 1000 cases")
		os.Exit(2)
	}
	ctx := context.Background()
	floor, err := runFloor(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	lt, err := runLawTrace(ctx, *bin, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lawtrace:", err)
		os.Exit(1)
	}
	report(o.terminals, o.boards, o.every, o.duration, lt, floor)
}
