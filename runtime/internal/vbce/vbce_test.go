package vbce

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func inputs[T Float](n int) []T {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	specials := []float64{0, 1, 0.5, 1e-30, 1 - 1e-7, 1 - 1e-16, 1e-45, math.Copysign(0, -1), -1e-9, 1 + 1e-7, 2, -3}
	p := make([]T, n)
	for i := range p {
		if i < len(specials) {
			p[i] = T(specials[i])
			continue
		}
		p[i] = T(rng.Float64())
	}
	return p
}

func check[T Float](t *testing.T, n int, tol float64) {
	p := inputs[T](n)
	inv := T(1.0 / float64(n))
	got := make([]T, n)
	want := make([]T, n)
	sum := Log1m(got, p, inv)
	wantSum := generic(want, p, inv, false)
	compare(t, p, got, want, sum, wantSum, tol)
	sum = One(got, p, inv)
	wantSum = generic(want, p, inv, true)
	compare(t, p, got, want, sum, wantSum, tol)
}

func compare[T Float](t *testing.T, p, got, want []T, sum, wantSum, tol float64) {
	require.InDelta(t, wantSum, sum, tol*math.Max(1, math.Abs(wantSum)))
	for i := range p {
		require.InDelta(t, float64(want[i]), float64(got[i]), tol*math.Max(1e-30, math.Abs(float64(want[i]))), "p=%v", p[i])
	}
}

func TestLog1mMatchesGeneric(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 33, 1024} {
		check[float32](t, n, 2e-6)
		check[float64](t, n, 1e-14)
	}
}

// The vector kernel must give the floor, not log of a clamped argument,
// where 1-p is 0.
func TestLog1mFloor(t *testing.T) {
	p := []float32{1, 1, 1, 1, 1, 1, 1, 1}
	g := make([]float32, 8)
	require.Equal(t, -800.0, Log1m(g, p, 1))
	p64 := []float64{1, 1, 1, 1}
	g64 := make([]float64, 4)
	require.Equal(t, -400.0, Log1m(g64, p64, 1))
}

func BenchmarkLog1m(b *testing.B) {
	p := inputs[float32](256 * 1024)
	g := make([]float32, len(p))
	for b.Loop() {
		Log1m(g, p, 1)
	}
}
