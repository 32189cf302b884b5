package networks

import (
	"fmt"
	"sort"
	"strings"
)

// OddEven returns odd-even transposition sort in diffsort's layout: n layers;
// layer l holds (i, i+1) for i = l%2, l%2+2, ... < n-1. For n = 2 the
// second layer would be empty (diffsort runs it as a no-op); a Network has
// no empty layers, so that one has a single layer.
func OddEven(n int) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	nw := &Network{N: n}
	for l := 0; l < n; l++ {
		var layer []Comparator
		for i := l % 2; i < n-1; i += 2 {
			layer = append(layer, Comparator{i, i + 1})
		}
		if len(layer) > 0 {
			nw.Layers = append(nw.Layers, layer)
		}
	}
	return nw, nil
}

// Bitonic returns Batcher's bitonic sorter. For n = 2^k it is diffsort's
// layout, with reversed comparators. For other n it is the all-ascending
// bitonic sorter on the next power of two with the wires from n up dropped
// (see bitonicAny): diffsort's own way of dropping wires from the layout
// with reversed comparators does not sort for some n (22, for one).
func Bitonic(n int) (*Network, error) {
	if n < 2 {
		return nil, fmt.Errorf("%w (got %d)", ErrTooFewWires, n)
	}
	if n&(n-1) != 0 {
		return bitonicAny(n)
	}
	k := 0
	for 1<<k < n {
		k++
	}
	nw := &Network{N: n}
	for block := 0; block < k; block++ {
		for layer := 0; layer <= block; layer++ {
			m := 1 << (block - layer)
			var cs []Comparator
			for i := 0; i < n; i += 2 * m {
				for j := 0; j < m; j++ {
					a, b := i+j, i+j+m
					if (a>>(block+1))%2 == 1 {
						cs = append(cs, Comparator{b, a})
					} else {
						cs = append(cs, Comparator{a, b})
					}
				}
			}
			nw.Layers = append(nw.Layers, cs)
		}
	}
	return nw, nil
}

// A Constructor builds a network for n wires.
type Constructor func(n int) (*Network, error)

var constructors = map[string]Constructor{
	"odd_even":       OddEven,
	"bitonic":        Bitonic,
	"oddeven_merge":  OddEvenMerge,
	"pairwise":       Pairwise,
	"merge_exchange": MergeExchange,
	"best":           Best,
	"best_depth":     BestDepth,
}

// Names lists the network names ByName accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(constructors))
	for k := range constructors {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ByName builds the named network on n wires.
func ByName(name string, n int) (*Network, error) {
	c, ok := constructors[name]
	if !ok {
		return nil, fmt.Errorf("networks: unknown network %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return c(n)
}
