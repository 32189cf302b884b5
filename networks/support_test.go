package networks

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func inRanges(rs []Range, i int) bool {
	for _, r := range rs {
		if r.Lo <= i && i < r.Hi {
			return true
		}
	}
	return false
}

// TestSupportOddEven: odd-even transposition only ever mixes neighbours,
// so every support is one interval, growing by at most one wire on each
// side per layer, and a wire's support after l layers reaches at most l
// wires away.
func TestSupportOddEven(t *testing.T) {
	for _, n := range []int{2, 3, 8, 11} {
		nw := mustByName(t, "odd_even", n)
		sup, err := nw.Support()
		require.NoError(t, err)
		require.Len(t, sup, nw.Size())
		k := 0
		for l, layer := range nw.Layers {
			for _, c := range layer {
				rs := sup[k]
				require.Len(t, rs, 1, "n=%d comparator %v", n, c)
				require.Equal(t, Range{max(0, c.P-l), min(n, c.Q+l+1)}, rs[0], "n=%d layer %d %v", n, l, c)
				k++
			}
		}
	}
	// The last comparators of a sorting network see every input.
	sup, err := mustByName(t, "odd_even", 8).Support()
	require.NoError(t, err)
	require.Equal(t, []Range{{0, 8}}, sup[len(sup)-1])
}

func TestSupportBitonic(t *testing.T) {
	nw := mustByName(t, "bitonic", 8)
	sup, err := nw.Support()
	require.NoError(t, err)
	// First layer: each comparator sees its own two wires.
	for i, c := range nw.Layers[0] {
		require.Equal(t, []Range{{min(c.P, c.Q), max(c.P, c.Q) + 1}}, sup[i])
	}
	// Second layer compares (0,2) after (0,1) and (2,3): inputs 0..3.
	require.Equal(t, Comparator{0, 2}, nw.Layers[1][0])
	require.Equal(t, []Range{{0, 4}}, sup[4])
	// Bitonic's halves stay apart until the last merge: none of the first
	// 3 layers mixes inputs 0..3 with 4..7.
	for i := range 12 {
		require.Len(t, sup[i], 1)
		r := sup[i][0]
		require.True(t, r.Hi <= 4 || r.Lo >= 4, "comparator %d: %v", i, r)
	}
}

// TestSupportGaps checks that non-contiguous supports come out as several
// ranges.
func TestSupportGaps(t *testing.T) {
	nw, err := New(6, [][]Comparator{{{0, 5}}, {{0, 2}}})
	require.NoError(t, err)
	sup, err := nw.Support()
	require.NoError(t, err)
	require.Equal(t, [][]Range{{{0, 1}, {5, 6}}, {{0, 1}, {2, 3}, {5, 6}}}, sup)
	// More than 64 wires use several words per set.
	nw, err = New(130, [][]Comparator{{{1, 129}}, {{1, 64}}})
	require.NoError(t, err)
	sup, err = nw.Support()
	require.NoError(t, err)
	require.Equal(t, [][]Range{{{1, 2}, {129, 130}}, {{1, 2}, {64, 65}, {129, 130}}}, sup)

	// An invalid network is an error, not a panic.
	_, err = (&Network{N: 3, Layers: [][]Comparator{{{0, 5}}}}).Support()
	require.ErrorContains(t, err, "out of range")
}

// TestSupportHardSort runs hard sorting on random inputs with ties,
// tracking which input sits on each wire (the permutation matrix P), and
// checks that around every comparator the inputs on its wires lie in its
// support: entries outside it are zero.
func TestSupportHardSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	nets := []*Network{randomNetwork(rng, 13, 9), randomNetwork(rng, 70, 12)}
	for _, name := range Names() {
		for _, n := range []int{5, 16, 23} {
			nets = append(nets, mustByName(t, name, n))
		}
	}
	for _, nw := range nets {
		sup, err := nw.Support()
		require.NoError(t, err)
		cs := nw.Comparators()
		x := make([]float64, nw.N)
		from := make([]int, nw.N) // input index on each wire: column j of P is e_from[j]
		for range 200 {
			for i := range x {
				x[i] = float64(rng.IntN(nw.N/2 + 1))
				from[i] = i
			}
			for k, c := range cs {
				for _, w := range [2]int{c.P, c.Q} {
					require.True(t, inRanges(sup[k], from[w]), "before comparator %d %v: input %d on wire %d outside %v", k, c, from[w], w, sup[k])
				}
				if x[c.Q] < x[c.P] {
					x[c.P], x[c.Q] = x[c.Q], x[c.P]
					from[c.P], from[c.Q] = from[c.Q], from[c.P]
				}
			}
		}
	}
}
