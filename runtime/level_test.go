package runtime

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSetLevel: the runtime's level switches its BCE, which gives the same
// loss and gradient to rounding at every level the CPU has (the assembly
// levels' gradients bit for bit: their float32 logarithm is the same
// code at two widths, where the Go level computes in float64).
func TestSetLevel(t *testing.T) {
	prev, err := SetLevel("")
	require.NoError(t, err)
	t.Cleanup(func() { SetLevel(prev) })
	levels := Levels()
	require.Equal(t, "go", levels[0])
	require.Equal(t, levels[len(levels)-1], Level(), "the default is the fastest")
	_, err = SetLevel("sse2")
	require.Error(t, err)

	s, err := New[float32](DefaultConfig("bitonic", 16, "cauchy"))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 6))
	const batch = 37
	x := genRows[float32](rng, batch, 16)
	ranks := make([]int, batch*16)
	for b := range batch {
		perm := rng.Perm(16)
		copy(ranks[b*16:], perm)
	}
	var wantLoss float64
	var wantGx, asmGx []float32
	for i, level := range levels {
		_, err := SetLevel(level)
		require.NoError(t, err)
		require.Equal(t, level, Level())
		gx := make([]float32, len(x))
		var r Result[float32]
		loss, err := s.StepBCE(gx, &r, x, ranks)
		require.NoError(t, err, level)
		if i == 0 {
			wantLoss, wantGx = loss, slices.Clone(gx)
			continue
		}
		require.InDelta(t, wantLoss, loss, 1e-5*wantLoss, level)
		requireRowRel(t, level+": dL/dx", gx, wantGx, 16, 1e-5)
		if asmGx == nil {
			asmGx = gx
		}
		require.Equal(t, asmGx, gx, "%s: dL/dx, against the first assembly level", level)
	}
}
