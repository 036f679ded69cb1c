package reviewsrv

import (
	"context"
	"slices"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

// ArchiveFields is the payload of the case_archived entry the case file
// bundle writes (SPEC R5, issue 10): the note fields the board reads, the
// head of the terminal chain the file covers and the bundle's format.
type ArchiveFields struct {
	NoteFields
	Anchor Anchor `json:"anchor"`
	Format string `json:"format"`
}

// Archivist is the operator command that makes the case file acting on
// the data directory as the agency's archive (立卷归档), with the name of
// the person who made it.
func Archivist(name string) User {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "lawtrace-server 立卷归档命令"
	}
	return User{ID: System.ID, Username: "archive", Name: name, Role: auth.Admin}
}

// RecordArchive records in the case's office chain, as a server-signed
// entry, that the case file was made: by whom, with what note, over which
// head of the terminal chain. A case not ended is refused (000-record §28);
// a case already archived is not recorded again (archived reports false)
// and its state is returned, so the bundle can be written again.
func (s *Service) RecordArchive(ctx context.Context, u User, caseID, note, format string) (st *State, archived bool, err error) {
	if u.ID != System.ID {
		if err := allow(u, Handlers, "recording the archive"); err != nil {
			return nil, false, err
		}
	}
	if cur, err := s.State(ctx, caseID); err != nil {
		return nil, false, err
	} else if !cur.Archived.IsZero() {
		return cur, false, nil
	}
	st, err = s.act(ctx, u, caseID, StepArchived, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if caseEnd(st).IsZero() {
			return built{}, &enforce.Error{Code: enforce.ERefused, Step: StepArchived, Article: "000-record §28",
				Message: "case " + caseID + " has not ended; the case file is made after 结案", MessageZh: "案件尚未结案，结案后方可立卷归档"}
		}
		if !st.Archived.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepArchived, Message: "the case was already archived at " + st.Archived.Format("2006-01-02 15:04")}
		}
		return built{fields: ArchiveFields{NoteFields: NoteFields{By: actorOf(u), Note: strings.TrimSpace(note)}, Anchor: anchor(st.Case), Format: format}}, nil
	})
	if err != nil {
		return nil, false, err
	}
	return st, slices.ContainsFunc(st.Steps, func(s Step) bool { return s.Step == StepArchived }), nil
}
