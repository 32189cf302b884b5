package runtime

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// score is a named element type: the sorter views it as float32.
type score float32

// nonFinite are the values the input checks reject, as float64 (converted
// to the element type: NaN and the infinities stay what they are).
var nonFinite = []struct {
	name string
	v    float64
}{{"NaN", math.NaN()}, {"+Inf", math.Inf(1)}, {"-Inf", math.Inf(-1)}}

// TestInputNotFinite: the error of every entry point names the first
// non-finite value (index, row and value), wraps ErrNotFinite, and comes
// before anything is written to y, for every position in batches whose
// lengths cover whole AVX2 vectors and tails, and for float32, float64 and
// a named type.
func TestInputNotFinite(t *testing.T) {
	testInputNotFinite[float32](t)
	testInputNotFinite[float64](t)
	testInputNotFinite[score](t)
}

func testInputNotFinite[T Float](t *testing.T) {
	const n = 3
	s, err := New[T](DefaultConfig("odd_even", n, "cauchy"))
	require.NoError(t, err)
	name := fmt.Sprintf("%T", T(0))
	for _, batch := range []int{1, 2, 3, 5, 11, 22, 23, 45} {
		for pos := range batch * n {
			for _, bad := range nonFinite {
				x := make([]T, batch*n)
				for i := range x {
					x[i] = T(i%5) - 2
				}
				x[pos] = T(bad.v)
				if pos+1 < len(x) {
					x[len(x)-1] = T(math.NaN()) // a later one is not named
				}
				want := fmt.Sprintf("runtime: input is NaN or infinite: x[%d] (row %d) = %v", pos, pos/n, bad.v)
				y := slices.Repeat([]T{7}, len(x))
				err := s.Sort(y, x)
				require.ErrorIs(t, err, ErrNotFinite)
				require.EqualError(t, err, want, "%s", name)
				require.Equal(t, slices.Repeat([]T{7}, len(x)), y, "%s: y written", name)
				_, err = s.Forward(x, WantP)
				require.EqualError(t, err, want, "%s", name)
			}
		}
	}
	// dL/dy is checked by finite, with its own words.
	x := make([]T, 9*n)
	for i := range x {
		x[i] = T(i)
	}
	r, err := s.Forward(x, WantGrad)
	require.NoError(t, err)
	for pos := range len(x) {
		for _, bad := range nonFinite {
			gy := make([]T, len(x))
			gy[pos] = T(bad.v)
			_, err := s.Backward(r, gy, nil)
			require.ErrorIs(t, err, ErrNotFinite)
			require.EqualError(t, err, fmt.Sprintf("runtime: input is NaN or infinite: gy[%d] = %v", pos, bad.v), "%s", name)
		}
	}
}

// firstNotFinite agrees with a plain scan at every position, for values
// at the edges of the finite range too.
func TestFirstNotFinite(t *testing.T) {
	finite := []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, math.Copysign(0, -1), 1}
	for n := range 80 {
		x := make([]float64, n)
		require.Equal(t, -1, firstNotFinite(x))
		for pos := range n {
			for _, v := range finite {
				clear(x)
				x[pos] = v
				require.Equal(t, -1, firstNotFinite(x), "n=%d %v at %d", n, v, pos)
			}
			for _, bad := range nonFinite {
				clear(x)
				x[pos] = bad.v
				require.Equal(t, pos, firstNotFinite(x), "n=%d %s at %d", n, bad.name, pos)
				x32 := make([]float32, n)
				x32[pos] = float32(bad.v)
				require.Equal(t, pos, firstNotFinite(x32), "float32 n=%d %s at %d", n, bad.name, pos)
			}
		}
	}
}

// checkRowsScalar is checkRows without vbce.AllFinite: one compare and
// branch per element, the baseline of BenchmarkCheckRows.
func checkRowsScalar[T Float](what string, x []T, n int) (int, error) {
	if len(x) == 0 || len(x)%n != 0 {
		return 0, fmt.Errorf("runtime: %s has length %d, not a positive multiple of n=%d", what, len(x), n)
	}
	for i, v := range x {
		if v-v != 0 {
			return 0, fmt.Errorf("%w: %s[%d] (row %d) = %v", ErrNotFinite, what, i, i/n, float64(v))
		}
	}
	return len(x) / n, nil
}

// BenchmarkCheckRows is the input check of a batch of the hard batch sort
// benchmark (256 rows of 32), scalar and vectorised.
func BenchmarkCheckRows(b *testing.B) {
	benchmarkCheckRows[float32](b)
	benchmarkCheckRows[float64](b)
}

func benchmarkCheckRows[T Float](b *testing.B) {
	const n, batch = 32, 256
	s, err := New[T](DefaultConfig("bitonic", n, "hard"))
	require.NoError(b, err)
	x := make([]T, n*batch)
	for i := range x {
		x[i] = T(i%97) - 40.5
	}
	typ := fmt.Sprintf("%T", T(0))
	b.Run(typ+"/scalar", func(b *testing.B) {
		for b.Loop() {
			if _, err := checkRowsScalar("x", x, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(typ+"/vector", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.checkRows("x", x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
