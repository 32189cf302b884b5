//go:build !amd64 || purego

package vbce

// bestLevel is levelGo: this build has no assembly.
const bestLevel = levelGo

// supported reports whether this build and CPU run lv.
func supported(lv level) bool { return lv == levelGo }

func blockLen[T Float](level, int) int { return 0 }

func blocks[T Float](_ level, grad, p []T, inv T, one bool) float64 {
	return generic(grad, p, inv, one)
}

func allFinite32(_ level, x []float32) bool { return allFiniteGo32(x) }

func allFinite64(_ level, x []float64) bool { return allFiniteGo64(x) }
