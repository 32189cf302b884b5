package gen

import (
	"errors"
	"fmt"
	"go/token"

	"github.com/sortgen/sortgen/gen/plan"
)

// Code-size knobs. A range of support rows up to unrollRows long is written
// out element by element; a longer one becomes one call of a column helper
// (a bounds-check-free loop), so a step costs O(ranges), not O(rows). A
// kernel's comparator sequence is cut into functions of about partBudget
// statements: the compiler's time grows faster than linearly in the size of
// a function, and n = 1024 would otherwise be one function of 10^5 steps.
const (
	unrollRows = 4
	partBudget = 400
)

// A kind is one of the kernels an emitted package has.
type kind int

const (
	kSort         kind = iota // values only
	kForward                  // values and tape
	kForwardP                 // values and P
	kForwardPTape             // values, P, tape and column differences
	kBackward                 // gradient of the values
	kBackwardP                // gradient of the values and of P
)

var kindNames = [...]string{
	kSort:         "sort",
	kForward:      "forward",
	kForwardP:     "forwardP",
	kForwardPTape: "forwardPTape",
	kBackward:     "backward",
	kBackwardP:    "backwardP",
}

func (k kind) String() string { return kindNames[k] }

func (k kind) backward() bool { return k == kBackward || k == kBackwardP }

// A softFunc is an emitted swap function.
type softFunc struct {
	f      plan.Func
	name   string // Go identifier of the emitted function
	lambda bool   // takes the ART exponent
}

var softFuncs = map[plan.Func]softFunc{
	plan.Logistic:    {plan.Logistic, "logistic", false},
	plan.LogisticPhi: {plan.LogisticPhi, "logisticPhi", true},
	plan.Gaussian:    {plan.Gaussian, "gaussian", false},
	plan.Reciprocal:  {plan.Reciprocal, "reciprocal", false},
	plan.Cauchy:      {plan.Cauchy, "cauchy", false},
	plan.Optimal:     {plan.Optimal, "optimal", false},
}

// A part is a run of steps [lo, hi) emitted as one function.
type part struct {
	lo, hi int
}

// model is everything the templates need, derived once from the plan.
type model struct {
	p       *plan.Plan
	pkg     string
	opt     Options
	command string
	elem    string // Go element type
	n       int
	// hard: the forward pass swaps exactly (hard, errorfree).
	hard bool
	// soft is the forward weight function of a soft swap; nil when hard.
	soft *softFunc
	// grad is the function the backward pass differentiates (the soft
	// swap itself, or errorfree's base); nil for the hard swap.
	grad    *softFunc
	kernels []kind
	parts   map[kind][]part
	// looped: the row functions walk a table of runs (kernels_table.go)
	// instead of being unrolled.
	looped bool
}

func newModel(p *plan.Plan, opt Options) (*model, error) {
	if p == nil || p.Network == nil {
		return nil, errors.New("gen: nil plan")
	}
	if err := p.Swap.Validate(); err != nil {
		return nil, err
	}
	m := &model{p: p, opt: opt, n: p.N(), hard: p.Swap.HardForward(), parts: map[kind][]part{}}
	switch p.Elem {
	case plan.Float32:
		m.elem = "float32"
	case plan.Float64:
		m.elem = "float64"
	default:
		return nil, fmt.Errorf("gen: unknown element type %v", p.Elem)
	}
	if p.Name == "" {
		return nil, errors.New("gen: the plan has no network name")
	}
	m.pkg = opt.Package
	if m.pkg == "" {
		m.pkg = PlanPackageName(p)
	}
	if !token.IsIdentifier(m.pkg) || token.IsKeyword(m.pkg) || m.pkg == "_" {
		return nil, fmt.Errorf("gen: %q is not a valid package name", m.pkg)
	}
	m.command = opt.Command
	if m.command == "" {
		m.command = Command(p, m.pkg)
		if !opt.Asm {
			m.command += " -asm=false"
		}
		if opt.Unroll != UnrollAuto {
			m.command += " -unroll " + opt.Unroll.String()
		}
	}
	if !m.hard {
		f := softFuncs[p.Swap.Func]
		m.soft = &f
	}
	if p.Swap.Differentiable() {
		f := softFuncs[p.Swap.Grad()]
		m.grad = &f
	}
	if len(p.Steps) != p.Network.Size() || p.TapeLen != 3*len(p.Steps) {
		return nil, errors.New("gen: the plan's steps do not match its network")
	}
	if p.TopK > 0 && len(p.Steps) == 0 {
		return nil, fmt.Errorf("gen: the top-%d network has no comparators: its last %d wires depend on none", p.TopK, p.TopK)
	}
	if p.TopK != 0 && (p.TopK < 1 || p.TopK >= m.n || p.XTapeLen != len(p.Steps)*(p.TopK+2)) {
		return nil, fmt.Errorf("gen: inconsistent top-k plan: k = %d, X tape %d, %d steps on %d wires", p.TopK, p.XTapeLen, len(p.Steps), m.n)
	}
	if p.TopK == 0 && p.XTapeLen != 0 {
		return nil, errors.New("gen: a sorting plan with an X tape")
	}
	m.kernels = []kind{kSort, kForwardP}
	if p.Swap.Differentiable() {
		m.kernels = []kind{kSort, kForward, kForwardP, kForwardPTape, kBackward, kBackwardP}
	}
	switch opt.Unroll {
	case UnrollAuto:
		m.looped = !Unrolls(p)
	case UnrollAlways:
	case UnrollNever:
		m.looped = true
	default:
		return nil, fmt.Errorf("gen: unknown unroll mode %v", opt.Unroll)
	}
	if !m.looped {
		for _, k := range m.kernels {
			m.parts[k] = m.split(k)
		}
	}
	return m, nil
}

// UnrollBudget is the most statements the largest unrolled kernel of a
// package may take for UnrollAuto to unroll it (see bench/README.md for the
// measurements behind it).
const UnrollBudget = 8_000

// Unrolls reports whether UnrollAuto unrolls the kernels of p: whether its
// forward pass with P and tape, the largest kernel, takes at most
// UnrollBudget statements.
func Unrolls(p *plan.Plan) bool {
	m := model{p: p}
	c := 0
	for i := range p.Steps {
		c += m.cost(kForwardPTape, &p.Steps[i])
		if c > UnrollBudget {
			return false
		}
	}
	return true
}

// topKHelpers are the helpers of kernels_generic.go that kernels_topk.go
// calls.
func (m *model) topKHelpers() []string {
	switch {
	case m.p.TopK == 0:
		return nil
	case m.grad == nil:
		return []string{"order", "mix"}
	case m.hard:
		return []string{"record", "order", "mix", "backpropDot"}
	}
	return []string{"record", "weight", "mix", "backpropDot"}
}

// lambda reports whether the swap functions in use take the ART exponent.
func (m *model) lambda() bool {
	return (m.soft != nil && m.soft.lambda) || (m.grad != nil && m.grad.lambda)
}

// colCost is the number of statements the column work of a step takes.
func colCost(st *plan.Step) int {
	c := 0
	for _, r := range st.Rows {
		if r.Hi-r.Lo <= unrollRows {
			c += r.Hi - r.Lo
		} else {
			c++
		}
	}
	return c
}

// cost is about the number of statements step st takes in kernel k.
func (m *model) cost(k kind, st *plan.Step) int {
	switch k {
	case kSort, kBackward:
		return 1
	case kForward:
		return 2
	case kForwardP:
		return 2 + colCost(st)
	case kForwardPTape:
		return 3 + 2*colCost(st)
	default: // kBackwardP
		return 2 + 2*colCost(st)
	}
}

// split cuts the steps into parts of about partBudget statements, at layer
// boundaries unless a layer alone exceeds the budget.
func (m *model) split(k kind) []part {
	steps := m.p.Steps
	var parts []part
	lo, cost := 0, 0
	flush := func(hi int) {
		if hi > lo {
			parts = append(parts, part{lo, hi})
		}
		lo, cost = hi, 0
	}
	for s := 0; s < len(steps); {
		e := s
		lc := 0
		for e < len(steps) && steps[e].Layer == steps[s].Layer {
			lc += m.cost(k, &steps[e])
			e++
		}
		if cost > 0 && cost+lc > partBudget {
			flush(s)
		}
		if lc <= partBudget {
			cost += lc
		} else {
			for i := s; i < e; i++ {
				c := m.cost(k, &steps[i])
				if cost > 0 && cost+c > partBudget {
					flush(i)
				}
				cost += c
			}
		}
		s = e
	}
	flush(len(steps))
	return parts
}
