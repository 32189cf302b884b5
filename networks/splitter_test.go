package networks

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSplitterSelection proves SplitterSelection for a grid of (n, k):
// exhaustively up to 32 wires, on random inputs above.
func TestSplitterSelection(t *testing.T) {
	for n := 2; n <= 24; n++ {
		for k := 1; k <= n; k++ {
			nw, err := SplitterSelection(n, k)
			require.NoError(t, err, "n=%d k=%d", n, k)
			require.True(t, nw.canonical(), "n=%d k=%d", n, k)
			v, err := VerifyTopK(nw, k)
			require.NoError(t, err, "n=%d k=%d", n, k)
			require.Equal(t, Exhaustive, v.Method)
		}
	}
	for _, nk := range [][2]int{{32, 5}, {40, 7}, {64, 8}, {100, 5}, {100, 1}, {129, 40}, {200, 100}} {
		nw, err := SplitterSelection(nk[0], nk[1])
		require.NoError(t, err, "n=%d k=%d", nk[0], nk[1])
		_, err = VerifyTopK(nw, nk[1])
		require.NoError(t, err, "n=%d k=%d", nk[0], nk[1])
	}
	// k = 1 is a tree of n-1 comparators of logarithmic depth; k = n sorts.
	nw, err := SplitterSelection(100, 1)
	require.NoError(t, err)
	require.Equal(t, 99, nw.Size())
	require.Equal(t, 7, nw.Depth())
	nw, err = SplitterSelection(16, 16)
	require.NoError(t, err)
	require.Equal(t, 60, nw.Size())
	_, err = Verify(nw)
	require.NoError(t, err)

	for _, tc := range []struct {
		n, k int
		want string
	}{
		{1, 1, "n must be at least 2"},
		{-3, 1, "n must be at least 2"},
		{8, 0, "1 <= k <= n = 8, got k = 0"},
		{8, -1, "1 <= k <= n = 8, got k = -1"},
		{8, 9, "1 <= k <= n = 8, got k = 9"},
	} {
		_, err := SplitterSelection(tc.n, tc.k)
		require.ErrorContains(t, err, tc.want, "n=%d k=%d", tc.n, tc.k)
	}
}

// difftopkSplitters reads the splitter selection networks of the difftopk
// reference file, by (n, k).
func difftopkSplitters(t *testing.T) map[[2]int]*Network {
	t.Helper()
	data, err := os.ReadFile("../../shared/reference/difftopk_float64.json")
	require.NoError(t, err)
	var file struct {
		Cases []struct {
			Network string     `json:"network"`
			N       int        `json:"n"`
			K       int        `json:"k"`
			Layers  [][][2]int `json:"layers"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	out := map[[2]int]*Network{}
	for _, c := range file.Cases {
		if c.Network != "splitter_selection" {
			continue
		}
		layers := make([][]Comparator, len(c.Layers))
		for i, l := range c.Layers {
			for _, pq := range l {
				layers[i] = append(layers[i], Comparator{pq[0], pq[1]})
			}
		}
		nw, err := New(c.N, layers)
		require.NoError(t, err, "n=%d k=%d", c.N, c.K)
		out[[2]int{c.N, c.K}] = nw
	}
	return out
}

// TestSplitterSelectionVsDifftopk checks difftopk's own splitter networks
// with VerifyTopK (the verifier and the direction convention agree with
// difftopk) and that ours are no larger.
func TestSplitterSelectionVsDifftopk(t *testing.T) {
	theirs := difftopkSplitters(t)
	for _, tc := range []struct {
		n, k              int
		size, depth       int // difftopk's
		ourSize, ourDepth int
	}{
		{8, 1, 12, 3, 7, 3},
		{10, 2, 19, 6, 17, 7},
		{16, 3, 37, 7, 31, 7},
		{32, 5, 111, 14, 96, 13},
		{100, 5, 385, 17, 314, 20},
	} {
		ref, ok := theirs[[2]int{tc.n, tc.k}]
		require.True(t, ok, "n=%d k=%d not in the reference file", tc.n, tc.k)
		require.Equal(t, tc.size, ref.Size(), "n=%d k=%d", tc.n, tc.k)
		require.Equal(t, tc.depth, ref.Depth(), "n=%d k=%d", tc.n, tc.k)
		v, err := VerifyTopK(ref, tc.k)
		require.NoError(t, err, "difftopk n=%d k=%d", tc.n, tc.k)
		require.True(t, v.Sorts)
		// Its comparators point the minimum at P: reversing them all
		// breaks it.
		rev := &Network{N: ref.N}
		for _, l := range ref.Layers {
			var rl []Comparator
			for _, c := range l {
				rl = append(rl, Comparator{c.Q, c.P})
			}
			rev.Layers = append(rev.Layers, rl)
		}
		_, err = VerifyTopK(rev, tc.k)
		require.Error(t, err, "difftopk n=%d k=%d reversed", tc.n, tc.k)

		ours, err := SplitterSelection(tc.n, tc.k)
		require.NoError(t, err)
		require.LessOrEqual(t, ours.Size(), ref.Size(), "n=%d k=%d", tc.n, tc.k)
		require.Equal(t, tc.ourSize, ours.Size(), "n=%d k=%d", tc.n, tc.k)
		require.Equal(t, tc.ourDepth, ours.Depth(), "n=%d k=%d", tc.n, tc.k)
		_, err = VerifyTopK(ours, tc.k)
		require.NoError(t, err)
	}
}
