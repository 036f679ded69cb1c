package review

import (
	"fmt"
	"slices"
)

// HearingFineAtLeast is the 较大数额 of a fine or of what is confiscated
// at which the party has the right to a hearing (行政处罚法 §63(1)(2)): the
// thresholds the market-regulation hearing rules use (person 10,000 yuan,
// organisation 100,000 yuan), the same as the demo catalog's large-fine rule.
var HearingFineAtLeast = map[string]float64{"person": 10000, "org": 100000}

// hearingMeasures are the penalties that always carry the hearing right
// (行政处罚法 §63(3)(4)).
var hearingMeasures = []string{"lower_grade", "revoke_license", "suspend_business", "close", "restrict_trade"}

// PenaltyMeasures are the measures that are administrative penalties
// (行政处罚法 §9); a decision with none of them (不予处罚) needs no prior
// notice of a penalty.
var PenaltyMeasures = []string{"warning", "fine", "confiscate", "suspend_business", "revoke_license", "lower_grade", "close", "restrict_trade"}

// IsPenalty reports whether any measure is a penalty.
func IsPenalty(measures []string) bool {
	for _, m := range measures {
		if slices.Contains(PenaltyMeasures, m) {
			return true
		}
	}
	return false
}

// HearingRight lists why the intended penalty gives the party the right to
// ask for a hearing (行政处罚法 §63), nil when it does not. confiscated is
// the value of what is to be confiscated; other is the agency's finding of
// "其他较重的行政处罚" (§63(5)) or a rule that grants it (§63(6)).
func HearingRight(partyKind string, measures []string, fine, confiscated float64, other bool) []string {
	var why []string
	if min, ok := HearingFineAtLeast[partyKind]; ok {
		if slices.Contains(measures, "fine") && fine >= min {
			why = append(why, fmt.Sprintf("较大数额罚款（%.2f 元 ≥ %.0f 元，行政处罚法第六十三条第一款第（一）项）", fine, min))
		}
		if slices.Contains(measures, "confiscate") && confiscated >= min {
			why = append(why, fmt.Sprintf("没收较大数额违法所得、较大价值非法财物（%.2f 元，第（二）项）", confiscated))
		}
	}
	for _, m := range hearingMeasures {
		if slices.Contains(measures, m) {
			why = append(why, Measures[m]+"（第（三）（四）项）")
		}
	}
	if other {
		why = append(why, "其他较重的行政处罚或法律、法规、规章规定的其他情形（第（五）（六）项）")
	}
	return why
}
