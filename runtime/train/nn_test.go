package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func randDense(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// checkClose fails unless analytic and numeric gradients agree to a
// relative tolerance (absolute near zero).
func checkClose(t *testing.T, what string, analytic, numeric, tol float64) {
	t.Helper()
	scale := max(1, math.Abs(analytic), math.Abs(numeric))
	require.LessOrEqualf(t, math.Abs(analytic-numeric)/scale, tol, "%s: analytic %.10g numeric %.10g", what, analytic, numeric)
}

// gradCheck compares a module's backward pass with central finite
// differences of L = sum(w * Forward(x)) for every input entry and every
// parameter entry (at most maxPer per parameter, spread evenly).
func gradCheck(t *testing.T, m Module, x *mat.Dense, rng *rand.Rand, wantInputGrad bool) {
	t.Helper()
	const h, tol, maxPer = 1e-6, 1e-6, 40
	y := m.Forward(x)
	r, c := y.Dims()
	w := randDense(rng, r, c)
	loss := func() float64 {
		var e mat.Dense
		e.MulElem(m.Forward(x), w)
		return mat.Sum(&e)
	}
	for _, p := range m.Params() {
		p.ZeroGrad()
	}
	m.Forward(x)
	gx := m.Backward(mat.DenseCopyOf(w))
	if wantInputGrad {
		require.NotNil(t, gx)
		gx = mat.DenseCopyOf(gx)
		xr, xc := x.Dims()
		for i := 0; i < xr; i++ {
			for j := 0; j < xc; j++ {
				v := x.At(i, j)
				x.Set(i, j, v+h)
				lp := loss()
				x.Set(i, j, v-h)
				lm := loss()
				x.Set(i, j, v)
				checkClose(t, "input", gx.At(i, j), (lp-lm)/(2*h), tol)
			}
		}
	} else {
		require.Nil(t, gx)
	}
	for _, p := range m.Params() {
		grad := append([]float64(nil), p.Grad...)
		step := max(1, len(p.Value)/maxPer)
		for k := 0; k < len(p.Value); k += step {
			v := p.Value[k]
			p.Value[k] = v + h
			lp := loss()
			p.Value[k] = v - h
			lm := loss()
			p.Value[k] = v
			checkClose(t, p.Name, grad[k], (lp-lm)/(2*h), tol)
		}
	}
}

func TestModelLayerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	att := func(n, d, heads int) Module {
		a, err := NewSelfAttention("a", n, d, heads, rng)
		require.NoError(t, err)
		return a
	}
	enc := func(n, d, heads, ff int) Module {
		e, err := NewEncoderLayer("e", n, d, heads, ff, rng)
		require.NoError(t, err)
		return e
	}
	noInput := NewLinear("l", 5, 3, rng)
	noInput.NoInputGrad = true
	ln := NewLayerNorm("ln", 6)
	for i := range ln.Gain.Value { // away from the identity, to test the gain
		ln.Gain.Value[i] = 1 + 0.3*rng.NormFloat64()
		ln.Bias.Value[i] = 0.3 * rng.NormFloat64()
	}
	cases := []struct {
		name      string
		m         Module
		rows, in  int
		wantInput bool
	}{
		{"linear", NewLinear("l", 5, 3, rng), 7, 5, true},
		{"linear no input grad", noInput, 7, 5, false},
		{"relu", &ReLU{}, 6, 4, true},
		{"layernorm", ln, 5, 6, true},
		{"expectation", &Expectation{Values: []float64{0, 1, 2, 3, 4}}, 4, 5, true},
		{"mlp", Sequential{NewLinear("a", 6, 8, rng), &ReLU{}, NewLinear("b", 8, 2, rng)}, 5, 6, true},
		{"blocks", &Blocks{K: 3, Inner: Sequential{NewLinear("d", 4, 5, rng), &ReLU{}, NewLinear("e", 5, 2, rng)}}, 4, 12, true},
		{"attention 1 head", att(3, 4, 1), 9, 4, true},
		{"attention 2 heads", att(4, 6, 2), 8, 6, true},
		{"encoder layer", enc(5, 4, 2, 7), 10, 4, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gradCheck(t, tc.m, randDense(rng, tc.rows, tc.in), rng, tc.wantInput)
		})
	}
}

func TestScorerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []ScorerConfig{
		{Kind: ScorerLinear, In: 6},
		{Kind: ScorerMLP, In: 6, Hidden: []int{5, 4}},
		{Kind: ScorerDigits, In: 12, Digits: 3, Hidden: []int{5}},
		{Kind: ScorerTransformer, In: 6, SetSize: 3, D: 4, Heads: 2, Layers: 2, FF: 5},
		{Kind: ScorerTransformer, In: 12, Digits: 3, Hidden: []int{3}, SetSize: 3, D: 4, Heads: 2, Layers: 1, FF: 5},
	}
	for _, cfg := range cases {
		t.Run(cfg.Kind, func(t *testing.T) {
			s, err := NewScorer(cfg, rng)
			require.NoError(t, err)
			gradCheck(t, s.Net, randDense(rng, 6, cfg.In), rng, false)
		})
	}
}

func TestScorerErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bad := []ScorerConfig{
		{Kind: "cnn", In: 4},
		{Kind: ScorerLinear},
		{Kind: ScorerDigits, In: 10, Digits: 3},
		{Kind: ScorerMLP, In: 3, Hidden: []int{0}},
		{Kind: ScorerTransformer, In: 4, SetSize: 3, D: 6, Heads: 4, Layers: 1, FF: 4},
	}
	for _, cfg := range bad {
		_, err := NewScorer(cfg, rng)
		require.Error(t, err, "%+v", cfg)
	}
	s, err := NewScorer(ScorerConfig{Kind: ScorerTransformer, In: 4, SetSize: 3, D: 4, Heads: 2, Layers: 1, FF: 4}, rng)
	require.NoError(t, err)
	_, err = s.Forward(randDense(rng, 4, 4))
	require.ErrorContains(t, err, "whole sets")
	_, err = s.Forward(randDense(rng, 3, 5))
	require.ErrorContains(t, err, "features")
}

// A transformer scorer must be permutation-equivariant within a set: the
// papers rely on it, and a positional leak would let it cheat on order.
func TestScorerTransformerEquivariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	s, err := NewScorer(ScorerConfig{Kind: ScorerTransformer, In: 5, SetSize: 4, D: 8, Heads: 2, Layers: 2, FF: 16}, rng)
	require.NoError(t, err)
	x := randDense(rng, 8, 5)
	base, err := s.Forward(x)
	require.NoError(t, err)
	base = append([]float64(nil), base...)
	perm := []int{2, 0, 3, 1}
	px := mat.NewDense(8, 5, nil)
	for b := 0; b < 2; b++ {
		for i, src := range perm {
			px.SetRow(b*4+i, x.RawRowView(b*4+src))
		}
	}
	got, err := s.Forward(px)
	require.NoError(t, err)
	for b := 0; b < 2; b++ {
		for i, src := range perm {
			require.InDelta(t, base[b*4+src], got[b*4+i], 1e-12)
		}
	}
}
