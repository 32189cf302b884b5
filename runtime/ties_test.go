package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// order is the permutation of a hard P per row: order[b*n+j] is the input
// item at sorted position j.
func order[T Float](t *testing.T, r *Result[T], n int) []int {
	t.Helper()
	p := r.P()
	out := make([]int, r.Batch()*n)
	for b := range r.Batch() {
		for i := range n {
			for j := range n {
				switch p[b*n*n+i*n+j] {
				case 1:
					out[b*n+j] = i
				case 0:
				default:
					t.Fatalf("row %d: P[%d][%d] = %v, not a permutation", b, i, j, p[b*n*n+i*n+j])
				}
			}
		}
	}
	return out
}

// Odd-even transposition compares neighbouring wires only, and a
// comparator leaves a tie in place, so its hard sort is stable: tied
// items keep their input order, on every backend, -0 and +0 included.
func TestOddEvenKeepsTies(t *testing.T) {
	for _, swap := range []string{"hard", "errorfree"} {
		for _, n := range []int{3, 8, 16, 32} {
			for _, backend := range []Backend{Auto, Interpreter} {
				cfg := DefaultConfig("odd_even", n, swap)
				cfg.Backend = backend
				name := fmt.Sprintf("%s/n=%d/%v", swap, n, backend)
				t.Run(name+"/float32", func(t *testing.T) { oddEvenKeepsTies[float32](t, cfg) })
				t.Run(name+"/float64", func(t *testing.T) { oddEvenKeepsTies[float64](t, cfg) })
			}
		}
	}
}

func oddEvenKeepsTies[T Float](t *testing.T, cfg Config) {
	s, err := New[T](cfg)
	require.NoError(t, err)
	n, batch := cfg.N, 50
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	x := make([]T, batch*n)
	for i := range x {
		x[i] = T(rng.IntN(3)) // many ties
		if x[i] == 0 && rng.IntN(2) == 0 {
			x[i] = T(math.Copysign(0, -1))
		}
	}
	r, err := s.Forward(x, WantP)
	require.NoError(t, err)
	got := order(t, r, n)
	for b := range batch {
		row := x[b*n : (b+1)*n]
		want := make([]int, n)
		for i := range want {
			want[i] = i
		}
		slices.SortStableFunc(want, func(i, j int) int {
			switch {
			case row[i] < row[j]:
				return -1
			case row[i] > row[j]:
				return 1
			}
			return 0 // -0 == +0: a tie
		})
		require.Equal(t, want, got[b*n:(b+1)*n], "row %d: %v", b, row)
		for j, i := range want {
			// Bitwise: the zeros keep their signs in input order too.
			require.Equal(t, math.Float64bits(float64(row[i])), math.Float64bits(float64(r.Y[b*n+j])), "row %d, position %d", b, j)
		}
	}
}

// Bitonic compares distant wires: each comparator still leaves a tie in
// place, but the network as a whole reorders tied items, and, since -0 ==
// +0, which zero comes first.
func TestBitonicReordersTies(t *testing.T) {
	nz := math.Copysign(0, -1)
	for _, tc := range []struct {
		n        int
		x        []float64
		order    []int // the network's
		stable   []int // a stable sort's
		y, oddEv []float64
	}{
		{4, []float64{1, 0, 0, 0}, []int{1, 3, 2, 0}, []int{1, 2, 3, 0}, nil, nil},
		{4, []float64{1, 0, nz, 0}, []int{1, 3, 2, 0}, []int{1, 2, 3, 0}, []float64{0, 0, nz, 1}, []float64{0, nz, 0, 1}},
		{8, []float64{1, 0, 0, 0, 0, 0, 0, 0}, []int{1, 3, 2, 7, 4, 5, 6, 0}, []int{1, 2, 3, 4, 5, 6, 7, 0}, nil, nil},
	} {
		// float32 bitonic n = 8 hard runs the generated kernel.
		for _, backend := range []Backend{Auto, Interpreter} {
			cfg := DefaultConfig("bitonic", tc.n, "hard")
			cfg.Backend = backend
			s, err := New[float32](cfg)
			require.NoError(t, err)
			x := convert[float32](nil, tc.x)
			r, err := s.Forward(x, WantP)
			require.NoError(t, err)
			what := fmt.Sprintf("%v on %s", tc.x, s.Backend())
			if tc.n == 8 && backend == Auto {
				require.Contains(t, s.Backend(), "generated", what)
			}
			require.Equal(t, tc.order, order(t, r, tc.n), what)
			require.NotEqual(t, tc.stable, tc.order)
			if tc.y == nil {
				continue
			}
			oe, err := New[float32](DefaultConfig("odd_even", tc.n, "hard"))
			require.NoError(t, err)
			y := make([]float32, tc.n)
			require.NoError(t, oe.Sort(y, x))
			for j := range tc.y {
				require.Equal(t, math.Signbit(tc.y[j]), math.Signbit(float64(r.Y[j])), "%s: bitonic y[%d]", what, j)
				require.Equal(t, math.Signbit(tc.oddEv[j]), math.Signbit(float64(y[j])), "%s: odd_even y[%d]", what, j)
			}
			require.Equal(t, convert[float32](nil, tc.y), r.Y, what)
		}
	}
}
