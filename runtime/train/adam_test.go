package train

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// One Adam step from zero moments moves every parameter by lr against the
// gradient's sign (the bias-corrected first step), as torch.optim.Adam.
func TestAdamStep(t *testing.T) {
	p := NewParam("w", 1, 3)
	copy(p.Value, []float64{1, 2, 3})
	copy(p.Grad, []float64{0.5, -2, 0})
	a, err := NewAdam([]*Param{p}, DefaultAdam())
	require.NoError(t, err)
	require.InDelta(t, math.Pow(10, -3.5), a.LR(), 1e-18)
	require.NoError(t, a.Update())
	lr := a.Config.LR
	require.InDelta(t, 1-lr, p.Value[0], 1e-10) // eps shifts it by lr*eps/|g|
	require.InDelta(t, 2+lr, p.Value[1], 1e-10)
	require.Equal(t, 3.0, p.Value[2])
	require.Equal(t, 1, a.Step)

	a.ZeroGrad()
	require.Equal(t, []float64{0, 0, 0}, p.Grad)
	// Its checks of the exported fields cost no allocation a step.
	require.Zero(t, testing.AllocsPerRun(10, func() { require.NoError(t, a.Update()) }))
}

func TestAdamW(t *testing.T) {
	w, b := NewParam("w", 1, 1), NewParam("b", 1, 1)
	b.NoDecay = true
	w.Value[0], b.Value[0] = 2, 2
	cfg := DefaultAdam()
	cfg.WeightDecay = 0.1
	a, err := NewAdam([]*Param{w, b}, cfg)
	require.NoError(t, err)
	require.NoError(t, a.Update()) // zero gradients: only the decay acts
	require.InDelta(t, 2*(1-cfg.LR*0.1), w.Value[0], 1e-15)
	require.Equal(t, 2.0, b.Value[0])
}

// Adam minimises a quadratic.
func TestAdamConverges(t *testing.T) {
	p := NewParam("x", 1, 2)
	copy(p.Value, []float64{3, -4})
	cfg := DefaultAdam()
	cfg.LR = 0.05
	a, err := NewAdam([]*Param{p}, cfg)
	require.NoError(t, err)
	for i := 0; i < 2000; i++ {
		a.ZeroGrad()
		p.Grad[0], p.Grad[1] = 2*(p.Value[0]-1), 2*(p.Value[1]+2)
		require.NoError(t, a.Update())
	}
	require.InDelta(t, 1, p.Value[0], 1e-3)
	require.InDelta(t, -2, p.Value[1], 1e-3)
}

func TestAdamDecayAndErrors(t *testing.T) {
	p := NewParam("x", 1, 1)
	cfg := DefaultAdam()
	cfg.DecayEvery, cfg.DecayFactor = 2, 0.5
	a, err := NewAdam([]*Param{p}, cfg)
	require.NoError(t, err)
	lrs := []float64{}
	for i := 0; i < 5; i++ {
		lrs = append(lrs, a.LR())
		require.NoError(t, a.Update())
	}
	l := cfg.LR
	require.InDeltaSlice(t, []float64{l, l, l / 2, l / 2, l / 4}, lrs, 1e-18)

	p.Grad[0] = math.NaN()
	v := p.Value[0]
	require.ErrorContains(t, a.Update(), "gradient of x")
	require.Equal(t, v, p.Value[0])

	bad := []func(*AdamConfig){
		func(c *AdamConfig) { c.LR = 0 },
		func(c *AdamConfig) { c.Beta1 = 1 },
		func(c *AdamConfig) { c.Eps = 0 },
		func(c *AdamConfig) { c.WeightDecay = -1 },
		func(c *AdamConfig) { c.DecayEvery, c.DecayFactor = 10, 0 },
	}
	for i, edit := range bad {
		c := DefaultAdam()
		edit(&c)
		_, err := NewAdam([]*Param{p}, c)
		require.Error(t, err, "case %d", i)
	}
	_, err = NewAdam([]*Param{p, p}, DefaultAdam())
	require.ErrorContains(t, err, "duplicate")
}
