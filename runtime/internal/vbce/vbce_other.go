//go:build !amd64 || purego

package vbce

func blockLen[T Float](int) int { return 0 }

func log1mBlocks[T Float](grad, p []T, inv T) float64 { return log1mGeneric(grad, p, inv) }

func oneBlocks[T Float](grad, p []T, inv T) float64 { return oneGeneric(grad, p, inv) }
