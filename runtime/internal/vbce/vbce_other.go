//go:build !amd64 || purego

package vbce

func blockLen[T Float](int) int { return 0 }

func blocks[T Float](grad, p []T, inv T, one bool) float64 { return generic(grad, p, inv, one) }

func allFinite32(x []float32) bool { return allFiniteGo32(x) }

func allFinite64(x []float64) bool { return allFiniteGo64(x) }
