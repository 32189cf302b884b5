//go:build !purego

package vbce

// kernels32 and kernels64 are the assembly kernels of lv themselves, when
// the CPU runs them (AllFinite may take another path).
func kernels32(lv level) []finiteImpl[float32] {
	switch {
	case lv == levelAVX2 && hasAVX2:
		return []finiteImpl[float32]{{"allFiniteAVX2F32", allFiniteAVX2F32}}
	case lv == levelAVX512 && hasAVX512:
		return []finiteImpl[float32]{{"avx512AllFiniteF32", avx512AllFiniteF32}}
	}
	return nil
}

func kernels64(lv level) []finiteImpl[float64] {
	switch {
	case lv == levelAVX2 && hasAVX2:
		return []finiteImpl[float64]{{"allFiniteAVX2F64", allFiniteAVX2F64}}
	case lv == levelAVX512 && hasAVX512:
		return []finiteImpl[float64]{{"avx512AllFiniteF64", avx512AllFiniteF64}}
	}
	return nil
}
