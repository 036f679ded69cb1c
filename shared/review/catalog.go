package review

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"lawtrace/shared/enforce"
)

// Who prevails when the handler and the legal office disagree.
const (
	LegalOfficePrevails = "legal_office" // 000-review §13
	HeadDecides         = "head"         // 002-review §10
)

// Flags a proposal may carry; rules match on them (000-review §3, 002-review §4).
var Flags = map[string]string{
	"public_interest": "涉及重大公共利益",
	"social_risk":     "可能造成重大社会影响或引发社会风险",
	"major_rights":    "直接关系相对人或第三人重大权益",
	"complex":         "案情疑难复杂、涉及多个法律关系",
}

// Measures a proposed decision may impose that rules match on.
var Measures = map[string]string{
	"fine":             "罚款",
	"confiscate":       "没收违法所得、非法财物",
	"suspend_business": "责令停产停业",
	"revoke_license":   "吊销许可证件",
	"lower_grade":      "降低资质等级",
	"close":            "责令关闭",
	"restrict_trade":   "限制从业",
	"detain_property":  "查封、扣押财物",
	"deny_permit":      "不予许可",
	"warning":          "警告",
}

// Settings are an agency's choices where the regulations differ; the
// stricter rule is the default.
type Settings struct {
	ReviewAllPenalties bool   `json:"review_all_penalties"` // 002-review §4: every penalty but on-the-spot ones
	Disagreement       string `json:"disagreement"`
	DeadlineWorkdays   int    `json:"deadline_workdays"`  // 000-review §12: 3
	ExtensionWorkdays  int    `json:"extension_workdays"` // 000-review §12: +2 with the head's approval
}

// Rule is one line of the review catalog (审核目录): a proposal matching any
// of its conditions, for one of its procedures, needs review.
type Rule struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Article     string             `json:"article"`
	Procedures  []string           `json:"procedures,omitempty"`
	FineAtLeast map[string]float64 `json:"fine_at_least,omitempty"` // party kind -> yuan
	Measures    []string           `json:"measures,omitempty"`
	Hearing     bool               `json:"hearing,omitempty"`
	Flags       []string           `json:"flags,omitempty"`
}

// Catalog is an agency's versioned review catalog, published to the public (P1).
type Catalog struct {
	Agency    string   `json:"agency"`
	Version   int      `json:"version"`
	Published string   `json:"published"`
	Settings  Settings `json:"settings"`
	Rules     []Rule   `json:"rules"`
}

// ParseCatalog decodes and validates a catalog.
func ParseCatalog(data []byte) (*Catalog, error) {
	var c Catalog
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, enforce.Errorf(enforce.EInvalid, "review catalog is not valid: %v", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate refuses a catalog that could not be applied.
func (c *Catalog) Validate() error {
	bad := func(format string, args ...any) error {
		return enforce.Errorf(enforce.EInvalid, "review catalog v%d: %s", c.Version, fmt.Sprintf(format, args...))
	}
	if c.Agency == "" || c.Version < 1 {
		return bad("agency and version ≥ 1 are required")
	}
	switch c.Settings.Disagreement {
	case LegalOfficePrevails, HeadDecides:
	default:
		return bad("disagreement must be %q or %q", LegalOfficePrevails, HeadDecides)
	}
	if c.Settings.DeadlineWorkdays < 1 || c.Settings.ExtensionWorkdays < 0 {
		return bad("deadline_workdays must be ≥ 1 and extension_workdays ≥ 0")
	}
	ids := map[string]bool{}
	for _, r := range c.Rules {
		if r.ID == "" || ids[r.ID] || r.Title == "" || r.Article == "" {
			return bad("rule %q needs a unique id, a title and an article", r.ID)
		}
		ids[r.ID] = true
		if len(r.FineAtLeast) == 0 && len(r.Measures) == 0 && !r.Hearing && len(r.Flags) == 0 {
			return bad("rule %s has no condition", r.ID)
		}
		for k, v := range r.FineAtLeast {
			if k != "person" && k != "org" || v <= 0 {
				return bad("rule %s: fine_at_least wants person/org and a positive amount", r.ID)
			}
		}
		for _, m := range r.Measures {
			if _, ok := Measures[m]; !ok {
				return bad("rule %s: unknown measure %q", r.ID, m)
			}
		}
		for _, f := range r.Flags {
			if _, ok := Flags[f]; !ok {
				return bad("rule %s: unknown flag %q", r.ID, f)
			}
		}
	}
	return nil
}

// Proposal is the handler's proposed decision, as far as the catalog cares.
type Proposal struct {
	Procedure   string   `json:"procedure"`
	PartyKind   string   `json:"party_kind"`
	Measures    []string `json:"measures"`
	Fine        float64  `json:"fine"`
	HearingHeld bool     `json:"hearing_held"`
	Assessed    bool     `json:"assessed"`
	Flags       []string `json:"flags"`
}

// Match is a reason review is required.
type Match struct {
	RuleID  string `json:"rule_id"`
	Title   string `json:"title"`
	Article string `json:"article"`
	Why     string `json:"why"`
}

// Requires says whether the proposal needs legal review and every rule that
// matched (L1). An on-the-spot penalty never matches the all-penalties setting.
func (c *Catalog) Requires(p Proposal) []Match {
	var out []Match
	if c.Settings.ReviewAllPenalties && p.Procedure == "penalty" {
		out = append(out, Match{RuleID: "all-penalties", Title: "除当场作出的行政处罚外，行政处罚决定作出前都应当进行法制审核", Article: "002-review §4", Why: "agency reviews every penalty decided under the general procedure"})
	}
	for _, r := range c.Rules {
		if len(r.Procedures) > 0 && !slices.Contains(r.Procedures, p.Procedure) {
			continue
		}
		if why := r.matches(p); why != "" {
			out = append(out, Match{RuleID: r.ID, Title: r.Title, Article: r.Article, Why: why})
		}
	}
	return out
}

func (r Rule) matches(p Proposal) string {
	if min, ok := r.FineAtLeast[p.PartyKind]; ok && p.Fine >= min {
		return fmt.Sprintf("fine %.2f yuan ≥ %.2f for a %s", p.Fine, min, p.PartyKind)
	}
	for _, m := range r.Measures {
		if slices.Contains(p.Measures, m) {
			return "measure " + m + " (" + Measures[m] + ")"
		}
	}
	if r.Hearing && p.HearingHeld {
		return "decided after a hearing"
	}
	for _, f := range r.Flags {
		if slices.Contains(p.Flags, f) {
			return "flag " + f + " (" + Flags[f] + ")"
		}
	}
	return ""
}
