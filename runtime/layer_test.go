package runtime

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// A sort layer refuses a backward pass it kept nothing for, and bad input.
func TestSortLayerErrors(t *testing.T) {
	sl, err := NewSortLayer[float32](DefaultConfig("odd_even", 3, "cauchy"))
	require.NoError(t, err)
	_, err = sl.Backward(nil, make([]float64, 9))
	require.EqualError(t, err, "runtime: sort layer backward needs a forward pass with wantGrad")
	_, _, err = sl.Forward([]float64{1, math.NaN(), 2}, true)
	require.ErrorIs(t, err, ErrNotFinite)
	_, err = sl.Backward(nil, make([]float64, 9))
	require.Error(t, err, "a failed forward pass keeps nothing either")
}
