//go:build !purego

package vbce

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var (
	hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	// The wide kernels use AVX512DQ too (VXORPS, VEXTRACTF32X8, VPMOVD2M).
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ
)

// bestLevel is the fastest level the CPU runs.
var bestLevel = func() level {
	switch {
	case hasAVX512:
		return levelAVX512
	case hasAVX2:
		return levelAVX2
	}
	return levelGo
}()

// supported reports whether this build and CPU run lv.
func supported(lv level) bool {
	switch lv {
	case levelAVX2:
		return hasAVX2
	case levelAVX512:
		return hasAVX512
	}
	return true
}

// blockLen is how many leading elements the vector kernel of lv takes:
// whole registers of its lanes.
func blockLen[T Float](lv level, n int) int {
	var zero T
	lanes := lv.regBytes() / int(unsafe.Sizeof(zero))
	if lanes == 0 {
		return 0
	}
	return n - n%lanes
}

// blocks runs the assembly of Log1m (or, with one, One) at lv on whole
// blocks of blockLen.
func blocks[T Float](lv level, grad, p []T, inv T, one bool) float64 {
	var sums [8]float64 // the AVX2 kernels write the first four
	s4 := (*[4]float64)(sums[:4])
	wide := lv == levelAVX512
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		g := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad))
		x := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(p))), len(p))
		switch {
		case wide && one:
			avx512OneF32(g, x, float32(inv), &sums)
		case wide:
			avx512Log1mF32(g, x, float32(inv), &sums)
		case one:
			oneAVX2F32(g, x, float32(inv), s4)
		default:
			log1mAVX2F32(g, x, float32(inv), s4)
		}
	} else {
		g := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad))
		x := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(p))), len(p))
		switch {
		case wide && one:
			avx512OneF64(g, x, float64(inv), &sums)
		case wide:
			avx512Log1mF64(g, x, float64(inv), &sums)
		case one:
			oneAVX2F64(g, x, float64(inv), s4)
		default:
			log1mAVX2F64(g, x, float64(inv), s4)
		}
	}
	return (sums[0] + sums[1] + sums[2] + sums[3]) + (sums[4] + sums[5] + sums[6] + sums[7])
}

func allFinite32(lv level, x []float32) bool {
	switch lv {
	case levelAVX512:
		return avx512AllFiniteF32(x)
	case levelAVX2:
		return allFiniteAVX2F32(x)
	}
	return allFiniteGo32(x)
}

func allFinite64(lv level, x []float64) bool {
	switch lv {
	case levelAVX512:
		return avx512AllFiniteF64(x)
	case levelAVX2:
		return allFiniteAVX2F64(x)
	}
	return allFiniteGo64(x)
}
