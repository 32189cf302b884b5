//go:build !amd64 || purego

package vbce

func avx2Impls32() []finiteImpl[float32] { return nil }

func avx2Impls64() []finiteImpl[float64] { return nil }
