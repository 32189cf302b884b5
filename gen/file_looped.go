package gen

import (
	"fmt"
	"strings"

	"github.com/sortgen/sortgen/gen/plan"
)

// loopedHelpers are the helpers of kernels_generic.go the looped row
// functions call, by kernel.
func (m *model) loopedHelpers() []string {
	var used []string
	for _, k := range m.kernels {
		switch {
		case k == kSort && m.hard:
			used = append(used, "order")
		case k == kSort:
			used = append(used, "compare")
		case k == kForward && m.hard:
			used = append(used, "record", "order")
		case k == kForward:
			used = append(used, "record", "mix")
		case k == kForwardP && m.hard:
		case k == kForwardP:
			used = append(used, "weight", "mix")
		case k == kForwardPTape && m.hard:
			used = append(used, "record")
		case k == kForwardPTape:
			used = append(used, "record", "mix")
		case k == kBackward:
			used = append(used, "backprop")
		case k == kBackwardP:
			used = append(used, "backpropDot", "mix")
		}
	}
	return used
}

// loopedData fills loopedTemplate.
type loopedData struct {
	Header, Package, T string
	Hard, Diffable     bool
	// Params declares the swap parameters of a forward row function
	// ("beta float64"), Args passes them (", beta"); empty when none.
	Params, Args         string
	Steps, Runs          int
	Forward, Backward    string // Go literal rows of the two tables
	ForwardLen, BackLen  int
	RunHeader, RunNRange int
}

// swapArgs declares the swap parameters of a row function ("beta
// float64") and passes them (", beta"); both empty when there are none.
func (m *model) swapArgs() (params, args string) {
	switch {
	case m.soft == nil && m.grad == nil:
		return "", ""
	case m.lambda():
		return "beta, lambda float64", ", beta, lambda"
	}
	return "beta float64", ", beta"
}

// renderLooped emits kernels_table.go: the row functions of a network too
// large to unroll, which walk tables of runs (plan.Runs) instead. They do
// the arithmetic of the unrolled kernels in the same order, with the same
// mix, so the results are bitwise those of the unrolled code; their column
// loops are inline, where the unrolled code calls a helper per range to
// keep its compile time down.
func renderLooped(m *model) ([]byte, error) {
	rs := m.p.Runs()
	d := loopedData{
		Header: Header, Package: m.pkg, T: m.elem,
		Hard: m.hard, Diffable: m.grad != nil,
		Steps: len(m.p.Steps), Runs: len(rs),
		RunHeader: plan.RunHeaderWords, RunNRange: plan.RunNRanges,
	}
	d.Params, d.Args = m.swapArgs()
	fwd, bwd := plan.RunWords(rs), plan.RunWords(plan.ReverseRuns(rs))
	d.Forward, d.ForwardLen = int32Rows(fwd), len(fwd)
	d.Backward, d.BackLen = int32Rows(bwd), len(bwd)
	return execute("kernels_table.go.tmpl", d)
}

// int32Rows lays out words as Go literal rows of 16.
func int32Rows(w []int32) string {
	var b strings.Builder
	for i, v := range w {
		if i%16 == 0 {
			b.WriteString("\n\t")
		} else {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d,", v)
	}
	b.WriteString("\n")
	return b.String()
}
