// Package vbce computes the bulk of diffsort's BCE loss on a relaxed
// permutation matrix: for every entry p, the term of a zero target,
// max(log(1-p), -100), and its gradient p / max(p(1-p), 1e-12) / count,
// with p clamped to [0, 1] first (a NaN p taken as 0), as PyTorch's
// BCELoss does. The caller corrects the n entries per sample whose target
// is 1. On amd64 it runs an avo-generated kernel (go generate; its log is
// within 1 ulp) on ZMM registers with AVX-512 (F, DQ), else on YMM
// registers with AVX2 and FMA; elsewhere, and under the purego tag, plain
// Go. Both kernels compute every lane with the same instructions.
//
// AllFinite is the runtime's input check (no NaN or infinity), on the same
// terms: the kernel of asm.AllFiniteWide or asm.AllFinite (the emitter the
// generated kernel packages use too), else a branch-free Go loop.
package vbce

//go:generate go run generate.go
