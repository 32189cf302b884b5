package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// separateStep is the training step StepBCE fuses, as three calls.
func separateStep[T Float](t *testing.T, s *Sorter[T], x []T, ranks []int) (loss float64, gx, y, pt []T) {
	t.Helper()
	var r Result[T]
	require.NoError(t, s.ForwardInto(&r, x, WantP|WantGrad))
	gpt := make([]T, len(r.PT()))
	loss, err := s.BCEPT(gpt, r.PT(), ranks)
	require.NoError(t, err)
	gx = make([]T, len(x))
	require.NoError(t, s.BackwardPT(gx, &r, nil, gpt))
	return loss, gx, r.Y, r.PT()
}

// StepBCE returns the numbers of the three separate passes: the same
// kernels on the same rows, so Y, P and dL/dx agree to rounding (a block
// boundary can move a row between an AVX2 block and a tail) and the loss
// to its summation order; on generated kernels and the interpreter, with
// blocks of 16 rows down to one (odd_even n = 64, float64, whose row
// passes the block budget alone), whole tape or in segments, on one
// goroutine or split, with batches that are not multiples of a block.
func TestStepBCEMatchesSeparatePasses(t *testing.T) {
	defer goruntime.GOMAXPROCS(max(2, goruntime.GOMAXPROCS(0)))
	for _, tc := range []struct {
		net, swap string
		n         int
		backend   Backend
		maxTape   int64
	}{
		{"bitonic", "cauchy", 32, Auto, 0},
		{"bitonic", "logistic", 16, Auto, 0},
		{"odd_even", "logistic", 9, Auto, 0},
		{"odd_even", "cauchy", 7, Interpreter, 0},
		{"odd_even", "cauchy", 64, Interpreter, 0},
		{"bitonic", "cauchy", 32, Auto, -1},
		{"best", "optimal", 12, Auto, 0},
	} {
		for _, workers := range []int{1, 2} {
			cfg := DefaultConfig(tc.net, tc.n, tc.swap)
			cfg.Backend, cfg.MaxTapeBytes, cfg.Workers = tc.backend, tc.maxTape, workers
			name := fmt.Sprintf("%s/n=%d/%s/%v/maxtape=%d/workers=%d", tc.net, tc.n, tc.swap, tc.backend, tc.maxTape, workers)
			t.Run(name+"/float32", func(t *testing.T) { stepMatches[float32](t, cfg, 2e-5) })
			t.Run(name+"/float64", func(t *testing.T) { stepMatches[float64](t, cfg, 1e-12) })
		}
	}
}

func stepMatches[T Float](t *testing.T, cfg Config, tol float64) {
	s, err := New[T](cfg)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(uint64(cfg.N), 7))
	var r Result[T] // reused across batches of every size
	for _, batch := range []int{1, 7, 9, 40, 100} {
		x := convert[T](nil, randRows(rng, batch, cfg.N, 1))
		x[1] = x[0] // a tie
		ranks := randRanks(rng, batch, cfg.N)
		wantLoss, wantGx, wantY, wantPT := separateStep(t, s, x, ranks)
		gx := make([]T, len(x))
		loss, err := s.StepBCE(gx, &r, x, ranks)
		require.NoError(t, err)
		what := fmt.Sprintf("batch %d (block %d)", batch, s.stepBlock())
		require.InEpsilon(t, wantLoss, loss, tol, what)
		closeTo(t, wantY, r.Y, tol, what+": Y")
		closeTo(t, wantPT, r.PT(), tol, what+": P")
		closeTo(t, wantGx, gx, tol, what+": dL/dx")
		require.Equal(t, batch, r.Batch())
		if cfg.MaxTapeBytes < 0 {
			require.Positive(t, r.Segments(), what+": in segments")
		}
	}
}

// closeTo compares slices elementwise, relative to the largest magnitude
// of want (dL/dx has entries near zero).
func closeTo[T Float](t *testing.T, want, got []T, tol float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	scale := 0.0
	for _, v := range want {
		scale = max(scale, math.Abs(float64(v)))
	}
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*max(scale, 1e-30) {
			t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// The loss is summed block by block in row order: the same bits however
// many goroutines ran the step.
func TestStepBCELossIndependentOfWorkers(t *testing.T) {
	defer goruntime.GOMAXPROCS(max(2, goruntime.GOMAXPROCS(0)))
	rng := rand.New(rand.NewPCG(3, 4))
	const n, batch = 16, 1000
	x := convert[float32](nil, randRows(rng, batch, n, 1))
	ranks := randRanks(rng, batch, n)
	var losses []float64
	for _, workers := range []int{1, 2, 3} {
		cfg := DefaultConfig("bitonic", n, "cauchy")
		cfg.Workers = workers
		s, err := New[float32](cfg)
		require.NoError(t, err)
		var r Result[float32]
		loss, err := s.StepBCE(make([]float32, len(x)), &r, x, ranks)
		require.NoError(t, err)
		losses = append(losses, loss)
	}
	require.Equal(t, losses[0], losses[1])
	require.Equal(t, losses[0], losses[2])
}

func TestStepBCEErrors(t *testing.T) {
	s, err := New[float64](DefaultConfig("odd_even", 4, "cauchy"))
	require.NoError(t, err)
	x := []float64{3, 1, 2, 0, 0.5, 0.25, 1, 2}
	ranks := []int{3, 1, 2, 0, 1, 0, 2, 3}
	gx := make([]float64, len(x))
	var r Result[float64]
	_, err = s.StepBCE(gx, &r, x, ranks)
	require.NoError(t, err)

	_, err = s.Backward(&r, nil, make([]float64, 2*16))
	require.ErrorIs(t, err, errStepped)

	for _, tc := range []struct {
		name      string
		gx, x     []float64
		ranks     []int
		wantError string
	}{
		{"ranks repeat", gx, x, []int{3, 1, 2, 0, 1, 1, 2, 3}, "not a permutation"},
		{"rank out of range", gx, x, []int{3, 1, 2, 0, 1, 0, 2, 4}, "not a permutation"},
		{"short ranks", gx, x, ranks[:4], "ranks has length 4"},
		{"short gx", gx[:4], x, ranks, "gx has length 4"},
		{"ragged x", gx, x[:7], ranks, "not a positive multiple"},
		{"NaN score", gx, []float64{3, 1, 2, 0, 0.5, math.NaN(), 1, 2}, ranks, "NaN or infinite"},
	} {
		_, err := s.StepBCE(tc.gx, &r, tc.x, tc.ranks)
		require.ErrorContains(t, err, tc.wantError, tc.name)
	}

}

// BCE on the exact permutation of a hard-forward swap trains nothing:
// StepBCE and Sorter.BCEPT refuse it, before touching their arguments,
// for every element type and backend.
func TestBCEOnHardP(t *testing.T) {
	for _, tc := range []struct{ swap, base, name string }{
		{"hard", "", "hard"},
		{"errorfree", "", "errorfree(cauchy)"},
		{"errorfree", "logistic", "errorfree(logistic)"},
	} {
		for _, backend := range []Backend{Auto, Interpreter} {
			cfg := DefaultConfig("bitonic", 8, tc.swap)
			cfg.Base, cfg.Backend = tc.base, backend
			t.Run(fmt.Sprintf("%s/%v/float32", tc.name, backend), func(t *testing.T) { bceOnHardP[float32](t, cfg, tc.name) })
			t.Run(fmt.Sprintf("%s/%v/float64", tc.name, backend), func(t *testing.T) { bceOnHardP[float64](t, cfg, tc.name) })
		}
	}
}

func bceOnHardP[T Float](t *testing.T, cfg Config, name string) {
	s, err := New[T](cfg)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 9
	x := convert[T](nil, randRows(rng, batch, 8, 1))
	ranks := randRanks(rng, batch, 8)
	gx := make([]T, len(x))
	for i := range gx {
		gx[i] = 7
	}
	var r Result[T]
	_, err = s.StepBCE(gx, &r, x, ranks)
	require.ErrorIs(t, err, ErrHardP)
	require.EqualError(t, err, "runtime: StepBCE needs a soft P, but swap "+name+` is hard forward (its P is an exact permutation: use a soft swap such as cauchy, or train.Model with loss "errorfree")`)
	require.Equal(t, slices.Repeat([]T{7}, len(gx)), gx)
	require.Nil(t, r.Y)

	// Why: the P is 0 or 1, so BCE counts the wrong entries at the clamp.
	require.NoError(t, s.ForwardInto(&r, x, WantP))
	wrong := 0
	for b := range batch {
		for i := range 8 {
			for j := range 8 {
				q := T(0)
				if ranks[b*8+i] == j {
					q = 1
				}
				if p := r.PT()[b*64+j*8+i]; p != q {
					require.Equal(t, 1-q, p)
					wrong++
				}
			}
		}
	}
	loss, err := BCEPT(nil, r.PT(), ranks, 8)
	require.NoError(t, err)
	require.InDelta(t, 100*float64(wrong)/(batch*64), loss, 1e-9)

	_, err = s.BCEPT(make([]T, len(r.PT())), r.PT(), ranks)
	require.ErrorIs(t, err, ErrHardP)
	require.EqualError(t, err, "runtime: BCEPT needs a soft P, but swap "+name+` is hard forward (its P is an exact permutation: use a soft swap such as cauchy, or train.Model with loss "errorfree")`)
}

// StepBytes counts a block per goroutine instead of the batch's tape; it
// is what the sorter's separate passes take where it steps separately.
func TestStepBytes(t *testing.T) {
	s, err := New[float32](DefaultConfig("bitonic", 32, "cauchy"))
	require.NoError(t, err)
	require.Less(t, s.StepBytes(256), s.ForwardBytes(256, WantP|WantGrad))
	cfg := DefaultConfig("bitonic", 32, "cauchy")
	cfg.MaxTapeBytes = -1
	ck, err := New[float32](cfg)
	require.NoError(t, err)
	require.Equal(t, ck.ForwardBytes(256, WantP|WantGrad)+4*256*32*32, ck.StepBytes(256))
}
