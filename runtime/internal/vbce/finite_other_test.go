//go:build !amd64 || purego

package vbce

func kernels32(level) []finiteImpl[float32] { return nil }

func kernels64(level) []finiteImpl[float64] { return nil }
