// Package plan builds kernel plans: everything an emitter or the interpreter
// needs to run a sorting network as a differentiable sorter, derived once
// from (network, swap function, element type).
//
// Kernel conventions, shared by every backend:
//
//   - Batches are row-major: sample b's inputs are x[b*n : (b+1)*n].
//   - P is kept column-major per sample ("PT"): PT[b*n*n + j*n + i] is
//     P[i][j], the weight of input i at sorted position j (SPEC.md's
//     orientation, y = x @ P). A comparator touches two contiguous columns.
//   - The tape holds, per sample and per step k, the triple (d*slope,
//     alpha, slope) at Tape[b*TapeLen + 3k : +3]: with d = Diff(a, b) the
//     difference before the step (in float64), alpha = f(d) of the soft
//     (gradient) function and slope = f'(d). d*slope is bounded (|d f'(d)| <= 1/4
//     for every soft function) where d alone overflows the element type; the backward pass needs only it
//     and slope: dd = dot*slope - (g[p]-g[q])*(d*slope).
//   - The difference tape holds, per sample and per step k, the column
//     difference PT[:,p] - PT[:,q] before the step over the step's support
//     rows, at Diff[b*DiffLen + Steps[k].DiffOffset : + Steps[k].Rows total].
//     It is needed only to back-propagate a gradient with respect to P.
package plan

import (
	"fmt"

	"github.com/sortgen/sortgen/networks"
)

// Elem is the element type of a kernel.
type Elem int

const (
	Float32 Elem = iota + 1
	Float64
)

func (e Elem) String() string {
	switch e {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("Elem(%d)", int(e))
}

// ParseElem parses "float32" or "float64".
func ParseElem(s string) (Elem, error) {
	switch s {
	case "float32":
		return Float32, nil
	case "float64":
		return Float64, nil
	}
	return 0, fmt.Errorf("plan: unknown element type %q (known: float32, float64)", s)
}

// A Step is one comparator of the unrolled network.
type Step struct {
	Layer int
	P, Q  int // min goes to P, max to Q
	// Rows are the inputs that can be non-zero in columns P and Q of P just
	// before (and hence after) the step: only they are computed.
	Rows []networks.Range
	// DiffOffset is where this step's column difference starts in the
	// per-sample difference tape; it spans RowCount entries.
	DiffOffset int
	RowCount   int
}

// A Plan is the kernel plan for one configuration.
type Plan struct {
	Name    string // network name, informational
	Network *networks.Network
	Swap    Swap
	Elem    Elem
	Steps   []Step
	// TapeLen is the per-sample length of the (d*slope, alpha, slope) tape.
	TapeLen int
	// DiffLen is the per-sample length of the column-difference tape.
	DiffLen int
}

// New builds the plan of a validated network.
func New(name string, nw *networks.Network, s Swap, e Elem) (*Plan, error) {
	if err := nw.Validate(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if e != Float32 && e != Float64 {
		return nil, fmt.Errorf("plan: unknown element type %v", e)
	}
	p := &Plan{Name: name, Network: nw, Swap: s, Elem: e}
	support, err := nw.Support()
	if err != nil {
		return nil, err
	}
	k := 0
	for li, layer := range nw.Layers {
		for _, c := range layer {
			rows := support[k]
			cnt := 0
			for _, r := range rows {
				cnt += r.Hi - r.Lo
			}
			p.Steps = append(p.Steps, Step{Layer: li, P: c.P, Q: c.Q, Rows: rows, DiffOffset: p.DiffLen, RowCount: cnt})
			p.DiffLen += cnt
			k++
		}
	}
	p.TapeLen = 3 * len(p.Steps)
	return p, nil
}

// N is the number of wires.
func (p *Plan) N() int { return p.Network.N }

// Fingerprint identifies the network's topology (wires and comparators in
// order, layers included), so that a generated kernel is used only for the
// exact network it was generated from.
func (p *Plan) Fingerprint() uint64 { return Fingerprint(p.Network) }

// Fingerprint is the 64-bit FNV-1a hash of the network's text form.
func Fingerprint(nw *networks.Network) uint64 {
	h := uint64(14695981039346656037)
	s := fmt.Sprintf("%d\n%s", nw.N, nw.String())
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Named is the plan of a named network (networks.ByName) on n wires with
// the named swap function and base (ParseSwap): the one way the CLI, the
// checks and the tests turn a configuration into a plan.
func Named(network string, n int, swap, base string, e Elem) (*Plan, error) {
	s, err := ParseSwap(swap, base)
	if err != nil {
		return nil, err
	}
	nw, err := networks.ByName(network, n)
	if err != nil {
		return nil, err
	}
	return New(network, nw, s, e)
}
