package runtime

import (
	"math/rand/v2"
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
