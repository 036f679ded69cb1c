package web

import (
	"context"
	"time"

	"lawtrace/backend/internal/store"
)

// boardStoreOf is the store's board model (store.BoardStore) or, for an
// adapter that does not keep one yet, the same answers derived from the
// web store: nothing stored, so every start derives the model from every
// entry, and every page reads every entry's case row to find new entries.
func boardStoreOf(st Store) store.BoardStore {
	if bs, ok := st.(store.BoardStore); ok {
		return bs
	}
	return derivedBoardStore{st}
}

type derivedBoardStore struct{ st Store }

func (derivedBoardStore) BoardModel(context.Context) ([]store.BoardCase, error) { return nil, nil }

func (derivedBoardStore) SaveBoardModel(context.Context, []store.BoardCase) error { return nil }

func (d derivedBoardStore) BoardHeads(ctx context.Context) (map[string]int64, error) {
	rows, err := d.st.CaseRows(ctx, nil, time.Now())
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.LastSeq
	}
	return out, nil
}

func (d derivedBoardStore) BoardEntriesAfter(ctx context.Context, after map[string]int64) (map[string][]store.CaseRecord, error) {
	out := map[string][]store.CaseRecord{}
	for id, seq := range after {
		recs, err := d.st.CaseRecords(ctx, id)
		if err != nil {
			return nil, err
		}
		for i, r := range recs {
			if r.Entry.Seq > seq {
				out[id] = recs[i:]
				break
			}
		}
	}
	return out, nil
}

func (d derivedBoardStore) BoardCaseRows(ctx context.Context, ids []string, now time.Time) ([]store.CaseRow, error) {
	return d.st.CaseRows(ctx, ids, now)
}
