package plan

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/networks"
)

func TestNewTopK(t *testing.T) {
	for _, tc := range []struct {
		network string
		n, k    int
		steps   int // comparators of the selection network
	}{
		{"bitonic", 32, 1, 191}, // of 240: the merges feed the maximum too
		{"odd_even", 16, 5, 0},
		{SplitterSelection, 100, 5, 314},
		{SplitterSelection, 32, 5, 96},
	} {
		p, err := NamedTopK(tc.network, tc.n, tc.k, "cauchy", "", Float32)
		require.NoError(t, err, "%s n=%d k=%d", tc.network, tc.n, tc.k)
		require.Equal(t, tc.k, p.TopK)
		require.Equal(t, len(p.Steps)*(tc.k+2), p.XTapeLen)
		require.Equal(t, 3*len(p.Steps), p.TapeLen)
		v, err := networks.VerifyTopK(p.Network, tc.k)
		require.NoError(t, err)
		require.True(t, v.Sorts)
		if tc.steps > 0 {
			require.Equal(t, tc.steps, len(p.Steps))
		}
		full, err := Named(tc.network, tc.n, "cauchy", "", Float32)
		if err == nil {
			require.Less(t, len(p.Steps), len(full.Steps))
			require.Zero(t, full.TopK)
			require.Zero(t, full.XTapeLen)
		}
	}
	nw, err := networks.ByName("odd_even", 8)
	require.NoError(t, err)
	for _, k := range []int{0, -1, 8, 9} {
		_, err := NewTopK("odd_even", nw, k, Swap{Func: Cauchy}, Float64)
		require.ErrorContains(t, err, "top-k needs 1 <= k < n", "k=%d", k)
	}
	_, err = NamedTopK(SplitterSelection, 8, 1, "nope", "", Float64)
	require.Error(t, err)
}
