//go:build !purego

package vbce

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// blockLen is how many leading elements the vector kernel takes.
func blockLen[T Float](n int) int {
	if !useAVX2 {
		return 0
	}
	var zero T
	lanes := 32 / int(unsafe.Sizeof(zero))
	return n - n%lanes
}

// blocks runs the assembly of Log1m (or, with one, One) on whole blocks.
func blocks[T Float](grad, p []T, inv T, one bool) float64 {
	var sums [4]float64
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		g := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad))
		x := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(p))), len(p))
		if one {
			oneAVX2F32(g, x, float32(inv), &sums)
		} else {
			log1mAVX2F32(g, x, float32(inv), &sums)
		}
	} else {
		g := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad))
		x := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(p))), len(p))
		if one {
			oneAVX2F64(g, x, float64(inv), &sums)
		} else {
			log1mAVX2F64(g, x, float64(inv), &sums)
		}
	}
	return sums[0] + sums[1] + sums[2] + sums[3]
}

func allFinite32(x []float32) bool {
	if useAVX2 {
		return allFiniteAVX2F32(x)
	}
	return allFiniteGo32(x)
}

func allFinite64(x []float64) bool {
	if useAVX2 {
		return allFiniteAVX2F64(x)
	}
	return allFiniteGo64(x)
}
