package reviewsrv

import (
	"slices"
	"strconv"
	"time"

	"lawtrace/shared/deadline"
)

// The simple procedure joins the execution (issue 10; 行政处罚法 §51-52,
// §66-72): an on-the-spot decision (the terminal's on_spot_decision) is
// delivered on the spot (§52), so the 15 days of §67 run from it; a fine
// collected on the spot (§68) is paid. A fine to be paid at the bank is
// executed in the office as a general-procedure fine is — performance,
// 加处罚款, 催告, execution — and the case then closes with the head's
// approval instead of ending at the scene.

// OnSpotFine is the on-the-spot decision as the execution reads it.
type OnSpotFine struct {
	At        time.Time `json:"at"` // decided and delivered on the spot
	FineCents int64     `json:"fine_cents"`
	Collected bool      `json:"collected"` // paid on the spot (行政处罚法 §68)
}

// onSpotOf reads the case's on-the-spot decision from its scene steps
// (nil when there is none).
func onSpotOf(scene SceneFacts) *OnSpotFine {
	for _, st := range scene {
		if st.Kind != "on_spot_decision" {
			continue
		}
		o := &OnSpotFine{At: st.At, Collected: st.Fields["payment"] == "on_spot"}
		if st.Fields["penalty"] == "fine" {
			if yuan, err := strconv.ParseFloat(st.Fields["amount"], 64); err == nil && yuan > 0 {
				o.FineCents = deadline.Cents(yuan)
			}
		}
		return o
	}
	return nil
}

// simpleExecSteps are the execution steps a simple-procedure case takes.
var simpleExecSteps = []string{StepPerformance, StepLateFee, StepDeferralRequest, StepDeferral, StepReminder, StepReply, StepEnforcement,
	StepExecSuspend, StepExecResume, StepExecTerminate, StepExecAgreement, StepExecBreach,
	StepClosingRequest, StepClosing}

// ExecutesOnSpot reports whether a simple-procedure case has a fine left
// to execute in the office (not collected on the spot).
func (st *State) ExecutesOnSpot() bool {
	return st.Case.Procedure == "penalty-simple" && st.OnSpot != nil && st.OnSpot.FineCents > 0 && !st.OnSpot.Collected
}

// joinsExecution reports whether an execution step applies to the case.
func (st *State) joinsExecution(step string) bool {
	return st.Case.Procedure == "penalty" || st.ExecutesOnSpot() && slices.Contains(simpleExecSteps, step)
}
