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

func log1mBlocks[T Float](grad, p []T, inv T) float64 {
	var sums [4]float64
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		log1mAVX2F32(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad)),
			unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(p))), len(p)), float32(inv), &sums)
	} else {
		log1mAVX2F64(unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad)),
			unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(p))), len(p)), float64(inv), &sums)
	}
	return sums[0] + sums[1] + sums[2] + sums[3]
}

func oneBlocks[T Float](grad, p []T, inv T) float64 {
	var sums [4]float64
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		oneAVX2F32(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad)),
			unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(p))), len(p)), float32(inv), &sums)
	} else {
		oneAVX2F64(unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(grad))), len(grad)),
			unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(p))), len(p)), float64(inv), &sums)
	}
	return sums[0] + sums[1] + sums[2] + sums[3]
}
