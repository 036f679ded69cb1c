package web

import (
	"net/http"

	"lawtrace/backend/internal/reviewsrv"
)

// The retention page (SPEC R6; 003 §27, §29; issue 10): every stored file
// of every case with what the retention rule says of it — kept until when,
// by which rule and article, due, held by another case, or disposed of
// with its tombstone. Disposal itself stays the operator command
// (lawtrace-server retention dispose), which needs the head's approval;
// the page is where a head sees what is due.

type retentionRow struct {
	reviewsrv.RetentionItem
	State string
}

type retentionData struct {
	Rows                []retentionRow
	All                 bool
	Due, Kept, Disposed int
}

// retentionClasses name the classes of shared/retention.
var retentionClasses = map[string]string{"av": "音像记录", "evidence": "文字记录与证据"}

func (p *reviewPages) retentionPage(w http.ResponseWriter, r *http.Request) error {
	items, err := p.svc.Retention(r.Context())
	if err != nil {
		return err
	}
	d := retentionData{All: r.URL.Query().Get("all") == "1"}
	for _, it := range items {
		row := retentionRow{RetentionItem: it, State: "保存期限内"}
		switch {
		case it.Tombstone > 0:
			row.State = "已销毁（哈希留存）"
			d.Disposed++
		case !it.Present:
			row.State = "未存储"
		case it.Due:
			row.State = "保存期满，可报请负责人批准销毁"
			d.Due++
		case it.HeldBy != "":
			row.State = "案件 " + it.HeldBy + " 仍需保存"
			d.Kept++
		default:
			d.Kept++
		}
		if d.All || it.Due && it.Tombstone == 0 && it.Present {
			d.Rows = append(d.Rows, row)
		}
	}
	return p.s.Render(w, r, "lifecycle_retention", "保存期限与销毁", d)
}

func init() {
	funcs["retentionClass"] = func(k string) string { return orDefault(retentionClasses[k], "其他") }
}
