package web

import (
	"net/http"
	"strings"

	"lawtrace/backend/internal/store"
)

// boardCSV exports the board's filtered cases (all pages) as a CSV that
// spreadsheet programs open as UTF-8; the export is a row of the access
// register like every export of case data.
func (s *Server) boardCSV(w http.ResponseWriter, r *http.Request, f BoardFilter, rows []*BoardRow) error {
	if _, err := s.logAccess(r, store.AccessRecord{Action: store.AccessExport,
		Reason: "导出案件看板 " + itoa(int64(len(rows))) + " 件案件" + f.describe()}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="board-`+s.cfg.Now().In(chinaTime).Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := newCSV(w)
	cw.row("案件编号", "当事人", "执法类型", "执法人员", "执法单位", "当前环节", "最近环节", "记录条数", "待完成的必经环节",
		"待上传文件", "逾期未上传", "完整性", "开始时间", "最近同步", "终端")
	for _, row := range rows {
		var officers []string
		for _, o := range row.Officers {
			officers = append(officers, o.Name+"（"+o.Cert+"）")
		}
		integrity := "链与签名完好"
		if len(row.Findings) > 0 {
			integrity = "完整性异常 " + itoa(int64(len(row.Findings))) + " 处"
		}
		cw.row(row.ID, row.Party, row.Type, strings.Join(officers, "、"), strings.Join(row.Units, "、"), row.Stage, row.LastStep,
			itoa(row.Entries), strings.Join(row.Missing, "、"), itoa(int64(row.Pending)), itoa(int64(row.Overdue)), integrity,
			cstText(row.OpenedAt), cstText(row.UpdatedAt), row.Device)
	}
	return cw.flush()
}

// describe says in words what the filter selects, for the register.
func (f BoardFilter) describe() string {
	var parts []string
	for _, p := range []struct{ label, value string }{{"执法单位", f.Unit}, {"执法人员", f.Officer}, {"执法类型", f.Type}, {"当前环节", f.Stage},
		{"当事人含", f.Party}, {"案件编号含", f.Case}, {"开始日期自", f.From}, {"开始日期至", f.To}} {
		if p.value != "" {
			parts = append(parts, p.label+printable(p.value))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "（" + strings.Join(parts, "，") + "）"
}
