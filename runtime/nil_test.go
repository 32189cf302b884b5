package runtime

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Nil pointers and nil slices given to the public entry points are errors
// that say what is missing, never a panic.
func TestNilArguments(t *testing.T) {
	const n, batch = 4, 2
	s, err := New[float64](DefaultConfig("odd_even", n, "cauchy"))
	require.NoError(t, err)
	x := []float64{3, 1, 2, 0, 0.5, 0.25, 1, 2}
	ranks := []int{3, 1, 2, 0, 1, 0, 2, 3}
	gx, gy, gP := make([]float64, batch*n), make([]float64, batch*n), make([]float64, batch*n*n)
	r, err := s.Forward(x, WantP|WantGrad)
	require.NoError(t, err)
	layer, err := NewSortLayer[float32](DefaultConfig("odd_even", n, "cauchy"))
	require.NoError(t, err)

	const nilResult = "runtime: the result is nil (pass the address of a Result, which may be the zero value)"
	const noX = "runtime: x has length 0, not a positive multiple of n=4"
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"Sort nil y", func() error { return s.Sort(nil, x) }, "runtime: y has length 0, x has 8"},
		{"Sort nil x", func() error { return s.Sort(gx, nil) }, noX},
		{"Forward nil x", func() error { _, err := s.Forward(nil, WantP); return err }, noX},
		{"ForwardInto nil result", func() error { return s.ForwardInto(nil, x, WantP) }, nilResult},
		{"Backward nil result, gy", func() error { _, err := s.Backward(nil, gy, nil); return err }, nilResult},
		{"Backward nil result, gP", func() error { _, err := s.Backward(nil, nil, gP); return err }, nilResult},
		{"BackwardInto nil result, gy", func() error { return s.BackwardInto(gx, nil, gy, nil) }, nilResult},
		{"BackwardInto nil result, gP", func() error { return s.BackwardInto(gx, nil, nil, gP) }, nilResult},
		{"BackwardInto nil gx", func() error { return s.BackwardInto(nil, r, gy, nil) }, "runtime: gx has length 0, want 8"},
		{"BackwardPT nil result", func() error { return s.BackwardPT(gx, nil, nil, gP) }, nilResult},
		{"StepBCE nil result", func() error { _, err := s.StepBCE(gx, nil, x, ranks); return err }, nilResult},
		{"StepBCE nil gx", func() error { _, err := s.StepBCE(nil, new(Result[float64]), x, ranks); return err }, "runtime: gx has length 0, want 8"},
		{"StepBCE nil x", func() error { _, err := s.StepBCE(gx, new(Result[float64]), nil, ranks); return err }, noX},
		{"StepBCE nil ranks", func() error { _, err := s.StepBCE(gx, new(Result[float64]), x, nil); return err },
			"runtime: ranks has length 0, want 8 (x is 2 rows of n=4)"},
		{"Sorter.BCEPT nil pt", func() error { _, err := s.BCEPT(gP, nil, ranks); return err },
			"runtime: P has length 0 and ranks 8, want ranks a positive multiple of n=4 and P n times that"},
		{"Sorter.BCEPT nil ranks", func() error { _, err := s.BCEPT(gP, r.PT(), nil); return err },
			"runtime: P has length 32 and ranks 0, want ranks a positive multiple of n=4 and P n times that"},
		{"BCEPT nil pt", func() error { _, err := BCEPT[float64](nil, nil, ranks, n); return err },
			"runtime: P has length 0 and ranks 8, want ranks a positive multiple of n=4 and P n times that"},
		{"BCE nil p", func() error { _, err := BCE(nil, nil, ranks, n); return err },
			"runtime: P has length 0, want 32 for 2 samples of n=4"},
		{"CheckRanks nil", func() error { return CheckRanks(nil, n) }, "runtime: ranks have length 0, not a positive multiple of n=4"},
		{"FeatureMSE nil features", func() error { _, err := FeatureMSE(nil, r.P(), nil, 3, ranks, n); return err },
			"runtime: feature loss wants 24 features (8 items of d=3) and 32 P entries, got 0 and 32"},
		{"FeatureGroupMSE nil features", func() error { _, err := FeatureGroupMSE(nil, r.P(), nil, 3, ranks, n, 1); return err },
			"runtime: feature loss wants 24 features (8 items of d=3) and 32 P entries, got 0 and 32"},
		{"FeatureMSE no features per item", func() error { _, err := FeatureMSE(nil, r.P(), nil, 0, ranks, n); return err },
			"runtime: feature loss wants d >= 1 features per item, got 0"},
		{"SortLayer.Forward nil scores", func() error { _, _, err := layer.Forward(nil, true); return err }, noX},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			require.EqualError(t, err, tc.want)
		})
	}
}
