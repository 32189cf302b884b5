package bench

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/runtime"
)

// The benchmarked step must compute the real gradient of the BCE loss,
// with the whole tape and in segments: compare it with central
// differences.
func TestTrainerGradient(t *testing.T) {
	for _, network := range []string{"odd_even", "bitonic"} {
		for _, maxTape := range []int64{0, -1} {
			trainerGradient(t, network, maxTape)
		}
	}
}

func trainerGradient(t *testing.T, network string, maxTape int64) {
	cfg := runtime.DefaultConfig(network, 8, "cauchy")
	cfg.Steepness, cfg.MaxTapeBytes, cfg.SegmentSteps = 2, maxTape, 3
	tr, err := NewTrainer[float64](cfg, 3)
	require.NoError(t, err)
	_, err = tr.Step()
	require.NoError(t, err)
	g := append([]float64(nil), tr.Grad()...)
	const h = 1e-6
	for i := range tr.X {
		x0 := tr.X[i]
		tr.X[i] = x0 + h
		lp, err := tr.Step()
		require.NoError(t, err)
		tr.X[i] = x0 - h
		lm, err := tr.Step()
		require.NoError(t, err)
		tr.X[i] = x0
		want := (lp - lm) / (2 * h)
		require.InDelta(t, want, g[i], 1e-6*math.Max(1, math.Abs(want)), "%s MaxTapeBytes=%d x[%d]", network, maxTape, i)
	}
}
