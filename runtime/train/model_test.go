package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/sortgen/sortgen/runtime"
)

func randRanks(rng *rand.Rand, batch, n int) []int {
	r := make([]int, 0, batch*n)
	for b := 0; b < batch; b++ {
		r = append(r, rng.Perm(n)...)
	}
	return r
}

func smallModel(t *testing.T, swap, loss string, f32 bool, seed uint64) *Model {
	t.Helper()
	m, err := NewModel(ModelConfig{
		Scorer:  ScorerConfig{Kind: ScorerMLP, In: 4, Hidden: []int{5}},
		Network: "odd_even", N: 4, Swap: swap, Steepness: 3, ARTLambda: 0.25,
		Loss: loss, FeatureWeight: 1, Float32: f32,
	}, rand.New(rand.NewPCG(seed, 9)))
	require.NoError(t, err)
	return m
}

// The whole chain (scorer, sorting layer, BCE) against finite differences
// of the loss in every parameter.
func TestModelGradient(t *testing.T) {
	for _, swap := range []string{"cauchy", "logistic", "optimal"} {
		t.Run(swap, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(4, 4))
			m := smallModel(t, swap, "", false, 1)
			require.Equal(t, LossBCE, m.Config.Loss)
			x := randDense(rng, 12, 4)
			ranks := randRanks(rng, 3, 4)
			for _, p := range m.Params() {
				p.ZeroGrad()
			}
			_, err := m.Train(x, ranks)
			require.NoError(t, err)
			loss := func() float64 {
				s, err := m.Scores(x)
				require.NoError(t, err)
				_, p, err := m.sorter.Forward(s, false)
				require.NoError(t, err)
				l, err := runtime.BCE(nil, p, ranks, 4)
				require.NoError(t, err)
				return l
			}
			const h = 1e-6
			for _, p := range m.Params() {
				g := append([]float64(nil), p.Grad...)
				for k := range p.Value {
					v := p.Value[k]
					p.Value[k] = v + h
					lp := loss()
					p.Value[k] = v - h
					lm := loss()
					p.Value[k] = v
					checkClose(t, p.Name, g[k], (lp-lm)/(2*h), 1e-6)
				}
			}
		})
	}
}

// Under errorfree the BCE term is the base function's soft sorter, so with
// the feature term off the loss and gradients equal a plain cauchy model's.
func TestLossErrorFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := randDense(rng, 12, 4)
	ranks := randRanks(rng, 3, 4)
	ef := smallModel(t, "errorfree", "", false, 7)
	require.Equal(t, LossErrorFree, ef.Config.Loss)
	soft := smallModel(t, "cauchy", "", false, 7)

	ef.Config.FeatureWeight = 0
	le, err := ef.Train(x, ranks)
	require.NoError(t, err)
	ls, err := soft.Train(x, ranks)
	require.NoError(t, err)
	require.InDelta(t, ls.Total, le.Total, 1e-15)
	require.Zero(t, le.Feature)
	for i, p := range ef.Params() {
		require.InDeltaSlice(t, soft.Params()[i].Grad, p.Grad, 1e-15)
	}

	// With the feature term on, the extra gradient is the errorfree
	// sorter's backward pass of FeatureMSE's dL/dP.
	ef.Config.FeatureWeight = 1
	for _, p := range ef.Params() {
		p.ZeroGrad()
	}
	le, err = ef.Train(x, ranks)
	require.NoError(t, err)
	require.Greater(t, le.Feature, 0.0)
	require.InDelta(t, le.BCE+le.Feature, le.Total, 1e-15)
	s, _ := ef.Scores(x)
	_, ph, err := ef.sorter.Forward(s, false)
	require.NoError(t, err)
	for k, v := range ph { // hard forward: P is exactly a permutation
		require.True(t, v == 0 || v == 1, "P[%d] = %v", k, v)
	}
	mse, err := runtime.FeatureMSE(nil, ph, x.RawMatrix().Data, 4, ranks, 4)
	require.NoError(t, err)
	require.InDelta(t, mse, le.Feature, 1e-15)

	// In groups (the paper's code), the term is FeatureGroupMSE.
	ef.Config.FeatureGroup = 2
	lg, err := ef.Train(x, ranks)
	require.NoError(t, err)
	gmse, err := runtime.FeatureGroupMSE(nil, ph, x.RawMatrix().Data, 4, ranks, 4, 2)
	require.NoError(t, err)
	require.InDelta(t, gmse, lg.Feature, 1e-15)
	require.NotEqual(t, mse, gmse)
	ef.Config.FeatureGroup = 0

	// A perfectly ordered batch has no feature loss.
	sorted := mat.NewDense(4, 4, nil)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			sorted.Set(i, j, float64(i))
		}
	}
	s, err = ef.Scores(sorted)
	require.NoError(t, err)
	order := make([]int, 4)
	argsort(order, s)
	r := make([]int, 4)
	for j, i := range order {
		r[i] = j
	}
	le, err = ef.Train(sorted, r)
	require.NoError(t, err)
	require.Zero(t, le.Feature)
}

func TestModelConfigErrors(t *testing.T) {
	base := ModelConfig{Scorer: ScorerConfig{Kind: ScorerLinear, In: 3}, Network: "odd_even", N: 3, Swap: "cauchy", Steepness: 10}
	rng := rand.New(rand.NewPCG(1, 1))
	cases := []struct {
		name string
		edit func(*ModelConfig)
		want string
	}{
		{"bce on hard P", func(c *ModelConfig) { c.Swap, c.Loss = "errorfree", LossBCE }, "soft P"},
		{"errorfree loss on soft swap", func(c *ModelConfig) { c.Loss = LossErrorFree }, "errorfree"},
		{"unknown loss", func(c *ModelConfig) { c.Loss = "mse" }, "unknown loss"},
		{"negative feature group", func(c *ModelConfig) { c.Swap, c.FeatureGroup = "errorfree", -1 }, "feature group"},
		{"bad swap", func(c *ModelConfig) { c.Swap = "nope" }, "unknown swap"},
		{"bad steepness", func(c *ModelConfig) { c.Steepness = -1 }, "steepness"},
		{"set size", func(c *ModelConfig) {
			c.Scorer = ScorerConfig{Kind: ScorerTransformer, In: 3, SetSize: 4, D: 4, Heads: 1, Layers: 1, FF: 4}
		}, "set size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			_, err := NewModel(cfg, rng)
			require.ErrorContains(t, err, tc.want)
		})
	}
	hard := base
	hard.Swap, hard.Loss = "errorfree", LossBCE
	_, err := NewModel(hard, rng)
	require.ErrorIs(t, err, runtime.ErrHardP)
	require.EqualError(t, err, `train: loss "bce" on swap errorfree(cauchy) (use loss "errorfree"): runtime: BCE needs a soft P, but the swap is hard forward`)

	m, err := NewModel(base, rng)
	require.NoError(t, err)
	_, err = m.Train(randDense(rng, 6, 3), []int{0, 1, 2, 0, 1})
	require.Error(t, err)
	_, err = m.Train(randDense(rng, 6, 3), []int{0, 1, 2, 0, 1, 1})
	require.ErrorContains(t, err, "permutation")
}

func TestModelRankAccuracy(t *testing.T) {
	cases := []struct {
		name        string
		scores      []float64
		ranks       []int
		n           int
		em, ew, em5 float64
	}{
		{"perfect", []float64{0.1, 3, 2}, []int{0, 2, 1}, 3, 1, 1, 1},
		{"one swap", []float64{0.1, 2, 3}, []int{0, 2, 1}, 3, 0, 1.0 / 3, 0},
		{"two samples", []float64{1, 2, 2, 1}, []int{0, 1, 0, 1}, 2, 0.5, 0.5, 0.5},
		// n = 6: the last item is misplaced, the first five are in order.
		{"em5", []float64{0, 1, 2, 3, 4, -1}, []int{0, 1, 2, 3, 4, 5}, 6, 0, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := RankAccuracy(tc.scores, tc.ranks, tc.n)
			require.NoError(t, err)
			require.InDelta(t, tc.em, a.EM(), 1e-12)
			require.InDelta(t, tc.ew, a.EW(), 1e-12)
			require.InDelta(t, tc.em5, a.EM5(), 1e-12)
		})
	}
	_, err := RankAccuracy([]float64{1}, []int{0, 1}, 2)
	require.Error(t, err)
	require.Equal(t, 0.0, Accuracy{}.EM())
	require.False(t, math.IsNaN(Accuracy{}.EW()))
}

// The float32 sorter gives the same loss as float64 to float32 precision.
func TestModelSortLayerFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x := randDense(rng, 12, 4)
	ranks := randRanks(rng, 3, 4)
	l64, err := smallModel(t, "cauchy", "", false, 3).Train(x, ranks)
	require.NoError(t, err)
	l32, err := smallModel(t, "cauchy", "", true, 3).Train(x, ranks)
	require.NoError(t, err)
	require.InDelta(t, l64.Total, l32.Total, 1e-5)
}

// End to end in the runtime: Adam on a linear scorer learns a hidden linear
// order from rankings alone, with either loss.
func TestModelTrainLearnsOrder(t *testing.T) {
	for _, swap := range []string{"cauchy", "errorfree"} {
		t.Run(swap, func(t *testing.T) {
			const n, d, batch = 4, 5, 32
			rng := rand.New(rand.NewPCG(11, 12))
			w := []float64{1, -2, 0.5, 0, 1.5}
			m, err := NewModel(ModelConfig{Scorer: ScorerConfig{Kind: ScorerLinear, In: d}, Network: "odd_even", N: n,
				Swap: swap, Steepness: 10, FeatureWeight: 1}, rng)
			require.NoError(t, err)
			cfg := DefaultAdam()
			cfg.LR = 0.02
			opt, err := NewAdam(m.Params(), cfg)
			require.NoError(t, err)
			batchOf := func() (*mat.Dense, []int) {
				x := randDense(rng, batch*n, d)
				ranks := make([]int, batch*n)
				v := make([]float64, n)
				order := make([]int, n)
				for b := 0; b < batch; b++ {
					for i := range v {
						v[i] = mat.Dot(x.RowView(b*n+i), mat.NewVecDense(d, w))
					}
					argsort(order, v)
					for j, i := range order {
						ranks[b*n+i] = j
					}
				}
				return x, ranks
			}
			var first, last float64
			for step := 0; step < 300; step++ {
				x, ranks := batchOf()
				opt.ZeroGrad()
				lp, err := m.Train(x, ranks)
				require.NoError(t, err)
				require.NoError(t, opt.Update())
				if step == 0 {
					first = lp.Total
				}
				last = lp.Total
			}
			require.Less(t, last, first/2)
			x, ranks := batchOf()
			s, err := m.Scores(x)
			require.NoError(t, err)
			acc, err := RankAccuracy(s, ranks, n)
			require.NoError(t, err)
			require.Greater(t, acc.EM(), 0.8, "chance is 1/24")
		})
	}
}
