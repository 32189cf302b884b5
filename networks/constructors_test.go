package networks

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustByName(t testing.TB, name string, n int) *Network {
	t.Helper()
	nw, err := ByName(name, n)
	require.NoError(t, err, "%s n=%d", name, n)
	return nw
}

func TestNames(t *testing.T) {
	require.Equal(t, []string{"best", "best_depth", "bitonic", "merge_exchange", "odd_even", "oddeven_merge", "pairwise"}, Names())
	_, err := ByName("quick", 8)
	require.ErrorContains(t, err, `unknown network "quick"`)
	require.ErrorContains(t, err, "odd_even")
}

// TestConstructorsSort builds every registered network for n = 2..64 and
// verifies it: a proof up to 32 wires, random inputs above.
func TestConstructorsSort(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			for n := 2; n <= 64; n++ {
				nw := mustByName(t, name, n)
				require.Equal(t, n, nw.N)
				require.NoError(t, nw.Validate())
				require.True(t, nw.canonical(), "n=%d: not laid out as FromFlat would", n)
				v, err := Verify(nw)
				require.NoError(t, err, "n=%d", n)
				require.True(t, v.Sorts)
				want := Exhaustive
				if n > 32 {
					want = Random
				}
				require.Equal(t, want, v.Method, "n=%d", n)
			}
		})
	}
}

func TestConstructorsRejectSmallN(t *testing.T) {
	for _, name := range Names() {
		for _, n := range []int{-1, 0, 1} {
			_, err := ByName(name, n)
			require.ErrorIs(t, err, ErrTooFewWires, "%s n=%d", name, n)
		}
	}
}

func TestOddEvenClosedForm(t *testing.T) {
	for n := 2; n <= 64; n++ {
		nw := mustByName(t, "odd_even", n)
		require.Equal(t, n*(n-1)/2, nw.Size(), "n=%d", n)
		depth := n
		if n == 2 {
			depth = 1 // the second layer of diffsort's layout is empty for n = 2
		}
		require.Equal(t, depth, nw.Depth(), "n=%d", n)
		for l, layer := range nw.Layers {
			for _, c := range layer {
				require.Equal(t, c.P+1, c.Q)
				require.Equal(t, l%2, c.P%2, "layer %d of n=%d", l, n)
			}
		}
	}
}

// TestBitonicPowerOfTwo checks diffsort's layout against the SPEC's recipe
// written out independently, and the closed form.
func TestBitonicPowerOfTwo(t *testing.T) {
	for k := 1; k <= 7; k++ {
		n := 1 << k
		nw := mustByName(t, "bitonic", n)
		require.Equal(t, k*(k+1)/2, nw.Depth(), "n=%d", n)
		l := 0
		for block := range k {
			for layer := 0; layer <= block; layer++ {
				m := 1 << (block - layer)
				require.Len(t, nw.Layers[l], n/2)
				for ci, c := range nw.Layers[l] {
					a := (ci/m)*2*m + ci%m
					want := Comparator{a, a + m}
					if a/(1<<(block+1))%2 == 1 {
						want = Comparator{a + m, a}
					}
					require.Equal(t, want, c, "n=%d block %d layer %d", n, block, layer)
				}
				l++
			}
		}
	}
	reversed := 0
	for _, c := range mustByName(t, "bitonic", 8).Comparators() {
		if c.P > c.Q {
			reversed++
		}
	}
	require.Equal(t, 6, reversed)
}

func TestBitonicOtherSizesAscending(t *testing.T) {
	for n := 3; n <= 64; n++ {
		if n&(n-1) == 0 {
			continue
		}
		for _, c := range mustByName(t, "bitonic", n).Comparators() {
			require.Less(t, c.P, c.Q, "n=%d", n)
		}
	}
}

// TestBatcherClosedForms checks the merge-based networks on powers of two,
// where all three have Batcher's size (k^2-k+4)2^(k-2)-1 and depth
// k(k+1)/2.
func TestBatcherClosedForms(t *testing.T) {
	known := map[int][2]int{16: {63, 10}, 32: {191, 15}}
	for _, name := range []string{"oddeven_merge", "pairwise", "merge_exchange"} {
		for k := 1; k <= 7; k++ {
			n := 1 << k
			nw := mustByName(t, name, n)
			size := (k*k - k + 4) * (1 << k) / 4
			require.Equal(t, size-1, nw.Size(), "%s n=%d", name, n)
			require.Equal(t, k*(k+1)/2, nw.Depth(), "%s n=%d", name, n)
			if sd, ok := known[n]; ok {
				require.Equal(t, sd, [2]int{nw.Size(), nw.Depth()}, "%s n=%d", name, n)
			}
			for _, c := range nw.Comparators() {
				require.Less(t, c.P, c.Q)
			}
		}
	}
}

// TestBestPublished checks the table against published sizes and depths.
func TestBestPublished(t *testing.T) {
	tests := []struct {
		n                          int
		size, depth, dSize, dDepth int
	}{
		{2, 1, 1, 1, 1},
		{3, 3, 3, 3, 3},
		{4, 5, 3, 5, 3},
		{8, 19, 6, 19, 6},
		{10, 29, 8, 31, 7},
		{16, 60, 10, 61, 9},
		{21, 99, 15, 100, 12},
		{32, 185, 14, 185, 14},
		{64, 521, 21, 525, 20},
	}
	for _, tt := range tests {
		s := mustByName(t, "best", tt.n)
		require.Equal(t, [2]int{tt.size, tt.depth}, [2]int{s.Size(), s.Depth()}, "best n=%d", tt.n)
		d := mustByName(t, "best_depth", tt.n)
		require.Equal(t, [2]int{tt.dSize, tt.dDepth}, [2]int{d.Size(), d.Depth()}, "best_depth n=%d", tt.n)
	}
}

// TestBestTable checks that every n has both networks, that they are the
// best in the table by their orders, and that they beat or match Batcher.
func TestBestTable(t *testing.T) {
	for n := 2; n <= MaxBest; n++ {
		s := mustByName(t, "best", n)
		d := mustByName(t, "best_depth", n)
		require.LessOrEqual(t, s.Size(), d.Size())
		require.LessOrEqual(t, d.Depth(), s.Depth())
		for _, e := range bestTable {
			if e.n != n {
				continue
			}
			require.False(t, e.size < s.Size() || e.size == s.Size() && e.depth < s.Depth(), "n=%d", n)
			require.False(t, e.depth < d.Depth() || e.depth == d.Depth() && e.size < d.Size(), "n=%d", n)
		}
		me := mustByName(t, "merge_exchange", n)
		require.LessOrEqual(t, s.Size(), me.Size(), "n=%d", n)
	}
	for _, name := range []string{"best", "best_depth"} {
		_, err := ByName(name, MaxBest+1)
		require.ErrorContains(t, err, fmt.Sprintf("n = 2..%d only (got %d)", MaxBest, MaxBest+1))
	}
}

// TestBestIsFresh checks that callers get their own copy to modify.
func TestBestIsFresh(t *testing.T) {
	a := mustByName(t, "best", 8)
	a.Layers[0][0] = Comparator{7, 6}
	b := mustByName(t, "best", 8)
	require.NotEqual(t, a.Layers[0][0], b.Layers[0][0])
}
