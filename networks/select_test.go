package networks

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTopK prunes sorting networks to selection networks, proves them, and
// checks that they shrink and that a network missing one needed comparator
// is caught.
func TestTopK(t *testing.T) {
	for _, tc := range []struct {
		network string
		n, k    int
		size    int // at most
	}{
		{"bitonic", 32, 1, 239},
		{"bitonic", 16, 3, 79},
		{"odd_even", 9, 3, 35},
		{"best", 32, 5, 106},
		{"pairwise", 100, 5, 660},
		{"odd_even", 5, 5, 10},
	} {
		full, err := ByName(tc.network, tc.n)
		require.NoError(t, err)
		sel, err := TopK(full, tc.k)
		require.NoError(t, err)
		require.LessOrEqual(t, sel.Size(), tc.size, "%s n=%d k=%d", tc.network, tc.n, tc.k)
		require.LessOrEqual(t, sel.Depth(), full.Depth())
		v, err := VerifyTopK(sel, tc.k)
		require.NoError(t, err, "%s n=%d k=%d", tc.network, tc.n, tc.k)
		require.True(t, v.Sorts)
		if tc.n <= 32 {
			require.Equal(t, Exhaustive, v.Method, "%s n=%d: up to 32 wires the check is a proof", tc.network, tc.n)
		}
		if tc.k == tc.n {
			require.Equal(t, full.Size(), sel.Size())
			continue
		}
		// Dropping any one kept comparator of the last layer breaks it.
		cs := sel.Comparators()
		broken, err := FromFlat(sel.N, cs[:len(cs)-1])
		require.NoError(t, err)
		_, err = VerifyTopK(broken, tc.k)
		var se *SortError
		require.ErrorAs(t, err, &se, "%s n=%d k=%d without its last comparator", tc.network, tc.n, tc.k)
	}
	nw, err := ByName("bitonic", 8)
	require.NoError(t, err)
	for _, k := range []int{0, -1, 9} {
		_, err := TopK(nw, k)
		require.ErrorContains(t, err, "1 <= k <= n = 8")
		_, err = VerifyTopK(nw, k)
		require.Error(t, err)
	}
}
