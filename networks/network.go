package networks

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// A Comparator orders two wires: after it, wire P holds the smaller value
// and wire Q the larger. Usually P < Q; bitonic networks also use reversed
// comparators (P > Q), which sort that pair descending.
type Comparator struct {
	P, Q int
}

// A Network is a sorting (or partial sorting) network on N wires: a list of
// layers, each a list of comparators on pairwise disjoint wires. It is the one
// representation of a topology that every part of sortgen reads.
type Network struct {
	N      int
	Layers [][]Comparator
}

// ErrTooFewWires is returned for networks or sizes with fewer than two wires.
var ErrTooFewWires = errors.New("networks: n must be at least 2")

// New returns a validated network on n wires with the given layers. The
// layers are copied.
func New(n int, layers [][]Comparator) (*Network, error) {
	nw := &Network{N: n, Layers: make([][]Comparator, len(layers))}
	for i, l := range layers {
		nw.Layers[i] = append([]Comparator(nil), l...)
	}
	if err := nw.Validate(); err != nil {
		return nil, err
	}
	return nw, nil
}

// Validate reports whether nw is well formed: n >= 2, every wire in range,
// p != q, and no wire used twice within a layer. Empty layers are allowed
// only when the network has no comparators at all.
func (nw *Network) Validate() error {
	if nw == nil {
		return errors.New("networks: nil network")
	}
	if nw.N < 2 {
		return fmt.Errorf("%w (got %d)", ErrTooFewWires, nw.N)
	}
	used := make([]int, nw.N) // layer index+1 that last used the wire
	for li, layer := range nw.Layers {
		if len(layer) == 0 {
			return fmt.Errorf("networks: layer %d is empty", li)
		}
		for ci, c := range layer {
			if c.P < 0 || c.P >= nw.N || c.Q < 0 || c.Q >= nw.N {
				return fmt.Errorf("networks: layer %d, comparator %d (%d,%d): wire out of range [0,%d)", li, ci, c.P, c.Q, nw.N)
			}
			if c.P == c.Q {
				return fmt.Errorf("networks: layer %d, comparator %d (%d,%d): p == q", li, ci, c.P, c.Q)
			}
			for _, w := range [2]int{c.P, c.Q} {
				if used[w] == li+1 {
					return fmt.Errorf("networks: layer %d, comparator %d (%d,%d): wire %d used twice in one layer", li, ci, c.P, c.Q, w)
				}
				used[w] = li + 1
			}
		}
	}
	return nil
}

// Size is the number of comparators.
func (nw *Network) Size() int {
	s := 0
	for _, l := range nw.Layers {
		s += len(l)
	}
	return s
}

// Depth is the number of layers.
func (nw *Network) Depth() int { return len(nw.Layers) }

// Comparators returns every comparator in execution order, layer by layer.
func (nw *Network) Comparators() []Comparator {
	cs := make([]Comparator, 0, nw.Size())
	for _, l := range nw.Layers {
		cs = append(cs, l...)
	}
	return cs
}

// Apply runs the network as a hard sorter on x in place. x must have N
// elements and the network must be valid (Validate).
func (nw *Network) Apply(x []float64) error {
	if err := nw.Validate(); err != nil {
		return err
	}
	if len(x) != nw.N {
		return fmt.Errorf("networks: Apply: %d values for %d wires", len(x), nw.N)
	}
	for _, l := range nw.Layers {
		for _, c := range l {
			if x[c.Q] < x[c.P] {
				x[c.P], x[c.Q] = x[c.Q], x[c.P]
			}
		}
	}
	return nil
}

// String is the stable text form: one layer per line, as in the published
// tables, e.g. "[(0,2),(1,3)]".
func (nw *Network) String() string {
	var b strings.Builder
	for _, l := range nw.Layers {
		b.WriteByte('[')
		for i, c := range l {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,%d)", c.P, c.Q)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// Equal reports whether two networks have the same wires and the same
// comparators in the same layers and order. Two nil networks are equal.
func (nw *Network) Equal(o *Network) bool {
	if nw == nil || o == nil {
		return nw == o
	}
	if nw.N != o.N || len(nw.Layers) != len(o.Layers) {
		return false
	}
	for i := range nw.Layers {
		if len(nw.Layers[i]) != len(o.Layers[i]) {
			return false
		}
		for j := range nw.Layers[i] {
			if nw.Layers[i][j] != o.Layers[i][j] {
				return false
			}
		}
	}
	return true
}

// A Range is the half-open interval [Lo, Hi) of input indices.
type Range struct{ Lo, Hi int }

// Support returns, for every comparator in execution order, the inputs that
// can have non-zero weight on wire P or wire Q just before that comparator,
// as sorted disjoint ranges. It is the structural sparsity of the columns of
// the relaxed permutation matrix P (P[i][j]: weight of input i on wire j),
// starting from the identity: column j starts as {j}, and a comparator sets
// both of its columns to the union of the two. Entries outside the support
// are zero whatever the data, so kernels skip them. The network must be
// valid (Validate's error otherwise).
func (nw *Network) Support() ([][]Range, error) {
	if err := nw.Validate(); err != nil {
		return nil, err
	}
	words := (nw.N + 63) / 64
	sets := make([][]uint64, nw.N)
	for j := range sets {
		sets[j] = make([]uint64, words)
		sets[j][j/64] |= 1 << (j % 64)
	}
	out := make([][]Range, 0, nw.Size())
	for _, l := range nw.Layers {
		for _, c := range l {
			sp, sq := sets[c.P], sets[c.Q]
			for w := range sp {
				u := sp[w] | sq[w]
				sp[w], sq[w] = u, u
			}
			out = append(out, ranges(sp, nw.N))
		}
	}
	return out, nil
}

func ranges(set []uint64, n int) []Range {
	var rs []Range
	i := 0
	for i < n {
		w := set[i/64] >> (i % 64)
		if w == 0 {
			i += 64 - i%64
			continue
		}
		i += bits.TrailingZeros64(w)
		if i >= n {
			break
		}
		lo := i
		for i < n && set[i/64]&(1<<(i%64)) != 0 {
			i++
		}
		rs = append(rs, Range{lo, i})
	}
	return rs
}

// FromFlat layers a flat list of comparators: each comparator goes into the
// earliest layer it can, right after the last layer that touches either of
// its wires. That keeps the order of comparators on every wire (so the
// network computes the same function) and gives the smallest depth that
// order allows; it is how the published flat lists define their depth.
// Comparators keep their relative order within a layer.
func FromFlat(n int, cs []Comparator) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	nw := &Network{N: n}
	last := make([]int, n) // number of layers touching the wire so far
	for i, c := range cs {
		if c.P < 0 || c.P >= n || c.Q < 0 || c.Q >= n {
			return nil, fmt.Errorf("networks: comparator %d (%d,%d): wire out of range [0,%d)", i, c.P, c.Q, n)
		}
		if c.P == c.Q {
			return nil, fmt.Errorf("networks: comparator %d (%d,%d): p == q", i, c.P, c.Q)
		}
		l := max(last[c.P], last[c.Q])
		if l == len(nw.Layers) {
			nw.Layers = append(nw.Layers, nil)
		}
		nw.Layers[l] = append(nw.Layers[l], c)
		last[c.P], last[c.Q] = l+1, l+1
	}
	return nw, nil
}

// canonical reports whether nw is laid out as FromFlat would lay out its
// comparators, i.e. whether a flat format preserves its layers.
func (nw *Network) canonical() bool {
	f, err := FromFlat(nw.N, nw.Comparators())
	return err == nil && f.Equal(nw)
}
