package enforce

// Step statuses in a case plan.
const (
	StatusRecorded = "recorded"
	StatusNext     = "next"
	StatusOpen     = "open"
	StatusBlocked  = "blocked"
)

// PlannedStep is one line of the guided procedure: a step, whether it is
// done, open, the next thing to do, or blocked and why.
type PlannedStep struct {
	Kind      string `json:"kind"`
	Label     string `json:"label"`
	LabelEn   string `json:"label_en"`
	Stage     string `json:"stage"`
	Mandatory bool   `json:"mandatory"`
	Count     int    `json:"count"`
	Status    string `json:"status"`
	Blocked   string `json:"blocked,omitempty"`
	BlockedZh string `json:"blocked_zh,omitempty"`
	Article   string `json:"article"`
}

// Plan lists the procedure's steps with their status; the first mandatory
// step not yet recorded and not blocked is "next" (close_scene last).
func (c CaseState) Plan() []PlannedStep {
	out := make([]PlannedStep, 0, len(c.Procedure.Steps))
	next := -1
	for i := range c.Procedure.Steps {
		def := &c.Procedure.Steps[i]
		p := PlannedStep{Kind: def.Kind, Label: def.Label, LabelEn: def.LabelEn, Stage: def.Stage, Mandatory: def.Mandatory, Count: c.Recorded[def.Kind], Article: def.Article, Status: StatusOpen}
		if p.Count > 0 {
			p.Status = StatusRecorded
		}
		if err := c.Blocked(def); err != nil && p.Count == 0 {
			p.block(err)
		}
		if def.Kind == StepCloseScene && p.Status == StatusOpen {
			if err := c.checkComplete(); err != nil {
				p.block(err)
			}
		}
		if next < 0 && p.Status == StatusOpen && def.Mandatory && def.Kind != StepCloseScene {
			next = len(out)
		}
		out = append(out, p)
	}
	if next < 0 {
		for i, p := range out {
			if p.Kind == StepCloseScene && p.Status == StatusOpen {
				next = i
			}
		}
	}
	if next >= 0 {
		out[next].Status = StatusNext
	}
	return out
}

func (p *PlannedStep) block(err error) {
	p.Status, p.Blocked, p.BlockedZh = StatusBlocked, err.Error(), err.Error()
	if e, ok := err.(*Error); ok {
		p.BlockedZh = e.Zh()
	}
}
