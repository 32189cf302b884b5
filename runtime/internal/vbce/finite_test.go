package vbce

import (
	"fmt"
	"math"
	"testing"
	"unsafe"
)

// finiteCase is one kind of element: its bits and whether it is finite.
type finiteCase struct {
	name   string
	bits   uint64
	finite bool
}

func finiteCases32() []finiteCase {
	b := func(f float32) uint64 { return uint64(math.Float32bits(f)) }
	return []finiteCase{
		{"NaN", b(float32(math.NaN())), false},
		{"-NaN", 0xffc00000, false},
		{"+Inf", b(float32(math.Inf(1))), false},
		{"-Inf", b(float32(math.Inf(-1))), false},
		{"sNaN", 0x7f800001, false},
		{"-sNaN", 0xff800001, false},
		{"sNaN max payload", 0x7fbfffff, false},
		{"NaN all ones", 0xffffffff, false},
		{"MaxFloat32", b(math.MaxFloat32), true},
		{"-MaxFloat32", b(-math.MaxFloat32), true},
		{"smallest denormal", 1, true},
		{"largest denormal", 0x007fffff, true},
		{"-denormal", 0x80000001, true},
		{"smallest normal", 0x00800000, true},
		{"-0", 0x80000000, true},
		{"1", b(1), true},
	}
}

func finiteCases64() []finiteCase {
	b := math.Float64bits
	return []finiteCase{
		{"NaN", b(math.NaN()), false},
		{"-NaN", 0xfff8000000000000, false},
		{"+Inf", b(math.Inf(1)), false},
		{"-Inf", b(math.Inf(-1)), false},
		{"sNaN", 0x7ff0000000000001, false},
		{"-sNaN", 0xfff0000000000001, false},
		{"sNaN max payload", 0x7ff7ffffffffffff, false},
		{"NaN all ones", 0xffffffffffffffff, false},
		{"MaxFloat64", b(math.MaxFloat64), true},
		{"-MaxFloat64", b(-math.MaxFloat64), true},
		{"smallest denormal", 1, true},
		{"largest denormal", 0x000fffffffffffff, true},
		{"-denormal", 0x8000000000000001, true},
		{"smallest normal", 0x0010000000000000, true},
		{"-0", 0x8000000000000000, true},
		{"1", b(1), true},
	}
}

// finiteLengths are the lengths checked at every position: every length
// up to a few iterations of the unrolled AVX2 loop of either element type
// and past one of the AVX-512 float32 loop (64 elements), and some larger
// ones on both sides of the block boundaries of both widths (four
// vectors, then single vectors, then the scalar tail).
func finiteLengths() []int {
	var ns []int
	for n := range 71 {
		ns = append(ns, n)
	}
	return append(ns, 79, 80, 81, 95, 96, 97, 127, 128, 129, 143, 144, 207, 208, 209, 255, 256, 257, 1000, 1031)
}

// refFinite is the scalar reference.
func refFinite[T Float](x []T) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

type finiteImpl[T Float] struct {
	name string
	f    func([]T) bool
}

// checkAllFinite puts every case at every position of slices of every
// length (filled with ordinary values, starting at every element offset
// within 64 bytes, a ZMM register), and also a second, non-finite element
// after it, and compares every implementation with refFinite. The element
// just past the slice is always a NaN, which must not be seen.
func checkAllFinite[T Float](t *testing.T, cases []finiteCase, fromBits func(uint64) T, impls []finiteImpl[T]) {
	t.Helper()
	nan := fromBits(cases[0].bits)
	lanes := 64 / int(sizeOf[T]())
	buf := make([]T, 2048)
	for _, n := range finiteLengths() {
		for off := range lanes {
			x := buf[off : off+n : off+n+1]
			fill := func() {
				for i := range x {
					x[i] = T(float64(i%13) - 6.5)
				}
				buf[off+n] = nan
			}
			check := func(what string) {
				want := refFinite(x)
				for _, im := range impls {
					if got := im.f(x); got != want {
						t.Fatalf("%s: n=%d offset %d, %s: got %v, want %v", im.name, n, off, what, got, want)
					}
				}
			}
			fill()
			check("ordinary values")
			if off > 0 && n > 70 {
				continue // the larger lengths at offset 0 only
			}
			for _, c := range cases {
				for pos := range n {
					fill()
					x[pos] = fromBits(c.bits)
					check(fmt.Sprintf("%s at %d", c.name, pos))
					if pos+1 < n {
						x[n-1] = nan
						check(fmt.Sprintf("%s at %d, NaN last", c.name, pos))
					}
				}
			}
		}
	}
}

func sizeOf[T Float]() uintptr {
	var zero T
	return unsafe.Sizeof(zero)
}

// score32 and score64 are named element types (AllFinite views them as
// float32 and float64).
type (
	score32 float32
	score64 float64
)

func asScores32(x []float32) []score32 {
	return unsafe.Slice((*score32)(unsafe.SliceData(x)), len(x))
}

func asScores64(x []float64) []score64 {
	return unsafe.Slice((*score64)(unsafe.SliceData(x)), len(x))
}

// finiteImpls32 and finiteImpls64 are what runs at lv: AllFinite (on
// float32 and a named type) after atLevel, and the level's own kernel.
func finiteImpls32(lv level) []finiteImpl[float32] {
	impls := []finiteImpl[float32]{
		{"AllFinite", AllFinite[float32]},
		{"AllFinite[score32]", func(x []float32) bool { return AllFinite(asScores32(x)) }},
	}
	if lv == levelGo {
		impls = append(impls, finiteImpl[float32]{"allFiniteGo32", allFiniteGo32})
	}
	return append(impls, kernels32(lv)...)
}

func finiteImpls64(lv level) []finiteImpl[float64] {
	impls := []finiteImpl[float64]{
		{"AllFinite", AllFinite[float64]},
		{"AllFinite[score64]", func(x []float64) bool { return AllFinite(asScores64(x)) }},
	}
	if lv == levelGo {
		impls = append(impls, finiteImpl[float64]{"allFiniteGo64", allFiniteGo64})
	}
	return append(impls, kernels64(lv)...)
}

func TestAllFinite32(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			if lv != levelGo && len(kernels32(lv)) == 0 {
				t.Fatalf("level %s runs but has no kernel", lv)
			}
			checkAllFinite(t, finiteCases32(), func(b uint64) float32 { return math.Float32frombits(uint32(b)) }, finiteImpls32(lv))
		})
	}
}

func TestAllFinite64(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			if lv != levelGo && len(kernels64(lv)) == 0 {
				t.Fatalf("level %s runs but has no kernel", lv)
			}
			checkAllFinite(t, finiteCases64(), math.Float64frombits, finiteImpls64(lv))
		})
	}
}

// The nil and empty slices are finite.
func TestAllFiniteEmpty(t *testing.T) {
	for _, lv := range levels {
		t.Run(lv.String(), func(t *testing.T) {
			atLevel(t, lv)
			if !AllFinite[float32](nil) || !AllFinite([]float64{}) || !AllFinite[score32](nil) {
				t.Fatal("an empty slice is not finite")
			}
		})
	}
}

var finiteSink bool

func BenchmarkAllFinite(b *testing.B) {
	const n = 256 * 32
	x32 := make([]float32, n)
	x64 := make([]float64, n)
	for i := range x32 {
		x32[i] = float32(i%97) - 40.5
		x64[i] = float64(i%97) - 40.5
	}
	for _, lv := range levels {
		b.Run("float32/"+lv.String(), func(b *testing.B) {
			atLevel(b, lv)
			for b.Loop() {
				finiteSink = AllFinite(x32)
			}
		})
		b.Run("float64/"+lv.String(), func(b *testing.B) {
			atLevel(b, lv)
			for b.Loop() {
				finiteSink = AllFinite(x64)
			}
		})
	}
}
