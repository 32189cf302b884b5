package runtime

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
)

// The layer is its sorter's ForwardTopK and BackwardTopK, converted.
func TestTopKLayer(t *testing.T) {
	cfg := topKConfig(plan.SplitterSelection, 10, 3, "cauchy", "")
	l, err := NewTopKLayer[float32](cfg)
	require.NoError(t, err)
	require.Equal(t, 10, l.N())
	require.Equal(t, 3, l.K())
	rng := rand.New(rand.NewPCG(3, 3))
	scores := randRows(rng, 4, 10, 1)
	gtop, gX := randRows(rng, 4, 3, 1), randRows(rng, 4, 30, 1)
	top, x, err := l.Forward(scores, true)
	require.NoError(t, err)
	gx, err := l.Backward(gtop, gX)
	require.NoError(t, err)

	r, err := l.S.ForwardTopK(convert([]float32(nil), scores), WantGrad)
	require.NoError(t, err)
	require.Equal(t, convert([]float64(nil), r.Top), top)
	require.Equal(t, convert([]float64(nil), r.X), x)
	want, err := l.S.BackwardTopK(r, convert([]float32(nil), gtop), convert([]float32(nil), gX))
	require.NoError(t, err)
	require.Equal(t, convert([]float64(nil), want), gx)

	want, err = l.S.BackwardTopK(r, nil, convert([]float32(nil), gX))
	require.NoError(t, err)
	gx, err = l.Backward(nil, gX)
	require.NoError(t, err)
	require.Equal(t, convert([]float64(nil), want), gx)
}

// A top-k layer refuses a sorting configuration, a backward pass it kept
// nothing for, and bad input.
func TestTopKLayerErrors(t *testing.T) {
	_, err := NewTopKLayer[float32](DefaultConfig("odd_even", 4, "cauchy"))
	require.EqualError(t, err, "runtime: a top-k layer needs Config.TopK >= 1, got 0")
	_, err = NewTopKLayer[float32](topKConfig("odd_even", 4, 4, "cauchy", ""))
	require.EqualError(t, err, "runtime: TopK is 4, want 1 <= TopK < n = 4")
	l, err := NewTopKLayer[float32](topKConfig("odd_even", 4, 2, "cauchy", ""))
	require.NoError(t, err)
	const noGrad = "runtime: top-k layer backward needs a forward pass with wantGrad"
	_, err = l.Backward([]float64{1, 2}, nil)
	require.EqualError(t, err, noGrad)
	_, _, err = l.Forward([]float64{1, 2, 3, 4}, false)
	require.NoError(t, err)
	_, err = l.Backward([]float64{1, 2}, nil)
	require.EqualError(t, err, noGrad)
	_, _, err = l.Forward(nil, true)
	require.EqualError(t, err, "runtime: x has length 0, not a positive multiple of n=4")
	_, _, err = l.Forward([]float64{1, math.NaN(), 2, 3}, true)
	require.ErrorIs(t, err, ErrNotFinite)
	_, err = l.Backward([]float64{1, 2}, nil)
	require.EqualError(t, err, noGrad, "a failed forward pass keeps nothing either")
	_, _, err = l.Forward([]float64{1, 2, 3, 4}, true)
	require.NoError(t, err)
	_, err = l.Backward([]float64{1}, nil)
	require.EqualError(t, err, "runtime: gtop has length 1, want 2 (batch x k)")
}
