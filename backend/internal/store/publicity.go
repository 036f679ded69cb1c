package store

import (
	"context"
	"time"

	"lawtrace/backend/internal/publicity"
)

// Publicity keeps the publication queue of decisions, their public form,
// withdrawals and correction requests (SPEC P2-P5); it is the storage
// port of package publicity (publicity.Repo). Rows are found by id, by
// case, and for the public pages by state, document number, organisation
// name and date, newest first.
type Publicity interface {
	// PutPublication adds a decision to the queue; a decision number or a
	// case already queued is publicity.ErrExists.
	PutPublication(ctx context.Context, d publicity.Decision) (publicity.Decision, error)
	Publication(ctx context.Context, id int64) (publicity.Decision, error)
	PublicationByCase(ctx context.Context, caseID string) (publicity.Decision, error)
	UpdatePublication(ctx context.Context, id int64, fn func(*publicity.Decision) error) (publicity.Decision, error)
	// Publications lists by the query, newest publication (or queueing)
	// first, with the total count; Limit -1 is every row.
	Publications(ctx context.Context, q publicity.Query) ([]publicity.Decision, int, error)
	// PublishedIndex lists the id and publication time of every decision
	// on the public list at now, newest first (the sitemap).
	PublishedIndex(ctx context.Context, now time.Time) ([]PublishedRef, error)
	PutCorrection(ctx context.Context, c publicity.Correction) (publicity.Correction, error)
	UpdateCorrection(ctx context.Context, id int64, fn func(*publicity.Correction) error) (publicity.Correction, error)
	// Corrections lists the requests of a decision (every decision for 0),
	// oldest first.
	Corrections(ctx context.Context, decisionID int64, openOnly bool) ([]publicity.Correction, error)

	// The annual statistics (SPEC P6): publicity.AnnualRepo — a report per
	// year, the year's recorded steps it counts, and when the agency's
	// first case or decision was.
	AnnualReport(ctx context.Context, year int) (publicity.AnnualReport, error)
	PutAnnualReport(ctx context.Context, r publicity.AnnualReport) error
	AnnualReports(ctx context.Context) ([]publicity.AnnualReport, error)
	YearSteps(ctx context.Context, from, to time.Time, steps []string) ([]publicity.StepRecord, error)
	FirstActivity(ctx context.Context) (time.Time, error)
}

// PublishedRef is a published decision's id and publication time.
type PublishedRef struct {
	ID          int64
	PublishedAt time.Time
}
