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
//
// A top-k plan (TopK = k > 0) runs a selection network: wires n-k..n-1 end
// with the k largest values in ascending order (the "top values"), and its
// top-k attribution matrix X = P[:, n-k:] is computed right to left through
// the network, as difftopk does, at k entries per comparator:
//
//   - X is row-major per sample: X[b*n*k + i*k + j] is P[i][n-k+j], the
//     weight of input i at the j-th of the k largest positions (j = k-1 is
//     the maximum). Z starts as the last k columns of the identity and,
//     for the steps last to first, rows Z[p,:] and Z[q,:] mix with the
//     step's forward weight w exactly as columns of P do; X is the final Z.
//   - The X tape holds per sample XTapeLen = Steps*(k+2) values at
//     XTape[b*XTapeLen:]: for step s, at s*k, the difference Z[p,:]-Z[q,:]
//     before the step is applied in a right-to-left sweep that mixes with
//     the soft (gradient) alpha (the forward sweep's own rows for a soft
//     swap; a second sweep under errorfree); at Steps*k + s the forward
//     weight w of step s (hard for hard-forward swaps); at Steps*(k+1) + s
//     a work entry the backward pass writes.
//   - Backward, given dL/dX (H, n x k) and dL/dtop: H walks the steps
//     first to last, each step's dot(H[p,:]-H[q,:], Z-difference) is its
//     dL/dalpha through X (written to the work entry), then H[p,:] and
//     H[q,:] mix with the forward weight w; the value backward pass then
//     runs as in SPEC.md with gy zero except dL/dtop on wires n-k..n-1 and
//     the work entry in place of dot(G[:,p]-G[:,q], P[:,p]-P[:,q]).
//     This is SPEC.md's backward pass with dL/dP zero outside the last k
//     columns, at k instead of n entries per comparator.
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
	// TopK is k for a top-k plan, 0 for a sorting plan.
	TopK int
	// XTapeLen is the per-sample length of a top-k plan's X tape
	// (Steps*(TopK+2)), 0 for a sorting plan.
	XTapeLen int
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

// NewTopK is the top-k plan of nw pruned to the comparators its last k
// outputs depend on (networks.TopK): for a sorting network nw, a selection
// network of the k largest. 1 <= k < n.
func NewTopK(name string, nw *networks.Network, k int, s Swap, e Elem) (*Plan, error) {
	if err := nw.Validate(); err != nil {
		return nil, err
	}
	if k < 1 || k >= nw.N {
		return nil, fmt.Errorf("plan: top-k needs 1 <= k < n = %d, got k = %d", nw.N, k)
	}
	pruned, err := networks.TopK(nw, k)
	if err != nil {
		return nil, err
	}
	p, err := New(name, pruned, s, e)
	if err != nil {
		return nil, err
	}
	p.TopK = k
	p.XTapeLen = len(p.Steps) * (k + 2)
	return p, nil
}

// NamedTopK is NewTopK of a named network: splitter_selection is
// networks.SplitterSelection(n, k), every other name networks.ByName(name,
// n) pruned to its top k.
func NamedTopK(network string, n, k int, swap, base string, e Elem) (*Plan, error) {
	s, err := ParseSwap(swap, base)
	if err != nil {
		return nil, err
	}
	var nw *networks.Network
	if network == SplitterSelection {
		nw, err = networks.SplitterSelection(n, k)
	} else {
		nw, err = networks.ByName(network, n)
	}
	if err != nil {
		return nil, err
	}
	return NewTopK(network, nw, k, s, e)
}

// SplitterSelection names networks.SplitterSelection, a selection network
// that exists only for a given k (not in networks.ByName).
const SplitterSelection = "splitter_selection"

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
