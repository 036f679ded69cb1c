package web

import (
	"context"
)

// boardOffice shows on each board row where the case stands in the office
// (issue 10, SPEC D1, C6, C7, R5): in execution, waiting for the closing
// approval, closed, archived — the rows come from the terminal chain, whose
// last stage is the scene's; the office chain carries the rest.
func (p *reviewPages) boardOffice(ctx context.Context, rows []*BoardRow) error {
	if len(rows) == 0 {
		return nil
	}
	var ids []string
	if len(rows) <= 200 {
		for _, row := range rows {
			ids = append(ids, row.ID)
		}
	}
	stages, err := p.svc.OfficeStages(ctx, ids)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if s, ok := stages[row.ID]; ok {
			row.Stage = s
		}
	}
	return nil
}
