//go:build !amd64 || purego

package vbce

func blockLen[T Float](int) int { return 0 }

func blocks[T Float](grad, p []T, inv T, one bool) float64 { return generic(grad, p, inv, one) }
