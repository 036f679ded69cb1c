package store

import (
	"context"
	"time"
)

// BoardStore keeps the live board's read model (SPEC D1, issue 15): the
// board derives each case's state from the entries once, verifying only the
// entries after the stored chain head, and reads the model after a start.
// It is separate from WebStore so that a store adds it on its own.
type BoardStore interface {
	// BoardModel reads every stored case of the model.
	BoardModel(ctx context.Context) ([]BoardCase, error)
	// SaveBoardModel inserts or replaces the given cases in one transaction.
	SaveBoardModel(ctx context.Context, cases []BoardCase) error
	// BoardHeads is the last sequence number of every case (office chains
	// left out), to find cases the model has not caught up with.
	BoardHeads(ctx context.Context) (map[string]int64, error)
	// BoardEntriesAfter reads, for each case of after, its entries after
	// the sequence number given, in order, in one read.
	BoardEntriesAfter(ctx context.Context, after map[string]int64) (map[string][]CaseRecord, error)
	// BoardCaseRows is CaseRows without what comes from the entries (Steps,
	// LastProcStep, Officers, Skewed, ProcedureVersion, Source): the case,
	// its terminal and its files not yet uploaded. nil ids means all.
	BoardCaseRows(ctx context.Context, ids []string, now time.Time) ([]CaseRow, error)
}

// BoardCase is one case of the board's read model.
type BoardCase struct {
	CaseID   string
	Version  int
	HeadSeq  int64
	HeadHash string
	State    []byte // the web package's JSON
}
