package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randFeats is rows items of d standard normal features, row-major.
func randFeats(rng *rand.Rand, rows, d int) []float64 {
	x := make([]float64, rows*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// checkClose fails unless analytic and numeric gradients agree to a
// relative tolerance (absolute near zero).
func checkClose(t *testing.T, what string, analytic, numeric, tol float64) {
	t.Helper()
	scale := max(1, math.Abs(analytic), math.Abs(numeric))
	require.LessOrEqualf(t, math.Abs(analytic-numeric)/scale, tol, "%s: analytic %.10g numeric %.10g", what, analytic, numeric)
}

func randRanks(rng *rand.Rand, batch, n int) []int {
	r := make([]int, 0, batch*n)
	for b := 0; b < batch; b++ {
		r = append(r, rng.Perm(n)...)
	}
	return r
}

// randDoublyStochastic mixes random permutation matrices, so entries are
// strictly inside (0, 1) like a soft sorter's P.
func randSoftP(rng *rand.Rand, batch, n int) []float64 {
	p := make([]float64, batch*n*n)
	for b := 0; b < batch; b++ {
		for k := 0; k < 3; k++ {
			w := 0.2 + 0.2*rng.Float64()
			for i, j := range rng.Perm(n) {
				p[b*n*n+i*n+j] += w
			}
		}
		for i := 0; i < n*n; i++ {
			p[b*n*n+i] = 0.02 + 0.9*p[b*n*n+i]/3
		}
	}
	return p
}

func TestLossBCE(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, batch, h = 4, 3, 1e-7
	p := randSoftP(rng, batch, n)
	ranks := randRanks(rng, batch, n)
	grad := make([]float64, len(p))
	loss, err := BCE(grad, p, ranks, n)
	require.NoError(t, err)
	require.Greater(t, loss, 0.0)
	for k := range p {
		v := p[k]
		p[k] = v + h
		lp, _ := BCE(nil, p, ranks, n)
		p[k] = v - h
		lm, _ := BCE(nil, p, ranks, n)
		p[k] = v
		checkClose(t, "dBCE/dP", grad[k]*1e3, (lp-lm)/(2*h)*1e3, 1e-5)
	}

	t.Run("exact permutation", func(t *testing.T) {
		q := make([]float64, n*n)
		r := []int{2, 0, 3, 1}
		for i, j := range r {
			q[i*n+j] = 1
		}
		loss, err := BCE(nil, q, r, n)
		require.NoError(t, err)
		require.Zero(t, loss)
		// The wrong permutation costs the clamped log: 100 per wrong 1 and 0.
		loss, err = BCE(nil, q, []int{0, 1, 2, 3}, n)
		require.NoError(t, err)
		require.InDelta(t, 100*8/16.0, loss, 1e-12)
	})

	t.Run("errors", func(t *testing.T) {
		_, err := BCE(nil, p, []int{0, 0, 1, 2}, n)
		require.ErrorContains(t, err, "permutation")
		_, err = BCE(nil, p[:5], ranks, n)
		require.Error(t, err)
		_, err = BCE(make([]float64, 3), p, ranks, n)
		require.Error(t, err)
	})
}

func TestLossFeatureMSE(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const n, batch, d, h = 3, 2, 5, 1e-6
	p := randSoftP(rng, batch, n)
	ranks := randRanks(rng, batch, n)
	x := randFeats(rng, batch*n, d)
	grad := make([]float64, len(p))
	loss, err := FeatureMSE(grad, p, x, d, ranks, n)
	require.NoError(t, err)
	require.Greater(t, loss, 0.0)
	for k := range p {
		v := p[k]
		p[k] = v + h
		lp, _ := FeatureMSE(nil, p, x, d, ranks, n)
		p[k] = v - h
		lm, _ := FeatureMSE(nil, p, x, d, ranks, n)
		p[k] = v
		checkClose(t, "dMSE/dP", grad[k], (lp-lm)/(2*h), 1e-7)
	}
	// The true permutation reorders the features exactly.
	q := make([]float64, len(p))
	for k, r := range ranks {
		q[k*n+r] = 1
	}
	loss, err = FeatureMSE(nil, q, x, d, ranks, n)
	require.NoError(t, err)
	require.Zero(t, loss)

	_, err = FeatureMSE(nil, p, randFeats(rng, 5, d), d, ranks, n)
	require.Error(t, err)
}

// hardP is the permutation matrix of ranks (item i at position ranks[i]).
func hardP(ranks []int, n int) []float64 {
	p := make([]float64, len(ranks)*n)
	for k, r := range ranks {
		p[k*n+r] = 1
	}
	return p
}

func TestFeatureGroupMSE(t *testing.T) {
	// By hand: n = 4, groups {0, 1} and {2, 3}, one feature each. P keeps
	// the items in place; the truth swaps each pair. Each group's two
	// entries are both off by the pair's difference: mean (a-b)^2.
	x := []float64{1, 2, 4, 7} // one feature per item
	ranks := []int{1, 0, 3, 2}
	ident := hardP([]int{0, 1, 2, 3}, 4)
	loss, err := FeatureGroupMSE(nil, ident, x, 1, ranks, 4, 2)
	require.NoError(t, err)
	require.InDelta(t, 1.0+9.0, loss, 1e-15)
	whole, err := FeatureMSE(nil, ident, x, 1, ranks, 4)
	require.NoError(t, err)
	require.InDelta(t, (1+1+9+9)/4.0, whole, 1e-15)

	// Right order within every group, wrong across groups: no group
	// loss, while the whole-sample loss sees every item misplaced.
	ranks = []int{2, 3, 0, 1}
	loss, err = FeatureGroupMSE(nil, ident, x, 1, ranks, 4, 2)
	require.NoError(t, err)
	require.Zero(t, loss)
	whole, err = FeatureMSE(nil, ident, x, 1, ranks, 4)
	require.NoError(t, err)
	require.Positive(t, whole)

	rng := rand.New(rand.NewPCG(9, 9))
	const batch, d, h = 3, 4, 1e-6
	for _, tc := range []struct{ n, group int }{{7, 4}, {9, 4}, {5, 4}, {10, 3}, {6, 6}, {6, 1}} {
		ranks := randRanks(rng, batch, tc.n)
		x := randFeats(rng, batch*tc.n, d)
		p := hardP(randRanks(rng, batch, tc.n), tc.n)
		grad := make([]float64, len(p))
		loss, err := FeatureGroupMSE(grad, p, x, d, ranks, tc.n, tc.group)
		require.NoError(t, err)
		if tc.group == 1 {
			require.Zero(t, loss) // one item is always in its own order
		} else {
			require.Positive(t, loss)
		}
		for k := range p {
			v := p[k]
			p[k] = v + h
			lp, err := FeatureGroupMSE(nil, p, x, d, ranks, tc.n, tc.group)
			require.NoError(t, err)
			p[k] = v - h
			lm, _ := FeatureGroupMSE(nil, p, x, d, ranks, tc.n, tc.group)
			p[k] = v
			checkClose(t, fmt.Sprintf("n=%d group %d: dMSE/dP[%d]", tc.n, tc.group, k), grad[k], (lp-lm)/(2*h), 1e-7)
		}
		// The truth has no loss.
		loss, err = FeatureGroupMSE(nil, hardP(ranks, tc.n), x, d, ranks, tc.n, tc.group)
		require.NoError(t, err)
		require.Zero(t, loss)
	}

	// A group as large as the sample is FeatureMSE, for a soft P too.
	soft := randSoftP(rng, 2, 5)
	ranks = randRanks(rng, 2, 5)
	x = randFeats(rng, 10, 3)
	want, err := FeatureMSE(nil, soft, x, 3, ranks, 5)
	require.NoError(t, err)
	got, err := FeatureGroupMSE(nil, soft, x, 3, ranks, 5, 8)
	require.NoError(t, err)
	require.Equal(t, want, got)
	// So is the paper's grouping for n = 5 (4 items and the last one).
	got, err = FeatureGroupMSE(nil, soft, x, 3, ranks, 5, 4)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Smaller groups need P to be a permutation on their rows.
	_, err = FeatureGroupMSE(nil, soft, x, 3, ranks, 5, 3)
	require.ErrorContains(t, err, "exact permutation matrix")
	_, err = FeatureGroupMSE(nil, soft, x, 3, ranks, 5, 0)
	require.ErrorContains(t, err, "group size 0")
}
