//go:build !purego

package vbce

// avx2Impls32 and avx2Impls64 are the AVX2 kernels themselves, when the
// CPU runs them (AllFinite may have taken the Go loop).
func avx2Impls32() []finiteImpl[float32] {
	if !useAVX2 {
		return nil
	}
	return []finiteImpl[float32]{{"allFiniteAVX2F32", allFiniteAVX2F32}}
}

func avx2Impls64() []finiteImpl[float64] {
	if !useAVX2 {
		return nil
	}
	return []finiteImpl[float64]{{"allFiniteAVX2F64", allFiniteAVX2F64}}
}
