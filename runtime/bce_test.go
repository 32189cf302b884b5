package runtime

import (
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// BCEPT must give BCE's loss and gradient, only transposed.
func TestBCEPTMatchesBCE(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, batch = 5, 4
	s, err := New[float64](DefaultConfig("odd_even", n, "cauchy"))
	require.NoError(t, err)
	r, err := s.Forward(randRows(rng, batch, n, 1), WantP)
	require.NoError(t, err)
	ranks := make([]int, batch*n)
	for b := 0; b < batch; b++ {
		copy(ranks[b*n:], rng.Perm(n))
	}
	g := make([]float64, batch*n*n)
	want, err := BCE(g, r.P(), ranks, n)
	require.NoError(t, err)
	gt := make([]float64, batch*n*n)
	got, err := BCEPT(gt, r.PT(), ranks, n)
	require.NoError(t, err)
	require.InDelta(t, want, got, 1e-12)
	gtt := make([]float64, len(gt))
	transpose(gtt, gt, n)
	require.InDeltaSlice(t, g, gtt, 1e-12)

	_, err = BCEPT(gt, r.PT()[1:], ranks, n)
	require.Error(t, err)
}

// The parallel BCEPT of a sorter gives the serial numbers.
func TestSorterBCEPT(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n, batch = 8, 203
	cfg := DefaultConfig("bitonic", n, "cauchy")
	cfg.Workers = 3
	s, err := New[float64](cfg)
	require.NoError(t, err)
	r, err := s.Forward(randRows(rng, batch, n, 1), WantP)
	require.NoError(t, err)
	ranks := make([]int, batch*n)
	for b := 0; b < batch; b++ {
		copy(ranks[b*n:], rng.Perm(n))
	}
	g1, g2 := make([]float64, batch*n*n), make([]float64, batch*n*n)
	want, err := BCEPT(g1, r.PT(), ranks, n)
	require.NoError(t, err)
	got, err := s.BCEPT(g2, r.PT(), ranks)
	require.NoError(t, err)
	require.InDelta(t, want, got, 1e-12)
	require.Equal(t, g1, g2)
	_, err = s.BCEPT(g2, r.PT(), ranks[1:])
	require.Error(t, err)
}

// Ranks that are not permutations are an error naming the sample, on the
// serial and the parallel path, never a panic or a wrong loss.
func TestBCEPTBadRanks(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(2))
	const batch = 100
	for _, n := range []int{8, 70} {
		s, err := New[float32](DefaultConfig("odd_even", n, "cauchy"))
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		x := make([]float32, batch*n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		r, err := s.Forward(x, WantP)
		require.NoError(t, err)
		good := make([]int, batch*n)
		for b := 0; b < batch; b++ {
			copy(good[b*n:], rng.Perm(n))
		}
		for _, tc := range []struct {
			name      string
			row, item int
			rank      func(row []int) int
		}{
			{"too large", batch - 1, n - 1, func([]int) int { return n }},
			{"far too large", batch - 1, 0, func([]int) int { return 1 << 40 }},
			{"negative", 57, 3, func([]int) int { return -1 }},
			{"duplicate", 0, 1, func(row []int) int { return row[0] }},
		} {
			ranks := slices.Clone(good)
			ranks[tc.row*n+tc.item] = tc.rank(ranks[tc.row*n : (tc.row+1)*n])
			grad := make([]float32, batch*n*n)
			_, err := BCEPT(grad, r.PT(), ranks, n)
			require.ErrorContains(t, err, fmt.Sprintf("ranks of sample %d are not a permutation", tc.row), tc.name)
			_, err = s.BCEPT(grad, r.PT(), ranks)
			require.ErrorContains(t, err, fmt.Sprintf("ranks of sample %d are not a permutation", tc.row), tc.name)
		}
		grad := make([]float32, batch*n*n)
		_, err = s.BCEPT(grad, r.PT(), good)
		require.NoError(t, err)
	}
}
