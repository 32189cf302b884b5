package runtime

import (
	"fmt"
	"math"
	"path"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/testmod"
	"github.com/sortgen/sortgen/runtime/registry"
)

// extremeRows are rows of the type's largest finite values: alternating
// signs (b - a overflows the type), ties at the largest value beside a zero,
// and a mix of halves; enough rows for whole blocks of AVX2 and AVX-512
// lanes and a tail.
func extremeRows[T Float](n int) []T {
	maxF := math.MaxFloat64
	big := T(maxF)
	if math.IsInf(float64(big), 0) {
		big = T(math.MaxFloat32)
	}
	const rows = 19
	x := make([]T, rows*n)
	for i := range x {
		switch r := i / n; r % 3 {
		case 0:
			x[i] = big * T(1-2*(i%2))
		case 1:
			x[i] = big * T(1-2*(r/3%2))
			if i%n == 0 {
				x[i] = 0
			}
		default:
			x[i] = big / 2 * T((i*7)%5-2)
		}
	}
	return x
}

// sawtooth is a gradient of length n: i%period - period/2.
func sawtooth[T Float](n, period int) []T {
	g := make([]T, n)
	for i := range g {
		g[i] = T(i%period - period/2)
	}
	return g
}

// checkExtreme requires finite Y, P and gradients, and a nil error, on
// extremeRows.
func checkExtreme[T Float](t *testing.T, s *Sorter[T]) {
	t.Helper()
	n := s.N()
	x := extremeRows[T](n)
	finite := func(what string, v []T) {
		t.Helper()
		for i, f := range v {
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				t.Fatalf("%s[%d] = %v from finite input", what, i, f)
			}
		}
	}
	y := make([]T, len(x))
	require.NoError(t, s.Sort(y, x))
	finite("Sort y", y)
	if k := s.Plan().TopK; k > 0 {
		want := Want(0)
		if s.cfg.Swap != "hard" {
			want = WantGrad
		}
		r, err := s.ForwardTopK(x, want)
		require.NoError(t, err)
		finite("top", r.Top)
		finite("X", r.X)
		if want == WantGrad {
			gx, err := s.BackwardTopK(r, sawtooth[T](len(r.Top), 7), sawtooth[T](len(r.X), 5))
			require.NoError(t, err)
			finite("top-k dL/dx", gx)
		}
	}
	want := WantP
	if s.cfg.Swap != "hard" {
		want |= WantGrad
	}
	r, err := s.Forward(x, want)
	require.NoError(t, err)
	finite("y", r.Y)
	finite("P", r.PT())
	if want&WantGrad == 0 {
		return
	}
	gy, gP := sawtooth[T](len(x), 7), sawtooth[T](len(x)*n, 5)
	gx, err := s.Backward(r, gy, gP)
	require.NoError(t, err)
	finite("dL/dx", gx)
	gx, err = s.Backward(r, gy, nil)
	require.NoError(t, err)
	finite("dL/dx without dL/dP", gx)
}

// TestExtremeValues: finite input near the type's largest value gives
// finite output on every swap, at the extreme parameters too, sorting and
// top-k, on the interpreter and on every registered kernel (at each of its
// levels).
func TestExtremeValues(t *testing.T) {
	for _, swap := range []string{"logistic", "logistic_phi", "gaussian", "reciprocal", "cauchy", "optimal", "hard", "errorfree"} {
		for _, beta := range []float64{1, 10, plan.MaxSteepness} {
			for _, network := range []string{"odd_even", "bitonic", "odd_even top-2"} {
				cfg := DefaultConfig(network, 5, swap)
				if network == "odd_even top-2" {
					cfg = DefaultConfig("odd_even", 5, swap)
					cfg.TopK = 2
				}
				cfg.Steepness, cfg.ARTLambda, cfg.Backend = beta, plan.MaxARTLambda, Interpreter
				name := fmt.Sprintf("%s/%s/beta=%g", network, swap, beta)
				t.Run(name+"/float32", func(t *testing.T) {
					s, err := New[float32](cfg)
					require.NoError(t, err)
					checkExtreme(t, s)
				})
				t.Run(name+"/float64", func(t *testing.T) {
					s, err := New[float64](cfg)
					require.NoError(t, err)
					checkExtreme(t, s)
				})
			}
		}
	}
	for _, k := range registry.All() {
		if k.N > 256 && !testmod.Slow() {
			continue // n = 256 runs the same looped kernels, in a tenth of the time
		}
		for _, beta := range []float64{10, plan.MaxSteepness} {
			name := fmt.Sprintf("%s/beta=%g", path.Base(k.Package), beta)
			cfg := genConfig(k, Generated, beta, 0.25)
			if k.Elem == "float32" {
				s, err := New[float32](cfg)
				require.NoError(t, err)
				eachKernelSet(t, s, name, func(t *testing.T) { checkExtreme(t, s) })
			} else {
				s, err := New[float64](cfg)
				require.NoError(t, err)
				eachKernelSet(t, s, name, func(t *testing.T) { checkExtreme(t, s) })
			}
		}
	}
}

// TestParameterBounds: a steepness or lambda beyond the bounds where the
// arithmetic stays finite is an error that says why, not NaN.
func TestParameterBounds(t *testing.T) {
	for _, c := range []struct {
		swap          string
		beta, lambda  float64
		wantErrSubstr string
	}{
		{"cauchy", 1e300, 0.25, "steepness must be in (0, 1e+12]"},
		{"logistic", math.Nextafter(plan.MaxSteepness, math.Inf(1)), 0.25, "overflow"},
		{"logistic_phi", 10, 40, "art lambda must be in [0, 1]"},
		{"logistic_phi", 10, 1.5, "not monotone"},
	} {
		cfg := DefaultConfig("odd_even", 4, c.swap)
		cfg.Steepness, cfg.ARTLambda = c.beta, c.lambda
		_, err := New[float32](cfg)
		require.ErrorContains(t, err, c.wantErrSubstr, "%+v", c)
	}
	// The bounds themselves are accepted, and a tie stays finite there.
	cfg := DefaultConfig("odd_even", 4, "logistic_phi")
	cfg.Steepness, cfg.ARTLambda, cfg.Backend = plan.MaxSteepness, plan.MaxARTLambda, Interpreter
	s, err := New[float32](cfg)
	require.NoError(t, err)
	r, err := s.Forward([]float32{1, 1, 1, 1}, WantP|WantGrad)
	require.NoError(t, err)
	gx, err := s.Backward(r, []float32{1, 2, 3, 4}, make([]float32, 16))
	require.NoError(t, err)
	for i, v := range append(append(r.Y, r.PT()...), gx...) {
		require.False(t, math.IsNaN(float64(v)) || math.IsInf(float64(v), 0), "value %d = %v", i, v)
	}
}
