package vbce

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// specials are the values of p each kernel must clamp or floor as generic
// does: the ends of [0, 1] and beyond, values whose log(1-q) or log(q)
// reaches the floor, denormals, and NaN (q = 0) and the infinities.
var specials = []float64{
	0, 1, 0.5, 1e-30, 1 - 1e-7, 1 - 1e-16, 1e-45, math.Copysign(0, -1), -1e-9, 1 + 1e-7, 2, -3,
	math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, 1e-300,
}

func inputs[T Float](n int) []T {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
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

// check compares Log1m and One on p (at the level in use) with generic.
func check[T Float](t *testing.T, p []T, tol float64) {
	t.Helper()
	n := len(p)
	inv := T(1.0 / float64(n))
	got := make([]T, n)
	want := make([]T, n)
	sum := Log1m(got, p, inv)
	wantSum := generic(want, p, inv, false)
	compare(t, "Log1m", p, got, want, sum, wantSum, tol)
	sum = One(got, p, inv)
	wantSum = generic(want, p, inv, true)
	compare(t, "One", p, got, want, sum, wantSum, tol)
}

func compare[T Float](t *testing.T, what string, p, got, want []T, sum, wantSum, tol float64) {
	t.Helper()
	require.InDelta(t, wantSum, sum, tol*math.Max(1, math.Abs(wantSum)), "%s: n=%d: sum", what, len(p))
	for i := range p {
		require.InDelta(t, float64(want[i]), float64(got[i]), tol*math.Max(1e-30, math.Abs(float64(want[i]))), "%s: n=%d: grad[%d], p=%v", what, len(p), i, p[i])
	}
}

// bceLengths cover whole vectors of both widths and tails after them (8
// and 16 float32 lanes, 4 and 8 float64 lanes).
var bceLengths = []int{1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 47, 48, 64, 100, 1024, 1031}

func TestLog1mMatchesGeneric(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			for _, n := range bceLengths {
				check(t, inputs[float32](n), 2e-6)
				check(t, inputs[float64](n), 1e-14)
			}
		})
	}
}

// Every special value in every lane of the first and second vector of the
// widest kernel, among ordinary values (inputs puts them in the first
// lanes only).
func TestLog1mSpecialsEveryLane(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			for _, v := range specials {
				for i := range 32 {
					p32 := make([]float32, 32)
					p64 := make([]float64, 16)
					for j := range p32 {
						p32[j] = float32(j+1) / 40
					}
					for j := range p64 {
						p64[j] = float64(j+1) / 20
					}
					p32[i] = float32(v)
					check(t, p32, 2e-6)
					if i < len(p64) {
						p64[i] = v
						check(t, p64, 1e-14)
					}
				}
			}
		})
	}
}

// The assembly of every level computes each lane with the same
// instructions, so the AVX-512 gradients equal the AVX2 ones bit for bit
// (the sums differ only in the order of their partial sums).
func TestLog1mLevelsAgree(t *testing.T) {
	for _, lv := range []level{levelAVX2, levelAVX512} {
		if !supported(lv) {
			t.Skipf("level %s: not on this CPU or build", lv)
		}
	}
	run := func(lv level, one bool) (g32 []float32, s32 float64, g64 []float64, s64 float64) {
		prev := current.Swap(int32(lv))
		defer current.Store(prev)
		p32, p64 := inputs[float32](1024), inputs[float64](1024)
		g32, g64 = make([]float32, len(p32)), make([]float64, len(p64))
		if one {
			return g32, One(g32, p32, 0.25), g64, One(g64, p64, 0.25)
		}
		return g32, Log1m(g32, p32, 0.25), g64, Log1m(g64, p64, 0.25)
	}
	for _, one := range []bool{false, true} {
		a32, as32, a64, as64 := run(levelAVX2, one)
		b32, bs32, b64, bs64 := run(levelAVX512, one)
		require.Equal(t, a32, b32, "one=%v: float32 gradients", one)
		require.Equal(t, a64, b64, "one=%v: float64 gradients", one)
		require.InDelta(t, as32, bs32, 1e-12*math.Abs(as32), "one=%v: float32 sum", one)
		require.InDelta(t, as64, bs64, 1e-12*math.Abs(as64), "one=%v: float64 sum", one)
	}
}

// Each level gives its kernel whole registers: the rest goes to generic.
func TestBlockLen(t *testing.T) {
	cases := []struct {
		lv       level
		n        int
		f32, f64 int
	}{
		{levelGo, 33, 0, 0},
		{levelAVX2, 7, 0, 4},
		{levelAVX2, 33, 32, 32},
		{levelAVX512, 7, 0, 0},
		{levelAVX512, 15, 0, 8},
		{levelAVX512, 47, 32, 40},
	}
	for _, c := range cases {
		if !supported(c.lv) {
			t.Logf("level %s: not on this CPU or build, skipped", c.lv)
			continue
		}
		require.Equal(t, c.f32, blockLen[float32](c.lv, c.n), "%s n=%d float32", c.lv, c.n)
		require.Equal(t, c.f64, blockLen[float64](c.lv, c.n), "%s n=%d float64", c.lv, c.n)
	}
}

// The vector kernel must give the floor, not log of a clamped argument,
// where 1-p is 0: two vectors of the widest level.
func TestLog1mFloor(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			p := make([]float32, 32)
			p64 := make([]float64, 16)
			for i := range p {
				p[i] = 1
			}
			for i := range p64 {
				p64[i] = 1
			}
			require.Equal(t, -3200.0, Log1m(make([]float32, len(p)), p, 1))
			require.Equal(t, -1600.0, Log1m(make([]float64, len(p64)), p64, 1))
		})
	}
}

func BenchmarkLog1m(b *testing.B) {
	for _, n := range []int{1024, 256 * 1024} {
		p32, p64 := inputs[float32](n), inputs[float64](n)
		g32, g64 := make([]float32, n), make([]float64, n)
		for _, lv := range levels {
			b.Run(fmt.Sprintf("float32/n=%d/%s", n, lv), func(b *testing.B) {
				atLevel(b, lv)
				for b.Loop() {
					Log1m(g32, p32, 1)
				}
			})
			b.Run(fmt.Sprintf("float64/n=%d/%s", n, lv), func(b *testing.B) {
				atLevel(b, lv)
				for b.Loop() {
					Log1m(g64, p64, 1)
				}
			})
		}
	}
}
